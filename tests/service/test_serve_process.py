"""``carecircles serve`` as a real process: stopping it stops the graph server it started."""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

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
    serve, log = _serve(tmp_path, env)
    try:
        port = _port_of(serve, log)
        _wait_until_serving(serve, port)
        server_pid = json.loads((data_dir / "falkordb.json").read_text())["pid"]
        assert _running(server_pid)

        serve.send_signal(signal.SIGTERM)
        serve.wait(timeout=30)
    finally:
        if serve.poll() is None:
            serve.kill()
            serve.wait()

    assert not _running(server_pid), "the embedded graph server outlived carecircles serve"


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except (FileNotFoundError, ProcessLookupError):
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def _workers(serve_pid: int) -> list[int]:
    """The worker processes of ``carecircles serve --workers``, by their command line."""
    found = []
    for child in _children(serve_pid):
        try:
            if b"spawn_main" in Path(f"/proc/{child}/cmdline").read_bytes():
                found.append(child)
        except (FileNotFoundError, ProcessLookupError):  # it has just ended
            continue
    return found


def _connections_held(pid: int, port: int, peers: set[int]) -> int:
    """Established TCP connections to local ``port`` from one of the local ``peers`` ports
    (the test's own clients, not a readiness poll still closing) whose socket this process
    holds open."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except FileNotFoundError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    held = 0
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local_port = int(fields[1].split(":")[1], 16)
        peer_port = int(fields[2].split(":")[1], 16)
        if local_port == port and peer_port in peers and fields[3] == "01" and fields[9] in inodes:
            held += 1
    return held


def _serve(
    tmp_path: Path, env: dict[str, str], *options: str
) -> tuple[subprocess.Popen[bytes], Path]:
    """``carecircles serve --port 0`` (the system picks a free port, so no other process can
    take the one a test picked before the server binds it), its output going to a log file."""
    log = tmp_path / "serve.log"
    with log.open("wb") as output:
        serve = subprocess.Popen(
            [sys.executable, "-m", "service.cli", "serve", "--port", "0", *options],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    return serve, log


def _port_of(serve: subprocess.Popen[bytes], log: Path) -> int:
    """The port the server says it listens on ("running on" with one process, "serving on"
    with workers), once the socket is bound."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:  # polling a log file another process writes
        found = re.search(r"(?:running|serving) on http://127\.0\.0\.1:(\d+)", log.read_text())
        if found:
            return int(found.group(1))
        assert serve.poll() is None, f"carecircles serve exited: {log.read_text()[-2000:]}"
        assert time.monotonic() < deadline, "carecircles serve did not say where it listens"
        time.sleep(0.05)


def _wait_until_serving(serve: subprocess.Popen[bytes], port: int) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:  # readiness poll: /health answers once a worker and its store are up
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health").status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert serve.poll() is None, "carecircles serve exited before it was ready"
        assert time.monotonic() < deadline, "carecircles serve did not start"
        time.sleep(0.05)


@pytest.mark.parametrize("stop_with", [signal.SIGTERM, signal.SIGINT])
def test_serve_with_workers_shares_connections_replaces_a_dead_worker_and_stops_them_all(
    tmp_path: Path, stop_with: signal.Signals
) -> None:
    """Two workers, each listening on the port with SO_REUSEPORT: 32 keep-alive connections
    opened at once are answered by both (the kernel spreads them). A worker killed is replaced,
    and SIGTERM or SIGINT to ``serve`` stops the workers and the graph server."""
    data_dir = tmp_path / "data"
    env = {**os.environ, "CARECIRCLES_GRAPH_URI": "embedded://"}
    env["CARECIRCLES_DATA_DIR"] = str(data_dir)
    serve, log = _serve(tmp_path, env, "--workers", "2")
    clients: list[http.client.HTTPConnection] = []
    replaced: list[int] = []
    workers: list[int] = []
    server_pid = 0
    try:
        port = _port_of(serve, log)
        _wait_until_serving(serve, port)
        workers = _workers(serve.pid)
        assert len(workers) == 2
        server_pid = json.loads((data_dir / "falkordb.json").read_text())["pid"]
        assert not [pid for pid in _children(server_pid) if pid in workers]

        clients = [http.client.HTTPConnection("127.0.0.1", port) for _ in range(32)]
        for client in clients:
            client.connect()
        for client in clients:  # every connection answered, and kept open
            _get_health(client)
        peers = {client.sock.getsockname()[1] for client in clients}
        held = [_connections_held(pid, port, peers) for pid in workers]
        assert sum(held) == 32 and min(held) > 0, held

        os.kill(workers[0], signal.SIGKILL)
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:  # a new worker takes the dead one's place
            replaced = [pid for pid in _workers(serve.pid) if pid != workers[0]]
            if len(replaced) == 2:
                break
            assert time.monotonic() < deadline, "the dead worker was not replaced"
            time.sleep(0.05)
        for client in clients:
            client.close()
        clients = [http.client.HTTPConnection("127.0.0.1", port) for _ in range(8)]
        for client in clients:  # new connections are answered (the new worker once it is up)
            _get_health(client)

        serve.send_signal(stop_with)
        assert serve.wait(timeout=60) == 0
    finally:
        for client in clients:
            client.close()
        if serve.poll() is None:  # a failed assertion: still stop it cleanly, not orphan it
            serve.send_signal(signal.SIGTERM)
            try:
                serve.wait(timeout=60)
            except subprocess.TimeoutExpired:
                serve.kill()
                serve.wait()
    for pid in [*workers, *replaced, server_pid]:
        assert not _running(pid), f"process {pid} outlived carecircles serve"


def _get_health(client: http.client.HTTPConnection) -> None:
    client.request("GET", "/health")
    response = client.getresponse()
    assert response.status == 200
    response.read()


def test_serve_on_a_port_in_use_says_so_and_starts_no_graph_server(tmp_path: Path) -> None:
    """The port is taken before the store starts an embedded graph server (whose own free port
    could otherwise be the one asked for), so a port in use fails at once, plainly."""
    data_dir = tmp_path / "data"
    env = {**os.environ, "CARECIRCLES_GRAPH_URI": "embedded://"}
    env["CARECIRCLES_DATA_DIR"] = str(data_dir)
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "service.cli", "serve", "--port", str(port)],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 1
    assert f"error: cannot listen on 127.0.0.1:{port}" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (data_dir / "falkordb.json").exists()


def test_serve_with_workers_on_the_port_of_another_serve_says_so(tmp_path: Path) -> None:
    """SO_REUSEPORT would let a second ``serve --workers`` of the same user share the port of
    the first, each taking some of the connections: the second one refuses instead."""
    env = {**os.environ, "CARECIRCLES_GRAPH_URI": "embedded://"}
    env["CARECIRCLES_DATA_DIR"] = str(tmp_path / "first")
    first, log = _serve(tmp_path, env, "--workers", "2")
    try:
        port = _port_of(first, log)
        second_dir = tmp_path / "second"
        done = subprocess.run(
            [sys.executable, "-m", "service.cli", "serve", "--port", str(port), "--workers", "2"],
            env={**env, "CARECIRCLES_DATA_DIR": str(second_dir)},
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        first.send_signal(signal.SIGTERM)
        first.wait(timeout=60)
    assert done.returncode == 1
    assert f"error: cannot listen on 127.0.0.1:{port}" in done.stderr
    assert not (second_dir / "falkordb.json").exists()


def test_workers_stop_when_serve_is_killed(tmp_path: Path) -> None:
    """SIGKILL gives ``serve`` no chance to stop its workers: they notice it has gone and stop."""
    data_dir = tmp_path / "data"
    env = {**os.environ, "CARECIRCLES_GRAPH_URI": "embedded://"}
    env["CARECIRCLES_DATA_DIR"] = str(data_dir)
    serve, log = _serve(tmp_path, env, "--workers", "2")
    server_pid = 0
    try:
        port = _port_of(serve, log)
        _wait_until_serving(serve, port)
        workers = _workers(serve.pid)
        assert len(workers) == 2
        server_pid = json.loads((data_dir / "falkordb.json").read_text())["pid"]
        serve.kill()
        serve.wait()
        deadline = time.monotonic() + START_TIMEOUT_S
        while any(_running(pid) for pid in workers):  # polling other processes' ends
            assert time.monotonic() < deadline, "a worker outlived its killed serve"
            time.sleep(0.05)
    finally:
        if serve.poll() is None:
            serve.kill()
            serve.wait()
        if server_pid and _running(server_pid):  # SIGKILL left it behind: not this test's point
            os.kill(server_pid, signal.SIGTERM)
