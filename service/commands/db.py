"""``carecircles db start|stop|status``: manage the embedded graph server (graph/store/embedded.py).

``start`` leaves the server running for other processes until ``stop``. ``status`` works for any
backend: it says where the graph runs and prints one ``Label: count`` line per node label.
Exit codes: 0 done, 1 ``status`` found no running server, 2 the command needs ``embedded://``.
"""

from __future__ import annotations

import typer

from graph.repo.counts import count_nodes_by_label
from graph.settings import Settings
from graph.store import GraphError, GraphStore, UnknownGraphURI, open_store
from graph.store.embedded import (
    LOADING,
    EmbeddedServer,
    ensure_server,
    probe,
    running_server,
    stop_server,
)
from graph.store.falkor import FalkorStore
from graph.store.schema import NODE_LABELS

app = typer.Typer(help="Manage the embedded graph server.", no_args_is_help=True)


def _require_embedded(settings: Settings, command: str) -> None:
    if not settings.is_embedded:
        typer.echo(
            f"carecircles db {command} manages the embedded server, but CARECIRCLES_GRAPH_URI is "
            f"{settings.graph_uri_shown!r}; run the server yourself or unset it to use embedded://",
            err=True,
        )
        raise typer.Exit(2)


def _where(server: EmbeddedServer) -> str:
    return (
        f"embedded FalkorDB on {server.host}:{server.port} (pid {server.pid}), "
        f"data in {server.data_dir}"
    )


@app.command("start")
def start(ctx: typer.Context) -> None:
    """Start the embedded server (or find it running) and leave it running until `db stop`."""
    settings = ctx.obj
    _require_embedded(settings, "start")
    server = ensure_server(settings.data_dir, stop_at_exit=False)
    store = FalkorStore(
        host=server.host,
        port=server.port,
        graph_name=settings.graph_name,
        password=server.password,
    )
    try:
        store.ensure_schema()
    finally:
        store.close()
    state = "started" if server.started_here else "already running"
    typer.echo(f"{state}: {_where(server)}")


@app.command("stop")
def stop(ctx: typer.Context) -> None:
    """Stop the embedded server (flushing its append-only file)."""
    settings = ctx.obj
    _require_embedded(settings, "stop")
    if stop_server(settings.data_dir):
        typer.echo(f"stopped the embedded FalkorDB server in {settings.data_dir.resolve()}")
    else:
        typer.echo(f"not running: no embedded FalkorDB server in {settings.data_dir.resolve()}")


@app.command("status")
def status(ctx: typer.Context) -> None:
    """Say where the graph runs and print one `Label: count` line per node label."""
    settings = ctx.obj
    store: GraphStore
    if settings.is_embedded:
        server = running_server(settings.data_dir)
        if server is None:
            typer.echo(f"not running: no embedded FalkorDB server in {settings.data_dir.resolve()}")
            raise typer.Exit(1)
        typer.echo(_where(server))
        if probe(server.port, expected_pid=server.pid, password=server.password) == LOADING:
            typer.echo("loading: replaying its append-only file; counts once it is ready")
            return
        store = FalkorStore(
            host=server.host,
            port=server.port,
            graph_name=settings.graph_name,
            password=server.password,
        )
        typer.echo(f"graph: {settings.graph_name}")
    else:
        try:
            store = open_store(settings, ensure_schema=False)
        except (UnknownGraphURI, GraphError) as error:
            typer.echo(f"cannot reach the graph: {error}", err=True)
            raise typer.Exit(1) from error
        typer.echo(f"{store.backend} at {settings.graph_uri_shown}")
        database = settings.neo4j_database if settings.is_neo4j else settings.graph_name
        typer.echo(f"{'database' if settings.is_neo4j else 'graph'}: {database}")
    try:
        counts = _counts_by_label(store)
    except GraphError as error:
        typer.echo(f"cannot count nodes: {error}", err=True)
        raise typer.Exit(1) from error
    finally:
        store.close()
    for label in sorted(set(NODE_LABELS) | set(counts)):
        typer.echo(f"{label}: {counts.get(label, 0)}")


def _counts_by_label(store: GraphStore) -> dict[str, int]:
    if isinstance(store, FalkorStore) and not store.exists():
        return {}  # FalkorDB refuses to read a graph that was never written
    return count_nodes_by_label(store=store)
