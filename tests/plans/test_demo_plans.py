"""The demo borough's plans: made through the use-cases, seen by the demo link worker (the
caseload lists the overdue reviews), and this week's rota run holds accompanied visits at the
services' scheduled times, each covered or explained."""

from __future__ import annotations

import json

from graph.repo.plans import active_goals
from service.demo import demo_sign_ins, seed_if_empty
from service.plans.demo_plans import DEMO_PLANS, DEMO_RECENT
from service.rota.accompanied import person_of
from service.rota.runs import run_rota, solution_of
from service.weeks import monday_of, today
from tests.service.conftest import Api

CASELOAD = "query { caseload { personId planId reasons } }"
PLANS = "query($id: ID!) { plans(personId: $id) { status reviews { gasTScore ons4 } } }"


def test_demo_plans_caseload_and_accompanied_visits_in_this_weeks_rota(api: Api) -> None:
    assert seed_if_empty(store=api.store)
    rows = api.store.run(
        "MATCH (n:Plan) RETURN n.status AS status, n.person_id AS person ORDER BY person"
    )
    assert len(rows) == DEMO_PLANS
    assert {r["status"] for r in rows} == {"active", "completed"}
    worker = {s.role: s.token for s in demo_sign_ins(store=api.store, key=api.key)}["link_worker"]
    listed = api.data(CASELOAD, token=worker)["caseload"]
    overdue = [e for e in listed if any("(overdue)" in r for r in e["reasons"])]
    assert len(overdue) == DEMO_RECENT
    older = api.data(PLANS, {"id": rows[0]["person"]}, token=worker)["plans"][0]
    assert len(older["reviews"]) == 3
    assert all(len(r["ons4"]) == 4 and 0 < r["gasTScore"] < 100 for r in older["reviews"])

    run = run_rota(store=api.store, week_start=monday_of(today()), time_limit=8.0)
    visits = api.store.run(
        "MATCH (v:Visit)-[:FOR]->(p:Person), (s:Service {id: v.service_id}) "
        "WHERE v.week_start = $week RETURN properties(v) AS v, s.schedules AS schedules",
        {"week": monday_of(today()).isoformat()},
    )
    asking = {
        (person, a.service_id)
        for person, goal in active_goals(store=api.store)
        for a in goal.activities
        if a.accompanied_visits
    }
    assert asking
    assert {(r["v"]["person_id"], r["v"]["service_id"]) for r in visits} == asking
    solution = solution_of(run)
    covered = {a.visit: a for a in solution.assignments}
    gaps = {u.visit: u for u in solution.unassigned}
    for row in visits:
        visit = row["v"]
        assert visit["notes"].startswith("Going along to ")
        assert f'"start":"{visit["earliest"]}"' in row["schedules"]
        assert f'"day":{visit["day"]}' in row["schedules"]
        if visit["id"] in covered:
            assert covered[visit["id"]].start == visit["earliest"]
        else:
            assert gaps[visit["id"]].reasons, visit
    stored = json.loads(run.problem or "{}")
    places = {v["person"] for v in stored["visits"] if v["id"] in {r["v"]["id"] for r in visits}}
    assert places and all("@" in p and person_of(p) != p for p in places)
