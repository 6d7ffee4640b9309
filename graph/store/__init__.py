"""The graph store: one small port (``GraphStore.run``), chosen by ``CARECIRCLES_GRAPH_URI``.

- ``embedded://`` (default): a FalkorDB server this package runs from the data directory
  (graph/store/embedded.py), the named graph ``CARECIRCLES_GRAPH_NAME``.
- ``falkordb://[user][:password]@host:port``: a FalkorDB server that is already running.
- ``bolt://host:7687`` / ``neo4j://host:7687`` (and their ``+s``/``+ssc`` variants): Neo4j.

``open_store`` sets up the schema (idempotent) unless told not to; with ``supervise`` it also
restarts an embedded server it started whenever that server dies.
"""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from graph.settings import NEO4J_SCHEMES, Settings, get_settings
from graph.store.errors import (
    GraphConstraintError,
    GraphError,
    GraphUnavailable,
    UnknownGraphURI,
)
from graph.store.port import GraphStore, Params, Row

__all__ = [
    "GraphConstraintError",
    "GraphError",
    "GraphStore",
    "GraphUnavailable",
    "Params",
    "Row",
    "UnknownGraphURI",
    "drop_graph",
    "open_store",
]

SUPPORTED_URIS = "embedded://, falkordb://HOST:PORT, bolt://HOST:PORT or neo4j://HOST:PORT"


def open_store(
    settings: Settings | None = None,
    *,
    graph_name: str | None = None,
    ensure_schema: bool = True,
    supervise: bool = False,
) -> GraphStore:
    """Open the store ``settings`` (default: this process's settings) point at.

    ``supervise`` (``carecircles serve``): an embedded server this process starts is restarted
    on the same data directory and port whenever it dies (``embedded.supervise``)."""
    settings = settings or get_settings()
    uri = settings.graph_uri
    scheme = uri.split("://", 1)[0].lower() if "://" in uri else ""
    store: GraphStore
    if scheme == "embedded":
        from graph.store import embedded
        from graph.store.falkor import FalkorStore

        server = embedded.ensure_server(settings.data_dir, stop_at_exit=True)
        if supervise:
            embedded.supervise(settings.data_dir)
        store = FalkorStore(
            host=server.host,
            port=server.port,
            graph_name=graph_name or settings.graph_name,
            client_name=embedded.client_name(),
            password=server.password,
        )
    elif scheme == "falkordb":
        from graph.store.falkor import FalkorStore

        parts = urlsplit(uri)
        if not parts.hostname or not parts.port:
            raise UnknownGraphURI(
                f"CARECIRCLES_GRAPH_URI {settings.graph_uri_shown!r}: a FalkorDB URI needs a "
                "host and a port, "
                "e.g. falkordb://127.0.0.1:6379"
            )
        # falkordb://[user][:password]@host:port, as FalkorDB's own clients write it; the
        # password may also come from CARECIRCLES_GRAPH_PASSWORD.
        store = FalkorStore(
            host=parts.hostname,
            port=parts.port,
            graph_name=graph_name or settings.graph_name,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else settings.graph_password,
        )
    elif scheme in NEO4J_SCHEMES:
        from graph.store.neo4j_store import Neo4jStore

        # Neo4j Community has one database, so named graphs map onto it: graph_name is ignored
        # and CARECIRCLES_NEO4J_DATABASE chooses the database.
        store = Neo4jStore(settings)
    else:
        raise UnknownGraphURI(
            f"CARECIRCLES_GRAPH_URI {settings.graph_uri_shown!r} has an unknown scheme {scheme!r}; "
            f"expected {SUPPORTED_URIS}"
        )
    if ensure_schema:
        try:
            store.ensure_schema()
        except BaseException:
            store.close()
            raise
    return store


def drop_graph(store: GraphStore) -> None:
    """Delete everything in the store's graph: the named graph on FalkorDB (schema included),
    every node in the database on Neo4j. Meant for tests and ``seed --reset``."""
    from graph.store.falkor import FalkorStore
    from graph.store.neo4j_store import Neo4jStore

    if isinstance(store, FalkorStore | Neo4jStore):
        store.drop()
    else:
        raise TypeError(f"cannot drop a graph of {type(store).__name__}")
