"""Solve a rota problem: validate, bound, greedy, CP-SAT (decomposed), explain, measure."""

from __future__ import annotations

from collections.abc import Callable

from solver.models import Problem, Solution

Progress = Callable[[str], None]


def solve(
    problem: Problem,
    *,
    time_limit: float = 30,
    workers: int = 1,
    seed: int = 0,
    progress: Progress | None = None,
) -> Solution:
    """Solve ``problem`` within ``time_limit`` seconds (placeholder until the model lands)."""
    raise NotImplementedError
