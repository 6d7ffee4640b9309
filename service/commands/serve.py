"""``carecircles serve [--host] [--port] [--workers N] [--demo]``: the API (and web pages) under
uvicorn.

One process serves on a socket it binds itself (``uvicorn.Server(config).run(sockets=[...])``,
so ``--port 0`` works and the port is known before the store starts). With ``--workers N`` this
process starts the store (the embedded graph server, when that is the store), then N worker
processes, each a plain uvicorn server on its own listening socket bound to the same port with
``SO_REUSEPORT``: the kernel spreads new connections over the workers by hashing each connection,
so a burst of keep-alive clients is shared evenly (with one shared listening socket, as uvicorn's
own ``workers=N`` has, the worker that wakes first takes most of a burst, and keeps those
connections). The workers reach the store through its URI; this process replaces a worker that
dies and, on SIGTERM or SIGINT, stops every worker and then the store.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import signal
import socket
import sys
import threading
import time
from dataclasses import dataclass
from multiprocessing.process import BaseProcess
from multiprocessing.synchronize import Event as EventType
from types import FrameType
from typing import Annotated

import typer
import uvicorn

from graph.store import GraphError, GraphStore, open_store
from service.config import ServiceSettings, secret_key

BACKLOG = 2048
STARTUP_FAILURE = 3  # a worker's exit code when its app did not start: not worth a restart
RESTART_PAUSE_S = 1.0  # at most one restart per second per worker slot
STOP_TIMEOUT_S = 30.0  # then a worker still finishing its requests is killed
POLL_S = 0.25  # how often the parent looks at its workers when none has ended


def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option("--host", help="interface to listen on")] = "127.0.0.1",
    port: Annotated[
        int, typer.Option("--port", help="port to listen on (0: any free port)")
    ] = 8000,
    demo: Annotated[
        bool,
        typer.Option(
            "--demo",
            help="seed the demo borough into an empty store, publish this week's rota and "
            "print a sign-in for each role",
        ),
    ] = False,
    workers: Annotated[
        int,
        typer.Option("--workers", min=1, help="server processes (each with its own store client)"),
    ] = 1,
    access_log: Annotated[
        bool,
        typer.Option(
            "--access-log",
            help="log a line per HTTP request (uvicorn's access log; it costs about 5% of a "
            "worker's CPU under load, so it is off unless asked for)",
        ),
    ] = False,
) -> None:
    """Run the API: GraphQL (and GraphiQL) at /graphql, /health, calendar feeds."""
    settings: ServiceSettings = ctx.obj
    # uvicorn re-raises a captured SIGTERM after shutting down; with the default handler that ends
    # the process before atexit runs, leaving the embedded graph server it started behind.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    # Bind before the store starts an embedded graph server: that server takes a free port of
    # its own, which could otherwise be this one, still free until we bind it.
    try:
        listener = _bind_for_workers(host, port) if workers > 1 else _bind(host, port, shared=False)
    except OSError as error:
        typer.echo(f"error: cannot listen on {host}:{port}: {error.strerror or error}", err=True)
        raise typer.Exit(1) from None
    port = listener.getsockname()[1]
    try:
        # supervise: an embedded graph server that dies is restarted on the same port.
        store = open_store(settings, supervise=True)
    except GraphError as error:
        listener.close()
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None
    url = f"http://{_host_in_url(host)}:{port}"
    try:
        if demo:
            _prepare_demo(store, secret_key(settings), url)
        if workers > 1:
            # Nothing listens on the parent's socket: it holds the port for the workers' own.
            options = _WorkerOptions(_settings_for_workers(settings), host, port, access_log)
            code = _run_workers(options, workers, url)
            if code:
                raise typer.Exit(code)
        else:
            from service.app import create_app  # imported here: it loads the whole API

            listener.listen(BACKLOG)
            app = create_app(settings=settings, store=store)
            config = uvicorn.Config(app, access_log=access_log)
            typer.echo(f"running on {url} (Ctrl+C to quit)")
            uvicorn.Server(config).run(sockets=[listener])
    finally:
        listener.close()
        store.close()


def _bind(host: str, port: int, *, shared: bool) -> socket.socket:
    """A socket bound to ``host:port`` (IPv6 when the host is an IPv6 address); ``shared``
    with ``SO_REUSEPORT``, so that worker processes can bind their own to the same port."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if shared:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, port))
    except BaseException:
        sock.close()
        raise
    return sock


def _bind_for_workers(host: str, port: int) -> socket.socket:
    """The parent's ``SO_REUSEPORT`` socket, on ``port`` (a free one for 0) only if nothing else
    holds it: a plain bind first, since with ``SO_REUSEPORT`` alone a second ``serve`` of the
    same user would silently share the port with the first."""
    with _bind(host, port, shared=False) as probe:
        port = probe.getsockname()[1]
    return _bind(host, port, shared=True)


def _host_in_url(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _settings_for_workers(settings: ServiceSettings) -> ServiceSettings:
    """The settings a worker opens the store with: the embedded graph server this process
    started, by its URI, so that no worker starts (or stops) one of its own."""
    if not settings.is_embedded:
        return settings
    from graph.store.embedded import running_server

    server = running_server(settings.data_dir)
    if server is None:
        raise GraphError(f"the embedded graph server in {settings.data_dir} is not running")
    return settings.model_copy(update={"graph_uri": server.uri})


@dataclass(frozen=True)
class _WorkerOptions:
    settings: ServiceSettings
    host: str
    port: int
    access_log: bool


def _worker_main(options: _WorkerOptions, listening: EventType) -> None:
    """A worker process: the app on its own listening socket, until SIGTERM or SIGINT.
    ``listening`` is set once the socket listens (connections wait there for the app)."""
    from service.app import create_app

    listener = _bind(options.host, options.port, shared=True)
    listener.listen(BACKLOG)
    listening.set()
    threading.Thread(target=_stop_with_parent, name="parent-watch", daemon=True).start()
    config = uvicorn.Config(create_app(settings=options.settings), access_log=options.access_log)
    server = uvicorn.Server(config)
    try:
        server.run(sockets=[listener])
    except KeyboardInterrupt:  # Ctrl+C reaches the whole process group; uvicorn re-raises it
        return
    if not server.started:
        sys.exit(STARTUP_FAILURE)


def _stop_with_parent() -> None:
    """SIGTERM to this worker (uvicorn's graceful shutdown) when ``serve`` has gone without
    stopping it (killed with SIGKILL, say), so no worker is left serving on its own."""
    parent = multiprocessing.parent_process()
    if parent is not None:
        multiprocessing.connection.wait([parent.sentinel])
        os.kill(os.getpid(), signal.SIGTERM)


def _start_worker(options: _WorkerOptions) -> tuple[BaseProcess, float, EventType]:
    context = multiprocessing.get_context("spawn")
    listening = context.Event()
    process = context.Process(
        target=_worker_main, args=(options, listening), name="carecircles-worker"
    )
    process.start()
    return process, time.monotonic(), listening


def _run_workers(options: _WorkerOptions, workers: int, url: str) -> int:
    """Run ``workers`` processes until SIGTERM or SIGINT, saying where they serve once all of
    them listen; the exit code (0, or STARTUP_FAILURE when every worker failed to start)."""
    stopping = threading.Event()

    def stop(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    previous = {s: signal.signal(s, stop) for s in (signal.SIGTERM, signal.SIGINT)}
    pool: list[tuple[BaseProcess, float, EventType] | None] = [
        _start_worker(options) for _ in range(workers)
    ]
    try:
        for slot in pool:
            assert slot is not None
            process, _, listening = slot
            while not listening.wait(POLL_S) and process.is_alive() and not stopping.is_set():
                pass
        typer.echo(f"serving on {url} with {workers} worker processes (Ctrl+C to quit)")
        while not stopping.is_set() and any(slot is not None for slot in pool):
            live = [slot[0].sentinel for slot in pool if slot is not None]
            multiprocessing.connection.wait(live, timeout=POLL_S)
            if not stopping.is_set():
                _replace_dead(pool, options)
    finally:
        _stop_all([slot[0] for slot in pool if slot is not None])
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return 0 if stopping.is_set() else STARTUP_FAILURE


def _replace_dead(
    pool: list[tuple[BaseProcess, float, EventType] | None], options: _WorkerOptions
) -> None:
    for index, slot in enumerate(pool):
        if slot is None or slot[0].is_alive():
            continue
        process, started, _ = slot
        code = process.exitcode
        if code == STARTUP_FAILURE:
            typer.echo(f"worker {index} failed to start (exit {code}); not restarting it", err=True)
            pool[index] = None
            continue
        typer.echo(f"worker {index} exited (code {code}); starting another", err=True)
        pause = RESTART_PAUSE_S - (time.monotonic() - started)
        if pause > 0:
            time.sleep(pause)
        pool[index] = _start_worker(options)


def _stop_all(processes: list[BaseProcess]) -> None:
    """SIGTERM to every worker (uvicorn's graceful shutdown), then wait; kill what is left."""
    for process in processes:
        if process.is_alive():
            process.terminate()
    deadline = time.monotonic() + STOP_TIMEOUT_S
    for process in processes:
        process.join(timeout=max(0.0, deadline - time.monotonic()))
        if process.is_alive():
            process.kill()
            process.join()


def _prepare_demo(graph: GraphStore, key: bytes, url: str) -> None:
    from service.demo import demo_sign_ins, publish_this_week, seed_if_empty

    seeded = seed_if_empty(store=graph)
    if seeded:
        typer.echo("seeded the demo borough")

    def finish() -> None:
        # The rota is solved while the server already answers, so the app is up at once.
        if seeded:
            run_id = publish_this_week(store=graph)
            typer.echo(f"ran and published this week's rota of each organisation ({run_id})")
        typer.echo(f"\nCareCircles demo at {url}  (GraphiQL: {url}/graphql)\n")
        for sign_in in demo_sign_ins(store=graph, key=key):
            at = f"  ({sign_in.organization_id})" if sign_in.organization_id else ""
            typer.echo(f"{sign_in.role:12} {sign_in.email}  password: {sign_in.password}{at}")
            typer.echo(f"{'':12} token: {sign_in.token}")

    threading.Thread(target=finish, name="demo-rota", daemon=True).start()
