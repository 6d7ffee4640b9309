"""``carecircles serve --workers N``: N server processes behind one port, connections dealt to
them in turn.

Why not uvicorn's own ``workers=N``: there every process accepts from one shared listening
socket, and the one that wakes first takes the whole burst waiting in the backlog. Measured with
32 keep-alive clients connecting at once to two workers: one process got three quarters of the
connections, so it ran its core flat out while the other idled, and since a keep-alive
connection stays with the process that accepted it, that lasted as long as the clients did.
(Node.js's cluster module deals connections round-robin from its primary process for the same
reason.)

Here the supervisor (this process) accepts, and passes each new connection's file descriptor
(``SCM_RIGHTS`` over a Unix socket pair, one per worker) to the next live worker, which serves
it with uvicorn's own HTTP protocol exactly as if it had accepted it. Requests never pass through
the supervisor; it only deals connections, replaces a worker that dies, and on SIGTERM or SIGINT
stops accepting and lets every worker finish its requests (uvicorn's graceful shutdown).
"""

from __future__ import annotations

import asyncio
import logging
import logging.config
import multiprocessing
import selectors
import signal
import socket
import time
from dataclasses import dataclass
from multiprocessing.process import BaseProcess
from types import FrameType

import uvicorn

log = logging.getLogger("uvicorn.error")  # the workers log there too

STARTUP_FAILURE = 3  # uvicorn's exit code when the app's start-up failed: not worth a restart
RESTART_PAUSE_S = 1.0  # at most one restart per second per worker slot
STOP_TIMEOUT_S = 30.0  # then a worker still finishing requests is killed
POLL_S = 0.25  # how often the supervisor looks for dead workers when no one connects


@dataclass(frozen=True)
class WorkerOptions:
    app: str  # "module:factory", called in each worker
    host: str
    port: int
    log_level: str = "info"
    access_log: bool = False


class _DealtServer(uvicorn.Server):
    """uvicorn's server, with no listening socket of its own: it serves the connections the
    supervisor passes down ``channel``, and stops when the supervisor closes it."""

    def __init__(self, config: uvicorn.Config, channel: socket.socket) -> None:
        super().__init__(config)
        self._channel = channel

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=[])  # the app's lifespan; listens on nothing
        if self.should_exit:
            return
        loop = asyncio.get_running_loop()
        self._channel.setblocking(False)
        loop.add_reader(self._channel.fileno(), self._receive, loop)

    def _protocol(self) -> asyncio.Protocol:
        return self.config.http_protocol_class(  # type: ignore[call-arg]
            config=self.config, server_state=self.server_state, app_state=self.lifespan.state
        )

    def _receive(self, loop: asyncio.AbstractEventLoop) -> None:
        while True:
            try:
                message, fds, _, _ = socket.recv_fds(self._channel, 16, 1)
            except BlockingIOError:
                return
            except OSError:
                message, fds = b"", []
            if not message and not fds:  # the supervisor has gone: finish and stop
                loop.remove_reader(self._channel.fileno())
                self.should_exit = True
                return
            for fd in fds:
                connection = socket.socket(fileno=fd)
                loop.create_task(self._adopt(loop, connection))

    async def _adopt(self, loop: asyncio.AbstractEventLoop, connection: socket.socket) -> None:
        try:
            await loop.connect_accepted_socket(self._protocol, connection)
        except OSError:  # the client left before we got to it
            connection.close()


def _worker_main(channel: socket.socket, options: WorkerOptions) -> None:
    config = uvicorn.Config(
        options.app,
        factory=True,
        host=options.host,
        port=options.port,
        log_level=options.log_level,
        access_log=options.access_log,
    )
    _DealtServer(config, channel).run()


@dataclass
class _Worker:
    process: BaseProcess
    channel: socket.socket  # the supervisor's end
    started: float


def _start(options: WorkerOptions) -> _Worker:
    mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    process = multiprocessing.get_context("spawn").Process(
        target=_worker_main, args=(theirs, options), name="carecircles-worker"
    )
    process.start()
    theirs.close()
    return _Worker(process, mine, time.monotonic())


def listen(host: str, port: int) -> socket.socket:
    """The listening socket for ``host:port`` (IPv6 when the host is an IPv6 address)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET  # "::" listens on IPv6
    return socket.create_server((host, port), family=family, backlog=2048)


def run_workers(
    options: WorkerOptions, *, workers: int, listener: socket.socket | None = None
) -> int:
    """Serve on ``listener`` (default: a new one on ``options.host:port``) with ``workers``
    processes until SIGTERM or SIGINT; the exit code (0, or STARTUP_FAILURE when every worker
    failed to start)."""
    if workers < 1:
        raise ValueError(f"workers: expected at least 1, got {workers}")
    logging.config.dictConfig(uvicorn.config.LOGGING_CONFIG)
    log.setLevel(options.log_level.upper())
    if listener is None:
        listener = listen(options.host, options.port)
    listener.setblocking(False)
    stopping = False

    def stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    previous = {s: signal.signal(s, stop) for s in (signal.SIGTERM, signal.SIGINT)}
    pool: list[_Worker | None] = [_start(options) for _ in range(workers)]
    log.info(
        "serving on http://%s:%d with %d worker processes, connections dealt in turn",
        options.host,
        listener.getsockname()[1],
        workers,
    )
    turn = 0
    try:
        with selectors.DefaultSelector() as selector:
            selector.register(listener, selectors.EVENT_READ)
            while not stopping and any(worker is not None for worker in pool):
                if selector.select(timeout=POLL_S):
                    turn = _deal(listener, pool, turn)
                _replace_dead(pool, options)
    finally:
        listener.close()
        _stop_all(pool)
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return 0 if stopping else STARTUP_FAILURE


def _deal(listener: socket.socket, pool: list[_Worker | None], turn: int) -> int:
    """Accept every waiting connection, each to the next live worker; the next turn."""
    while True:
        try:
            connection, _ = listener.accept()
        except (BlockingIOError, InterruptedError):
            return turn
        except ConnectionAbortedError:
            continue
        with connection:  # our copy closes; the worker has its own
            for _ in range(len(pool)):
                worker = pool[turn % len(pool)]
                turn += 1
                if worker is None:
                    continue
                try:
                    socket.send_fds(worker.channel, [b"c"], [connection.fileno()])
                    break
                except OSError:  # that worker has just died; _replace_dead starts another
                    continue


def _replace_dead(pool: list[_Worker | None], options: WorkerOptions) -> None:
    for slot, worker in enumerate(pool):
        if worker is None or worker.process.is_alive():
            continue
        worker.channel.close()
        code = worker.process.exitcode
        if code == STARTUP_FAILURE:
            log.error("worker %s failed to start (exit %s); not restarting it", slot, code)
            pool[slot] = None
            continue
        log.warning("worker %s exited (code %s); starting another", slot, code)
        pause = RESTART_PAUSE_S - (time.monotonic() - worker.started)
        if pause > 0:
            time.sleep(pause)
        pool[slot] = _start(options)


def _stop_all(pool: list[_Worker | None]) -> None:
    live = [worker for worker in pool if worker is not None]
    for worker in live:
        worker.channel.close()  # no more connections; the worker finishes what it has
        if worker.process.is_alive():
            worker.process.terminate()  # SIGTERM: uvicorn's graceful shutdown
    deadline = time.monotonic() + STOP_TIMEOUT_S
    for worker in live:
        worker.process.join(timeout=max(0.0, deadline - time.monotonic()))
        if worker.process.is_alive():
            worker.process.kill()
            worker.process.join()
