"""A proven upper bound on need-weighted coverage, from a linear relaxation (GLOP).

Full relaxation (when every eligible pair is known and there are not too many): variables
``covered[v]`` in [0, 1] and ``share[v, w]`` in [0, 1] for every pair allowed by rules 1-7, with

- ``sum_w share[v, w] = volunteers_needed * covered[v]`` and ``share[v, w] <= covered[v]``
  (rule 11, relaxed);
- per volunteer, ``sum duration * share <= max_minutes`` (rule 9);
- per volunteer and day, ``sum duration * share <= minutes of availability that day``: rules 1
  and 8 put a volunteer's visits of a day inside their windows without overlap;
- per person, newcomers ``new[p, w] >= share[v, w]`` with ``sum new <= circle_max - |circle|``
  (rule 10);
- pinned visits covered (rule 12).

Every valid rota gives a feasible point (shares = assignments, covered = 0/1) with the same
objective ``sum need * covered``, so the LP optimum is >= the best achievable; divided by the
total need it bounds need-weighted coverage.

Aggregate relaxation (large problems): only ``covered[v]``, zero where fewer than
``volunteers_needed`` volunteers are eligible, with the per-volunteer constraints summed over all
volunteers per day and per week (and over checked volunteers for visits that need a check).
Sums of valid inequalities are valid, so this is a (looser) bound too.
"""

from __future__ import annotations

from collections import defaultdict

from ortools.linear_solver import pywraplp

from solver.compiled import Compiled

FULL_LP_PAIRS = 250_000


def _union_minutes(windows: tuple[tuple[int, int], ...]) -> int:
    total, reach = 0, -1
    for start, end in sorted(windows):
        if end <= reach:
            continue
        total += end - max(start, reach)
        reach = end
    return total


def need_weighted_upper_bound(compiled: Compiled, *, complete: bool, time_limit: float) -> float:
    """An upper bound on need-weighted coverage (1.0 when there is no need at all)."""
    c = compiled
    total = sum(c.people[v.person].need for v in c.visits)
    if total <= 0:
        return 1.0
    trivial = sum(
        c.people[v.person].need for v in c.visits if c.eligible_counts[v.index] >= v.needed
    )
    best = trivial
    pairs = sum(len(cands) for cands in c.candidates)
    if complete and pairs <= FULL_LP_PAIRS:
        value = _full_lp(c, time_limit)
    else:
        value = _aggregate_lp(c, time_limit)
    if value is not None:
        best = min(best, value)
    return min(1.0, best / total + 1e-9)


def _solver(time_limit: float) -> pywraplp.Solver:
    solver = pywraplp.Solver.CreateSolver("GLOP")
    solver.SetTimeLimit(max(100, int(time_limit * 1000)))
    return solver


def _finish(solver: pywraplp.Solver) -> float | None:
    if solver.Solve() != pywraplp.Solver.OPTIMAL:
        return None
    # GLOP's tolerances are ~1e-7 relative; pad so the bound stays a bound
    return float(solver.Objective().Value()) * (1 + 1e-6) + 1e-6


def _full_lp(c: Compiled, time_limit: float) -> float | None:
    solver = _solver(time_limit)
    infinity = solver.infinity()
    weekly: dict[int, list[tuple[int, pywraplp.Variable]]] = defaultdict(list)
    daily: dict[tuple[int, int], list[tuple[int, pywraplp.Variable]]] = defaultdict(list)
    newcomer: dict[tuple[int, int], pywraplp.Variable] = {}
    objective = solver.Objective()
    for v in c.visits:
        cands = c.candidates[v.index]
        low = 1.0 if v.pinned else 0.0
        high = 1.0 if len(cands) >= v.needed else 0.0
        if low > high:
            return None
        covered = solver.NumVar(low, high, "")
        objective.SetCoefficient(covered, c.people[v.person].need)
        person = c.people[v.person]
        shares = []
        for cand in cands:
            share = solver.NumVar(0, 1, "")
            shares.append(share)
            if v.needed > 1:
                solver.Add(share <= covered)
            weekly[cand.volunteer].append((v.duration, share))
            daily[(cand.volunteer, v.day)].append((v.duration, share))
            if not cand.in_circle:
                key = (v.person, cand.volunteer)
                if key not in newcomer:
                    newcomer[key] = solver.NumVar(0, 1, "")
                solver.Add(share <= newcomer[key])
        solver.Add(solver.Sum(shares) == v.needed * covered)
        del person
    for w, items in weekly.items():
        solver.Add(solver.Sum([d * s for d, s in items]) <= c.volunteers[w].max_minutes)
    for (w, day), items in daily.items():
        available = _union_minutes(c.volunteers[w].windows.get(day, ()))
        solver.Add(solver.Sum([d * s for d, s in items]) <= available)
    places: dict[int, list[pywraplp.Variable]] = defaultdict(list)
    for (p, _), var in newcomer.items():
        places[p].append(var)
    for p, vars_ in places.items():
        room = c.people[p].circle_max - len(c.people[p].circle)
        if len(vars_) > room:
            solver.Add(solver.Sum(vars_) <= max(0, room))
    del infinity
    objective.SetMaximization()
    return _finish(solver)


def _aggregate_lp(c: Compiled, time_limit: float) -> float | None:
    solver = _solver(time_limit)
    objective = solver.Objective()
    per_day: dict[tuple[int, bool], list[tuple[int, pywraplp.Variable]]] = defaultdict(list)
    everything = []
    for v in c.visits:
        low = 1.0 if v.pinned else 0.0
        high = 1.0 if c.eligible_counts[v.index] >= v.needed else 0.0
        if low > high:
            return None
        covered = solver.NumVar(low, high, "")
        objective.SetCoefficient(covered, c.people[v.person].need)
        minutes = v.duration * v.needed
        per_day[(v.day, False)].append((minutes, covered))
        if v.requires_check:
            per_day[(v.day, True)].append((minutes, covered))
        everything.append((minutes, covered))
    capacity: dict[tuple[int, bool], int] = defaultdict(int)
    week = 0
    for w in c.volunteers:
        days = {d: min(w.max_minutes, _union_minutes(ws)) for d, ws in w.windows.items()}
        week += min(w.max_minutes, sum(days.values()))
        for d, minutes in days.items():
            capacity[(d, False)] += minutes
            if w.checked:
                capacity[(d, True)] += minutes
    for key, items in per_day.items():
        solver.Add(solver.Sum([m * x for m, x in items]) <= capacity[key])
    if everything:
        solver.Add(solver.Sum([m * x for m, x in everything]) <= week)
    objective.SetMaximization()
    return _finish(solver)
