"""Writes that stay in bounds (issue 18, item 5): each finding reproduced through the API, and
now refused.

Decisions: a rota runs only for weeks from last week to ``rota_horizon_weeks`` ahead; a visit is
logged only once it has started; a volunteer who gave a visit up (declined or cancelled it) may
not claim it back; the address of a visit is shown to the volunteer holding it from the start of
its day, and each time it is, the person's access log says so.
"""

from __future__ import annotations

from datetime import date, timedelta

from graph.models import Window
from service.weeks import monday_of, today, week_label
from tests.service.conftest import Api, World

RUN = "mutation($week: String!) { runRota(week: $week) { id } }"
OPEN = "query { openVisits(first: 50) { edges { node { id } } } }"
CLAIM = """mutation($id: ID!) { claimVisit(visitId: $id) {
  __typename ... on VisitClaimed { visit { id address } } ... on VisitUnavailable { message } } }"""
DECLINE = "mutation($id: ID!) { declineVisit(visitId: $id) { __typename } }"
LOG = """mutation($id: ID!) { logVisit(visitId: $id, outcome: DONE) {
  __typename ... on VisitUnavailable { message } } }"""
MY_VISITS = "query($week: String!) { myVisits(week: $week) { id address } }"
CHECK_IN = """mutation($visitId: ID!) { recordCheckIn(input: {visitId: $visitId, scale: ONS1,
  answers: [1]}) { __typename } }"""


def _count(api: Api, label: str) -> int:
    return int(api.store.run(f"MATCH (n:{label}) RETURN count(n) AS n")[0]["n"])


def _address_reads(api: Api, person_id: str) -> list[dict[str, object]]:
    return api.store.run(
        "MATCH (n:AccessLog {person_id: $id}) WHERE 'address' IN n.fields "
        "RETURN n.purpose AS purpose, n.fields AS fields",
        {"id": person_id},
    )


def test_a_rota_only_runs_from_last_week_to_the_horizon(api: Api, world: World) -> None:
    """The finding: ``runRota(week: "9999-W52")`` was accepted, and its visits then made
    ``openVisits`` fail for every volunteer."""
    _, coordinator = world.user("coordinator")
    volunteer = world.volunteer_token(world.volunteer("Val"))
    world.visit(world.person("Ann"))
    before = _count(api, "RotaRun")
    this_monday = monday_of(today())
    too_early = week_label(this_monday - timedelta(weeks=2))
    too_late = week_label(this_monday + timedelta(weeks=api.settings.rota_horizon_weeks + 1))
    for week in ("9999-W52", too_early, too_late):
        body = api.gql(RUN, {"week": week}, token=coordinator)
        assert body["data"] is None
        message = body["errors"][0]["message"]
        assert message.startswith(
            f"week: expected a week from {week_label(this_monday - timedelta(weeks=1))}"
        )
        assert message.endswith(f"got {week!r}")
    assert _count(api, "RotaRun") == before
    assert api.data(OPEN, token=volunteer)["openVisits"]["edges"]


def test_a_visit_is_logged_only_once_it_has_started(api: Api, world: World) -> None:
    """The finding: a volunteer logged a visit as done before it started, then recorded
    check-ins that raised alerts and changed the person's need."""
    ann = world.person("Ann", need=0.4)
    token = world.volunteer_token(world.volunteer("Val"))
    visit = world.visit(ann)  # next week
    assert api.data(CLAIM, {"id": visit.id}, token=token)["claimVisit"]["__typename"] == (
        "VisitClaimed"
    )
    logged = api.data(LOG, {"id": visit.id}, token=token)["logVisit"]
    assert logged == {
        "__typename": "VisitUnavailable",
        "message": "This visit has not started yet: log it once it has.",
    }
    body = api.gql(CHECK_IN, {"visitId": visit.id}, token=token)
    assert body["data"] is None and body["errors"][0]["message"] == "Not allowed."
    person = api.store.run(
        "MATCH (p:Person {id: $id}) OPTIONAL MATCH (p)-[:REPORTED]->(c:CheckIn) "
        "RETURN p.need AS need, count(c) AS checkins",
        {"id": ann.id},
    )
    assert person == [{"need": 0.4, "checkins": 0}]
    world.time_passes(visit)
    assert api.data(LOG, {"id": visit.id}, token=token)["logVisit"]["__typename"] == "VisitLogged"


def test_addresses_cannot_be_harvested_by_claiming_and_declining(api: Api, world: World) -> None:
    """The finding: a volunteer claimed a visit happening today, read the address, declined,
    and repeated; addresses harvested, none logged."""
    ann = world.person("Ann", address="7 Quince Lane")
    day = today()
    visit = world.visit(
        ann,
        week_start=monday_of(day),
        day=day.weekday(),
        earliest="00:00",
        latest="23:59",
        duration_minutes=30,
    )
    # free all day: a claim today needs a start still to come that the volunteer is free for
    # (the world's volunteers are free 08:00-20:00, so after 19:30 this claim was not eligible)
    all_day = [Window(day=day.weekday(), start="00:00", end="23:59")]
    token = world.volunteer_token(world.volunteer("Val", availability=all_day))
    claimed = api.data(CLAIM, {"id": visit.id}, token=token)["claimVisit"]
    assert claimed["__typename"] == "VisitClaimed"
    assert claimed["visit"]["address"].startswith("7 Quince Lane")
    [read] = _address_reads(api, ann.id)
    assert str(read["purpose"]).startswith("visiting: the volunteer holding the visit")
    assert read["fields"] == ["address", "postcode"]

    assert api.data(DECLINE, {"id": visit.id}, token=token)["declineVisit"]["__typename"] == (
        "VisitDeclined"
    )
    offered = {e["node"]["id"] for e in api.data(OPEN, token=token)["openVisits"]["edges"]}
    assert visit.id not in offered  # not offered back to the volunteer who gave it up
    again = api.data(CLAIM, {"id": visit.id}, token=token)["claimVisit"]
    assert again == {
        "__typename": "VisitUnavailable",
        "message": "You gave this visit up earlier, so you cannot claim it again.",
    }
    week = week_label(day)
    assert all(
        v["address"] is None for v in api.data(MY_VISITS, {"week": week}, token=token)["myVisits"]
    )
    assert len(_address_reads(api, ann.id)) == 1
    # someone else may still take it
    other = world.volunteer_token(world.volunteer("Kim", availability=all_day))
    offered = {e["node"]["id"] for e in api.data(OPEN, token=other)["openVisits"]["edges"]}
    assert visit.id in offered
    assert api.data(CLAIM, {"id": visit.id}, token=other)["claimVisit"]["__typename"] == (
        "VisitClaimed"
    )


def test_a_visit_on_another_day_shows_no_address_and_logs_nothing(api: Api, world: World) -> None:
    bob = world.person("Bob", address="9 Quince Lane")
    visit = world.visit(bob)  # next week
    token = world.volunteer_token(world.volunteer("Val"))
    claimed = api.data(CLAIM, {"id": visit.id}, token=token)["claimVisit"]
    assert claimed["__typename"] == "VisitClaimed" and claimed["visit"]["address"] is None
    week = week_label(date.fromisoformat(str(visit.week_start)))
    mine = api.data(MY_VISITS, {"week": week}, token=token)["myVisits"]
    assert [v["address"] for v in mine] == [None]
    assert _address_reads(api, bob.id) == []
