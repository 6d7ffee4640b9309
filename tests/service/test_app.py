"""The app: health, sign-in, who am I, bearer tokens."""

from __future__ import annotations

from tests.service.conftest import PASSWORD, Api, World

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
