"""Production defaults (issue 18, item 8): the schema cannot be read from outside unless the
explorer is on (``serve --demo``), request bodies and query costs are bounded (aliases count),
and the rota CSV never hands a spreadsheet a formula."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from graph.models import RotaRun
from service.rota.runs import rota_csv
from tests.conftest import GraphServer
from tests.service.conftest import Api, World, running_api
from tests.service.test_serve_process import _port_of as port_of
from tests.service.test_serve_process import _serve as serve_process
from tests.service.test_serve_process import _wait_until_serving as wait_until_serving

INTROSPECT = "query { __schema { types { name } } }"
TYPO = "query { me { idd } }"


@pytest.fixture(scope="module")
def explorer(graph_server: GraphServer) -> Iterator[Api]:
    with running_api(graph_server, name="explorer", graphql_explorer=True) as served:
        yield served


def _graphiql(api: Api) -> httpx.Response:
    return api.client.get("/graphql", headers={"Accept": "text/html"})


def test_introspection_suggestions_and_graphiql_are_off_by_default(api: Api, world: World) -> None:
    """The finding: introspection, field suggestions and GraphiQL were on in production."""
    _, token = world.user("coordinator")
    body = api.gql(INTROSPECT, token=token)
    assert body["data"] is None
    assert "introspection" in body["errors"][0]["message"].lower()
    body = api.gql(TYPO, token=token)
    message = body["errors"][0]["message"]
    assert "idd" in message and "Did you mean" not in message and "'id'" not in message
    page = _graphiql(api)
    assert page.status_code != 200 or "graphiql" not in page.text.lower()


def test_the_explorer_setting_turns_them_on(explorer: Api) -> None:
    world = World(explorer)
    _, token = world.user("coordinator")
    types = explorer.data(INTROSPECT, token=token)["__schema"]["types"]
    assert any(t["name"] == "Visit" for t in types)
    assert "Did you mean" in explorer.gql(TYPO, token=token)["errors"][0]["message"]
    page = _graphiql(explorer)
    assert page.status_code == 200 and "graphiql" in page.text.lower()


def test_request_bodies_over_the_limit_are_refused(api: Api, world: World) -> None:
    """The finding: no request body limit."""
    _, token = world.user("coordinator")
    limit = api.settings.request_body_max_bytes
    padding = "x" * (limit + 1)
    query = {"query": "query($p: String) { me { id } }", "variables": {"p": padding}}
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    response = api.client.post("/graphql", json=query, headers=headers)
    assert response.status_code == 413
    assert response.text == f"request body: expected at most {limit} bytes"

    def chunks() -> Iterator[bytes]:  # no Content-Length: read up to the limit, then refused
        body = json.dumps(query).encode()
        for start in range(0, len(body), 8192):
            yield body[start : start + 8192]

    response = api.client.post("/graphql", content=chunks(), headers=headers)
    assert response.status_code == 413
    small = json.dumps({"query": "query { me { id } }"}).encode()
    response = api.client.post("/graphql", content=iter([small[:10], small[10:]]), headers=headers)
    assert response.status_code == 200 and response.json()["data"]["me"]["id"]


def test_query_cost_counts_aliases_and_pages(api: Api, world: World) -> None:
    _, token = world.user("coordinator")
    page = "people(first: 100) { edges { node { id firstName lastName area } } }"
    assert "errors" not in api.gql(f"query {{ {page} }}", token=token)
    aliased = " ".join(f"p{n}: {page}" for n in range(25))
    body = api.gql(f"query {{ {aliased} }}", token=token)
    assert body["data"] is None
    assert body["errors"][0]["message"].startswith("query: expected at most 5000 fields")
    # fragments spread within fragments grow exponentially from a small text
    fragments = ["fragment f0 on Query { me { id email role } }"] + [
        f"fragment f{n} on Query {{ a{n}: me {{ id }} ...f{n - 1} b{n}: me {{ id }} ...f{n - 1} }}"
        for n in range(1, 12)
    ]
    body = api.gql("query { ...f11 } " + " ".join(fragments), token=token)
    assert body["data"] is None
    assert any(e["message"].startswith("query: expected at most") for e in body["errors"])


def test_rota_csv_cells_never_start_like_a_formula() -> None:
    """The finding: CSV cells starting with ``=`` were not escaped."""
    problem = {
        "format": "carecircles.rota/1",
        "week_start": "2026-11-23",
        "visits": [
            {"id": "visit-1", "person": "p1", "day": 0, "earliest": "10:00", "latest": "12:00",
             "duration_minutes": 60},
            {"id": "visit-2", "person": "p2", "day": 1, "earliest": "10:00", "latest": "12:00",
             "duration_minutes": 60},
        ],
    }  # fmt: skip
    solution = {
        "format": "carecircles.rota-solution/1",
        "status": "OPTIMAL",
        "assignments": [{"visit": "visit-1", "volunteer": "v1", "start": "10:00"}],
        "unassigned": [{"visit": "visit-2", "reasons": ["-no one nearby"]}],
    }
    run = RotaRun(
        id="run-csv",
        week_start="2026-11-23",
        problem=json.dumps(problem),
        solution=json.dumps(solution),
    )
    names = {"p1": '=HYPERLINK("http://x","y")', "p2": "@SUM(1)", "v1": "+44 Val"}
    rows = list(csv.reader(io.StringIO(rota_csv(run=run, names=names))))
    cells = [cell for row in rows[1:] for cell in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@")]
    assert '\'=HYPERLINK("http://x","y")' in cells and "'@SUM(1)" in cells
    assert "'+44 Val" in cells and "'-no one nearby" in cells


def test_serve_demo_turns_the_explorer_on(tmp_path: Path) -> None:
    """``carecircles serve --demo`` is for exploring: introspection and GraphiQL answer there
    (and only there, or with CARECIRCLES_GRAPHQL_EXPLORER)."""
    env = {**os.environ, "CARECIRCLES_GRAPH_URI": "embedded://"}
    env["CARECIRCLES_DATA_DIR"] = str(tmp_path / "data")
    serve, log = serve_process(tmp_path, env, "--demo")
    try:
        port = port_of(serve, log)
        wait_until_serving(serve, port)
        url = f"http://127.0.0.1:{port}/graphql"
        body = httpx.post(url, json={"query": INTROSPECT}, timeout=30).json()
        assert any(t["name"] == "Visit" for t in body["data"]["__schema"]["types"])
        page = httpx.get(url, headers={"Accept": "text/html"}, timeout=30)
        assert page.status_code == 200 and "graphiql" in page.text.lower()
    finally:
        serve.send_signal(signal.SIGTERM)
        try:
            serve.wait(timeout=60)
        except subprocess.TimeoutExpired:
            serve.kill()
            serve.wait()
