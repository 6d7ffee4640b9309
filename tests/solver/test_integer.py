"""The integer relaxation: a bound no rota beats, below the LP's where volunteers' time must be
shared out whole; and the rota made from its whole solution keeps what can be put in sequence."""

from __future__ import annotations

import time
from typing import Any

from hypothesis import HealthCheck, given, settings

from solver.bound import INTEGER_MARGIN, integer_relaxation, relax
from solver.check import check_solution
from solver.compiled import CompiledWeek, compile_problem
from solver.guided import rota_from_whole
from solver.models import Problem
from solver.solve import build_solution
from tests.solver.factories import north, person, problem, visit, volunteer
from tests.solver.test_bound import _best_need, busy_days
from tests.solver.test_properties import weeks


def _total(c: CompiledWeek) -> float:
    return sum(c.people[v.person].need for v in c.visits)


def _assert_whole_holds(raw: dict[str, Any]) -> None:
    """The integer bound is at least the best rota's coverage, its whole solution covers at
    least as much as the best rota, and the rota made from it keeps every rule."""
    parsed = Problem.model_validate(raw)
    c = compile_problem(parsed)
    best = _best_need(c)
    whole = integer_relaxation(c, time_limit=5)
    assert whole.need_weighted_upper_bound is not None
    assert whole.need_weighted_upper_bound >= best / _total(c) - 1e-9
    covered = {v for v, _ in whole.covering}
    assert sum(c.people[c.visits[v].person].need for v in covered) >= best - 1e-9
    for chosen in (whole.chosen, whole.covering):
        rota = rota_from_whole(c, chosen)
        began = time.monotonic()
        solution = build_solution(parsed, c, rota, status="FEASIBLE", bound=1.0, began=began)
        assert check_solution(parsed, solution) == []


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(weeks())
def test_integer_bound_is_never_below_the_best_rota(raw: dict[str, Any]) -> None:
    _assert_whole_holds(raw)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(busy_days())
def test_integer_bound_on_busy_days_is_never_below_the_best_rota(raw: dict[str, Any]) -> None:
    """Days where visits crowd a volunteer's free stretches and travel between them counts."""
    _assert_whole_holds(raw)


def test_integer_bound_knows_three_volunteers_make_one_pair_not_two() -> None:
    """Two visits at the same hour each need two volunteers, and three are free that hour. The
    LP shares them out: three halves, so both visits three quarters covered (0.75). Whole, only
    one pair can be made (0.5): no rows about one volunteer's week alone can see that."""
    raw = problem(
        people=[person("p1", need=0.5), person("p2", north(1), need=0.5)],
        visits=[
            visit("a", "p1", earliest="10:00", latest="11:00", volunteers_needed=2),
            visit("b", "p2", earliest="10:00", latest="11:00", volunteers_needed=2),
        ],
        volunteers=[
            volunteer(f"v{i}", availability=[{"day": 1, "start": "10:00", "end": "11:00"}])
            for i in range(3)
        ],
    )
    c = compile_problem(Problem.model_validate(raw))
    assert abs(relax(c, complete=True, time_limit=5).need_weighted_upper_bound - 0.75) < 1e-6
    whole = integer_relaxation(c, time_limit=5)
    assert whole.need_weighted_upper_bound is not None
    assert 0.5 <= whole.need_weighted_upper_bound <= 0.5 + 2 * INTEGER_MARGIN
    assert abs(_best_need(c) - 0.5) < 1e-9


def test_rota_from_whole_finds_the_order_that_fits_both_visits() -> None:
    """The volunteer is given both visits. The hour's visit can start 09:00 to 10:00 and the
    half hour's only at 09:30: in the order of first starts the hour's visit takes 09:00-10:00
    and the other no longer fits; the other order does both (09:30, then 10:00)."""
    raw = problem(
        people=[person("p1", need=0.5), person("p2", need=0.5)],
        visits=[
            visit("long", "p1", earliest="09:00", latest="11:00"),
            visit("short", "p2", earliest="09:30", latest="10:00", duration_minutes=30),
        ],
        volunteers=[volunteer("v1", availability=[{"day": 1, "start": "09:00", "end": "12:00"}])],
        grid_minutes=15,
    )
    parsed = Problem.model_validate(raw)
    c = compile_problem(parsed)
    long, short = c.visit_index["long"], c.visit_index["short"]
    rota = rota_from_whole(c, {(long, 0): 1.0, (short, 0): 1.0})
    assert rota == {short: (9 * 60 + 30, (0,)), long: (10 * 60, (0,))}
    solution = build_solution(parsed, c, rota, status="FEASIBLE", bound=1.0, began=time.monotonic())
    assert check_solution(parsed, solution) == []


def test_integer_relaxation_for_the_rota_keeps_the_circle() -> None:
    """Cat and Bea have an hour each; Ann (whose circle is Bea) and Dan each want one. Covering
    both is all the bound asks (HiGHS happens to give Bea, the nearer, to Dan); the rota's objective
    keeps Bea with Ann and sends Cat to Dan."""
    raw = problem(
        people=[
            person("ann", need=0.5, current_circle=["bea"]),
            person("dan", north(2), need=0.5),
        ],
        visits=[visit("a", "ann"), visit("d", "dan")],
        volunteers=[
            volunteer("cat", max_minutes=60),
            volunteer("bea", north(2), max_minutes=60),
        ],
    )
    c = compile_problem(Problem.model_validate(raw))
    ann, dan = c.visit_index["a"], c.visit_index["d"]
    cat, bea = c.volunteer_index["cat"], c.volunteer_index["bea"]
    whole = integer_relaxation(c, time_limit=5)
    assert whole.chosen == {(ann, bea): 1.0, (dan, cat): 1.0}
    assert len(whole.covering) == 2
    assert whole.need_weighted_upper_bound is not None
    assert 1.0 - 1e-9 <= whole.need_weighted_upper_bound
