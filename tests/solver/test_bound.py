"""The bound: never below the best rota's need-weighted coverage, and tight where weeks bind."""

from __future__ import annotations

import itertools
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ortools.sat.python import cp_model

from solver.bound import relax, rounded_knapsacks
from solver.compiled import CompiledWeek, compile_problem
from solver.cpsat import SCALE, build_model
from solver.models import Problem
from solver.schedules import Offer, best_week
from tests.solver.factories import north, person, problem, visit, volunteer
from tests.solver.test_properties import weeks


def _best_need(c: CompiledWeek) -> float:
    """The most need any valid rota covers, proven by CP-SAT (coverage only)."""
    built = build_model(c, free=list(range(len(c.visits))), fixed={}, goal="assignment")
    needs = {v: round(c.people[c.visits[v].person].need * SCALE) for v in built.covered}
    built.model.maximize(sum(needs[v] * x for v, x in built.covered.items()))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = 20
    solver.parameters.num_workers = 1
    assert solver.solve(built.model) == cp_model.OPTIMAL
    covered = [v for v, x in built.covered.items() if solver.value(x)]
    return sum(c.people[c.visits[v].person].need for v in covered)


def _assert_bound_holds(raw: dict[str, Any], *, complete: bool) -> None:
    """The bound on ``raw``'s week is at least the best rota's need-weighted coverage."""
    c = compile_problem(Problem.model_validate(raw))
    total = sum(c.people[v.person].need for v in c.visits)
    bound = relax(c, complete=complete, time_limit=5).need_weighted_upper_bound
    assert bound >= _best_need(c) / total - 1e-9


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(weeks())
def test_bound_is_never_below_the_best_rota_nor_above_the_plain_lp(raw: dict[str, Any]) -> None:
    c = compile_problem(Problem.model_validate(raw))
    total = sum(c.people[v.person].need for v in c.visits)
    best = _best_need(c) / total
    bound = relax(c, complete=True, time_limit=5).need_weighted_upper_bound
    plain = relax(c, complete=True, time_limit=5, tighten=False).need_weighted_upper_bound
    assert bound >= best - 1e-9
    assert bound <= plain + 1e-9


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(weeks())
def test_big_week_bound_is_never_below_the_best_rota(raw: dict[str, Any]) -> None:
    """The path a week too big for the per-pair LP takes: the aggregate LP and the slot flow."""
    _assert_bound_holds(raw, complete=False)


def test_big_week_bound_knows_when_in_the_day_volunteers_are_free() -> None:
    """One volunteer free Tuesday 10-11 and 14-15; three people each want an hour at 10-11.
    The day holds two hours, so a bound by the day allows two visits; by the hour, one."""
    raw = problem(
        people=[person("p1", need=0.5), person("p2", need=0.5), person("p3", need=0.5)],
        visits=[visit(f"{pid}-tue", pid, latest="11:00") for pid in ("p1", "p2", "p3")],
        volunteers=[
            volunteer(
                "v1",
                availability=[
                    {"day": 1, "start": "10:00", "end": "11:00"},
                    {"day": 1, "start": "14:00", "end": "15:00"},
                ],
            )
        ],
    )
    c = compile_problem(Problem.model_validate(raw))
    assert abs(relax(c, complete=False, time_limit=5).need_weighted_upper_bound - 1 / 3) < 1e-6
    assert abs(_best_need(c) - 0.5) < 1e-9


def _far_apart_morning() -> dict[str, Any]:
    """Three people 4 km apart in a row (20 minutes at 12 km/h between neighbours), each
    wanting an hour between 10 and 12, and one volunteer free just then: one visit, never two."""
    return problem(
        people=[person("p1", need=0.5), person("p2", north(4), need=0.5)]
        + [person("p3", north(8), need=0.5)],
        visits=[visit("a", "p1"), visit("b", "p2"), visit("c", "p3")],
        volunteers=[
            volunteer(
                "v1",
                north(4),
                max_km=5,
                availability=[{"day": 1, "start": "10:00", "end": "12:00"}],
            )
        ],
    )


def test_bound_knows_one_volunteer_cannot_travel_between_two_visits_in_time() -> None:
    c = compile_problem(Problem.model_validate(_far_apart_morning()))
    plain = relax(c, complete=True, time_limit=5, tighten=False).need_weighted_upper_bound
    bound = relax(c, complete=True, time_limit=5).need_weighted_upper_bound
    assert abs(plain - 2 / 3) < 1e-6  # two hours of availability, two of three visits
    assert abs(bound - 1 / 3) < 1e-6
    assert abs(_best_need(c) - 0.5) < 1e-9


def test_bound_knows_sixty_minutes_hold_one_visit_of_forty_five() -> None:
    raw = problem(
        people=[person("p1", need=0.5)],
        visits=[visit("a", duration_minutes=45), visit("b", day=2, duration_minutes=45)],
        volunteers=[
            volunteer(
                "v1",
                max_minutes=60,
                availability=[
                    {"day": 1, "start": "09:00", "end": "13:00"},
                    {"day": 2, "start": "09:00", "end": "13:00"},
                ],
            )
        ],
    )
    c = compile_problem(Problem.model_validate(raw))
    plain = relax(c, complete=True, time_limit=5, tighten=False).need_weighted_upper_bound
    bound = relax(c, complete=True, time_limit=5).need_weighted_upper_bound
    assert abs(plain - 2 / 3) < 1e-6  # 60 / 45 visits of need 0.5, of 1.0
    assert abs(bound - 0.5) < 1e-6


def _offer(visit: int, value: float, day: int, starts: range, duration: int = 60) -> Offer:
    return Offer(visit, value, duration, day, tuple(starts))


def test_best_week_takes_visits_one_after_another_with_travel() -> None:
    morning = range(600, 661, 15)  # 10:00 to 11:00
    offers = [_offer(0, 1.0, 1, morning), _offer(1, 2.0, 1, morning)]
    assert best_week(offers, max_minutes=240, travel=lambda a, b: 0) == 3.0
    assert best_week(offers, max_minutes=240, travel=lambda a, b: 15) == 2.0
    assert best_week(offers, max_minutes=60, travel=lambda a, b: 0) == 2.0


def test_best_week_adds_days_within_the_weekly_minutes() -> None:
    offers = [_offer(0, 1.0, 1, range(600, 601)), _offer(1, 1.5, 2, range(600, 601))]
    offers.append(_offer(2, 1.0, 3, range(600, 601), duration=30))
    assert best_week(offers, max_minutes=150, travel=lambda a, b: 0) == 3.5
    assert best_week(offers, max_minutes=90, travel=lambda a, b: 0) == 2.5
    assert best_week(offers, max_minutes=30, travel=lambda a, b: 0) == 1.0


def test_best_week_gives_up_rather_than_guess() -> None:
    offers = [_offer(i, 1.0, 1, range(0, 1440, 15), duration=15) for i in range(20)]
    assert best_week(offers, max_minutes=300, travel=lambda a, b: 0, node_limit=100) is None


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.sampled_from([15, 30, 45, 60, 90, 120]), min_size=1, max_size=8),
    st.sampled_from([60, 90, 120, 180, 240]),
)
def test_rounded_knapsacks_hold_for_every_set_that_fits(durations: list[int], limit: int) -> None:
    rows = rounded_knapsacks(durations, limit)
    for size in range(len(durations) + 1):
        for chosen in itertools.combinations(range(len(durations)), size):
            if sum(durations[i] for i in chosen) > limit:
                continue
            for weights, room in rows:
                assert sum(weights[i] for i in chosen) <= room + 1e-9


def test_bound_knows_two_visits_cannot_share_the_last_free_hour() -> None:
    """The volunteer is free 10:30-12:30 and 13:00-14:00 (180 minutes that day, 120 a week); an
    hour's visit can only start at 13:00 and a 45-minute one at 13:00 or 13:15, so only one of
    them is done. The day's minutes and the week's allow both; the stretch 13:00-14:00 holds
    60 minutes, which the one-step Lagrangian bound alone left at 0.97."""
    raw = problem(
        people=[person("p1", north(2), need=0.9), person("p2", north(4), need=0.1)],
        visits=[
            visit("a", "p1", earliest="12:00", latest="14:00"),
            visit("b", "p2", earliest="13:00", latest="14:00", duration_minutes=45),
        ],
        volunteers=[
            volunteer(
                "v1",
                max_km=10,
                max_minutes=120,
                availability=[
                    {"day": 1, "start": "10:30", "end": "12:30"},
                    {"day": 1, "start": "13:00", "end": "14:00"},
                ],
            )
        ],
        grid_minutes=15,
    )
    c = compile_problem(Problem.model_validate(raw))
    plain = relax(c, complete=True, time_limit=5, tighten=False).need_weighted_upper_bound
    bound = relax(c, complete=True, time_limit=5).need_weighted_upper_bound
    assert abs(plain - 0.29 / 0.3) < 1e-6  # a whole, b a third
    assert abs(bound - 0.9) < 1e-6
    assert abs(_best_need(c) - 0.9) < 1e-9


def test_bound_lets_travel_fall_between_free_windows() -> None:
    """Free 10-11 and 11:30-12:30, visits at 10 and 11:30 four km apart (21 minutes): the trip
    takes place while the volunteer is not free, so both visits are done and the bound allows
    both (the stretch 10:00-12:30 has 120 free minutes, and 150 for visits and trip)."""
    raw = problem(
        people=[person("p1", need=0.5), person("p2", north(4), need=0.5)],
        visits=[
            visit("a", "p1", earliest="10:00", latest="11:00"),
            visit("b", "p2", earliest="11:30", latest="12:30"),
        ],
        volunteers=[
            volunteer(
                "v1",
                north(2),
                max_km=10,
                availability=[
                    {"day": 1, "start": "10:00", "end": "11:00"},
                    {"day": 1, "start": "11:30", "end": "12:30"},
                ],
            )
        ],
    )
    c = compile_problem(Problem.model_validate(raw))
    assert c.travel(0, 1) > 0
    assert abs(_best_need(c) - 1.0) < 1e-9
    assert relax(c, complete=True, time_limit=5).need_weighted_upper_bound >= 1.0 - 1e-9


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@st.composite
def busy_days(draw: st.DrawFn) -> dict[str, Any]:
    """One Tuesday, people up to 4 km apart wanting visits of 30 to 60 minutes in windows of
    up to three hours, and one or two volunteers free in one or two stretches with a gap."""
    people = [
        person(f"p{i}", north(draw(st.integers(0, 4))), need=draw(st.sampled_from([0.1, 0.5])))
        for i in range(draw(st.integers(2, 5)))
    ]
    visits = []
    for k in range(draw(st.integers(2, 6))):
        earliest = draw(st.sampled_from(range(9 * 60, 14 * 60, 30)))
        duration = draw(st.sampled_from([30, 45, 60]))
        latest = earliest + duration + draw(st.sampled_from([0, 30, 60, 120]))
        visits.append(
            visit(
                f"x{k}",
                f"p{draw(st.integers(0, len(people) - 1))}",
                earliest=_clock(earliest),
                latest=_clock(latest),
                duration_minutes=duration,
            )
        )
    volunteers = []
    for j in range(draw(st.integers(1, 2))):
        start = draw(st.sampled_from(range(9 * 60, 11 * 60, 30)))
        end = start + draw(st.sampled_from([60, 90, 120]))
        windows = [{"day": 1, "start": _clock(start), "end": _clock(end)}]
        if draw(st.booleans()):
            later = end + draw(st.sampled_from([15, 30, 60]))
            windows.append(
                {
                    "day": 1,
                    "start": _clock(later),
                    "end": _clock(later + draw(st.sampled_from([60, 120]))),
                }
            )
        volunteers.append(
            volunteer(
                f"v{j}",
                north(draw(st.sampled_from([0, 2]))),
                max_km=10,
                max_minutes=draw(st.sampled_from([90, 120, 240])),
                availability=windows,
            )
        )
    return problem(people=people, visits=visits, volunteers=volunteers, grid_minutes=15)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(busy_days())
def test_bound_on_busy_days_is_never_below_the_best_rota(raw: dict[str, Any]) -> None:
    """Days where visits crowd a volunteer's free stretches and travel between them counts."""
    _assert_bound_holds(raw, complete=True)
