"""Volunteers: open visits, claim, accept, decline, log; never a double booking."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

from graph.models import Window
from graph.models.base import iso_utc
from graph.repo import volunteer_visits as signup_repo
from graph.repo.assignments import ASSIGNMENTS_OF_VISITS
from tests.service.conftest import Api, World, next_monday
from tests.world import propose

OPEN = """
query($first: Int, $after: String) {
  openVisits(first: $first, after: $after) {
    edges { node { id day start end area personFirstName address } }
    pageInfo { hasNextPage endCursor }
  }
}
"""
CLAIM = """
mutation($visitId: ID!) {
  claimVisit(visitId: $visitId) {
    __typename
    ... on VisitClaimed { visit { id start myStatus } }
    ... on VisitUnavailable { message }
    ... on NotEligible { reasons }
  }
}
"""
ACCEPT = """
mutation($visitId: ID!) {
  acceptVisit(visitId: $visitId) {
    __typename ... on VisitAccepted { visit { id myStatus } } ... on VisitUnavailable { message }
  }
}
"""
DECLINE = """
mutation($visitId: ID!) {
  declineVisit(visitId: $visitId) { __typename ... on VisitUnavailable { message } }
}
"""
LOG = """
mutation($visitId: ID!, $outcome: VisitOutcome!, $note: String) {
  logVisit(visitId: $visitId, outcome: $outcome, note: $note) {
    __typename ... on VisitLogged { visit { id status myStatus note } }
    ... on VisitUnavailable { message }
  }
}
"""
MY = "query($week: String) { myVisits(week: $week) { id myStatus start address status } }"


def _holders(api: Api, visit_id: str) -> list[str]:
    rows = api.store.run(ASSIGNMENTS_OF_VISITS, {"ids": [visit_id]}, write=False)
    return [
        row["volunteer_id"] for row in rows if row["status"] in ("proposed", "accepted", "done")
    ]


def test_open_visits_lists_only_what_the_volunteer_may_claim(api: Api, world: World) -> None:
    near = world.person("Ann")
    far = world.person("Bea", lat=51.75, lon=-0.06)  # about 22 km north
    polish = world.person("Cas", languages=["pl"])
    val = world.volunteer("Val", languages=["en"])
    mine = world.visit(near)
    world.visit(far)
    world.visit(polish)
    token = world.volunteer_token(val)
    nodes = [e["node"] for e in api.data(OPEN, token=token)["openVisits"]["edges"]]
    ids = {n["id"] for n in nodes}
    assert mine.id in ids
    assert len([n for n in nodes if n["personFirstName"] in ("Bea", "Cas")]) == 0
    node = next(n for n in nodes if n["id"] == mine.id)
    assert node["personFirstName"] == "Ann"
    assert node["area"] == f"Ward {world.tag}"
    assert node["address"] is None
    assert node["start"] == "10:00" and node["end"] == "11:00"


def test_open_visits_pages_with_cursors(api: Api, world: World) -> None:
    person = world.person("Dot", visit_windows=[])
    dot_visits_made = [world.visit(person, day=day) for day in range(5)]
    token = world.volunteer_token(world.volunteer("Pia"))
    seen: list[str] = []
    after = None
    while True:
        page = api.data(OPEN, {"first": 2, "after": after}, token=token)["openVisits"]
        seen += [e["node"]["id"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    dot_visits = {visit.id for visit in dot_visits_made}
    assert dot_visits <= set(seen)
    assert len(seen) == len(set(seen))


def test_claim_accept_decline_log_journey(api: Api, world: World) -> None:
    ann = world.person("Ann")
    val, kim = world.volunteer("Val"), world.volunteer("Kim")
    val_token, kim_token = world.volunteer_token(val), world.volunteer_token(kim)
    visit = world.visit(ann)

    claimed = api.data(CLAIM, {"visitId": visit.id}, token=val_token)["claimVisit"]
    assert claimed["__typename"] == "VisitClaimed"
    assert claimed["visit"] == {"id": visit.id, "start": "10:00", "myStatus": "accepted"}
    again = api.data(CLAIM, {"visitId": visit.id}, token=kim_token)["claimVisit"]
    assert again["__typename"] == "VisitUnavailable"
    open_ids = {e["node"]["id"] for e in api.data(OPEN, token=kim_token)["openVisits"]["edges"]}
    assert visit.id not in open_ids

    declined = api.data(DECLINE, {"visitId": visit.id}, token=val_token)["declineVisit"]
    assert declined["__typename"] == "VisitDeclined"
    open_ids = {e["node"]["id"] for e in api.data(OPEN, token=kim_token)["openVisits"]["edges"]}
    assert visit.id in open_ids
    assert (
        api.data(CLAIM, {"visitId": visit.id}, token=kim_token)["claimVisit"]["__typename"]
        == "VisitClaimed"
    )
    assert _holders(api, visit.id) == [kim.id]

    early = api.data(LOG, {"visitId": visit.id, "outcome": "DONE"}, token=kim_token)["logVisit"]
    assert early == {
        "__typename": "VisitUnavailable",
        "message": "This visit has not started yet: log it once it has.",
    }
    world.time_passes(visit)
    logged = api.data(
        LOG,
        {"visitId": visit.id, "outcome": "DONE", "note": "  Tea and the crossword "},
        token=kim_token,
    )["logVisit"]
    assert logged["__typename"] == "VisitLogged"
    assert logged["visit"]["status"] == "done"
    assert logged["visit"]["note"] == "Tea and the crossword"
    knows = api.store.run(
        "MATCH (:Volunteer {id: $v})-[k:KNOWS]->(:Person {id: $p}) RETURN k.visits AS n",
        {"v": kim.id, "p": ann.id},
    )
    assert knows == [{"n": 1}]
    # Logging again within a day corrects the log: the tie is as if it had been logged so.
    twice = api.data(LOG, {"visitId": visit.id, "outcome": "MISSED"}, token=kim_token)
    assert twice["logVisit"]["visit"]["status"] == "missed"
    knows = api.store.run(
        "MATCH (:Volunteer {id: $v})-[k:KNOWS]->(:Person {id: $p}) RETURN k.visits AS n",
        {"v": kim.id, "p": ann.id},
    )
    assert knows == [{"n": 0}]
    # Someone else's visit: nothing changes.
    other = api.data(LOG, {"visitId": visit.id, "outcome": "MISSED"}, token=val_token)
    assert other["logVisit"]["__typename"] == "VisitUnavailable"


def test_accept_a_proposed_visit(api: Api, world: World) -> None:
    ann = world.person("Ann")
    val = world.volunteer("Val")
    token = world.volunteer_token(val)
    visit = world.visit(ann, start="11:00")
    propose(api.store, visit, val.id, at=visit.created_at)
    mine = api.data(MY, {"week": _week(next_monday())}, token=token)["myVisits"]
    assert [(v["id"], v["myStatus"]) for v in mine] == [(visit.id, "proposed")]
    accepted = api.data(ACCEPT, {"visitId": visit.id}, token=token)["acceptVisit"]
    assert accepted == {
        "__typename": "VisitAccepted",
        "visit": {"id": visit.id, "myStatus": "accepted"},
    }
    again = api.data(ACCEPT, {"visitId": visit.id}, token=token)["acceptVisit"]
    assert again["__typename"] == "VisitUnavailable"


def test_not_eligible_comes_with_reasons(api: Api, world: World) -> None:
    ann = world.person("Ann", gender_preference="female")
    val = world.volunteer("Sam", gender="male", checked=False)
    visit = world.visit(ann)
    result = api.data(CLAIM, {"visitId": visit.id}, token=world.volunteer_token(val))
    assert result["claimVisit"]["__typename"] == "NotEligible"
    reasons = " ".join(result["claimVisit"]["reasons"])
    assert "female" in reasons and "checked" in reasons
    assert _holders(api, visit.id) == []


def test_overlap_with_travel_is_refused(api: Api, world: World) -> None:
    ann = world.person("Ann")
    bea = world.person("Bea", lat=51.57)  # 2.2 km away: 12 minutes at 12 km/h
    val = world.volunteer("Val", availability=[Window(day=1, start="10:00", end="11:10")])
    token = world.volunteer_token(val)
    first = world.visit(ann, earliest="10:00", latest="11:00")
    second = world.visit(bea, earliest="10:00", latest="12:00", duration_minutes=60)
    assert api.data(CLAIM, {"visitId": first.id}, token=token)["claimVisit"]["__typename"] == (
        "VisitClaimed"
    )
    result = api.data(CLAIM, {"visitId": second.id}, token=token)["claimVisit"]
    assert result["__typename"] in ("NotEligible", "VisitUnavailable")
    assert _holders(api, second.id) == []


def test_fifty_concurrent_claims_of_one_visit_give_exactly_one_winner(
    api: Api, world: World
) -> None:
    ann = world.person("Ann")
    visit = world.visit(ann)
    tokens = [world.volunteer_token(world.volunteer(f"V{i}")) for i in range(50)]

    def claim(token: str) -> str:
        body = api.gql(CLAIM, {"visitId": visit.id}, token=token)
        assert "errors" not in body, body
        return str(body["data"]["claimVisit"]["__typename"])

    with ThreadPoolExecutor(max_workers=50) as pool:
        outcomes = list(pool.map(claim, tokens))
    assert outcomes.count("VisitClaimed") == 1
    assert outcomes.count("VisitUnavailable") == 49
    assert len(_holders(api, visit.id)) == 1


def test_a_race_for_one_visit_sends_one_claim_write_per_server_process(
    api: Api, world: World
) -> None:
    """Claims of one visit arriving while another claim of it is being decided wait for that
    answer: the winner runs the read and the guarded claim statement, a claim that waited (or
    came after) reads "taken" (one statement) and writes nothing. Without the waiting, every
    claim that read "open" before the winner wrote sends a write."""
    ann = world.person("Ann")
    visit = world.visit(ann)
    tokens = [world.volunteer_token(world.volunteer(f"R{i}")) for i in range(40)]
    for token in tokens:  # signed in already (the user cache): the claims arrive together
        assert api.data("{ __typename }", token=token)

    def claim(token: str) -> tuple[str, int]:
        response = api.client.post(
            "/graphql",
            json={"query": CLAIM, "variables": {"visitId": visit.id}},
            headers={"Authorization": f"Bearer {token}"},
        )
        body = response.json()
        assert "errors" not in body, body
        return body["data"]["claimVisit"]["__typename"], int(response.headers["X-Graph-Queries"])

    with ThreadPoolExecutor(max_workers=40) as pool:
        outcomes = list(pool.map(claim, tokens))
    assert [name for name, _ in outcomes].count("VisitClaimed") == 1
    assert sorted({n for name, n in outcomes if name == "VisitClaimed"}) == [2]
    assert {n for name, n in outcomes if name == "VisitUnavailable"} == {1}
    assert len(_holders(api, visit.id)) == 1


def test_a_race_for_a_visit_needing_two_gives_it_exactly_two(api: Api, world: World) -> None:
    """The first claim won does not fill a visit needing two: the claims that waited for it go
    ahead and the guarded statement lets exactly one more in."""
    ann = world.person("Ann")
    visit = world.visit(ann, volunteers_needed=2)
    tokens = [world.volunteer_token(world.volunteer(f"T{i}")) for i in range(20)]
    for token in tokens:
        assert api.data("{ __typename }", token=token)

    def claim(token: str) -> str:
        return str(api.data(CLAIM, {"visitId": visit.id}, token=token)["claimVisit"]["__typename"])

    with ThreadPoolExecutor(max_workers=20) as pool:
        outcomes = list(pool.map(claim, tokens))
    assert outcomes.count("VisitClaimed") == 2
    assert outcomes.count("VisitUnavailable") == 18
    assert len(_holders(api, visit.id)) == 2


def test_twenty_concurrent_claims_of_overlapping_visits_by_one_volunteer(
    api: Api, world: World
) -> None:
    val = world.volunteer("Val")
    token = world.volunteer_token(val)
    visits = [
        world.visit(world.person(f"P{i}"), earliest="10:00", latest="11:00") for i in range(20)
    ]

    def claim(visit_id: str) -> str:
        body = api.gql(CLAIM, {"visitId": visit_id}, token=token)
        assert "errors" not in body, body
        return str(body["data"]["claimVisit"]["__typename"])

    with ThreadPoolExecutor(max_workers=20) as pool:
        outcomes = list(pool.map(claim, [v.id for v in visits]))
    assert outcomes.count("VisitClaimed") == 1
    held = [v.id for v in visits if _holders(api, v.id)]
    assert len(held) == 1


def test_address_only_for_a_held_visit_on_its_day(api: Api, world: World) -> None:
    today = date.today()
    monday = today - timedelta(days=today.weekday())
    ann = world.person("Ann")
    val = world.volunteer("Val")
    token = world.volunteer_token(val)
    today_visit = world.visit(ann, week_start=monday, day=today.weekday(), start="10:00")
    later = world.visit(ann, week_start=next_monday(), day=3, start="10:00")
    for visit in (today_visit, later):
        propose(api.store, visit, val.id, at=visit.created_at)
        signup_repo.accept_visit(
            store=api.store, visit_id=visit.id, volunteer_id=val.id, now=iso_utc(visit.created_at)
        )
    mine = {v["id"]: v for v in api.data(MY, token=token)["myVisits"]}
    assert mine[today_visit.id]["address"] == "3 Mare Street, E8 1AB"
    assert mine[later.id]["address"] is None


def _week(monday: date) -> str:
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"
