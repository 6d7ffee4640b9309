"""Changes to a published week through GraphQL: a volunteer cancels, the coordinator sees ranked
replacements (circle first), takes one, the new volunteer accepts; days away; hand assignment
with the rules named; re-opening for claims; the notices each change writes."""

from __future__ import annotations

import json
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta

from graph.models import CareCircle, MemberOf, Window
from graph.repo.notices import notices_about
from tests.conftest import GraphServer
from tests.service.conftest import Api, World, next_monday, running_api
from tests.world import propose, save

ACCEPT = """
mutation($visitId: ID!) {
  acceptVisit(visitId: $visitId) {
    __typename ... on VisitAccepted { visit { id myStatus status } }
    ... on VisitUnavailable { message }
  }
}
"""
CANCEL = """
mutation($visitId: ID!, $reason: String) {
  cancelVisit(visitId: $visitId, reason: $reason) {
    __typename ... on VisitCancelled { visitId message } ... on VisitUnavailable { message }
  }
}
"""
REPLACEMENTS = """
query($visitId: ID!) {
  replacementsFor(visitId: $visitId, first: 5) {
    volunteer { id firstName } start inCircle distanceKm reasons
  }
}
"""
REASSIGN = """
mutation($visitId: ID!, $volunteerId: ID!, $force: Boolean! = false) {
  reassignVisit(visitId: $visitId, volunteerId: $volunteerId, force: $force) {
    __typename
    ... on VisitReassigned { visitId volunteerId start rulesBroken }
    ... on ReassignRefused { message rulesBroken }
  }
}
"""
REOPEN = """
mutation($visitId: ID!) {
  reopenVisit(visitId: $visitId) {
    __typename ... on VisitNotReopened { message }
  }
}
"""
VISITS = """
query($week: String!) {
  visits(week: $week, first: 100) {
    edges { node { id status changedAt
                   volunteers { volunteerId firstName status reason claimed } } }
  }
}
"""
MY = "query($week: String) { myVisits(week: $week) { id myStatus start } }"
OPEN = "query { openVisits(first: 50) { edges { node { id } } } }"
CLAIM = "mutation($visitId: ID!) { claimVisit(visitId: $visitId) { __typename } }"
AWAY = """
mutation($from: String!, $to: String!, $reason: String) {
  cancelMyDays(fromDate: $from, toDate: $to, reason: $reason) { visitIds message }
}
"""
PERSON_AWAY = """
mutation($personId: ID!, $from: String!, $to: String!) {
  markPersonAway(personId: $personId, fromDate: $from, toDate: $to, reason: "in hospital") {
    visitIds
  }
}
"""


def _week_label(monday: date) -> str:
    year, number, _ = monday.isocalendar()
    return f"{year}-W{number:02d}"


def _visit_node(api: Api, token: str, visit_id: str, monday: date) -> dict:
    edges = api.data(VISITS, {"week": _week_label(monday)}, token)["visits"]["edges"]
    return next(e["node"] for e in edges if e["node"]["id"] == visit_id)


def test_cancel_then_replacement_from_the_circle_then_accept(api: Api, world: World) -> None:
    ann = world.person("Ann")
    val = world.volunteer("Val")
    near = world.volunteer("Near", lat=51.5505, lon=-0.0605)  # closer than Cleo, not in circle
    cleo = world.volunteer("Cleo", lat=51.56, lon=-0.07)  # in Ann's circle, further away
    circle = CareCircle(id=f"circle-{world.tag}", person_id=ann.id)
    save(api.store, circle, MemberOf(volunteer_id=cleo.id, circle_id=circle.id))
    visit = world.visit(ann)
    propose(api.store, visit, val.id, at=datetime.now(UTC))
    val_token = world.volunteer_token(val)
    assert (
        api.data(ACCEPT, {"visitId": visit.id}, val_token)["acceptVisit"]["visit"]["myStatus"]
        == "accepted"
    )

    cancelled = api.data(CANCEL, {"visitId": visit.id, "reason": "knee is bad"}, val_token)
    assert cancelled["cancelVisit"]["__typename"] == "VisitCancelled"
    # Not open to claims: the coordinator repairs it first.
    near_token = world.volunteer_token(near)
    open_ids = {e["node"]["id"] for e in api.data(OPEN, token=near_token)["openVisits"]["edges"]}
    assert visit.id not in open_ids

    _, coordinator = world.user("coordinator")
    node = _visit_node(api, coordinator, visit.id, visit.week_start)
    assert node["status"] == "needs_cover" and node["changedAt"]
    assert node["volunteers"] == [
        {
            "volunteerId": val.id,
            "firstName": "Val",
            "status": "cancelled",
            "reason": "knee is bad",
            "claimed": False,
        }
    ]
    ranked = api.data(REPLACEMENTS, {"visitId": visit.id}, coordinator)["replacementsFor"]
    ids = [r["volunteer"]["id"] for r in ranked]
    assert val.id not in ids  # who gave it up is not offered it again
    assert ids[:2] == [cleo.id, near.id]  # circle first, then the nearest
    assert ranked[0]["inCircle"] and "in the person's circle" in ranked[0]["reasons"]
    assert ranked[0]["start"] == "10:00"

    taken = api.data(REASSIGN, {"visitId": visit.id, "volunteerId": cleo.id}, coordinator)
    assert taken["reassignVisit"]["__typename"] == "VisitReassigned"
    cleo_token = world.volunteer_token(cleo)
    mine = api.data(MY, {"week": _week_label(visit.week_start)}, cleo_token)["myVisits"]
    assert [(v["id"], v["myStatus"]) for v in mine] == [(visit.id, "proposed")]
    accepted = api.data(ACCEPT, {"visitId": visit.id}, cleo_token)["acceptVisit"]
    assert accepted["visit"]["status"] == "accepted"

    kinds = {
        (n["kind"], n["recipient_id"]) for n in notices_about(store=api.store, visit_id=visit.id)
    }
    assert kinds == {
        ("visit_proposed", val.id),  # publishing told Val
        ("visit_cancelled", ann.id),
        ("visit_offered", cleo.id),
        ("visit_changed", ann.id),
    }
    changed = next(
        n for n in notices_about(store=api.store, visit_id=visit.id) if n["kind"] == "visit_changed"
    )
    assert changed["other_first_name"] == "Cleo" and changed["first_name"] == "Ann"


def test_a_cancellation_asks_for_a_visit_of_yours_today_or_later(api: Api, world: World) -> None:
    ann = world.person("Ann")
    val, other = world.volunteer("Val"), world.volunteer("Oli")
    visit = world.visit(ann)
    propose(api.store, visit, val.id, at=datetime.now(UTC))
    refused = api.data(CANCEL, {"visitId": visit.id}, world.volunteer_token(other))["cancelVisit"]
    assert refused == {
        "__typename": "VisitUnavailable",
        "message": "This visit is not one of yours.",
    }
    past = world.visit(ann, week_start=next_monday() - timedelta(weeks=2))
    propose(api.store, past, val.id, at=datetime.now(UTC))
    token = world.volunteer_token(val)
    assert api.data(CANCEL, {"visitId": past.id}, token)["cancelVisit"]["__typename"] == (
        "VisitUnavailable"
    )
    # A past proposal cannot be accepted either.
    assert api.data(ACCEPT, {"visitId": past.id}, token)["acceptVisit"]["__typename"] == (
        "VisitUnavailable"
    )
    body = api.gql(CANCEL, {"visitId": visit.id, "reason": "x" * 301}, token)
    assert body["errors"][0]["message"].startswith("reason: expected at most 300 characters")


def test_hand_assignment_names_the_rules_and_needs_force(api: Api, world: World) -> None:
    ann = world.person("Ann", languages=["pl"])
    val = world.volunteer("Val", languages=["pl"])
    english = world.volunteer("Eve", languages=["en"])
    visit = world.visit(ann)
    propose(api.store, visit, val.id, at=datetime.now(UTC))
    api.data(CANCEL, {"visitId": visit.id, "reason": "ill"}, world.volunteer_token(val))
    _, coordinator = world.user("coordinator")
    refused = api.data(REASSIGN, {"visitId": visit.id, "volunteerId": english.id}, coordinator)
    assert refused["reassignVisit"]["__typename"] == "ReassignRefused"
    assert refused["reassignVisit"]["rulesBroken"] == ["shares none of the person's languages (pl)"]
    forced = api.data(
        REASSIGN, {"visitId": visit.id, "volunteerId": english.id, "force": True}, coordinator
    )["reassignVisit"]
    assert forced["__typename"] == "VisitReassigned" and forced["rulesBroken"]


def test_reopened_visit_is_open_to_claims(api: Api, world: World) -> None:
    ann = world.person("Ann")
    val, other = world.volunteer("Val"), world.volunteer("Oli")
    visit = world.visit(ann)
    propose(api.store, visit, val.id, at=datetime.now(UTC))
    api.data(CANCEL, {"visitId": visit.id, "reason": "away"}, world.volunteer_token(val))
    _, coordinator = world.user("coordinator")
    assert api.data(REOPEN, {"visitId": visit.id}, coordinator)["reopenVisit"] == {
        "__typename": "VisitReopened"
    }
    open_ids = {
        e["node"]["id"]
        for e in api.data(OPEN, token=world.volunteer_token(other))["openVisits"]["edges"]
    }
    assert visit.id in open_ids
    again = api.data(REOPEN, {"visitId": visit.id}, coordinator)["reopenVisit"]
    assert again["__typename"] == "VisitNotReopened"
    claimed = api.data(CLAIM, {"visitId": visit.id}, world.volunteer_token(other))["claimVisit"]
    assert claimed["__typename"] == "VisitClaimed"
    node = _visit_node(api, coordinator, visit.id, visit.week_start)
    assert {(v["firstName"], v["status"], v["claimed"]) for v in node["volunteers"]} == {
        ("Val", "cancelled", False),
        ("Oli", "accepted", True),
    }


def test_days_away_give_up_every_visit_then_and_offer_nothing(api: Api, world: World) -> None:
    ann = world.person(
        "Ann", visit_windows=[Window(day=d, start="10:00", end="13:00") for d in range(7)]
    )
    val = world.volunteer("Val")
    monday = next_monday()
    tuesday, thursday = world.visit(ann, day=1), world.visit(ann, day=3)
    propose(api.store, tuesday, val.id, at=datetime.now(UTC))
    token = world.volunteer_token(val)
    # Two proposals in one run: propose publishes one assignment per run.
    api.store.run(
        "MATCH (vol:Volunteer {id: $v}), (x:Visit {id: $x}) "
        "MERGE (vol)-[a:ASSIGNED]->(x) SET a.status = 'accepted', x.status = 'accepted', "
        "x.start = '10:00'",
        {"v": val.id, "x": thursday.id},
    )
    away = api.data(
        AWAY,
        {
            "from": monday.isoformat(),
            "to": (monday + timedelta(days=2)).isoformat(),
            "reason": "ill",
        },
        token,
    )["cancelMyDays"]
    assert away["visitIds"] == [tuesday.id]
    mine = {
        v["id"]: v["myStatus"]
        for v in api.data(MY, {"week": _week_label(monday)}, token)["myVisits"]
    }
    assert mine == {thursday.id: "accepted"}
    # Away on Wednesday: a Wednesday visit is not offered to them.
    wednesday = world.visit(ann, day=2)
    open_ids = {e["node"]["id"] for e in api.data(OPEN, token=token)["openVisits"]["edges"]}
    assert wednesday.id not in open_ids
    body = api.gql(AWAY, {"from": monday.isoformat(), "to": "2020-01-01"}, token)
    assert body["errors"][0]["message"].startswith("toDate:")


def test_a_person_away_cancels_their_visits_and_tells_the_volunteer(api: Api, world: World) -> None:
    ann = world.person("Ann")
    val = world.volunteer("Val")
    visit = world.visit(ann)
    propose(api.store, visit, val.id, at=datetime.now(UTC))
    _, coordinator = world.user("coordinator")
    day = visit.week_start + timedelta(days=visit.day)
    marked = api.data(
        PERSON_AWAY,
        {"personId": ann.id, "from": day.isoformat(), "to": day.isoformat()},
        coordinator,
    )["markPersonAway"]
    assert marked["visitIds"] == [visit.id]
    node = _visit_node(api, coordinator, visit.id, visit.week_start)
    assert node["status"] == "cancelled"
    notices = notices_about(store=api.store, visit_id=visit.id)
    assert {(n["kind"], n["recipient_id"], n["first_name"]) for n in notices} == {
        ("visit_proposed", val.id, "Val"),
        ("visit_called_off", val.id, "Val"),
    }


PUBLISH = """
mutation($id: ID!) {
  publishRota(runId: $id) {
    __typename ... on RotaPublished { proposed } ... on RotaNotPublished { message }
  }
}
"""
PREVIEW = """
query($id: ID!) {
  publishPreview(runId: $id) {
    run { id state } liveRun { id state }
    changes { volunteerId firstName added withdrawn }
  }
}
"""
RUNS = "query($week: String!) { rotaRuns(week: $week) { id state } }"


def _draft(api: Api, monday: date, assignments: list[tuple[str, str]], organization_id: str) -> str:
    from graph.models import RotaRun
    from graph.repo.rota_runs import create_rota_run
    from solver.models import Assignment, Solution

    solution = Solution(
        status="FEASIBLE",
        assignments=[Assignment(visit=v, volunteer=w, start="10:00") for v, w in assignments],
    )
    visits = sorted({visit for visit, _ in assignments})
    run = RotaRun(
        id=f"run-{uuid.uuid4().hex[:10]}",
        week_start=monday,
        status="draft",
        problem=json.dumps({"visits": [{"id": v, "person": ""} for v in visits]}),
        solution=solution.model_dump_json(),
        organization_id=organization_id,
    )
    return create_rota_run(store=api.store, run=run).id


def test_republishing_replaces_the_live_run_and_says_whose_visits_change(
    api: Api, world: World
) -> None:
    monday = next_monday() + timedelta(weeks=5)  # a week of this test's own
    ann, bob = world.person("Ann"), world.person("Bob")
    val, wes = world.volunteer("Val"), world.volunteer("Wes")
    a, b = world.visit(ann, week_start=monday), world.visit(bob, week_start=monday)
    _, coordinator = world.user("coordinator")
    first = _draft(api, monday, [(a.id, val.id), (b.id, val.id)], world.organization_id)
    assert api.data(PUBLISH, {"id": first}, coordinator)["publishRota"]["proposed"] == 2
    second = _draft(api, monday, [(a.id, val.id), (b.id, wes.id)], world.organization_id)
    preview = api.data(PREVIEW, {"id": second}, coordinator)["publishPreview"]
    assert preview["liveRun"] == {"id": first, "state": "PUBLISHED"}
    assert sorted((c["firstName"], c["added"], c["withdrawn"]) for c in preview["changes"]) == [
        ("Val", 0, 1),
        ("Wes", 1, 0),
    ]
    assert api.data(PUBLISH, {"id": second}, coordinator)["publishRota"]["proposed"] == 2
    states = {
        r["id"]: r["state"]
        for r in api.data(RUNS, {"week": _week_label(monday)}, coordinator)["rotaRuns"]
    }
    assert states == {first: "SUPERSEDED", second: "PUBLISHED"}
    again = api.data(PUBLISH, {"id": first}, coordinator)["publishRota"]
    assert again["__typename"] == "RotaNotPublished" and "replaced" in again["message"]
    told = {(n["kind"], n["recipient_id"]) for n in notices_about(store=api.store, visit_id=b.id)}
    assert ("visit_withdrawn", val.id) in told and ("visit_proposed", wes.id) in told
    assert ("visit_withdrawn", val.id) not in {
        (n["kind"], n["recipient_id"]) for n in notices_about(store=api.store, visit_id=a.id)
    }


def test_two_drafts_published_at_once_leave_one_published(api: Api, world: World) -> None:
    monday = next_monday() + timedelta(weeks=6)
    ann = world.person("Ann")
    val = world.volunteer("Val")
    visit = world.visit(ann, week_start=monday)
    _, coordinator = world.user("coordinator")
    drafts = [_draft(api, monday, [(visit.id, val.id)], world.organization_id) for _ in range(4)]
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda run: api.data(PUBLISH, {"id": run}, coordinator), drafts))
    states = [
        r["state"] for r in api.data(RUNS, {"week": _week_label(monday)}, coordinator)["rotaRuns"]
    ]
    assert sorted(states) == ["PUBLISHED", "SUPERSEDED", "SUPERSEDED", "SUPERSEDED"]


NEXT = "query { nextWeekNeedingWork }"


def test_the_page_opens_on_the_next_week_that_needs_work(graph_server: GraphServer) -> None:
    from service.weeks import monday_of, today

    with running_api(graph_server, name="next_week") as fresh:
        world = World(fresh)
        _, coordinator = world.user("coordinator")
        this_monday = monday_of(today())
        # Nothing open this week: next week, not published yet.
        assert fresh.data(NEXT, token=coordinator)["nextWeekNeedingWork"] == _week_label(
            this_monday + timedelta(weeks=1)
        )
        # A visit still to come this week that needs a volunteer: this week.
        world.visit(world.person("Ann"), week_start=this_monday, day=6)
        assert fresh.data(NEXT, token=coordinator)["nextWeekNeedingWork"] == _week_label(
            this_monday
        )


def test_marking_someone_unknown_away_names_the_field(api: Api, world: World) -> None:
    _, coordinator = world.user("coordinator")
    day = next_monday().isoformat()
    body = api.gql(
        'mutation($from: String!) { markVolunteerAway(volunteerId: "nobody", fromDate: $from, '
        "toDate: $from) { visitIds } }",
        {"from": day},
        coordinator,
    )
    assert body["errors"][0]["message"] == "Not allowed."  # not one of ours (or no one)
    ann = world.person("Ann")
    body = api.gql(
        'mutation($id: ID!) { markPersonAway(personId: $id, fromDate: "soon", toDate: "later") '
        "{ visitIds } }",
        {"id": ann.id},
        token=coordinator,
    )
    assert body["errors"][0]["message"].startswith("fromDate: expected a day like")
