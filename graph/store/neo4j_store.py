"""The Neo4j adapter: the GraphStore port over the official ``neo4j`` driver (Bolt).

Every statement runs in a managed transaction (``session.execute_write`` or, with
``write=False``, ``session.execute_read`` so a cluster can route it to a reader). The driver
retries a managed transaction on transient errors (deadlock, leader switch); that is safe because
each of our use-cases is one statement that either commits whole or not at all.

The DDL below is Neo4j 5 syntax and lives here as module-level constants, so the Cypher lint
(``tests/graph/test_cypher_neo4j.py``) checks it with Neo4j's own front end.

Where Neo4j differs from FalkorDB, found by running the same suites on a real Neo4j 5.26
Community server (``CARECIRCLES_TEST_ENGINE=neo4j``, tools/neo4j) and handled here:

- One user database (Community): ``graph_name`` is ignored, ``CARECIRCLES_NEO4J_DATABASE``
  names the database, and ``drop`` deletes every node (batched, auto-commit, because
  ``CALL {} IN TRANSACTIONS`` cannot run in a managed transaction) but keeps the constraints and
  indexes, where FalkorDB drops the named graph with its schema. So tests cannot run side by
  side on one Neo4j: the test fixtures give each pytest process its own server.
- Temporal values come back as ``neo4j.time`` types; ``_plain`` turns them into ISO text, as
  FalkorDB (which has no such type for us) returns the ISO text the project stores. Nodes and
  relationships become dicts of their properties on both.
- A broken uniqueness constraint is ``neo4j.exceptions.ConstraintError`` (FalkorDB: a
  ``ResponseError`` whose text names the constraint); both become ``GraphConstraintError``,
  the statement rolled back whole.
- Conditional writes: Neo4j runs transactions concurrently at read-committed, so a guard
  statement (graph/repo/volunteer_visits.py) first writes ``_lock`` on the contested node to
  take its write lock, then reads. FalkorDB runs one write at a time per graph and needs no
  lock, but the same statement text runs on both. A deadlock between two such statements is a
  transient error the managed transaction retries (``neo4j_max_transaction_retry_time``). The
  50-claim race gives exactly one winner on both.
- A transient failure that reaches the driver while a result streams is retried by the driver,
  except when its rollback re-raises it as ``ResultFailedError`` (the transient error as its
  cause), which the driver treats as final (seen once in CI on the claim race, driver 6.4).
  ``retrying_late_transients`` runs the managed transaction again in that one case, at most
  ``LATE_TRANSIENT_ATTEMPTS`` times; the failed attempt was rolled back, as in the driver's own
  retry.
- Relationship types need no registering (FalkorDB's planner does, graph/store/schema.py).
- A uniqueness constraint brings its own index; FalkorDB needs the index first.
- ``arun`` uses the driver's asyncio API, one ``AsyncDriver`` per event loop.
- ``plan`` (``EXPLAIN``) exists only here: tests/graph/test_plans_neo4j.py checks every
  statement's plan uses the indexes.
- One statement has an engine-specific twin outside this module: graph/repo/volunteer_visits.py
  ``OPEN_VISIT_IDS_FALKOR`` (a joined string, because FalkorDB's client decodes one string much
  faster than a list; Neo4j has no string join), chosen by ``store.backend``.
- Ordering: neither engine orders rows without ``ORDER BY``; statements that page or compare
  lists order explicitly, and the suites pass on both.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import neo4j
from neo4j import exceptions as neo4j_errors

from graph.settings import Settings
from graph.store.errors import GraphConstraintError, GraphError, GraphUnavailable
from graph.store.port import Params, Row
from graph.store.schema import INDEXED_PROPERTIES, NODE_LABELS

# Neo4j cannot take a label or property name as a parameter, so the DDL is a template filled in
# only with the fixed names from graph/store/schema.py (never with user input). The lint test
# checks each template with a sample label and property filled in.
CREATE_ID_CONSTRAINT = (
    "CREATE CONSTRAINT {label}_id IF NOT EXISTS FOR (n:{label}) REQUIRE n.id IS UNIQUE"
)
CREATE_PROPERTY_INDEX = "CREATE INDEX {label}_{prop} IF NOT EXISTS FOR (n:{label}) ON (n.{prop})"
DELETE_ALL_BATCHED = "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS"
AWAIT_INDEXES = "CALL db.awaitIndexes(300)"
# Resample every index and clear the query caches, so plans use statistics of the data as it is.
PREPARE_FOR_REPLANNING = "CALL db.prepareForReplanning(300)"
EXPLAIN_PREFIX = "EXPLAIN CYPHER replan=force "  # planned afresh on the data as it is now


def id_constraint_statements() -> list[str]:
    """One uniqueness constraint on ``id`` per node label."""
    return [CREATE_ID_CONSTRAINT.format(label=label) for label in NODE_LABELS]


def index_statements() -> list[str]:
    """The lookup indexes besides ``id`` (whose constraint brings its own index)."""
    return [
        CREATE_PROPERTY_INDEX.format(label=label, prop=prop) for label, prop in INDEXED_PROPERTIES
    ]


def _plain(value: Any) -> Any:
    """Driver values to plain Python: nodes/relationships to property dicts, times to ISO text."""
    if isinstance(value, neo4j.graph.Node | neo4j.graph.Relationship):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, neo4j.graph.Path):
        return [_plain(node) for node in value.nodes]
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if hasattr(value, "iso_format"):  # neo4j.time.Date/Time/DateTime/Duration
        return value.iso_format()
    return value


@contextmanager
def _translated_errors(what: str) -> Iterator[None]:
    try:
        yield
    except (neo4j_errors.ServiceUnavailable, neo4j_errors.SessionExpired) as error:
        raise GraphUnavailable(f"Neo4j is not reachable ({what}): {error}") from error
    except neo4j_errors.ConnectionAcquisitionTimeoutError as error:
        raise GraphUnavailable(f"no free Neo4j connection ({what}): {error}") from error
    except neo4j_errors.ConstraintError as error:
        raise GraphConstraintError(str(error)) from error
    except (neo4j_errors.Neo4jError, neo4j_errors.DriverError) as error:
        raise GraphError(f"{error} ({what})") from error


LATE_TRANSIENT_ATTEMPTS = 4
T = TypeVar("T")


def _late_transient(error: neo4j_errors.ResultFailedError) -> bool:
    cause = error.__cause__
    return isinstance(cause, neo4j_errors.Neo4jError | neo4j_errors.DriverError) and (
        cause.is_retryable()
    )


def retrying_late_transients(attempt: Callable[[], T]) -> T:
    """``attempt()`` (one managed transaction), again while it fails with a transient error that
    surfaced as ``ResultFailedError`` (see the module's notes), up to ``LATE_TRANSIENT_ATTEMPTS``
    times in all; any other error, or the last attempt's, is raised."""
    for tried in range(1, LATE_TRANSIENT_ATTEMPTS + 1):
        try:
            return attempt()
        except neo4j_errors.ResultFailedError as error:
            if tried == LATE_TRANSIENT_ATTEMPTS or not _late_transient(error):
                raise
    raise AssertionError("unreachable: the last attempt returns or raises")


async def aretrying_late_transients(attempt: Callable[[], Awaitable[T]]) -> T:
    """``retrying_late_transients`` for an awaited managed transaction."""
    for tried in range(1, LATE_TRANSIENT_ATTEMPTS + 1):
        try:
            return await attempt()
        except neo4j_errors.ResultFailedError as error:
            if tried == LATE_TRANSIENT_ATTEMPTS or not _late_transient(error):
                raise
    raise AssertionError("unreachable: the last attempt returns or raises")


def _run_in_transaction(tx: neo4j.ManagedTransaction, query: str, params: Params) -> list[Row]:
    result = tx.run(query, params)
    return [{key: _plain(record[key]) for key in record.keys()} for record in result]


async def _arun_in_transaction(
    tx: neo4j.AsyncManagedTransaction, query: str, params: Params
) -> list[Row]:
    result = await tx.run(query, params)
    return [{key: _plain(record[key]) for key in record.keys()} async for record in result]


class Neo4jStore:
    """One database on a Neo4j server or cluster."""

    backend = "neo4j"

    def __init__(self, settings: Settings):
        self.uri = settings.graph_uri
        self.database = settings.neo4j_database
        auth = (settings.graph_user, settings.graph_password) if settings.graph_password else None
        self._driver_options: dict[str, Any] = {
            "auth": auth,
            "max_connection_pool_size": settings.neo4j_max_connection_pool_size,
            "connection_acquisition_timeout": settings.neo4j_connection_acquisition_timeout,
            "max_transaction_retry_time": settings.neo4j_max_transaction_retry_time,
            # The server's INFORMATION notifications (e.g. "cartesian product" for two unique
            # lookups in one MATCH, which is one row) are not sent or logged; warnings are.
            "notifications_min_severity": "WARNING",
        }
        with _translated_errors(f"connecting to {self.uri}"):
            self._driver = neo4j.GraphDatabase.driver(self.uri, **self._driver_options)
        # The asyncio driver of the event loop that last used ``arun``, with that loop.
        self._async: tuple[asyncio.AbstractEventLoop, neo4j.AsyncDriver] | None = None

    def run(self, query: str, params: Params | None = None, *, write: bool = True) -> list[Row]:
        """Run one statement in a managed write (or, ``write=False``, read) transaction."""

        def attempt() -> list[Row]:
            with self._driver.session(database=self.database) as session:
                if write:
                    return session.execute_write(_run_in_transaction, query, params or {})
                return session.execute_read(_run_in_transaction, query, params or {})

        with _translated_errors(f"database {self.database!r}"):
            return retrying_late_transients(attempt)

    async def arun(
        self, query: str, params: Params | None = None, *, write: bool = True
    ) -> list[Row]:
        """``run``, awaited on the running event loop with the driver's asyncio API (its own
        driver per loop: a driver's connections belong to the loop that made them)."""
        with _translated_errors(f"database {self.database!r}"):
            loop = asyncio.get_running_loop()
            if self._async is None or self._async[0] is not loop:
                driver = neo4j.AsyncGraphDatabase.driver(self.uri, **self._driver_options)
                self._async = (loop, driver)
            driver = self._async[1]

            async def attempt() -> list[Row]:
                async with driver.session(database=self.database) as session:
                    if write:
                        return await session.execute_write(
                            _arun_in_transaction, query, params or {}
                        )
                    return await session.execute_read(_arun_in_transaction, query, params or {})

            return await aretrying_late_transients(attempt)

    async def aclose(self) -> None:
        """Close the asyncio driver of the running event loop (if ``arun`` made one)."""
        found = self._async
        if found is not None and found[0] is asyncio.get_running_loop():
            self._async = None
            await found[1].close()

    def ensure_schema(self) -> None:
        """Constraints and indexes, each ``IF NOT EXISTS`` (schema commands run one per tx)."""
        for statement in id_constraint_statements() + index_statements():
            self.run(statement)
        self.run(AWAIT_INDEXES)

    def prepare_for_replanning(self) -> None:
        """Resample the indexes' statistics now (Neo4j samples them only now and then), so the
        next ``plan`` sees the data as it is. Neo4j-only; tests/graph/test_plans_neo4j.py."""
        self.run(PREPARE_FOR_REPLANNING)

    def plan(self, query: str) -> dict[str, Any]:
        """Neo4j's plan for ``query`` (``EXPLAIN``, planned afresh, not run; parameters may be left
        out), as the driver gives it: ``operatorType``, ``args`` (``Details``, ...),
        ``identifiers`` and ``children``. Neo4j-only; tests/graph/test_plans_neo4j.py uses it."""
        with _translated_errors(f"explaining in database {self.database!r}"):
            with self._driver.session(
                database=self.database, notifications_min_severity="OFF"
            ) as session:
                summary = session.run(EXPLAIN_PREFIX + query).consume()
        if summary.plan is None:
            raise GraphError(f"Neo4j returned no plan for {query!r}")
        return dict(summary.plan)

    def ping(self) -> bool:
        """True if the server answers."""
        with _translated_errors("ping"):
            self._driver.verify_connectivity()
        return True

    def drop(self) -> None:
        """Delete every node and relationship in the database (Neo4j has no cheap named graphs).

        Runs as an auto-commit query because ``CALL {} IN TRANSACTIONS`` cannot run inside a
        managed transaction.
        """
        with _translated_errors(f"emptying database {self.database!r}"):
            with self._driver.session(database=self.database) as session:
                session.run(DELETE_ALL_BATCHED).consume()

    def close(self) -> None:
        self._driver.close()
