"""Bad input and abuse: rejected with the field named, nothing written; DataLoader batching;
masked unexpected errors; the published schema does not drift."""

from __future__ import annotations

from service.api.export import SCHEMA_FILE, schema_sdl
from tests.service.conftest import Api, World, next_monday

CLAIM = "mutation($id: ID!) { claimVisit(visitId: $id) { __typename } }"


def _assignments(api: Api) -> int:
    return int(api.store.run("MATCH ()-[a:ASSIGNED]->() RETURN count(a) AS n")[0]["n"])


def test_the_published_schema_matches_the_code() -> None:
    assert SCHEMA_FILE.read_text() == schema_sdl(), (
        "service/schema.graphql is out of date: run python -m service.api.export"
    )


def test_malformed_ids_name_the_field_and_write_nothing(api: Api, world: World) -> None:
    token = world.volunteer_token(world.volunteer("Val"))
    before = _assignments(api)
    for bad in ("", "x" * 300, "p1'}) DETACH DELETE n //", "../etc", "ü"):
        body = api.gql(CLAIM, {"id": bad}, token=token)
        assert body["data"] is None
        assert body["errors"][0]["message"].startswith("visitId: expected an id")
    assert _assignments(api) == before


def test_bad_paging_and_notes_name_the_field(api: Api, world: World) -> None:
    token = world.volunteer_token(world.volunteer("Val"))
    body = api.gql("query { openVisits(first: 1000) { edges { node { id } } } }", token=token)
    assert body["errors"][0]["message"].startswith("first: expected 1..100")
    body = api.gql('query { openVisits(after: "bm9wZQ==") { edges { node { id } } } }', token=token)
    assert body["errors"][0]["message"].startswith("after:")
    body = api.gql(
        'mutation { logVisit(visitId: "v1", outcome: DONE, note: "%s") { __typename } }'
        % ("x" * 600),
        token=token,
    )
    assert body["errors"][0]["message"].startswith("note: expected at most 500")
    body = api.gql(
        'mutation { logVisit(visitId: "v1", outcome: MAYBE) { __typename } }', token=token
    )
    assert "MAYBE" in body["errors"][0]["message"]


def test_deeply_nested_queries_are_refused_before_running(api: Api, world: World) -> None:
    """The schema has no cycles today, so the deepest real path is 4; the limit (6) guards
    types added later. A deeper selection is refused by the depth rule itself."""
    _, token = world.user("coordinator")
    deepest_real = "query { openVisits { edges { node { volunteers { firstName } } } } }"
    assert "errors" in api.gql(deepest_real, token=token)  # refused for a coordinator, not depth
    deep = "query { me { volunteer { availability { day { a { b { c { d } } } } } } } }"
    body = api.gql(deep, token=token)
    assert body["data"] is None
    messages = [e["message"] for e in body["errors"]]
    assert any("exceeds maximum operation depth of 6" in m for m in messages)


def test_oversized_and_alias_heavy_queries_are_refused(api: Api, world: World) -> None:
    token = world.volunteer_token(world.volunteer("Val"))
    visit = world.visit(world.person("Ann"))
    before = _assignments(api)
    aliases = " ".join(
        f'c{i}: claimVisit(visitId: "{visit.id}") {{ __typename }}' for i in range(40)
    )
    body = api.gql(f"mutation {{ {aliases} }}", token=token)
    assert body["data"] is None and body["errors"]
    huge = "query { " + " ".join("me { id }" for _ in range(800)) + " }"
    body = api.gql(huge, token=token)
    assert body["data"] is None
    assert "token" in body["errors"][0]["message"].lower()
    assert _assignments(api) == before


def test_unexpected_errors_are_masked_with_a_request_id(api: Api, world: World) -> None:
    _, token = world.user("coordinator")
    api.store.run(
        "MATCH (o:Organization {id: $org}) "
        "CREATE (:Person {id: 'p-broken', first_name: 'Zed', lat: 'not a number'})"
        "-[:SUPPORTED_BY]->(o)",
        {"org": world.organization_id},
    )
    body = api.gql('query { person(id: "p-broken") { firstName } }', token=token)
    message = body["errors"][0]["message"]
    assert message.startswith("Unexpected error (request id ")
    assert body["errors"][0]["extensions"]["requestId"] in message
    assert "lat" not in message and "valid" not in message


def test_a_page_of_fifty_visits_costs_a_constant_number_of_queries(api: Api, world: World) -> None:
    _, token = world.user("coordinator")
    monday = next_monday()
    year, number, _ = monday.isocalendar()
    query = """query($week: String!, $first: Int) { visits(week: $week, first: $first) {
        edges { node { id area personFirstName volunteers { firstName } } } } }"""
    people = [world.person(f"Q{i}") for i in range(50)]
    for person in people:
        world.visit(person, week_start=monday)
    counts = []
    for first in (5, 50):
        response = api.client.post(
            "/graphql",
            json={"query": query, "variables": {"week": f"{year}-W{number:02d}", "first": first}},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert len(response.json()["data"]["visits"]["edges"]) == first
        counts.append(int(response.headers["X-Graph-Queries"]))
    assert counts[0] == counts[1] <= 5  # the access-log write of the first names included


def test_bad_enum_values_in_variables_name_the_field_and_the_values(api: Api, world: World) -> None:
    """Coercing variables fails before anything runs: the error names the variable, the path
    inside it and the values the enum takes, and nothing is written."""
    ann = world.person("Ann")
    _, coordinator = world.user("coordinator")
    check_in = """mutation($input: CheckInInput!) {
        recordCheckIn(input: $input) { __typename } }"""
    before = int(api.store.run("MATCH (c:CheckIn) RETURN count(c) AS n")[0]["n"])
    body = api.gql(
        check_in,
        {"input": {"personId": ann.id, "scale": "FOO", "answers": [1, 1, 1]}},
        token=coordinator,
    )
    assert body["data"] is None
    message = body["errors"][0]["message"]
    assert "Unexpected error" not in message
    assert ".scale" in message and "'FOO'" in message
    assert "Expected one of UCLA3, ONS1, DJG6." in message
    assert int(api.store.run("MATCH (c:CheckIn) RETURN count(c) AS n")[0]["n"]) == before

    token = world.volunteer_token(world.volunteer("Val"))
    log = 'mutation($o: VisitOutcome!) { logVisit(visitId: "v1", outcome: $o) { __typename } }'
    message = api.gql(log, {"o": "MAYBE"}, token=token)["errors"][0]["message"]
    assert "$o" in message and "Expected one of DONE, MISSED." in message
    message = api.gql(
        "query($f: Int) { openVisits(first: $f) { edges { node { id } } } }",
        {"f": "many"},
        token=token,
    )["errors"][0]["message"]
    assert message.startswith("Variable '$f' has invalid value") and "Int" in message


def test_errors_serialising_stored_values_stay_masked(api: Api, world: World) -> None:
    """A GraphQLError raised while executing (a stored value GraphQL cannot serialise) may
    quote our data, so it is masked like any unexpected error."""
    ann = world.person("Ann")
    visit = world.visit(ann)
    api.store.run("MATCH (a:Area {id: $id}) SET a.name = ['secret', 'ward']", {"id": world.area_id})
    _, coordinator = world.user("coordinator")
    year, number, _ = visit.week_start.isocalendar()
    body = api.gql(
        "query($w: String!) { visits(week: $w, first: 100) { edges { node { id area } } } }",
        {"w": f"{year}-W{number:02d}"},
        token=coordinator,
    )
    messages = [e["message"] for e in body["errors"]]
    assert messages and all(m.startswith("Unexpected error (request id ") for m in messages)
    assert "secret" not in str(body)
