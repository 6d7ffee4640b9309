"""A proven upper bound on need-weighted coverage, from a linear relaxation (HiGHS via scipy).

Full relaxation (when every eligible pair is known and there are not too many): variables
``covered[v]`` in [0, 1] and ``share[v, w]`` in [0, 1] for every pair allowed by rules 1-7, with

- ``sum_w share[v, w] = volunteers_needed * covered[v]`` and ``share[v, w] <= covered[v]``
  (rule 11, relaxed);
- per volunteer, ``sum duration * share <= max_minutes`` (rule 9);
- per volunteer and day, the span knapsacks of solver/capacity.py (rules 1, 2 and 8: a day's
  visits fit inside their windows, one after another, with travel between them);
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

The number reported is not HiGHS's objective but a weak-duality bound computed from its dual
values, ``y.b + sum over variables of max(reduced profit * upper, reduced profit * lower)``,
which is a valid upper bound for *any* non-negative ``y``, so solver tolerances cannot make the
bound too low.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from scipy.optimize import linprog
from scipy.sparse import coo_matrix

from solver.compiled import Compiled

FULL_FLOW_PAIRS = 2_000_000
FULL_LP_PAIRS = 150_000

FloatArray = npt.NDArray[np.float64]


def _union_minutes(windows: tuple[tuple[int, int], ...]) -> int:
    total, reach = 0, -1
    for start, end in sorted(windows):
        if end <= reach:
            continue
        total += end - max(start, reach)
        reach = end
    return total


Shares = dict[tuple[int, int], float]


@dataclass
class Relaxation:
    """The bound, and the relaxation's shares (visit, volunteer) -> [0, 1] that guide a rota."""

    need_weighted_upper_bound: float
    shares: Shares = field(default_factory=dict)


def need_weighted_upper_bound(compiled: Compiled, *, complete: bool, time_limit: float) -> float:
    """An upper bound on need-weighted coverage (1.0 when there is no need at all)."""
    return relax(compiled, complete=complete, time_limit=time_limit).need_weighted_upper_bound


def relax(compiled: Compiled, *, complete: bool, time_limit: float) -> Relaxation:
    """Solve the relaxations that fit: the full flow, the full LP, else the aggregate LP."""
    c = compiled
    total = sum(c.people[v.person].need for v in c.visits)
    if total <= 0:
        return Relaxation(1.0)
    trivial = sum(
        c.people[v.person].need for v in c.visits if c.eligible_counts[v.index] >= v.needed
    )
    best = trivial
    pairs = sum(len(cands) for cands in c.candidates)
    deadline = time.monotonic() + time_limit
    value: float | None = None
    shares: Shares = {}
    if complete and pairs <= FULL_FLOW_PAIRS:
        value, shares = _flow_bound(c)
        if pairs <= FULL_LP_PAIRS:
            tighter, lp_shares = _full_lp(c, deadline)
            if tighter is not None:
                value = tighter if value is None else min(value, tighter)
                shares = lp_shares
    elif pairs <= FULL_FLOW_PAIRS:
        _, shares = _flow_bound(c)  # over the candidates kept: a guide, not a bound
    if value is None:
        value, _ = _aggregate_lp(c, deadline)
    if value is not None:
        best = min(best, value)
    return Relaxation(min(1.0, best / total + 1e-9), shares)


@dataclass
class _Rows:
    """A sparse linear program being built: ``maximise profit.x``, ``A x <= b``, ``E x = f``."""

    profit: list[float] = field(default_factory=list)
    lower: list[float] = field(default_factory=list)
    upper: list[float] = field(default_factory=list)
    ub_rows: list[int] = field(default_factory=list)
    ub_cols: list[int] = field(default_factory=list)
    ub_vals: list[float] = field(default_factory=list)
    ub_rhs: list[float] = field(default_factory=list)
    eq_rows: list[int] = field(default_factory=list)
    eq_cols: list[int] = field(default_factory=list)
    eq_vals: list[float] = field(default_factory=list)
    eq_rhs: list[float] = field(default_factory=list)

    def variable(self, profit: float, lower: float, upper: float) -> int:
        self.profit.append(profit)
        self.lower.append(lower)
        self.upper.append(upper)
        return len(self.profit) - 1

    def at_most(self, cols: list[int], vals: list[float], rhs: float) -> None:
        row = len(self.ub_rhs)
        self.ub_rows.extend([row] * len(cols))
        self.ub_cols.extend(cols)
        self.ub_vals.extend(vals)
        self.ub_rhs.append(rhs)

    def equal(self, cols: list[int], vals: list[float], rhs: float) -> None:
        row = len(self.eq_rhs)
        self.eq_rows.extend([row] * len(cols))
        self.eq_cols.extend(cols)
        self.eq_vals.extend(vals)
        self.eq_rhs.append(rhs)


def _maximise(rows: _Rows, deadline: float) -> tuple[float | None, FloatArray]:
    """A proven upper bound on the LP's maximum (weak duality) and HiGHS's solution; None and
    an empty solution if HiGHS failed."""
    n = len(rows.profit)
    if n == 0:
        return 0.0, np.zeros(0)
    profit = np.array(rows.profit)
    lower = np.array(rows.lower)
    upper = np.array(rows.upper)
    a_ub = coo_matrix(
        (rows.ub_vals, (rows.ub_rows, rows.ub_cols)), shape=(len(rows.ub_rhs), n)
    ).tocsr()
    a_eq = coo_matrix(
        (rows.eq_vals, (rows.eq_rows, rows.eq_cols)), shape=(len(rows.eq_rhs), n)
    ).tocsr()
    b_ub = np.array(rows.ub_rhs)
    b_eq = np.array(rows.eq_rhs)
    result = linprog(
        -profit,
        A_ub=a_ub if len(b_ub) else None,
        b_ub=b_ub if len(b_ub) else None,
        A_eq=a_eq if len(b_eq) else None,
        b_eq=b_eq if len(b_eq) else None,
        bounds=np.column_stack([lower, upper]),
        method="highs",
        options={"time_limit": max(0.2, deadline - time.monotonic()), "presolve": True},
    )
    if result.status != 0:
        return None, np.zeros(0)
    y = np.zeros(0)
    z = np.zeros(0)
    reduced = profit.copy()
    if len(b_ub):
        y = np.maximum(0.0, -np.asarray(result.ineqlin.marginals, dtype=float))
        reduced -= a_ub.T @ y
    if len(b_eq):
        z = -np.asarray(result.eqlin.marginals, dtype=float)
        reduced -= a_eq.T @ z
    value = float(y @ b_ub + z @ b_eq + np.sum(np.maximum(reduced * upper, reduced * lower)))
    return value * (1 + 1e-9) + 1e-7, np.asarray(result.x, dtype=float)


def _flow_bound(c: Compiled) -> tuple[float | None, Shares]:
    """The full relaxation as a min-cost flow, solved exactly (see the module doc)."""
    import numpy as np
    from ortools.graph.python import min_cost_flow

    tails: list[int] = []
    heads: list[int] = []
    caps: list[int] = []
    node = 2
    volunteer_node = {}
    for w in c.volunteers:
        volunteer_node[w.index] = node
        tails.append(0)
        heads.append(node)
        caps.append(w.max_minutes)
        node += 1
    day_node: dict[tuple[int, int], int] = {}
    for w in c.volunteers:
        for day, windows in w.windows.items():
            day_node[(w.index, day)] = node
            tails.append(volunteer_node[w.index])
            heads.append(node)
            caps.append(min(w.max_minutes, _union_minutes(windows)))
            node += 1
    profits: list[float] = []
    profit_arcs: list[int] = []
    pair_arcs: dict[tuple[int, int], int] = {}
    for v in c.visits:
        cands = c.candidates[v.index]
        if len(cands) < v.needed or c.people[v.person].need <= 0:
            continue
        visit_node = node
        node += 1
        for cand in cands:
            pair_arcs[(v.index, cand.volunteer)] = len(tails)
            tails.append(day_node[(cand.volunteer, v.day)])
            heads.append(visit_node)
            caps.append(v.duration)
        profit_arcs.append(len(tails))
        tails.append(visit_node)
        heads.append(1)
        caps.append(v.duration * v.needed)
        profits.append(c.people[v.person].need / (v.duration * v.needed))
    if not profits:
        return 0.0, {}
    supply = int(sum(w.max_minutes for w in c.volunteers))
    tails.append(0)
    heads.append(1)
    caps.append(supply)
    profit = np.array(profits)
    served = np.array(caps)[profit_arcs]
    scale = 1e9 / max(1.0, float(profit.max()))
    costs = np.zeros(len(tails), dtype=np.int64)
    costs[profit_arcs] = -np.round(profit * scale).astype(np.int64)
    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(
        np.array(tails, dtype=np.int32),
        np.array(heads, dtype=np.int32),
        np.array(caps, dtype=np.int64),
        costs,
    )
    flow.set_node_supply(0, supply)
    flow.set_node_supply(1, -supply)
    if flow.solve() != flow.OPTIMAL:
        return None, {}
    got = np.array([flow.flow(a) for a in profit_arcs], dtype=np.float64)
    # optimal for the rounded profits; any flow gains at most 1/scale per minute more under the
    # exact ones, on each side of the comparison, hence the margin
    margin = 2 * float(served.sum()) * (float(profit.max()) / scale) + 1e-9
    shares = {
        (v, w): flow.flow(arc) / c.visits[v].duration
        for (v, w), arc in pair_arcs.items()
        if flow.flow(arc) > 0
    }
    return float(got @ profit) + margin, shares


def _full_lp(c: Compiled, deadline: float) -> tuple[float | None, Shares]:
    """The full relaxation with its side constraints (rule 11's ``share <= covered``, and
    rule 10 for the people whose circle places can run out)."""
    rows = _Rows()
    weekly: dict[int, list[tuple[int, int]]] = defaultdict(list)
    daily: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
    newcomer_shares: dict[tuple[int, int], list[int]] = defaultdict(list)
    share_of: dict[tuple[int, int], int] = {}
    for v in c.visits:
        cands = c.candidates[v.index]
        low = 1.0 if v.pinned else 0.0
        high = 1.0 if len(cands) >= v.needed else 0.0
        if low > high:
            return None, {}
        covered = rows.variable(c.people[v.person].need, low, high)
        if high == 0.0:
            continue
        shares = []
        for cand in cands:
            share = rows.variable(0.0, 0.0, 1.0)
            share_of[(v.index, cand.volunteer)] = share
            shares.append(share)
            if v.needed > 1:
                rows.at_most([share, covered], [1.0, -1.0], 0.0)
            weekly[cand.volunteer].append((v.duration, share))
            daily[(cand.volunteer, v.day)].append((v.duration, share))
            if not cand.in_circle:
                newcomer_shares[(v.person, cand.volunteer)].append(share)
        rows.equal([*shares, covered], [1.0] * len(shares) + [-float(v.needed)], 0.0)
    for w, items in weekly.items():
        limit = c.volunteers[w].max_minutes
        if sum(d for d, _ in items) > limit:
            rows.at_most([x for _, x in items], [float(d) for d, _ in items], float(limit))
    for (w, day), items in daily.items():
        windows = c.volunteers[w].windows.get(day, ())
        available = min(c.volunteers[w].max_minutes, _union_minutes(windows))
        if sum(d for d, _ in items) > available:
            rows.at_most([x for _, x in items], [float(d) for d, _ in items], float(available))
    by_person: dict[int, list[list[int]]] = defaultdict(list)
    for (p, _), shares in newcomer_shares.items():
        by_person[p].append(shares)
    for p, groups in by_person.items():
        room = max(0, c.people[p].circle_max - len(c.people[p].circle))
        if len(groups) <= room or sum(c.visits[v].needed for v in c.people[p].visits) <= room:
            continue  # never binds: there are not that many newcomers to choose
        news = []
        for shares in groups:
            new = rows.variable(0.0, 0.0, 1.0)
            news.append(new)
            for share in shares:
                rows.at_most([share, new], [1.0, -1.0], 0.0)
        rows.at_most(news, [1.0] * len(news), float(room))
    value, x = _maximise(rows, deadline)
    if value is None:
        return None, {}
    return value, {key: float(x[i]) for key, i in share_of.items() if x[i] > 1e-6}


def _aggregate_lp(c: Compiled, deadline: float) -> tuple[float | None, FloatArray]:
    rows = _Rows()
    per_day: dict[tuple[int, bool], list[tuple[int, int]]] = defaultdict(list)
    everything = []
    for v in c.visits:
        low = 1.0 if v.pinned else 0.0
        high = 1.0 if c.eligible_counts[v.index] >= v.needed else 0.0
        if low > high:
            return None, np.zeros(0)
        covered = rows.variable(c.people[v.person].need, low, high)
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
        rows.at_most([x for _, x in items], [float(m) for m, _ in items], float(capacity[key]))
    if everything:
        rows.at_most([x for _, x in everything], [float(m) for m, _ in everything], float(week))
    return _maximise(rows, deadline)
