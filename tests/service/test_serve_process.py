"""``carecircles serve`` as a real process: stopping it stops the graph server it started."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.service.conftest import _free_port

START_TIMEOUT_S = 60.0


def _running(pid: int) -> bool:
    """True while the process exists and is not a zombie waiting to be reaped."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    state = next(line for line in status.splitlines() if line.startswith("State:"))
    return "Z" not in state.split()[1]


def test_serve_stopped_with_sigterm_stops_the_graph_server_it_started(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    env = {**os.environ, "CARECIRCLES_GRAPH_URI": "embedded://"}
    env["CARECIRCLES_DATA_DIR"] = str(data_dir)
    port = _free_port()
    serve = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:  # readiness poll: /health answers once the app and its store are up
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert serve.poll() is None, "carecircles serve exited before it was ready"
            assert time.monotonic() < deadline, "carecircles serve did not start"
            time.sleep(0.05)
        server_pid = json.loads((data_dir / "falkordb.json").read_text())["pid"]
        assert _running(server_pid)

        serve.send_signal(signal.SIGTERM)
        serve.wait(timeout=30)
    finally:
        if serve.poll() is None:
            serve.kill()
            serve.wait()

    assert not _running(server_pid), "the embedded graph server outlived carecircles serve"
