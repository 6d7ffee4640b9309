"""Properties on random small weeks: valid, never worse than greedy, bound above coverage."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from solver.bound import need_weighted_upper_bound
from solver.check import check_solution, objective_value
from solver.compiled import compile_problem
from solver.decompose import rota_objective
from solver.greedy import greedy
from solver.models import Problem
from solver.solve import build_solution, solve

CLOCKS = [f"{h:02d}:{m:02d}" for h in range(8, 19) for m in (0, 30)]


@st.composite
def weeks(draw: st.DrawFn) -> dict[str, Any]:
    n_people = draw(st.integers(1, 4))
    n_volunteers = draw(st.integers(1, 4))
    people = [
        {
            "id": f"p{i}",
            "lat": 51.5 + draw(st.floats(0, 0.03)),
            "lon": draw(st.floats(0, 0.04)),
            "need": draw(st.sampled_from([0.1, 0.5, 0.9])),
            "languages": draw(st.sampled_from([[], ["en"], ["pl"]])),
            "current_circle": draw(
                st.lists(st.sampled_from([f"v{j}" for j in range(n_volunteers)]), max_size=1)
            ),
            "circle_max": draw(st.integers(1, 3)),
        }
        for i in range(n_people)
    ]
    visits = []
    for k in range(draw(st.integers(1, 6))):
        start = draw(st.integers(0, len(CLOCKS) - 6))
        length = draw(st.integers(2, 5))
        visits.append(
            {
                "id": f"x{k}",
                "person": f"p{draw(st.integers(0, n_people - 1))}",
                "day": draw(st.integers(0, 1)),
                "earliest": CLOCKS[start],
                "latest": CLOCKS[start + length],
                "duration_minutes": draw(st.sampled_from([30, 60])),
                "requires_check": draw(st.booleans()),
                "volunteers_needed": draw(st.sampled_from([1, 1, 1, 2])),
            }
        )
    volunteers = []
    for j in range(n_volunteers):
        windows = []
        for day in (0, 1):
            if draw(st.booleans()):
                a = draw(st.integers(0, len(CLOCKS) - 4))
                b = draw(st.integers(a + 2, len(CLOCKS) - 1))
                windows.append({"day": day, "start": CLOCKS[a], "end": CLOCKS[b]})
        volunteers.append(
            {
                "id": f"v{j}",
                "lat": 51.5 + draw(st.floats(0, 0.03)),
                "lon": draw(st.floats(0, 0.04)),
                "max_km": draw(st.sampled_from([1, 2, 4])),
                "max_minutes": draw(st.sampled_from([60, 120, 240])),
                "availability": windows,
                "languages": draw(st.sampled_from([["en"], ["pl"], ["en", "pl"]])),
                "checked": draw(st.booleans()),
            }
        )
    return {
        "format": "carecircles.rota/1",
        "week_start": "2026-11-23",
        "grid_minutes": 30,
        "people": people,
        "visits": visits,
        "volunteers": volunteers,
    }


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(weeks())
def test_solutions_are_valid_at_least_greedy_and_under_the_bound(raw: dict[str, Any]) -> None:
    problem = Problem.model_validate(raw)
    solution = solve(problem, time_limit=2, seed=0)
    assert solution.status in ("OPTIMAL", "FEASIBLE")
    assert check_solution(problem, solution) == []
    compiled = compile_problem(problem)
    by_hand = greedy(compiled)
    greedy_solution = build_solution(
        problem, compiled, by_hand, status="FEASIBLE", bound=1.0, began=0.0
    )
    assert check_solution(problem, greedy_solution) == []
    ours = objective_value(problem, solution.assignments)
    assert ours >= objective_value(problem, greedy_solution.assignments) - 1e-6
    assert (
        abs(
            rota_objective(compiled, by_hand)
            - objective_value(problem, greedy_solution.assignments)
        )
        < 1e-6
    )
    assert solution.metrics is not None
    # the raw relaxation, not the reported (clamped) value
    bound = need_weighted_upper_bound(compiled, complete=True, time_limit=1)
    assert bound >= solution.metrics.need_weighted_coverage - 1e-6
