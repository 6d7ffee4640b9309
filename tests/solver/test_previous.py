"""Told last week's rota, the solver keeps volunteers with their visits wherever that costs
nothing: when a few volunteers leave, everyone else keeps their visits."""

from __future__ import annotations

import pytest

from seed.rota_weeks import generate, kept_volunteer_share, next_week
from solver import decompose
from solver.check import check_solution, objective_value
from solver.models import Assignment, Problem
from solver.solve import solve


@pytest.mark.parametrize("search", [False, True])
def test_last_weeks_volunteers_keep_their_visits(
    monkeypatch: pytest.MonkeyPatch, search: bool
) -> None:
    if search:  # the neighbourhood search of a big week, on a small one
        monkeypatch.setattr(decompose, "WHOLE_MODEL_PAIRS", 50)
        monkeypatch.setattr(decompose, "NEIGHBOURHOOD_PAIRS", 150)
    # the whole model stops once proven optimal (a second or two), the search runs its limit
    limit = 4 if search else 30
    week1_json = generate("S", "plentiful", 3)
    week1 = solve(Problem.model_validate(week1_json), time_limit=limit, workers=1, seed=1)
    week2_json = next_week(week1_json, week1.model_dump(mode="json"), drop_fraction=0.05, seed=2)
    week2 = Problem.model_validate(week2_json)
    told = solve(week2, time_limit=limit, workers=1, seed=5, previous=week1.assignments)
    assert check_solution(week2, told) == []
    kept, comparable = kept_volunteer_share(
        week1.model_dump(mode="json"), told.model_dump(mode="json"), week2_json
    )
    assert comparable > 50
    # keeping costs next to nothing: within 0.5% of the objective of a run told nothing (the
    # two start from different rotas, so neither search ends in exactly the same place)
    untold = solve(week2, time_limit=limit, workers=1, seed=5)
    assert told.metrics is not None and untold.metrics is not None
    assert objective_value(week2, told.assignments) >= 0.995 * objective_value(
        week2, untold.assignments
    )
    assert told.metrics.visits_covered >= untold.metrics.visits_covered - 1
    untold_kept, _ = kept_volunteer_share(
        week1.model_dump(mode="json"), untold.model_dump(mode="json"), week2_json
    )
    if search:
        assert kept >= 0.94 and kept > untold_kept, (kept, untold_kept)
    else:
        # one proven-optimal model: only ties are broken towards last week, and week 2's new
        # circles change which rotas are best
        assert told.status == untold.status == "OPTIMAL"
        assert kept >= untold_kept


def test_assignments_that_no_longer_hold_are_left_out() -> None:
    week = generate("S", "plentiful", 3)
    problem = Problem.model_validate(week)
    first = solve(problem, time_limit=4, workers=1, seed=1)
    a, b = first.assignments[0], first.assignments[1]
    stale = [
        Assignment(visit="gone-visit", volunteer=a.volunteer, start=a.start),
        Assignment(visit=a.visit, volunteer="gone-volunteer", start=a.start),
        # a start outside the visit's window, and a volunteer on someone else's visit
        Assignment(visit=b.visit, volunteer=b.volunteer, start="03:00"),
        *first.assignments[2:],
    ]
    again = solve(problem, time_limit=4, workers=1, seed=1, previous=stale)
    assert check_solution(problem, again) == []
    assert again.metrics is not None and first.metrics is not None
    assert again.metrics.visits_covered >= first.metrics.visits_covered - 1
