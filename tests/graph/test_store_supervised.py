"""The embedded FalkorDB server under supervision (``open_store(..., supervise=True)``, what
``carecircles serve`` does): restarted on the same port when it dies, reaped, its data kept; not
restarted when stopped on purpose; given up after ``RESTART_LIMIT`` restarts.

Real servers, each test in its own temporary data directory; every wait polls a condition with a
deadline.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from graph.settings import Settings
from graph.store import GraphStore, GraphUnavailable, embedded, open_store
from graph.store.embedded import PID_FILE, ensure_server, running_server, stop_server

GRAPH = "supervised_test"
DEADLINE_S = 30.0
PERSON_IDS = "MATCH (p:Person) RETURN p.id AS id ORDER BY id"


@pytest.fixture
def data_dir(tmp_path: Path) -> Iterator[Path]:
    directory = tmp_path / "data"
    yield directory
    stop_server(directory)


def _open(data_dir: Path) -> GraphStore:
    settings = Settings(graph_uri="embedded://", data_dir=data_dir, graph_name=GRAPH)
    return open_store(settings, supervise=True)


def _recorded(data_dir: Path) -> dict[str, int]:
    recorded: dict[str, int] = json.loads((data_dir / PID_FILE).read_text())
    return recorded


def _state(pid: int) -> str | None:
    """The process's state letter (``Z``: a zombie), or None once it is gone (reaped)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return stat.rsplit(")", 1)[1].split()[0]


def _until(condition: Callable[[], bool], what: str, timeout: float = DEADLINE_S) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"{what}: not within {timeout:.0f} s"
        time.sleep(0.02)


def _supervisors() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "falkordb-supervisor" and t.is_alive()]


def _restarted_after(data_dir: Path, killed_pid: int) -> Callable[[], bool]:
    def restarted() -> bool:
        server = running_server(data_dir)
        return server is not None and server.pid != killed_pid

    return restarted


def _person_ids(store: GraphStore) -> list[str]:
    """The people in the graph, once the store answers again."""
    deadline = time.monotonic() + DEADLINE_S
    while True:
        try:
            return [row["id"] for row in store.run(PERSON_IDS, write=False)]
        except GraphUnavailable:
            assert time.monotonic() < deadline, "the store did not answer again"
            time.sleep(0.02)


def test_a_killed_server_is_reaped_and_restarted_on_the_same_port_with_its_data(
    data_dir: Path,
) -> None:
    store = _open(data_dir)
    try:
        store.run("CREATE (:Person {id: $id})", {"id": "p1"})
        killed = _recorded(data_dir)
        assert killed["supervisor"] == os.getpid()

        os.kill(killed["pid"], signal.SIGKILL)

        _until(_restarted_after(data_dir, killed["pid"]), "restarted")
        restarted = _recorded(data_dir)
        assert restarted["port"] == killed["port"]
        assert restarted["supervisor"] == os.getpid()
        _until(lambda: _state(killed["pid"]) is None, "the killed server reaped")
        assert _person_ids(store) == ["p1"]  # the same client, reconnected
        store.run("CREATE (:Person {id: $id})", {"id": "p2"})
        assert _person_ids(store) == ["p1", "p2"]
    finally:
        store.close()

    assert stop_server(data_dir) is True
    _until(lambda: not _supervisors(), "the supervisor ended after the stop")
    assert running_server(data_dir) is None, "a server stopped on purpose was restarted"
    assert _state(restarted["pid"]) is None


def test_a_server_another_process_stops_is_not_restarted(data_dir: Path) -> None:
    store = _open(data_dir)
    store.close()
    stopped = _recorded(data_dir)

    subprocess.run(  # what `carecircles db stop` does
        [
            sys.executable,
            "-c",
            "import sys; from graph.store.embedded import stop_server; stop_server(sys.argv[1])",
            str(data_dir),
        ],
        check=True,
        timeout=60,
    )

    _until(lambda: not _supervisors(), "the supervisor ended")
    assert running_server(data_dir) is None
    assert _state(stopped["pid"]) is None, "the stopped server was not reaped"


def test_the_supervisor_gives_up_after_the_limit_and_the_next_open_starts_a_server(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(embedded, "RESTART_LIMIT", 1)
    store = _open(data_dir)
    store.close()
    first = _recorded(data_dir)
    os.kill(first["pid"], signal.SIGKILL)
    _until(_restarted_after(data_dir, first["pid"]), "restarted once")
    second = _recorded(data_dir)

    os.kill(second["pid"], signal.SIGKILL)

    _until(lambda: not _supervisors(), "the supervisor gave up")
    _until(lambda: _state(second["pid"]) is None, "the killed server reaped")
    assert running_server(data_dir) is None
    assert _recorded(data_dir)["supervisor"] == 0, "the pid file still names a supervisor"
    began = time.monotonic()
    server = ensure_server(data_dir)  # starts one at once, waiting for no restart
    assert time.monotonic() - began < embedded.START_TIMEOUT_S
    assert server.pid not in (first["pid"], second["pid"])


SUPERVISING_PROCESS = textwrap.dedent(
    """
    import json, sys
    from graph.settings import Settings
    from graph.store import open_store

    store = open_store(
        Settings(graph_uri="embedded://", data_dir=sys.argv[1], graph_name="g"), supervise=True
    )
    print("ready", flush=True)
    sys.stdin.readline()
    """
)


def test_another_process_finding_the_server_dead_waits_for_its_supervisor(
    data_dir: Path,
) -> None:
    """The other process (a worker, ``carecircles seed``) takes the server the supervisor
    restarts, on the same port, rather than starting a second one on the same files."""
    supervising = subprocess.Popen(
        [sys.executable, "-c", SUPERVISING_PROCESS, str(data_dir)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert supervising.stdout is not None
        assert supervising.stdout.readline().strip() == "ready"
        killed = _recorded(data_dir)
        assert killed["supervisor"] == supervising.pid

        os.kill(killed["pid"], signal.SIGKILL)
        server = ensure_server(data_dir)

        assert server.port == killed["port"]
        assert server.pid != killed["pid"]
        assert server.started_here is False
        assert _recorded(data_dir)["supervisor"] == supervising.pid
    finally:
        supervising.communicate(input="\n", timeout=60)
    assert supervising.returncode == 0
