"""A week's rota run is told last week's published rota, so volunteers keep their visits."""

from __future__ import annotations

from datetime import date, timedelta

from graph.models import Window
from graph.repo import rota_runs
from service.rota.runs import solution_of
from service.weeks import week_label
from solver.models import Problem
from solver.solve import solve
from tests.service.conftest import Api, World, next_monday
from tests.service.rota_runs import run_rota

PUBLISH = """
mutation($runId: ID!) { publishRota(runId: $runId) { __typename } }
"""
REASSIGN = """
mutation($visitId: ID!, $volunteerId: ID!) {
  reassignVisit(visitId: $visitId, volunteerId: $volunteerId) { __typename }
}
"""
VISITS = """
query($week: String!) {
  visits(week: $week, first: 50) {
    edges { node { id personFirstName volunteers { volunteerId status } } }
  }
}
"""
NAMES = ("Ann", "Bob", "Cas", "Dot", "Eve", "Fay")


def _held(api: Api, week: date, token: str) -> dict[str, str]:
    """Each person's volunteer in the week (one visit each), as the coordinator sees it."""
    edges = api.data(VISITS, {"week": week_label(week)}, token=token)["visits"]["edges"]
    return {
        e["node"]["personFirstName"]: v["volunteerId"]
        for e in edges
        for v in e["node"]["volunteers"]
        if v["status"] in ("proposed", "accepted")
    }


def _kept(
    before: dict[str, str], visit_person: dict[str, str], pairs: set[tuple[str, str]]
) -> float:
    """The share of ``before`` (person -> volunteer) that ``pairs`` (visit, volunteer) repeat."""
    after = {visit_person[visit]: volunteer for visit, volunteer in pairs}
    return sum(after.get(person) == volunteer for person, volunteer in before.items()) / len(before)


def test_next_weeks_run_keeps_last_weeks_volunteers(api: Api, world: World) -> None:
    _, coordinator = world.user("coordinator")
    people = {
        name: world.person(name, visit_windows=[Window(day=day, start="10:00", end="13:00")])
        for day, name in enumerate(NAMES)
    }
    # Twice as many volunteers as visits, all alike and in one place: any of them is as good a
    # rota as any other, so only being told last week's rota can keep anyone with a visit.
    crew = [world.volunteer(f"Vol{i}") for i in range(2 * len(NAMES))]
    week1 = next_monday()
    first = run_rota(api, week_label(week1), coordinator)
    assert first["state"] == "DRAFT"
    assert api.data(PUBLISH, {"runId": first["id"]}, token=coordinator)["publishRota"] == {
        "__typename": "RotaPublished"
    }
    # The coordinator gives every visit of one volunteer to one the solver left free: the load
    # stays as even as it was (the rota is as good), but it is no longer the rota the solver
    # made by itself.
    held = _held(api, week1, coordinator)
    assert set(held) == set(NAMES)
    edges = api.data(VISITS, {"week": week_label(week1)}, token=coordinator)["visits"]["edges"]
    visit_of = {e["node"]["personFirstName"]: e["node"]["id"] for e in edges}
    busy = held[NAMES[0]]
    free = next(v.id for v in crew if v.id not in held.values())
    moved = [name for name in NAMES if held[name] == busy]
    for name in moved:
        answer = api.data(
            REASSIGN, {"visitId": visit_of[name], "volunteerId": free}, token=coordinator
        )["reassignVisit"]
        assert answer["__typename"] == "VisitReassigned"
    last_week = _held(api, week1, coordinator)
    assert last_week == {n: free if n in moved else v for n, v in held.items()}

    second = run_rota(api, week_label(week1 + timedelta(weeks=1)), coordinator)
    assert second["state"] == "DRAFT"
    run = rota_runs.get_rota_run(store=api.store, run_id=second["id"])
    assert run is not None and run.problem is not None
    problem = Problem.model_validate_json(run.problem)
    person_name = {p.id: name for name, p in people.items()}
    visit_person = {v.id: person_name[v.person] for v in problem.visits}
    told = {(a.visit, a.volunteer) for a in solution_of(run).assignments}
    # The same week solved without last week's rota, for comparison.
    untold = {
        (a.visit, a.volunteer) for a in solve(problem, time_limit=5, workers=1, seed=0).assignments
    }
    kept_told = _kept(last_week, visit_person, told)
    kept_untold = _kept(last_week, visit_person, untold)
    assert kept_told > kept_untold, (kept_told, kept_untold)
    # Keeping costs nothing on this week, so a run told last week's rota keeps all of it.
    assert kept_told == 1.0
