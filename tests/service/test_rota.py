"""Coordinators: run and publish a rota; volunteers act on it; calendar feed and CSV export."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from icalendar import Calendar

from graph.models import Window
from tests.service.conftest import Api, World, next_monday
from tests.service.rota_runs import run_rota

RUN = """
mutation($week: String!) {
  runRota(week: $week, timeLimitSeconds: 5) { id state status }
}
"""
RUN_FIELDS = """
week status solverStatus csvUrl visitsTotal visitsCovered startedAt finishedAt
metrics { visitsTotal visitsCovered coverage needWeightedUpperBound }
assignments { visitId volunteerId start reasons }
gaps { visitId reasons }
"""
PUBLISH = """
mutation($runId: ID!) {
  publishRota(runId: $runId) {
    __typename
    ... on RotaPublished { proposed run { status } }
    ... on RotaNotPublished { message }
  }
}
"""
MY = "query($week: String) { myVisits(week: $week) { id myStatus start date } }"
ACCEPT = "mutation($id: ID!) { acceptVisit(visitId: $id) { __typename } }"
DECLINE = "mutation($id: ID!) { declineVisit(visitId: $id) { __typename } }"
OPEN = "query { openVisits(first: 50) { edges { node { id } } } }"
ME = "query { me { calendarUrl } }"
VISITS = """
query($week: String!) {
  visits(week: $week, first: 50) {
    edges { node { id status personFirstName volunteers { firstName status } } }
  }
}
"""


def _week_label() -> str:
    year, week, _ = next_monday().isocalendar()
    return f"{year}-W{week:02d}"


def test_coordinator_runs_and_publishes_a_rota_and_volunteers_answer(
    api: Api, world: World
) -> None:
    _, coordinator = world.user("coordinator")
    ann = world.person("Ann", visit_windows=[Window(day=1, start="10:00", end="13:00")])
    bob = world.person("Bob", visit_windows=[Window(day=3, start="14:00", end="16:00")])
    # Nobody can visit Cas: she asks for a Polish speaker.
    cas = world.person(
        "Cas", languages=["pl"], visit_windows=[Window(day=2, start="10:00", end="12:00")]
    )
    val = world.volunteer("Val", languages=["en"])
    kim = world.volunteer("Kim", languages=["en"])
    week = _week_label()

    run = run_rota(api, week, coordinator, fields=RUN_FIELDS)
    assert run["state"] == "DRAFT" and run["status"] == "draft" and run["week"] == week
    assert run["startedAt"] and run["finishedAt"] and run["error"] is None
    assert run["solverStatus"] in ("OPTIMAL", "FEASIBLE")
    covered = {a["visitId"] for a in run["assignments"]}
    gaps = {g["visitId"]: g["reasons"] for g in run["gaps"]}
    visits = api.data(VISITS, {"week": week}, token=coordinator)["visits"]["edges"]
    by_person = {e["node"]["personFirstName"]: e["node"]["id"] for e in visits}
    assert {by_person["Ann"], by_person["Bob"]} <= covered
    assert by_person["Cas"] in gaps and gaps[by_person["Cas"]]
    assert run["metrics"]["visitsCovered"] >= 2
    assert (run["visitsCovered"], run["visitsTotal"]) == (
        run["metrics"]["visitsCovered"],
        run["metrics"]["visitsTotal"],
    )

    # Nothing is proposed before publishing.
    val_token, kim_token = world.volunteer_token(val), world.volunteer_token(kim)
    assert api.data(MY, {"week": week}, token=val_token)["myVisits"] == []

    published = api.data(PUBLISH, {"runId": run["id"]}, token=coordinator)["publishRota"]
    assert published["__typename"] == "RotaPublished"
    assert published["proposed"] == len(run["assignments"])
    twice = api.data(PUBLISH, {"runId": run["id"]}, token=coordinator)["publishRota"]
    assert twice["__typename"] == "RotaNotPublished"

    proposed = {
        v["id"]: v
        for token in (val_token, kim_token)
        for v in api.data(MY, {"week": week}, token=token)["myVisits"]
    }
    assert set(proposed) == covered
    assert all(v["myStatus"] == "proposed" for v in proposed.values())

    # Each volunteer accepts their first visit; one declines another, which opens it.
    accepted: list[str] = []
    declined: list[str] = []
    for token in (val_token, kim_token):
        mine = api.data(MY, {"week": week}, token=token)["myVisits"]
        if not mine:
            continue
        assert (
            api.data(ACCEPT, {"id": mine[0]["id"]}, token=token)["acceptVisit"]["__typename"]
            == "VisitAccepted"
        )
        accepted.append(mine[0]["id"])
        for extra in mine[1:]:
            assert (
                api.data(DECLINE, {"id": extra["id"]}, token=token)["declineVisit"]["__typename"]
                == "VisitDeclined"
            )
            declined.append(extra["id"])
    statuses = {
        e["node"]["id"]: e["node"]["status"]
        for e in api.data(VISITS, {"week": week}, token=coordinator)["visits"]["edges"]
    }
    assert all(statuses[v] == "accepted" for v in accepted)
    assert all(statuses[v] == "open" for v in declined)
    assert statuses[by_person["Cas"]] == "open"

    # The calendar feed holds exactly the accepted visits of its volunteer.
    for token in (val_token, kim_token):
        url = api.data(ME, token=token)["me"]["calendarUrl"]
        response = api.client.get(url)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/calendar")
        calendar = Calendar.from_ical(response.content)
        events = list(calendar.walk("VEVENT"))
        mine = api.data(MY, {"week": week}, token=token)["myVisits"]
        expected = {v["id"] for v in mine if v["myStatus"] == "accepted"}
        assert {str(e["uid"]).split("@")[0] for e in events} == expected
        for event in events:
            visit = next(v for v in mine if str(event["uid"]).startswith(v["id"]))
            start = event.decoded("dtstart")
            assert start.date().isoformat() == visit["date"]
            assert start.strftime("%H:%M") == visit["start"]
            assert event.decoded("dtend") - start == timedelta(minutes=60)
            assert "Mare Street" not in event.to_ical().decode()

    # A rerun keeps accepted visits with their volunteers (pins).
    rerun = run_rota(api, week, coordinator, fields=RUN_FIELDS)
    kept = {(a["visitId"], a["volunteerId"]) for a in rerun["assignments"]}
    for visit_id in accepted:
        assert any(v == visit_id for v, _ in kept)

    # The CSV export: coordinators only.
    csv_url = run["csvUrl"]
    assert api.client.get(csv_url).status_code == 401
    assert (
        api.client.get(csv_url, headers={"Authorization": f"Bearer {val_token}"}).status_code == 403
    )
    response = api.client.get(csv_url, headers={"Authorization": f"Bearer {coordinator}"})
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert {r["visit"] for r in rows if r["status"] == "assigned"} == covered
    uncovered = [r for r in rows if r["status"] == "uncovered"]
    assert [r["person"] for r in uncovered] == ["Cas"] and uncovered[0]["reasons"]
    _ = (ann, bob, cas)


def test_a_bad_week_names_the_field_and_writes_nothing(api: Api, world: World) -> None:
    _, coordinator = world.user("coordinator")
    before = api.store.run("MATCH (r:RotaRun) RETURN count(r) AS n")[0]["n"]
    for week in ("2026-48", "2026-W54", "next week"):
        body = api.gql(RUN, {"week": week}, token=coordinator)
        assert body["data"] is None
        assert body["errors"][0]["message"].startswith("week:")
    assert api.store.run("MATCH (r:RotaRun) RETURN count(r) AS n")[0]["n"] == before


def test_only_coordinators_run_or_publish(api: Api, world: World) -> None:
    _, link_worker = world.user("link_worker")
    token = world.volunteer_token(world.volunteer("Val"))
    for who in (link_worker, token, None):
        body = api.gql(RUN, {"week": _week_label()}, token=who)
        assert body["data"] is None and body["errors"]
        body = api.gql(PUBLISH, {"runId": "run-anything"}, token=who)
        assert body["data"] is None and body["errors"]


def test_gap_reasons_name_people_by_first_name_not_by_id(api: Api, world: World) -> None:
    """The solver only knows ids; a coordinator reads first names, in GraphQL and CSV alike,
    and the names read this way are in the person's access log."""
    _, coordinator = world.user("coordinator")
    zoe = world.person(
        "Zoe", lat=51.80, lon=-0.06, visit_windows=[Window(day=4, start="10:00", end="12:00")]
    )
    world.volunteer("Val")
    week = _week_label()
    run = run_rota(api, week, coordinator, fields=RUN_FIELDS)
    visits = api.data(VISITS, {"week": week}, token=coordinator)["visits"]["edges"]
    zoe_visit = next(e["node"]["id"] for e in visits if e["node"]["personFirstName"] == "Zoe")
    reasons = next(g["reasons"] for g in run["gaps"] if g["visitId"] == zoe_visit)
    assert any("Zoe" in r for r in reasons), reasons
    everything = str(run)
    assert zoe.id not in everything and "p-" not in everything

    again = api.data(
        "query($id: ID!) { rotaRun(id: $id) { gaps { visitId reasons } } }",
        {"id": run["id"]},
        token=coordinator,
    )["rotaRun"]
    assert next(g["reasons"] for g in again["gaps"] if g["visitId"] == zoe_visit) == reasons

    response = api.client.get(run["csvUrl"], headers={"Authorization": f"Bearer {coordinator}"})
    rows = list(csv.DictReader(io.StringIO(response.text)))
    row = next(r for r in rows if r["visit"] == zoe_visit)
    assert row["reasons"] == "; ".join(reasons) and zoe.id not in response.text

    logged = api.store.run(
        "MATCH (n:AccessLog) WHERE n.person_id = $id RETURN n.purpose AS p, n.fields AS f",
        {"id": zoe.id},
    )
    assert logged and all(r["p"] == "arranging visits" and r["f"] == ["first_name"] for r in logged)


def test_readable_reasons_replace_whole_ids_only() -> None:
    from service.rota.runs import ReasonNames

    words = ReasonNames(
        names={"person-7": "Ann", "person-77": "Bea", "v-1": "Val"}, people=frozenset()
    )
    assert words.with_first_names(
        [
            "no volunteer within range of person-7.",
            "within range of person-77; v-1 could still go",
            "person-777 and xperson-7 stay, 10:00 too",
        ]
    ) == [
        "no volunteer within range of Ann.",
        "within range of Bea; Val could still go",
        "person-777 and xperson-7 stay, 10:00 too",
    ]
