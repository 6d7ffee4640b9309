"""A real Neo4j 5.26 Community server for the tests, started with ``tools/neo4j/run``.

``started_neo4j(data_dir)`` builds the launcher if needed (once; cached in tools/neo4j/target),
starts it on a free loopback port with a random password and ``--exit-on-stdin-eof`` (so the
server goes when this process goes, even if it is killed), waits for its ``NEO4J_BOLT_URI`` line
and yields ``(uri, password)``; afterwards it sends SIGTERM and waits for the clean shutdown.
"""

from __future__ import annotations

import os
import secrets
import selectors
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

LAUNCHER = Path(__file__).resolve().parents[1] / "tools" / "neo4j" / "run"
READY_PREFIX = "NEO4J_BOLT_URI "
# A first start on a fresh data directory takes ~35 s on a busy 2-core machine; a first build
# fetches ~130 MB from Maven Central.
START_TIMEOUT_S = float(os.environ.get("CARECIRCLES_TEST_NEO4J_START_TIMEOUT", "600"))
STOP_TIMEOUT_S = 60.0


class Neo4jDidNotStart(RuntimeError):
    """``tools/neo4j/run`` exited or stayed silent instead of printing its bolt URI."""


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


@contextmanager
def started_neo4j(data_dir: Path) -> Iterator[tuple[str, str]]:
    password = secrets.token_urlsafe(18)
    stderr_path = data_dir / "launcher.stderr"
    with stderr_path.open("wb") as stderr:
        process = subprocess.Popen(
            [str(LAUNCHER), "--data", str(data_dir / "server"), "--password", password,
             "--port", "0", "--exit-on-stdin-eof"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr, text=True,
        )  # fmt: skip
    try:
        uri = _await_uri(process, stderr_path)
        yield uri, password
    finally:
        _stop(process)


def _await_uri(process: subprocess.Popen[str], stderr_path: Path) -> str:
    assert process.stdout is not None
    deadline = time.monotonic() + START_TIMEOUT_S
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while time.monotonic() < deadline:
            if not selector.select(timeout=1.0):
                if process.poll() is not None:
                    break
                continue
            line = process.stdout.readline()
            if not line:
                break  # the launcher closed its output: it exited
            if line.startswith(READY_PREFIX):
                return line[len(READY_PREFIX) :].strip()
    code = process.poll()
    raise Neo4jDidNotStart(
        f"{LAUNCHER} gave no bolt URI within {START_TIMEOUT_S:.0f} s (exit code {code}); "
        f"its standard error ends:\n{_tail(stderr_path)}"
    )


def _stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    for stream in (process.stdin, process.stdout):
        if stream is not None:
            stream.close()
