"""people(search:): the name search runs in the graph, so only matching people are read, and only
they get an access-log entry."""

from __future__ import annotations

from tests.service.conftest import Api, World

PEOPLE = """query($search: String, $first: Int, $after: String) {
  people(first: $first, after: $after, search: $search) {
    edges { node { id firstName lastName } } pageInfo { hasNextPage endCursor }
  }
}"""
LOGGED = "MATCH (n:AccessLog) RETURN n.person_id AS id, n.fields AS fields"


def _names(api: Api, token: str, search: str | None, first: int = 50) -> list[str]:
    found = api.data(PEOPLE, {"search": search, "first": first}, token=token)["people"]
    return sorted(f"{e['node']['firstName']} {e['node']['lastName']}" for e in found["edges"])


def test_search_reads_and_logs_only_the_people_it_returns(api: Api, world: World) -> None:
    rosalind = world.person("Rosalind", last_name="Okafor")
    rosemary = world.person("Rosemary", last_name="Quinn")
    ambrose = world.person("Ambrose", last_name="Hill")
    world.person("Harold", last_name="Okonjo")
    world.person("Una", last_name="Smith")
    _, worker = world.user("link_worker")

    found = api.data(PEOPLE, {"search": "ROS"}, token=worker)["people"]["edges"]
    assert sorted(e["node"]["id"] for e in found) == sorted([rosalind.id, rosemary.id, ambrose.id])
    logged = api.store.run(LOGGED)
    assert sorted(r["id"] for r in logged) == sorted([rosalind.id, rosemary.id, ambrose.id])
    assert all(sorted(r["fields"]) == ["first_name", "last_name"] for r in logged)

    # Every word must be in the first or the last name; last names count too.
    assert _names(api, worker, "ros oka") == ["Rosalind Okafor"]
    assert _names(api, worker, "  oK  ") == ["Harold Okonjo", "Rosalind Okafor"]
    assert _names(api, worker, "rosalind quinn") == []
    assert _names(api, worker, "  ") == _names(api, worker, None)
    assert len(_names(api, worker, None)) == 5


def test_search_pages_like_the_list(api: Api, world: World) -> None:
    for name in ("Mabel", "Mae", "Mary", "Martha"):
        world.person(name, last_name=f"Page{world.tag}")
    token = world.user("coordinator")[1]
    seen: list[str] = []
    after = None
    while True:
        page = api.data(
            PEOPLE, {"search": f"page{world.tag}", "first": 3, "after": after}, token=token
        )["people"]
        seen += [e["node"]["firstName"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert sorted(seen) == ["Mabel", "Mae", "Martha", "Mary"]


def test_search_is_bounded_and_staff_only(api: Api, world: World) -> None:
    worker = world.user("link_worker")[1]
    long = api.gql(PEOPLE, {"search": "a" * 101}, token=worker)
    assert long["errors"][0]["message"] == "search: expected at most 100 characters, got 101"
    volunteer = world.volunteer("Val")
    denied = api.gql(PEOPLE, {"search": "a"}, token=world.volunteer_token(volunteer))
    assert denied["errors"][0]["message"] == "Not allowed."
