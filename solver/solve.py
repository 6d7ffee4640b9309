"""Solve a rota problem: validate, bound, greedy, CP-SAT (decomposed), explain, measure."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from clock import clock_of, minutes_of
from solver.bound import STRETCH_ROWS_UP_TO, integer_relaxation, relax
from solver.check import compute_metrics
from solver.compiled import CompiledWeek, compile_problem, find_candidates
from solver.decompose import (
    DETERMINISTIC_PER_SECOND,
    MODEL_CANDIDATES_PER_VISIT,
    Clock,
    PinsInfeasible,
    improve,
    is_big,
    rota_objective,
    search_pool,
)
from solver.explain import assignment_reasons, state_of, unassigned_reasons
from solver.greedy import Rota, greedy
from solver.guided import rota_from_relaxation, rota_from_whole
from solver.models import Assignment, Problem, Solution, Unassigned
from solver.validate import parse_problem, problem_errors

Progress = Callable[[str], None]

# Above this many visit x volunteer combinations, keep only the best few candidates per visit
# (circle members, then the nearest): as many as the search uses on any big week, so pruning
# costs no coverage (the comparison on the L weeks is in benchmarks/SOLVER.md).
ALL_CANDIDATES_UP_TO = 4_000_000
CANDIDATES_PER_VISIT = MODEL_CANDIDATES_PER_VISIT
BOUND_SHARE = 0.2
# Weeks of at most this many eligible pairs also get the integer relaxation (solver/bound.py
# ``integer_relaxation``), until this share of the time limit is left for the search
INTEGER_UP_TO = STRETCH_ROWS_UP_TO
INTEGER_SEARCH_SHARE = 0.35
# and only with at least this time limit: HiGHS found the M scarce weeks' whole solutions 10-15 s
# in; given 20 s in all, seed 3 ended at 69.15% with it and 69.70% without (25 s: 70.09%, 69.72%)
INTEGER_FROM_SECONDS = 25.0
EXPLAIN_RESERVE_PER_VISIT = 0.0006  # seconds kept back per visit for reasons and metrics
OUTPUT_RESERVE = 0.5  # seconds kept back for writing the file and stopping worker processes
STARTUP_COUNTS_UP_TO = 20.0  # a process younger than this is a command-line run starting up


def solve(
    problem: Problem,
    *,
    time_limit: float = 30,
    workers: int = 1,
    seed: int = 0,
    progress: Progress | None = None,
    started: float | None = None,
    previous: Sequence[Assignment] = (),
) -> Solution:
    """Solve ``problem`` within ``time_limit`` seconds of wall time, everything included.

    ``previous``: last week's assignments (the same visit and volunteer ids). Those that still
    keep every rule start the rota, and the search keeps them wherever that costs nothing, so
    a week where a few volunteers left keeps everyone else with their visits.

    ``started`` (``time.monotonic()``) is when the clock started, if before this call (the time
    spent reading the file counts too).

    The budget covers finding candidates, the bound, greedy, optimising and explaining: the
    bound gets at most ``BOUND_SHARE`` of it; on weeks that get the integer relaxation
    (``_integer_wanted``: big weeks of at most ``INTEGER_UP_TO`` pairs, with two or more
    workers, given at least ``INTEGER_FROM_SECONDS``) HiGHS's branch and bound then runs twice
    side by side, one thread each (HiGHS releases the GIL), until ``INTEGER_SEARCH_SHARE`` of
    the time is left: on coverage, which lowers the bound, and on the contract's assignment
    part, whose whole solution makes the rota that usually starts the search (the best start
    by the contract's objective wins); ``OUTPUT_RESERVE`` plus
    ``EXPLAIN_RESERVE_PER_VISIT`` per visit are kept back for the explanations, the metrics and
    writing the file. Deterministic for a fixed ``seed`` with ``workers=1`` as
    long as the deterministic budget (solver/decompose.py) runs out before the wall clock.
    Status OPTIMAL only when CP-SAT proved the whole problem optimal over all eligible pairs.
    """
    began = time.monotonic() if started is None else started
    deadline = began + time_limit
    say = progress or (lambda _message: None)
    errors = problem_errors(problem)
    if errors:
        return Solution(status="INVALID", errors=errors)
    say("finding eligible volunteers")
    compiled = compile_problem(problem, with_candidates=False)
    combos = len(compiled.visits) * len(compiled.volunteers)
    limit = None if combos <= ALL_CANDIDATES_UP_TO else CANDIDATES_PER_VISIT
    compiled.candidates = find_candidates(compiled, limit=limit)
    complete = all(
        len(cands) == count
        for cands, count in zip(compiled.candidates, compiled.eligible_counts, strict=True)
    )
    keep = previous_rota(compiled, previous)
    # a big week's search workers start now, on the other core, while this one bounds
    pool = search_pool(compiled, workers, keep)
    try:
        return _solve_compiled(
            problem,
            compiled,
            complete,
            time_limit,
            deadline,
            began,
            workers,
            seed,
            say,
            keep,
            pool,
        )
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)


def _solve_compiled(
    problem: Problem,
    compiled: CompiledWeek,
    complete: bool,
    time_limit: float,
    deadline: float,
    began: float,
    workers: int,
    seed: int,
    say: Progress,
    keep: Rota,
    pool: ProcessPoolExecutor | None,
) -> Solution:
    reserve = OUTPUT_RESERVE + EXPLAIN_RESERVE_PER_VISIT * len(compiled.visits)
    integer = _integer_wanted(compiled, complete, workers, keep, time_limit)
    say("bounding")
    relaxation = relax(
        compiled,
        complete=complete,
        time_limit=max(0.1, min(time_limit * BOUND_SHARE, deadline - time.monotonic() - reserve)),
        day_rows=not integer,
    )
    bound = relaxation.need_weighted_upper_bound
    say("greedy rota")
    starts = [greedy(compiled, keep)]
    if relaxation.shares and not keep:
        starts.append(rota_from_relaxation(compiled, relaxation.shares))
    if integer:
        say("the integer relaxation")
        until = deadline - reserve - time_limit * INTEGER_SEARCH_SHARE
        whole = integer_relaxation(compiled, time_limit=until - time.monotonic())
        if whole.need_weighted_upper_bound is not None:
            bound = min(bound, whole.need_weighted_upper_bound)
        for chosen in (whole.chosen, whole.covering):
            if chosen:
                starts.append(rota_from_whole(compiled, chosen))
    incumbent = max(starts, key=lambda rota: rota_objective(compiled, rota))
    say("optimising")
    clock = Clock(
        deadline=deadline - reserve,
        deterministic=time_limit * DETERMINISTIC_PER_SECOND if workers == 1 else None,
    )
    try:
        outcome = improve(
            compiled,
            incumbent,
            clock=clock,
            workers=workers,
            seed=seed,
            progress=say,
            keep=keep,
            pool=pool,
        )
    except PinsInfeasible:
        return _infeasible(problem, began, bound)
    rota, proven = outcome.rota, outcome.proven
    if rota_objective(compiled, rota) < rota_objective(compiled, incumbent):
        rota, proven = incumbent, False
    if not _pins_hold(compiled, rota):
        return _infeasible(problem, began, bound)
    say("explaining")
    status = "OPTIMAL" if proven and complete else "FEASIBLE"
    return build_solution(problem, compiled, rota, status=status, bound=bound, began=began)


def _integer_wanted(
    compiled: CompiledWeek, complete: bool, workers: int, keep: Rota, time_limit: float
) -> bool:
    """Whether the integer relaxation runs: on big weeks whose every eligible pair is known, of
    at most ``INTEGER_UP_TO`` pairs, without last week's rota (which starts the week instead),
    with more than one worker (one worker stays repeatable; HiGHS stops on wall time) and a
    time limit of at least ``INTEGER_FROM_SECONDS``."""
    if time_limit < INTEGER_FROM_SECONDS or workers < 2 or not complete or keep:
        return False
    pairs = sum(len(cands) for cands in compiled.candidates)
    return is_big(compiled) and pairs <= INTEGER_UP_TO


def previous_rota(compiled: CompiledWeek, previous: Sequence[Assignment]) -> Rota:
    """Last week's assignments as a rota of this week's indices (visits and volunteers still
    there; a visit's volunteers must agree on one start)."""
    c = compiled
    starts: dict[int, int] = {}
    volunteers: dict[int, list[int]] = {}
    for a in previous:
        v, w = c.visit_index.get(a.visit), c.volunteer_index.get(a.volunteer)
        if v is None or w is None:
            continue
        start = minutes_of(a.start)
        if starts.setdefault(v, start) != start:
            starts[v] = -1
        volunteers.setdefault(v, []).append(w)
    return {
        v: (start, tuple(sorted(set(volunteers[v])))) for v, start in starts.items() if start >= 0
    }


def build_solution(
    problem: Problem,
    compiled: CompiledWeek,
    rota: Rota,
    *,
    status: str,
    bound: float,
    began: float,
) -> Solution:
    """The solution file of a rota, with reasons and metrics."""
    c = compiled
    assignments = [
        Assignment(
            visit=c.visits[v].id,
            volunteer=c.volunteers[w].id,
            start=clock_of(start),
            reasons=assignment_reasons(c, v, w),
        )
        for v, (start, vols) in sorted(rota.items())
        for w in vols
    ]
    state = state_of(c, rota)
    unassigned = [
        Unassigned(visit=visit.id, reasons=unassigned_reasons(c, visit.index, state))
        for visit in c.visits
        if visit.index not in rota
    ]
    metrics = compute_metrics(
        problem, assignments, upper_bound=bound, solve_seconds=time.monotonic() - began
    )
    return Solution.model_validate(
        {
            "status": status,
            "assignments": assignments,
            "unassigned": unassigned,
            "metrics": metrics,
        }
    )


def _pins_hold(c: CompiledWeek, rota: Rota) -> bool:
    return all(
        v.index in rota and set(v.pinned) <= set(rota[v.index][1]) for v in c.visits if v.pinned
    )


def _infeasible(problem: Problem, began: float, bound: float) -> Solution:
    return Solution(
        status="INFEASIBLE",
        unassigned=[
            Unassigned(
                visit=v.id,
                reasons=["the pinned volunteers cannot all make their visits together"],
            )
            for v in problem.visits
        ],
        metrics=compute_metrics(
            problem, [], upper_bound=bound, solve_seconds=time.monotonic() - began
        ),
        errors=["the pinned assignments break rule 8, 9 or 10 when taken together"],
    )


def solve_json(
    text: str | bytes,
    *,
    time_limit: float = 30,
    workers: int = 1,
    seed: int = 0,
    progress: Progress | None = None,
    previous: Sequence[Assignment] = (),
) -> Solution:
    """Solve the problem in JSON ``text`` (an INVALID solution when it cannot be read).

    Reading it counts against ``time_limit``, and so does the start of a process younger than
    ``STARTUP_COUNTS_UP_TO`` seconds: ``carecircles solve --time-limit T`` takes about 2 s to
    import OR-Tools, scipy and pydantic before any of this runs, and its whole run must fit T.
    """
    started = time.monotonic()
    age = _process_age()
    if age is not None and age < STARTUP_COUNTS_UP_TO:
        started -= age
    parsed = parse_problem(text)
    if isinstance(parsed, list):
        return Solution(status="INVALID", errors=parsed)
    return solve(
        parsed,
        time_limit=time_limit,
        workers=workers,
        seed=seed,
        progress=progress,
        started=started,
        previous=previous,
    )


def _process_age() -> float | None:
    """Seconds since this process started (Linux /proc), or None where unknown."""
    try:
        stat = Path("/proc/self/stat").read_text()
        uptime = float(Path("/proc/uptime").read_text().split()[0])
        ticks = int(stat.rsplit(")", 1)[1].split()[19])  # field 22, starttime
        return max(0.0, uptime - ticks / os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError):
        return None


def solution_json(solution: Solution) -> str:
    """The solution file's text (fields that do not apply, like ``errors``, left out)."""
    return solution.model_dump_json(indent=2, exclude_none=True)
