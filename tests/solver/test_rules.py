"""Each hard rule of ROTA_FORMAT.md decides a tiny instance on its own (positive and negative)."""

from __future__ import annotations

import pytest

from tests.solver.factories import (
    assigned,
    north,
    person,
    problem,
    solved,
    starts,
    visit,
    volunteer,
)


def test_rule_1_availability_must_contain_the_whole_visit() -> None:
    inside = solved(
        problem(volunteers=[volunteer(availability=[{"day": 1, "start": "10:30", "end": "11:30"}])])
    )
    assert starts(inside) == {"p1-tue": "10:30"}
    outside = solved(
        problem(volunteers=[volunteer(availability=[{"day": 1, "start": "10:30", "end": "11:15"}])])
    )
    assert assigned(outside) == {}
    wrong_day = solved(
        problem(volunteers=[volunteer(availability=[{"day": 2, "start": "09:00", "end": "17:00"}])])
    )
    assert assigned(wrong_day) == {}


def test_rule_2_start_is_on_the_grid_inside_the_window() -> None:
    on_grid = solved(problem(visits=[visit(earliest="10:30", latest="12:00")], grid_minutes=60))
    assert starts(on_grid) == {"p1-tue": "11:00"}
    no_grid_start = solved(
        problem(visits=[visit(earliest="10:30", latest="11:45")], grid_minutes=60)
    )
    assert assigned(no_grid_start) == {}
    assert "free" in no_grid_start.unassigned[0].reasons[0]


@pytest.mark.parametrize(("km", "covered"), [(4.9, True), (5.1, False)])
def test_rule_3_distance_within_max_km(km: float, covered: bool) -> None:
    solution = solved(problem(volunteers=[volunteer(at=north(km))]))
    assert bool(assigned(solution)) is covered


@pytest.mark.parametrize(("requires_check", "covered"), [(True, False), (False, True)])
def test_rule_4_checked_volunteers_only_where_required(requires_check: bool, covered: bool) -> None:
    solution = solved(
        problem(
            visits=[visit(requires_check=requires_check)], volunteers=[volunteer(checked=False)]
        )
    )
    assert bool(assigned(solution)) is covered


@pytest.mark.parametrize(("languages", "covered"), [(["en"], False), (["en", "pl"], True)])
def test_rule_5_shares_a_language(languages: list[str], covered: bool) -> None:
    solution = solved(
        problem(people=[person(languages=["pl"])], volunteers=[volunteer(languages=languages)])
    )
    assert bool(assigned(solution)) is covered


@pytest.mark.parametrize(("gender", "covered"), [("male", False), ("female", True), (None, False)])
def test_rule_6_gender_preference(gender: str | None, covered: bool) -> None:
    solution = solved(
        problem(people=[person(gender_preference="female")], volunteers=[volunteer(gender=gender)])
    )
    assert bool(assigned(solution)) is covered


@pytest.mark.parametrize(("excluded", "covered"), [(["v1"], False), (["v2"], True)])
def test_rule_7_exclusions(excluded: list[str], covered: bool) -> None:
    solution = solved(problem(people=[person(excluded_volunteers=excluded)]))
    assert bool(assigned(solution)) is covered


def _two_visits_5_9_km_apart(latest_b: str) -> dict[str, object]:
    # 5.9 km at 12 km/h is 30 minutes of travel (29.5 rounded up)
    return problem(
        people=[person("pa"), person("pb", at=north(5.9))],
        visits=[
            visit("a", "pa", earliest="10:00", latest="11:00"),
            visit("b", "pb", earliest="11:00", latest=latest_b),
        ],
        volunteers=[volunteer(at=north(2.95))],
    )


def test_rule_8_travel_time_between_visits_is_kept() -> None:
    both = solved(_two_visits_5_9_km_apart("12:30"))
    assert assigned(both) == {"a": {"v1"}, "b": {"v1"}}
    assert starts(both) == {"a": "10:00", "b": "11:30"}
    assert both.metrics is not None and both.metrics.travel_km == pytest.approx(5.9, abs=0.01)
    one = solved(_two_visits_5_9_km_apart("12:15"))
    assert len(assigned(one)) == 1


@pytest.mark.parametrize(("max_minutes", "covered"), [(60, 1), (120, 2)])
def test_rule_9_weekly_load(max_minutes: int, covered: int) -> None:
    solution = solved(
        problem(
            people=[person("p1"), person("p2")],
            visits=[
                visit("a", "p1", day=1),
                visit("b", "p2", day=1, earliest="13:00", latest="15:00"),
            ],
            volunteers=[volunteer(max_minutes=max_minutes)],
        )
    )
    assert len(assigned(solution)) == covered


@pytest.mark.parametrize(("circle_max", "covered"), [(1, False), (2, True)])
def test_rule_10_circle_size_counts_the_current_circle(circle_max: int, covered: bool) -> None:
    # "v9" has left, but still counts in the person's current circle
    solution = solved(problem(people=[person(current_circle=["v9"], circle_max=circle_max)]))
    assert bool(assigned(solution)) is covered
    if not covered:
        assert "circle for this person is full (1 of 1)" in solution.unassigned[0].reasons[0]


def test_rule_11_all_or_nothing_at_one_start() -> None:
    pair = solved(
        problem(
            visits=[visit(volunteers_needed=2)],
            volunteers=[
                volunteer("v1", availability=[{"day": 1, "start": "09:00", "end": "11:15"}]),
                volunteer("v2", availability=[{"day": 1, "start": "10:15", "end": "17:00"}]),
            ],
        )
    )
    assert assigned(pair) == {"p1-tue": {"v1", "v2"}}
    assert {a.start for a in pair.assignments} == {"10:15"}
    alone = solved(problem(visits=[visit(volunteers_needed=2)]))
    assert alone.assignments == []
    assert "needs 2 volunteers" in alone.unassigned[0].reasons[0]


def test_rule_12_pins_win_over_the_objective() -> None:
    raw = problem(
        people=[person(current_circle=["v1"])],
        volunteers=[volunteer("v1"), volunteer("v2", at=north(2))],
    )
    assert assigned(solved(raw)) == {"p1-tue": {"v1"}}
    raw["visits"][0]["pinned_volunteers"] = ["v2"]
    pinned = solved(raw)
    assert assigned(pinned) == {"p1-tue": {"v2"}}
    assert "pinned by the coordinator" in pinned.assignments[0].reasons
