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

Against Neo4j (one database, no cheap named graphs) run the suite serially (``-n 0``) on a
throwaway database: ``store`` empties the whole database after each test.
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


@pytest.fixture(scope="session")
def graph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GraphServer]:
    configured = os.environ.get("CARECIRCLES_GRAPH_URI", "embedded://")
    if not configured.startswith("embedded://"):
        yield GraphServer(settings=Settings(), embedded=None)
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
