"""The search's bookkeeping is exact: the tally's objective equals ``rota_objective`` after any
sequence of replacements, and a neighbourhood solved with only the part of the week it touches
finds the same best objective as with the whole week."""

from __future__ import annotations

import random

import pytest

from seed.rota_weeks import generate_problem
from solver.bound import relax
from solver.check import check_solution
from solver.compiled import CompiledWeek, compile_problem
from solver.cpsat import solve_neighbourhood
from solver.decompose import Tally, rota_objective
from solver.greedy import Rota, greedy
from solver.guided import rota_from_relaxation
from solver.solve import build_solution


def _week(variant: str) -> tuple[CompiledWeek, Rota, Rota]:
    compiled = compile_problem(generate_problem("S", variant, 4))
    first = greedy(compiled)
    second = rota_from_relaxation(compiled, relax(compiled, complete=True, time_limit=5).shares)
    return compiled, first, second


@pytest.mark.parametrize("variant", ["plentiful", "scarce"])
def test_tally_follows_rota_objective_through_replacements(variant: str) -> None:
    compiled, first, second = _week(variant)
    tally = Tally(compiled, first)
    assert tally.value() == pytest.approx(rota_objective(compiled, first), abs=1e-6)
    rng = random.Random(5)
    visits = sorted(set(first) | set(second))
    for _ in range(60):
        # replace a random set of visits by what the other rota does with them (or nothing)
        free = rng.sample(visits, k=min(len(visits), rng.randint(1, 8)))
        source = second if rng.random() < 0.7 else {}
        part = {v: source[v] for v in free if v in source}
        expected_rota = {v: a for v, a in tally.rota.items() if v not in free}
        expected_rota.update(part)
        expected = rota_objective(compiled, expected_rota)
        assert tally.trial(free, part) == pytest.approx(expected, abs=1e-6)
        tally.apply(free, part)
        assert tally.rota == expected_rota
        assert tally.value() == pytest.approx(expected, abs=1e-6)
        # the mixed rota may break rules (two sources), which the bookkeeping does not mind
    assert first != tally.rota


def test_a_neighbourhood_needs_only_the_part_of_the_week_it_touches() -> None:
    problem = generate_problem("S", "scarce", 4)
    compiled, rota, _ = _week("scarce")
    tally = Tally(compiled, rota)
    rng = random.Random(2)
    for _ in range(5):
        free = rng.sample(range(len(compiled.visits)), k=12)
        part, others = tally.around(free)
        assert len(part) < len(rota)
        whole = solve_neighbourhood(
            compiled, free=free, fixed=rota, hint=rota, time_limit=10, goal="contract"
        )
        partial = solve_neighbourhood(
            compiled,
            free=free,
            fixed=part,
            hint=part,
            time_limit=10,
            goal="contract",
            others=others,
        )
        assert whole.status == partial.status == "OPTIMAL"
        # the model's objective differs from the week's by constants; the week's does not
        with_whole = {v: a for v, a in rota.items() if v not in free} | whole.rota
        with_part = {v: a for v, a in rota.items() if v not in free} | partial.rota
        solution = build_solution(
            problem, compiled, with_part, status="FEASIBLE", bound=1.0, began=0.0
        )
        assert check_solution(problem, solution) == []
        assert rota_objective(compiled, with_whole) == pytest.approx(
            rota_objective(compiled, with_part), abs=1e-6
        )
