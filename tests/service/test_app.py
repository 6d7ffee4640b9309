"""The app: health, sign-in, who am I, bearer tokens."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import httpx
import uvicorn

from graph.store.embedded import ensure_server, stop_server
from graph.store.falkor import FalkorStore
from service.app import create_app
from tests.service.conftest import PASSWORD, Api, World, _free_port

ME = "query { me { id email role organizationId volunteer { id firstName } } }"
SIGN_IN = """
mutation($email: String!, $password: String!) {
  signIn(email: $email, password: $password) {
    __typename
    ... on SignedIn { token me { role } }
    ... on SignInFailed { message }
  }
}
"""


def test_health_asks_the_graph(api: Api) -> None:
    response = api.client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "graph": "ok"}


def test_sign_in_returns_a_token_that_signs_requests(api: Api, world: World) -> None:
    volunteer = world.volunteer("Rosa")
    email, _ = world.user("volunteer", volunteer_id=volunteer.id)
    result = api.data(SIGN_IN, {"email": email.upper(), "password": PASSWORD})["signIn"]
    assert result["__typename"] == "SignedIn"
    me = api.data(ME, token=result["token"])["me"]
    assert me["email"] == email
    assert me["role"] == "volunteer"
    assert me["volunteer"] == {"id": volunteer.id, "firstName": "Rosa"}


def test_wrong_password_is_a_typed_failure_and_says_nothing_more(api: Api, world: World) -> None:
    email, _ = world.user("coordinator")
    wrong = api.data(SIGN_IN, {"email": email, "password": "not it at all"})["signIn"]
    unknown = api.data(SIGN_IN, {"email": "nobody@example.org", "password": PASSWORD})["signIn"]
    assert wrong["__typename"] == unknown["__typename"] == "SignInFailed"
    assert wrong["message"] == unknown["message"]


def test_me_without_a_token_is_refused(api: Api) -> None:
    body = api.gql(ME)
    assert body["data"] is None
    assert "Sign in" in body["errors"][0]["message"]


def test_a_forged_or_tampered_token_is_refused(api: Api, world: World) -> None:
    _, token = world.user("coordinator")
    head, claims, signature = token.split(".")
    tampered = f"{head}.{claims}x.{signature}"
    for bad in (tampered, "cc1.e30.AAAA", "nonsense"):
        body = api.gql(ME, token=bad)
        assert body["data"] is None and "Sign in" in body["errors"][0]["message"]


def test_coordinator_joins_the_coordinating_organisation(api: Api, world: World) -> None:
    _, token = world.user("coordinator")
    me = api.data(ME, token=token)["me"]
    assert me["role"] == "coordinator"
    assert me["organizationId"] == world.organization_id


def test_health_is_503_with_the_reason_when_the_graph_is_down(api: Api, tmp_path: Path) -> None:
    """A second API server on a graph server of its own, which then stops."""
    graph_server = ensure_server(tmp_path, stop_at_exit=True)
    store = FalkorStore(
        host=graph_server.host,
        port=graph_server.port,
        graph_name="health",
        password=graph_server.password,
    )
    store.ensure_schema()
    app = create_app(settings=api.settings, store=store)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            while not server.started:  # readiness: uvicorn sets this once it listens
                assert thread.is_alive()
                time.sleep(0.01)
            assert client.get("/health").status_code == 200
            stop_server(tmp_path)
            response = client.get("/health")
        assert response.status_code == 503
        body = response.json()
        assert body["status"] == "unavailable" and body["graph"] == "down"
        assert "unavailable" in body["reason"] or "reachable" in body["reason"]
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        stop_server(tmp_path)
