"""Problems that cannot be solved as written are rejected, naming the ids and the rule."""

from __future__ import annotations

import json
from typing import Any

from solver.models import Problem
from solver.solve import solve, solve_json
from tests.solver.factories import north, person, problem, visit, volunteer


def _errors(raw: dict[str, Any]) -> list[str]:
    solution = solve_json(json.dumps(raw), time_limit=2)
    assert solution.status == "INVALID"
    assert solution.assignments == []
    return solution.errors or []


def test_unknown_field_is_named() -> None:
    raw = problem()
    raw["volunteers"][0]["favourite_colour"] = "blue"
    assert _errors(raw) == [
        "volunteers.0.favourite_colour: unknown field (not in ROTA_FORMAT.md version 1)"
    ]


def test_wrong_format_and_bad_json() -> None:
    assert "format" in _errors(problem(format="carecircles.rota/2"))[0]
    assert "not valid JSON" in (solve_json(b"{not json").errors or [""])[0]


def test_bad_clock_names_the_field() -> None:
    errors = _errors(problem(visits=[visit(earliest="25:00")]))
    assert errors[0].startswith("visits.0.earliest:")


def test_unknown_person_and_duplicate_ids() -> None:
    errors = _errors(
        problem(
            people=[person("p1"), person("p1")],
            visits=[visit("x", "nobody"), visit("y", "p1")],
        )
    )
    assert "duplicate person id 'p1' (2 times)" in errors
    assert "visit x: unknown person 'nobody'" in errors


def test_window_shorter_than_duration() -> None:
    errors = _errors(problem(visits=[visit(earliest="10:00", latest="10:30")]))
    assert any("rule 2" in e and "p1-tue" in e for e in errors)


def test_pin_that_breaks_distance_names_rule_and_ids() -> None:
    errors = _errors(
        problem(visits=[visit(pinned_volunteers=["v1"])], volunteers=[volunteer(at=north(8))])
    )
    assert len(errors) == 1
    assert "rule 3 (distance)" in errors[0] and "p1-tue" in errors[0] and "v1" in errors[0]


def test_pin_that_breaks_check_language_gender_exclusion() -> None:
    errors = _errors(
        problem(
            people=[person(languages=["pl"], gender_preference="male", excluded_volunteers=["v1"])],
            visits=[visit(pinned_volunteers=["v1"])],
            volunteers=[volunteer(checked=False)],
        )
    )
    rules = {e.split(":")[0] for e in errors}
    assert rules == {
        "rule 4 (checks)",
        "rule 5 (language)",
        "rule 6 (gender preference)",
        "rule 7 (exclusions)",
    }


def test_more_pins_than_needed_and_unknown_pin() -> None:
    errors = _errors(
        problem(visits=[visit(pinned_volunteers=["v1", "ghost"])], volunteers=[volunteer("v1")])
    )
    assert any("pins 2 volunteers but needs only 1" in e for e in errors)
    assert any("unknown volunteer 'ghost'" in e for e in errors)


def test_pins_over_weekly_load_and_overlapping() -> None:
    errors = _errors(
        problem(
            people=[person("p1"), person("p2")],
            visits=[
                visit("a", "p1", earliest="10:00", latest="11:00", pinned_volunteers=["v1"]),
                visit("b", "p2", earliest="10:00", latest="11:00", pinned_volunteers=["v1"]),
            ],
            volunteers=[volunteer(max_minutes=90)],
        )
    )
    assert any(e.startswith("rule 9") and "v1" in e for e in errors)
    assert any(e.startswith("rule 8") and "a" in e and "b" in e for e in errors)


def test_pins_infeasible_only_together() -> None:
    # any two of the three visits fit in 10:00-12:00, all three cannot
    raw = problem(
        visits=[
            visit(f"p1-{i}", earliest="10:00", latest="12:00", pinned_volunteers=["v1"])
            for i in range(3)
        ]
    )
    solution = solve(Problem.model_validate(raw), time_limit=2)
    assert solution.status == "INFEASIBLE"
    assert solution.assignments == []
