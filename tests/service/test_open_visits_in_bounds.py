"""Open visits and claims stay inside the volunteer's organisations, and the first names a
volunteer is shown (open visits, claims, their own visits) are logged for each person (issue
18: organisations that hold their boundaries).

Decided: a volunteer is offered, and may claim, only the open visits of people supported
(``SUPPORTED_BY``) by an organisation they volunteer with (``VOLUNTEERS_WITH``), the same rule
whether the page comes from a statement or from the open-visits snapshot, and guarded again
in the claim statement itself. A claim of any other visit gets the answer a visit that does
not exist gets, so it says nothing about who exists.
"""

from __future__ import annotations

from typing import Any

import pytest

from graph.models import Person, utc_now
from graph.repo import organisations
from graph.repo import volunteer_visits as repo
from service.visits.open_visits import open_visits
from service.weeks import week_label
from tests.service.conftest import Api, World

OPEN = "query { openVisits(first: 50) { edges { node { id personFirstName area } } } }"
CLAIM = """mutation($id: ID!) { claimVisit(visitId: $id) {
  __typename ... on VisitClaimed { visit { id personFirstName } }
  ... on VisitUnavailable { message } ... on NotEligible { reasons } } }"""
CLAIM_ONLY = "mutation($id: ID!) { claimVisit(visitId: $id) { __typename } }"
MY_VISITS = "query($week: String!) { myVisits(week: $week) { id personFirstName } }"
NOT_ALLOWED = "Not allowed: this is not an open visit of an organisation you volunteer with."


def _open_ids(api: Api, token: str) -> set[str]:
    return {e["node"]["id"] for e in api.data(OPEN, token=token)["openVisits"]["edges"]}


def _log_of(api: Api, person: Person) -> list[dict[str, Any]]:
    return api.store.run(
        "MATCH (n:AccessLog {person_id: $id}) "
        "RETURN n.actor_user_id AS actor, n.purpose AS purpose, n.fields AS fields",
        {"id": person.id},
    )


def _user_id(api: Api, token: str) -> str:
    return str(api.data("query { me { id } }", token=token)["me"]["id"])


@pytest.mark.parametrize("max_age", [0.0, 60.0], ids=["statement", "snapshot"])
def test_a_volunteer_is_offered_only_the_visits_of_their_organisations_people(
    api: Api, world: World, monkeypatch: pytest.MonkeyPatch, max_age: float
) -> None:
    """The gap: a volunteer saw the open visits of people other organisations support."""
    other = world.organization("Faith")
    ann, bob = world.person("Ann"), world.person("Bob", organization_id=other)
    both = world.person("Cy")  # supported by both
    organisations.support_person(
        store=api.store, person_id=both.id, organization_id=other, since=utc_now(), basis="x"
    )
    nobody = world.person("Dot", organization_id=None)
    ann_visit, bob_visit, cy_visit, dot_visit = (world.visit(p) for p in (ann, bob, both, nobody))
    val = world.volunteer_token(world.volunteer("Val"))  # with the world's organisation
    vic = world.volunteer_token(world.volunteer("Vic", organization_id=other))
    una = world.volunteer_token(world.volunteer("Una", organization_id=None))
    monkeypatch.setattr(api.settings, "open_visits_max_age_s", max_age)

    mine = {ann_visit.id, bob_visit.id, cy_visit.id, dot_visit.id}
    assert _open_ids(api, val) & mine == {ann_visit.id, cy_visit.id}
    assert _open_ids(api, vic) & mine == {bob_visit.id, cy_visit.id}
    assert _open_ids(api, una) & mine == set()


def test_a_claim_outside_the_volunteers_organisations_is_not_allowed(
    api: Api, world: World
) -> None:
    """The gap: a volunteer claimed a visit of someone another organisation supports (and
    then read the address on its day). Refused like a visit that does not exist, nothing
    written, and no reasons that would tell about the person."""
    other = world.organization("Faith")
    bob = world.person("Bob", organization_id=other, languages=["pl"])
    visit = world.visit(bob)
    val = world.volunteer_token(world.volunteer("Val"))
    for visit_id in (visit.id, "visit-that-never-was"):
        body = api.gql(CLAIM, {"id": visit_id}, token=val)
        assert body["data"] is None
        assert [e["message"] for e in body["errors"]] == [NOT_ALLOWED]
    holders = api.store.run(
        "MATCH (:Volunteer)-[a:ASSIGNED]->(v:Visit {id: $id}) RETURN v.status AS s",
        {"id": visit.id},
    )
    assert holders == []
    assert _log_of(api, bob) == []
    vic = world.volunteer_token(world.volunteer("Vic", organization_id=other, languages=["pl"]))
    claimed = api.data(CLAIM, {"id": visit.id}, token=vic)["claimVisit"]
    assert claimed["__typename"] == "VisitClaimed"


def test_the_claim_statement_itself_refuses_a_visit_outside_the_volunteers_organisations(
    api: Api, world: World
) -> None:
    """Whatever a caller judged before (here: nothing), the guarded statement has the last
    word, as any process would send it."""
    other = world.organization("Faith")
    visit = world.visit(world.person("Bob", organization_id=other))
    val = world.volunteer("Val")

    def claim(volunteer_id: str) -> str:
        return repo.claim_visit(
            store=api.store,
            visit_id=visit.id,
            volunteer_id=volunteer_id,
            start="10:00",
            now="2026-11-23T09:00:00Z",
            holding=None,
        )

    assert claim(val.id) == "outside"
    assert claim(world.volunteer("Vic", organization_id=other).id) == "won"


def test_the_statement_page_leaves_out_other_organisations_visits(api: Api, world: World) -> None:
    """The service's statement path (no snapshot), called as the app calls it."""
    other = world.organization("Faith")
    ann_visit = world.visit(world.person("Ann"))
    bob_visit = world.visit(world.person("Bob", organization_id=other))
    val = world.volunteer("Val")
    found, _ = open_visits(store=api.store, volunteer_id=val.id, first=50, max_age=0)
    ids = {v.id for v in found}
    assert ann_visit.id in ids and bob_visit.id not in ids


def test_first_names_shown_in_open_visits_are_logged_in_one_statement(
    api: Api, world: World
) -> None:
    """The gap: open visits showed people's first names to volunteers, and no read reached
    the people's access logs. Now each person shown is logged (first name and area), in one
    statement however many are shown."""
    val = world.volunteer("Val")
    token = world.volunteer_token(val)
    actor = _user_id(api, token)
    counts = []
    for size in (1, 6):
        people = [world.person(f"P{size}x{i}") for i in range(size)]
        for person in people:
            world.visit(person)
        response = api.client.post(
            "/graphql", json={"query": OPEN}, headers={"Authorization": f"Bearer {token}"}
        )
        shown = {
            e["node"]["personFirstName"] for e in response.json()["data"]["openVisits"]["edges"]
        }
        assert {p.first_name for p in people} <= shown
        counts.append(int(response.headers["X-Graph-Queries"]))
        for person in people:
            [entry] = [e for e in _log_of(api, person) if e["actor"] == actor]
            assert sorted(entry["fields"]) == ["area", "first_name"]
            assert entry["purpose"].startswith("open visits")
    assert counts[0] == counts[1]


def test_a_claim_logs_the_first_name_it_shows(api: Api, world: World) -> None:
    ann = world.person("Ann")
    visit = world.visit(ann)
    token = world.volunteer_token(world.volunteer("Val"))
    claimed = api.data(CLAIM, {"id": visit.id}, token=token)["claimVisit"]
    assert claimed == {
        "__typename": "VisitClaimed",
        "visit": {"id": visit.id, "personFirstName": "Ann"},
    }
    [entry] = _log_of(api, ann)
    assert entry["actor"] == _user_id(api, token)
    assert entry["fields"] == ["first_name"]  # the area was not asked for
    assert visit.id in entry["purpose"]


def test_first_names_of_a_volunteers_own_visits_are_logged(api: Api, world: World) -> None:
    ann = world.person("Ann")
    visit = world.visit(ann)
    token = world.volunteer_token(world.volunteer("Val"))
    claimed = api.data(CLAIM_ONLY, {"id": visit.id}, token=token)["claimVisit"]
    assert claimed["__typename"] == "VisitClaimed"
    assert _log_of(api, ann) == []  # nothing of Ann's was shown
    week = week_label(visit.week_start)
    mine = api.data(MY_VISITS, {"week": week}, token=token)["myVisits"]
    assert [v["personFirstName"] for v in mine] == ["Ann"]
    [entry] = _log_of(api, ann)
    assert entry["fields"] == ["first_name"]
    assert entry["purpose"].startswith("their visits")


def test_in_a_race_for_a_visit_other_organisations_volunteers_are_never_told_it_is_taken(
    api: Api, world: World
) -> None:
    """The gap: claims of one visit that arrive while another claim of it is being decided wait
    for that answer, and were all told "taken" -- the other organisation's volunteers too, which
    says the visit exists. Now each waiting claim is answered as a claim arriving after the
    winner is: "Not allowed" outside the volunteer's organisations, "taken" inside."""
    from concurrent.futures import ThreadPoolExecutor

    other = world.organization("Faith")
    visit = world.visit(world.person("Ann"))
    ours = [world.volunteer_token(world.volunteer(f"O{i}")) for i in range(16)]
    theirs = [
        world.volunteer_token(world.volunteer(f"F{i}", organization_id=other)) for i in range(16)
    ]
    racers = [token for pair in zip(ours, theirs, strict=True) for token in pair]
    for token in racers:  # signed in already (the user cache): the claims arrive together
        assert api.data("{ __typename }", token=token)

    def claim(token: str) -> str:
        body = api.gql(CLAIM_ONLY, {"id": visit.id}, token=token)
        if body.get("errors"):
            return str(body["errors"][0]["message"])
        return str(body["data"]["claimVisit"]["__typename"])

    with ThreadPoolExecutor(max_workers=len(racers)) as pool:
        answers = dict(zip(racers, pool.map(claim, racers), strict=True))
    assert {answers[t] for t in theirs} == {NOT_ALLOWED}
    ours_answers = [answers[t] for t in ours]
    assert ours_answers.count("VisitClaimed") == 1
    assert set(ours_answers) == {"VisitClaimed", "VisitUnavailable"}
