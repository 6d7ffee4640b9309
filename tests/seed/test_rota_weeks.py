"""The benchmark instance generator: deterministic, valid, the stated sizes, honest variants."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest

from seed.rota_weeks import SIZES, VARIANTS, generate, next_week, supply_and_demand
from solver import eligibility
from solver.models import Problem


@pytest.fixture(scope="module")
def small() -> dict[str, dict[str, Any]]:
    return {variant: generate("S", variant, seed=1) for variant in VARIANTS}


def test_same_seed_gives_the_same_json_and_another_seed_does_not() -> None:
    first = json.dumps(generate("S", "plentiful", seed=7), sort_keys=True)
    again = json.dumps(generate("S", "plentiful", seed=7), sort_keys=True)
    other = json.dumps(generate("S", "plentiful", seed=8), sort_keys=True)
    assert first == again
    assert first != other


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
@pytest.mark.parametrize("variant", VARIANTS)
def test_every_small_instance_parses_as_a_problem(variant: str, seed: int) -> None:
    problem = Problem.model_validate(generate("S", variant, seed))
    people = {p.id for p in problem.people}
    volunteers = {v.id for v in problem.volunteers}
    assert len(people) == len(problem.people)
    assert len({v.id for v in problem.visits}) == len(problem.visits)
    assert all(v.person in people for v in problem.visits)
    for person in problem.people:
        assert set(person.current_circle) <= volunteers
        assert set(person.excluded_volunteers) <= volunteers
        assert not set(person.excluded_volunteers) & set(person.current_circle)
        assert len(person.current_circle) <= person.circle_max


@pytest.mark.parametrize("size", ["S", "M"])
def test_sizes_are_as_stated(size: str) -> None:
    problem = generate(size, "plentiful", seed=1)
    n_people, n_volunteers = SIZES[size]
    assert len(problem["people"]) == n_people
    assert len(problem["volunteers"]) == n_volunteers
    # 1-3 visits a week each, about two on average.
    per_person = Counter(v["person"] for v in problem["visits"])
    assert set(per_person.values()) <= {1, 2, 3}
    assert 1.7 * n_people <= len(problem["visits"]) <= 2.2 * n_people


def test_large_size_is_borough_scale() -> None:
    assert SIZES["L"] == (5_000, 10_000)


def test_scarce_volunteers_cannot_cover_the_demand_and_plentiful_ones_can(
    small: dict[str, dict[str, Any]],
) -> None:
    scarce = supply_and_demand(small["scarce"])
    plentiful = supply_and_demand(small["plentiful"])
    assert scarce.demand_minutes == plentiful.demand_minutes  # same people, same visits
    assert scarce.coverable_minutes < 0.8 * scarce.demand_minutes
    assert plentiful.coverable_minutes == plentiful.demand_minutes
    assert plentiful.offered_minutes > 2 * plentiful.demand_minutes


def test_scarce_is_scarce_at_medium_size_too() -> None:
    supply = supply_and_demand(generate("M", "scarce", seed=1))
    assert supply.coverable_minutes < 0.8 * supply.demand_minutes


def test_the_flow_bounds_hold_for_a_real_rota(small: dict[str, dict[str, Any]]) -> None:
    from solver.compiled import compile_problem
    from solver.greedy import greedy

    for problem_json in small.values():
        compiled = compile_problem(Problem.model_validate(problem_json))
        rota = greedy(compiled)
        visits = compiled.visits
        minutes = sum(visits[v].duration * len(vols) for v, (_, vols) in rota.items())
        need = sum(compiled.people[visits[v].person].need for v in rota)
        total_need = sum(compiled.people[v.person].need for v in visits)
        supply = supply_and_demand(problem_json)
        assert 0 < minutes <= supply.coverable_minutes
        assert need / total_need <= supply.need_weighted_bound


def test_coverable_minutes_stop_at_a_volunteers_weekly_limit() -> None:
    problem = {
        "people": [{"id": "p1", "need": 0.5}],
        "visits": [
            {
                "person": "p1",
                "day": d,
                "earliest": "10:00",
                "latest": "12:00",
                "duration_minutes": 60,
            }
            for d in range(3)
        ],
        "volunteers": [
            {
                "max_minutes": 90,
                "checked": True,
                "availability": [{"day": d, "start": "09:00", "end": "13:00"} for d in range(3)],
            }
        ],
    }
    supply = supply_and_demand(problem)
    assert supply.coverable_minutes == 90
    assert supply.need_weighted_bound == pytest.approx(1.5 / 3)
    problem["volunteers"][0]["checked"] = False  # every visit requires a check by default
    assert supply_and_demand(problem).coverable_minutes == 0


def test_current_circle_members_could_serve_one_of_the_persons_visits(
    small: dict[str, dict[str, Any]],
) -> None:
    problem = Problem.model_validate(small["plentiful"])
    volunteers = {v.id: v for v in problem.volunteers}
    visits_of: dict[str, list[Any]] = {}
    for visit in problem.visits:
        visits_of.setdefault(visit.person, []).append(visit)
    members = 0
    for person in problem.people:
        for member in person.current_circle:
            members += 1
            assert any(
                eligibility.eligible(visit=visit, person=person, volunteer=volunteers[member])
                for visit in visits_of[person.id]
            ), (person.id, member)
    assert members >= len(problem.people) // 2


def test_realistic_mix_of_needs_languages_and_windows(small: dict[str, dict[str, Any]]) -> None:
    problem = generate("M", "plentiful", seed=1)
    needs = [p["need"] for p in problem["people"]]
    assert sum(0.3 <= n <= 0.6 for n in needs) > len(needs) / 2
    assert any(n >= 0.8 for n in needs)
    languages = Counter(lang for p in problem["people"] for lang in p["languages"])
    assert languages.most_common(1)[0][0] == "en"
    assert len(languages) >= 4
    assert any(v["volunteers_needed"] == 2 for v in problem["visits"])
    assert any(not v["checked"] for v in problem["volunteers"])
    assert {v["max_km"] for v in problem["volunteers"]} <= {1, 1.5, 2, 3, 4, 5}
    assert all(60 <= v["max_minutes"] <= 480 for v in problem["volunteers"])


def test_next_week_drops_volunteers_and_carries_circles_forward(
    small: dict[str, dict[str, Any]],
) -> None:
    week1 = small["plentiful"]
    first_visit = week1["visits"][0]
    served_by = week1["volunteers"][0]["id"]
    solution = {"assignments": [{"visit": first_visit["id"], "volunteer": served_by}]}
    week2 = next_week(week1, solution, drop_fraction=0.05, seed=3)
    assert week2["week_start"] == "2026-11-30"
    assert len(week2["volunteers"]) == len(week1["volunteers"]) - 5
    assert week2["visits"] == week1["visits"]
    remaining = {v["id"] for v in week2["volunteers"]}
    person = next(p for p in week2["people"] if p["id"] == first_visit["person"])
    if served_by in remaining:
        assert person["current_circle"][0] == served_by
    for p in week2["people"]:
        assert set(p["current_circle"]) <= remaining
        assert len(p["current_circle"]) <= p["circle_max"]
    Problem.model_validate(week2)
    assert next_week(week1, solution, seed=3) == week2


def test_bad_size_or_variant_is_named() -> None:
    with pytest.raises(ValueError, match="size"):
        generate("XL", "plentiful", seed=1)
    with pytest.raises(ValueError, match="variant"):
        generate("S", "generous", seed=1)
