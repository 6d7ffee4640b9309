"""``carecircles serve [--host] [--port] [--demo]``: the API (and web pages) under uvicorn."""

from __future__ import annotations

import signal
import socket
import sys
import threading
from typing import Annotated

import typer
import uvicorn

from graph.settings import get_settings
from graph.store import GraphError, GraphStore, open_store
from service.config import secret_key


def serve(
    host: Annotated[str, typer.Option("--host", help="interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="port to listen on")] = 8000,
    demo: Annotated[
        bool,
        typer.Option(
            "--demo",
            help="seed the demo borough into an empty store, publish this week's rota and "
            "print a sign-in for each role",
        ),
    ] = False,
    workers: Annotated[
        int, typer.Option("--workers", help="server processes (each with its own store client)")
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
    settings = get_settings()
    # uvicorn re-raises a captured SIGTERM after shutting down; with the default handler that ends
    # the process before atexit runs, leaving the embedded graph server it started behind.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    from service.workers import listen

    # Listen before the store starts an embedded graph server: that server takes a free port
    # of its own, which could otherwise be this one, still free until we bind it.
    try:
        listener = listen(host, port)
    except OSError as error:
        typer.echo(f"error: cannot listen on {host}:{port}: {error.strerror or error}", err=True)
        raise typer.Exit(1) from None
    try:
        # supervise: an embedded graph server that dies is restarted on the same port.
        store = open_store(settings, supervise=True)
    except GraphError as error:
        listener.close()
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None
    try:
        if demo:
            _prepare_demo(store, secret_key(settings), f"http://{host}:{port}")
        from service.app import create_app  # imported here: it loads the whole API

        if workers > 1:
            # Each worker process builds its own app (and opens its own store client); this
            # process deals them the connections in turn (service/workers.py says why).
            from service.workers import WorkerOptions, run_workers

            options = WorkerOptions("service.app:create_app", host, port, access_log=access_log)
            code = run_workers(options, workers=workers, listener=listener)
            if code:
                raise typer.Exit(code)
        else:
            app = create_app(settings=settings, store=store)
            config = uvicorn.Config(app, host=host, port=port, access_log=access_log)
            _Listening(config, listener).run()
    finally:
        listener.close()
        store.close()


class _Listening(uvicorn.Server):
    """uvicorn's server on a socket bound beforehand; it says where it listens once started,
    as uvicorn does for a socket it binds itself (and not for one it is given)."""

    def __init__(self, config: uvicorn.Config, listener: socket.socket) -> None:
        super().__init__(config)
        self._listener = listener

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=[self._listener])
        if self.started:
            self._log_started_message([self._listener])


def _prepare_demo(graph: GraphStore, key: bytes, url: str) -> None:
    from service.demo import demo_sign_ins, publish_this_week, seed_if_empty

    seeded = seed_if_empty(store=graph)
    if seeded:
        typer.echo("seeded the demo borough")

    def finish() -> None:
        # The rota is solved while the server already answers, so the app is up at once.
        if seeded:
            run_id = publish_this_week(store=graph)
            typer.echo(f"ran and published this week's rota ({run_id})")
        typer.echo(f"\nCareCircles demo at {url}  (GraphiQL: {url}/graphql)\n")
        for sign_in in demo_sign_ins(store=graph, key=key):
            typer.echo(f"{sign_in.role:12} {sign_in.email}  password: {sign_in.password}")
            typer.echo(f"{'':12} token: {sign_in.token}")

    threading.Thread(target=finish, name="demo-rota", daemon=True).start()
