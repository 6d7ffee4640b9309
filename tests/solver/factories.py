"""Tiny rota problems built as the JSON users write (ROTA_FORMAT.md), for solver tests."""

from __future__ import annotations

import copy
from typing import Any

from solver.check import check_solution
from solver.geography import KM_PER_DEGREE
from solver.models import Problem, Solution
from solver.solve import solve

HOME = (51.5, 0.0)


def north(km: float) -> tuple[float, float]:
    """A point ``km`` north of HOME."""
    return (HOME[0] + km / KM_PER_DEGREE, HOME[1])


def person(pid: str = "p1", at: tuple[float, float] = HOME, **fields: Any) -> dict[str, Any]:
    return {"id": pid, "lat": at[0], "lon": at[1], **fields}


def volunteer(vid: str = "v1", at: tuple[float, float] = HOME, **fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": vid,
        "lat": at[0],
        "lon": at[1],
        "max_km": 5,
        "max_minutes": 240,
        "availability": [{"day": 1, "start": "09:00", "end": "17:00"}],
        "languages": ["en"],
        "gender": "female",
        "checked": True,
    }
    base.update(fields)
    return base


def visit(vid: str = "p1-tue", pid: str = "p1", **fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": vid,
        "person": pid,
        "day": 1,
        "earliest": "10:00",
        "latest": "12:00",
        "duration_minutes": 60,
    }
    base.update(fields)
    return base


def problem(
    people: list[dict[str, Any]] | None = None,
    visits: list[dict[str, Any]] | None = None,
    volunteers: list[dict[str, Any]] | None = None,
    **fields: Any,
) -> dict[str, Any]:
    return {
        "format": "carecircles.rota/1",
        "week_start": "2026-11-23",
        "people": copy.deepcopy(people if people is not None else [person()]),
        "visits": copy.deepcopy(visits if visits is not None else [visit()]),
        "volunteers": copy.deepcopy(volunteers if volunteers is not None else [volunteer()]),
        **fields,
    }


def solved(raw: dict[str, Any], time_limit: float = 5) -> Solution:
    """Solve and assert the independent checker finds no broken rule."""
    parsed = Problem.model_validate(raw)
    solution = solve(parsed, time_limit=time_limit, seed=0)
    assert solution.status in ("OPTIMAL", "FEASIBLE"), solution
    assert check_solution(parsed, solution) == []
    return solution


def assigned(solution: Solution) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for a in solution.assignments:
        out.setdefault(a.visit, set()).add(a.volunteer)
    return out


def starts(solution: Solution) -> dict[str, str]:
    return {a.visit: a.start for a in solution.assignments}
