"""Fixtures shared by every test folder.

Graph fixtures (real server, never a mock):

- ``graph_server`` (session): the graph server for this pytest process. By default ONE embedded
  FalkorDB server per process (so one per xdist worker) in a temporary data directory, stopped
  when the session ends. If ``CARECIRCLES_GRAPH_URI`` is set to ``falkordb://HOST:PORT`` or to a
  Neo4j ``bolt://``/``neo4j://`` URI, that server is used instead. ``graph_server.settings`` is a
  ``Settings`` pointing at it; ``graph_server.embedded`` is the ``EmbeddedServer`` (or None).
- ``graph_settings`` (function): ``Settings`` for a graph of this test's own: unique
  ``graph_name`` (from the test's node id), same server. Pass it to code that calls
  ``open_store(settings)``, e.g. an app factory.
- ``graph_env`` (function): the same as environment variables (``CARECIRCLES_GRAPH_URI``,
  ``CARECIRCLES_GRAPH_NAME``, ``CARECIRCLES_DATA_DIR``, ...) merged into ``os.environ``, for
  running ``carecircles`` in a subprocess against this test's graph.
- ``store`` (function): an open ``GraphStore`` on that graph, schema set up (constraints and
  indexes), empty; the graph is dropped and the store closed after the test.

Example::

    def test_person_round_trip(store: GraphStore) -> None:
        store.run("CREATE (:Person {id: $id})", {"id": "p1"})
        assert store.run("MATCH (p:Person) RETURN p.id AS id", write=False) == [{"id": "p1"}]

Every test also runs with ``CARECIRCLES_DATA_DIR`` pointing at a temporary directory, so nothing
a test does can start a server in, or write to, the working tree's ``.carecircles``.

The engine: ``CARECIRCLES_TEST_ENGINE=neo4j`` makes ``graph_server`` start a real Neo4j 5.26
Community server for this pytest process with ``tools/neo4j/run`` (built once from Maven Central;
Java 17 + Maven), in a temporary data directory, with a random password, stopped when the session
ends. Each xdist worker is its own process, so with ``-n 2`` each worker gets its own Neo4j: Neo4j
Community has one user database and no cheap named graphs, so two workers sharing one server
would empty each other's data. Within a process every test sees the one database: ``store``
empties it before and after each test, and the service's ``api`` fixture before and after each
module (``drop_graph``). ``CARECIRCLES_TEST_ENGINE=falkordb`` (the default) is the embedded
FalkorDB server. ``CARECIRCLES_GRAPH_URI`` set to a server that is already running wins over
both (on a Neo4j given that way, run serially, ``-n 0``, on a throwaway database).
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from graph.settings import Settings, get_settings
from graph.store import GraphStore, drop_graph, open_store
from graph.store.embedded import EmbeddedServer, ensure_server, stop_server
from tests.neo4j_server import started_neo4j


@dataclass(frozen=True)
class GraphServer:
    """The graph server the tests of this process use."""

    settings: Settings
    embedded: EmbeddedServer | None

    @property
    def uri(self) -> str:
        return self.settings.graph_uri


@pytest.fixture(scope="session", autouse=True)
def _isolated_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    data_dir = tmp_path_factory.mktemp("carecircles-data")
    previous = os.environ.get("CARECIRCLES_DATA_DIR")
    os.environ["CARECIRCLES_DATA_DIR"] = str(data_dir)
    get_settings.cache_clear()
    yield data_dir
    if previous is None:
        os.environ.pop("CARECIRCLES_DATA_DIR", None)
    else:
        os.environ["CARECIRCLES_DATA_DIR"] = previous
    get_settings.cache_clear()


def selected_engine() -> str:
    """``falkordb`` (default) or ``neo4j``, from ``CARECIRCLES_TEST_ENGINE``."""
    engine = os.environ.get("CARECIRCLES_TEST_ENGINE", "falkordb").strip().lower() or "falkordb"
    if engine not in ENGINES:
        raise pytest.UsageError(
            f"CARECIRCLES_TEST_ENGINE={engine!r}: expected one of {', '.join(ENGINES)}"
        )
    return engine


ENGINES = ("falkordb", "neo4j")
NEO4J_ONLY = ("test_plans_neo4j.py",)  # Neo4j's own query plans: collected in a Neo4j run only


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """Modules about Neo4j alone are collected when the engine is Neo4j (CI runs both)."""
    if collection_path.name in NEO4J_ONLY and selected_engine() != "neo4j":
        return True
    return None


@pytest.fixture(scope="session")
def graph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GraphServer]:
    configured = os.environ.get("CARECIRCLES_GRAPH_URI", "embedded://")
    if not configured.startswith("embedded://"):
        yield GraphServer(settings=Settings(), embedded=None)
        return
    if selected_engine() == "neo4j":
        with started_neo4j(tmp_path_factory.mktemp("neo4j")) as (uri, password):
            yield GraphServer(
                settings=Settings(
                    graph_uri=uri, graph_password=password, data_dir=get_settings().data_dir
                ),
                embedded=None,
            )
        return
    data_dir = tmp_path_factory.mktemp("graph-server")
    server = ensure_server(data_dir, stop_at_exit=True)
    settings = Settings(graph_uri=server.uri, data_dir=data_dir)
    try:
        yield GraphServer(settings=settings, embedded=server)
    finally:
        stop_server(data_dir)


def _graph_name_for(node_id: str) -> str:
    readable = re.sub(r"[^A-Za-z0-9]+", "_", node_id).strip("_")[-60:]
    return f"t_{readable}_{uuid.uuid4().hex[:8]}"


@pytest.fixture
def graph_settings(graph_server: GraphServer, request: pytest.FixtureRequest) -> Settings:
    return graph_server.settings.model_copy(
        update={"graph_name": _graph_name_for(request.node.nodeid)}
    )


@pytest.fixture
def graph_env(graph_settings: Settings) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "CARECIRCLES_GRAPH_URI": graph_settings.graph_uri,
            "CARECIRCLES_GRAPH_NAME": graph_settings.graph_name,
            "CARECIRCLES_GRAPH_USER": graph_settings.graph_user,
            "CARECIRCLES_GRAPH_PASSWORD": graph_settings.graph_password,
            "CARECIRCLES_NEO4J_DATABASE": graph_settings.neo4j_database,
            "CARECIRCLES_DATA_DIR": str(graph_settings.data_dir),
        }
    )
    return env


@pytest.fixture
def store(graph_settings: Settings) -> Iterator[GraphStore]:
    opened = open_store(graph_settings, ensure_schema=False)
    try:
        drop_graph(opened)  # Neo4j: the database may hold a previous run's data
        opened.ensure_schema()
        yield opened
    finally:
        try:
            drop_graph(opened)
        finally:
            opened.close()
