"""``carecircles db start|status|stop`` through the installed command, and ``open_store``'s URIs."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from graph.settings import Settings, get_settings
from graph.store import GraphUnavailable, UnknownGraphURI, open_store
from graph.store.embedded import ensure_server, ping, running_server, stop_server
from graph.store.falkor import FalkorStore
from service.cli import app

CARECIRCLES = Path(sys.executable).parent / "carecircles"


def _db(command: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    assert CARECIRCLES.exists(), f"{CARECIRCLES} missing: install the project (pip install -e .)"
    env = {key: value for key, value in os.environ.items() if not key.startswith("CARECIRCLES_")}
    env.update({"CARECIRCLES_DATA_DIR": str(data_dir), "CARECIRCLES_GRAPH_NAME": "cli_test"})
    return subprocess.run(
        [str(CARECIRCLES), "db", command],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_db_start_status_stop(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    try:
        started = _db("start", data_dir)
        server = running_server(data_dir)
        again = _db("start", data_dir)
        assert server is not None, started.stderr
        store = FalkorStore(
            host=server.host, port=server.port, graph_name="cli_test", password=server.password
        )
        store.run("UNWIND ['p1', 'p2'] AS id CREATE (:Person {id: id})")
        store.run("CREATE (:Volunteer {id: 'v1'})")
        store.close()
        status = _db("status", data_dir)
        stopped = _db("stop", data_dir)
        after = _db("status", data_dir)
    finally:
        stop_server(data_dir)

    assert started.returncode == 0, started.stderr
    assert started.stdout.startswith("started: embedded FalkorDB on 127.0.0.1:")
    assert again.returncode == 0
    assert again.stdout.startswith("already running:")
    assert f"127.0.0.1:{server.port} (pid {server.pid})" in again.stdout

    assert status.returncode == 0, status.stderr
    assert f"embedded FalkorDB on 127.0.0.1:{server.port} (pid {server.pid})" in status.stdout
    assert str(data_dir.resolve()) in status.stdout
    counts = dict(re.findall(r"^(\w+): (\d+)$", status.stdout, flags=re.MULTILINE))
    assert counts["Person"] == "2"
    assert counts["Volunteer"] == "1"
    assert counts["Visit"] == "0"

    assert stopped.returncode == 0, stopped.stderr
    assert "stopped" in stopped.stdout
    assert not ping(server.port, password=server.password)
    assert after.returncode == 1
    assert "not running" in after.stdout


def test_db_start_refuses_a_neo4j_uri(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CARECIRCLES_GRAPH_URI", "bolt://127.0.0.1:7687")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["db", "start"])
    finally:
        get_settings.cache_clear()

    assert result.exit_code == 2
    assert "embedded" in result.output and "bolt://127.0.0.1:7687" in result.output


@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        ("redis://localhost:6379", "unknown scheme 'redis'"),
        ("localhost:7687", "unknown scheme ''"),
        ("falkordb://localhost", "needs a host and a port"),
    ],
)
def test_open_store_rejects_an_unusable_uri_with_a_clear_message(uri: str, expected: str) -> None:
    with pytest.raises(UnknownGraphURI) as raised:
        open_store(Settings(graph_uri=uri))

    assert expected in str(raised.value)
    assert "embedded://" in str(raised.value) or "falkordb://" in str(raised.value)


def test_open_store_on_a_falkordb_uri_uses_that_running_server(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    server = ensure_server(data_dir, stop_at_exit=False)
    try:
        store = open_store(Settings(graph_uri=server.uri, graph_name="uri_test"))
        store.run("CREATE (:Person {id: 'p1'})")
        store.close()
        check = FalkorStore(
            host="127.0.0.1", port=server.port, graph_name="uri_test", password=server.password
        )
        assert check.run("MATCH (p:Person) RETURN p.id AS id") == [{"id": "p1"}]
        check.close()
    finally:
        stop_server(data_dir)


def test_a_neo4j_store_without_a_server_is_unavailable_naming_the_uri() -> None:
    settings = Settings(graph_uri="bolt://127.0.0.1:1", neo4j_max_transaction_retry_time=0)

    with pytest.raises(GraphUnavailable) as raised:
        open_store(settings)

    assert "Neo4j is not reachable" in str(raised.value)
    assert "127.0.0.1:1" in str(raised.value)


def test_a_falkordb_store_without_a_server_is_unavailable() -> None:
    with pytest.raises(GraphUnavailable) as raised:
        open_store(Settings(graph_uri="falkordb://127.0.0.1:1"))

    assert "FalkorDB is not reachable" in str(raised.value)
