"""With the graph store down, GraphQL answers HTTP 503 with a GraphQL-shaped "temporarily
unavailable" error, whichever step met the store: signing the caller in (before any resolver),
a resolver, or a plain route. A real graph server, stopped under a running app (the fault test
with a killed server under ``carecircles serve`` is tests/service/test_store_outage.py)."""

from __future__ import annotations

import socket
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from graph.store import open_store
from graph.store.embedded import stop_server
from service.accounts.users import token_for
from service.app import create_app
from service.config import ServiceSettings as Settings

UNAVAILABLE = {
    "message": "The service is temporarily unavailable; try again in a few seconds.",
    "extensions": {"code": "UNAVAILABLE"},
}


START_TIMEOUT_S = 20.0


@pytest.fixture
def client(tmp_path: Path) -> Iterator[tuple[httpx.Client, Settings]]:
    """The app (uvicorn in a thread) on a graph server of its own, stopped once the app is up."""
    data_dir = tmp_path / "data"
    settings = Settings(
        graph_uri="embedded://",
        data_dir=data_dir,
        graph_name="unavailable",
        secret_key=f"test-key-{uuid.uuid4().hex}",
    )
    store = open_store(settings)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings=settings, store=store),
            host="127.0.0.1",
            port=port,
            log_level="warning",
        )
    )
    thread = threading.Thread(target=server.run, name="unavailable-server", daemon=True)
    thread.start()
    served = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30.0)
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:  # readiness poll
            try:
                if served.get("/health").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline and thread.is_alive(), "the app did not start"
            time.sleep(0.02)
        assert stop_server(data_dir) is True
        yield served, settings
    finally:
        served.close()
        server.should_exit = True
        thread.join(timeout=10)
        store.close()
        stop_server(data_dir)


def _errors(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["retry-after"] == "1"
    body = response.json()
    assert body.get("data") is None, body
    errors: list[dict[str, Any]] = body["errors"]
    for error in errors:
        assert {key: error[key] for key in UNAVAILABLE} == UNAVAILABLE, body
    return errors


def test_a_signed_in_request_is_answered_503_before_any_resolver(
    client: tuple[httpx.Client, Settings],
) -> None:
    served, settings = client
    token = token_for(key=settings.secret_key.encode(), user_id="u-nobody")

    response = served.post(
        "/graphql", json={"query": "{ me { id } }"}, headers={"Authorization": f"Bearer {token}"}
    )

    assert _errors(response) == [UNAVAILABLE]


def test_a_resolver_meeting_the_store_down_answers_503_naming_its_field(
    client: tuple[httpx.Client, Settings],
) -> None:
    served, _ = client
    sign_in = """mutation { signIn(email: "ann@example.org", password: "long enough") {
      __typename } }"""

    errors = _errors(served.post("/graphql", json={"query": sign_in}))

    assert [error["path"] for error in errors] == [["signIn"]]
    assert "FalkorDB" not in str(errors) and "127.0.0.1" not in str(errors)


def test_health_says_the_graph_is_down(client: tuple[httpx.Client, Settings]) -> None:
    served, _ = client

    response = served.get("/health")

    assert response.status_code == 503
    assert response.json()["graph"] == "down"
