"""A proven upper bound on need-weighted coverage, from a linear relaxation (HiGHS via scipy).

Full relaxation (when every eligible pair is known and there are not too many): variables
``covered[v]`` in [0, 1] and ``share[v, w]`` in [0, 1] for every pair allowed by rules 1-7, with

- ``sum_w share[v, w] = volunteers_needed * covered[v]`` and ``share[v, w] <= covered[v]``
  (rule 11, relaxed);
- per volunteer, ``sum duration * share <= max_minutes`` (rule 9), and the same knapsack with
  rounded weights (``rounded_knapsacks``: a 60-minute volunteer does one 45-minute visit, not
  one and a third);
- per volunteer and day, ``sum duration * share <=`` the minutes of the day's availability
  (rules 1 and 8), and the same with rounded weights;
- per volunteer and stretch of a day (``stretch_knapsacks``, weeks of at most
  ``STRETCH_ROWS_UP_TO`` pairs): the visits that must start and end inside the stretch fit its
  free minutes, and its length with the least travel between two of them counted between each
  two in a row (rules 1, 2 and 8); and in the same rows, at most one of two visits the
  volunteer cannot do one after the other in either order (``conflicts``);
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

The rounded and stretch rows hold for every real week of a volunteer, so the LP stays a
relaxation; they cut off fractional weeks the plain rows allow, and so also give the Lagrangian
step below better dual values. The full relaxation is then tightened with those dual values
(``_lagrangian_bound``, a Lagrangian bound): each volunteer's shares are replaced by the best
week that volunteer can really do (solver/schedules.py: visits in sequence inside their windows
with travel between them, within the weekly minutes), which is what the LP's fractional shares
overstate when a volunteer's visits cannot all fit one after another.

The integer relaxation (``integer_relaxation``, run by solver/solve.py on big weeks of up to
``STRETCH_ROWS_UP_TO`` pairs beside the search's budget): the same rows with the day's rows and
``conflicts`` (two visits of a volunteer's day that cannot be done one after the other either
way), every variable whole, by HiGHS's branch and bound. Its dual bound reaches below any bound
over one volunteer's week at a time (three volunteers free for an hour make one pair for a
two-volunteer visit, not one and a half), and its best whole solution guides a rota.

Whichever of those ran, the slot-flow relaxation (solver/slots.py) is solved too, over the
visits with enough eligible volunteers, and the lower of the two is reported. It keeps *when*
volunteers are free, which the aggregate relaxation sums away (benchmarks/SOLVER.md has what
each part gives on the generated weeks).
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from scipy.optimize import Bounds, LinearConstraint, OptimizeResult, linprog, milp
from scipy.sparse import coo_matrix, csr_matrix

from solver.compiled import CompiledWeek
from solver.schedules import Offer, best_week
from solver.slots import SlotVisit, SlotVolunteer, slot_flow

FULL_FLOW_PAIRS = 2_000_000
FULL_LP_PAIRS = 150_000
# Up to this many pairs a second full LP with each volunteer's day's rows: on the M plentiful
# week (56,000 pairs) it doubled the LP's time and lowered the bound by nothing
STRETCH_ROWS_UP_TO = 30_000

# HiGHS's dual bound holds up to its tolerances (1e-6 on each row): this much need is added
INTEGER_MARGIN = 1e-3

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


def need_weighted_upper_bound(
    compiled: CompiledWeek, *, complete: bool, time_limit: float
) -> float:
    """An upper bound on need-weighted coverage (1.0 when there is no need at all)."""
    return relax(compiled, complete=complete, time_limit=time_limit).need_weighted_upper_bound


def relax(
    compiled: CompiledWeek,
    *,
    complete: bool,
    time_limit: float,
    tighten: bool = True,
    day_rows: bool = True,
) -> Relaxation:
    """Solve the relaxations that fit: the full flow, the full LP, else the aggregate LP.

    ``tighten``: the full LP with rounded knapsacks and each volunteer's week priced exactly
    (see ``_lagrangian_bound``), then, on weeks of at most ``STRETCH_ROWS_UP_TO`` pairs and
    while time is left, the same with the day's rows too (``stretch_knapsacks``), the lower
    bound kept; off, the plain full LP (for comparison). The shares that guide a rota come from
    the first full LP.
    """
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
            tighter, lp_shares = _full_lp(c, deadline, tighten)
            if tighter is not None:
                value = tighter if value is None else min(value, tighter)
                shares = lp_shares
    elif pairs <= FULL_FLOW_PAIRS:
        _, shares = _flow_bound(c)  # over the candidates kept: a guide, not a bound
    if value is None:
        value, _ = _aggregate_lp(c, deadline)
    if value is not None:
        best = min(best, value)
    if time.monotonic() < deadline:
        best = min(best, _slot_flow_bound(c))
    stretch = complete and tighten and day_rows and pairs <= STRETCH_ROWS_UP_TO
    if stretch and time.monotonic() < deadline:
        stretched, _ = _full_lp(c, deadline, tighten, days=True)
        if stretched is not None:
            best = min(best, stretched)
    return Relaxation(min(1.0, best / total + 1e-9), shares)


def _slot_flow_bound(c: CompiledWeek) -> float:
    """The most need any rota covers by the slot-flow relaxation (solver/slots.py), over the
    visits that have enough eligible volunteers (no rota covers the others)."""
    visits = [
        SlotVisit(
            v.day,
            v.earliest,
            v.latest,
            v.duration,
            v.needed,
            v.requires_check,
            c.people[v.person].need,
        )
        for v in c.visits
        if c.eligible_counts[v.index] >= v.needed
    ]
    volunteers = [
        SlotVolunteer(
            tuple(
                (day, start, end) for day, windows in w.windows.items() for start, end in windows
            ),
            w.max_minutes,
            w.checked,
        )
        for w in c.volunteers
    ]
    try:
        flow = slot_flow(c.grid, volunteers, visits)
    except RuntimeError:  # OR-Tools did not solve it: no bound from here, not a failed solve
        return math.inf
    return _with_margin(flow.need_weighted_bound * sum(v.need for v in visits))


@dataclass
class _LinearProgram:
    """A sparse linear program being built: ``maximise profit.x``, ``A x <= b``, ``E x = f``."""

    profit: list[float] = field(default_factory=list)
    bonus: list[float] = field(default_factory=list)  # the contract's part beside coverage
    lower: list[float] = field(default_factory=list)
    upper: list[float] = field(default_factory=list)
    ub_rows: list[int] = field(default_factory=list)
    ub_cols: list[int] = field(default_factory=list)
    ub_vals: list[float] = field(default_factory=list)
    ub_rhs: list[float] = field(default_factory=list)
    ub_owner: list[int] = field(default_factory=list)  # the volunteer a row is about, else -1
    eq_rows: list[int] = field(default_factory=list)
    eq_cols: list[int] = field(default_factory=list)
    eq_vals: list[float] = field(default_factory=list)
    eq_rhs: list[float] = field(default_factory=list)

    def variable(self, profit: float, lower: float, upper: float, bonus: float = 0.0) -> int:
        self.profit.append(profit)
        self.bonus.append(bonus)
        self.lower.append(lower)
        self.upper.append(upper)
        return len(self.profit) - 1

    def at_most(self, cols: list[int], vals: list[float], rhs: float, owner: int = -1) -> None:
        row = len(self.ub_rhs)
        self.ub_rows.extend([row] * len(cols))
        self.ub_cols.extend(cols)
        self.ub_vals.extend(vals)
        self.ub_rhs.append(rhs)
        self.ub_owner.append(owner)

    def matrices(self) -> tuple[csr_matrix, csr_matrix]:
        """The ``<=`` rows' and the equality rows' coefficients, as sparse matrices."""
        n = len(self.profit)
        a_ub = coo_matrix(
            (self.ub_vals, (self.ub_rows, self.ub_cols)), shape=(len(self.ub_rhs), n)
        ).tocsr()
        a_eq = coo_matrix(
            (self.eq_vals, (self.eq_rows, self.eq_cols)), shape=(len(self.eq_rhs), n)
        ).tocsr()
        return a_ub, a_eq

    def equal(self, cols: list[int], vals: list[float], rhs: float) -> None:
        row = len(self.eq_rhs)
        self.eq_rows.extend([row] * len(cols))
        self.eq_cols.extend(cols)
        self.eq_vals.extend(vals)
        self.eq_rhs.append(rhs)


@dataclass
class _SolvedProgram:
    """A linear program solved by HiGHS: its solution and dual values, and the arrays."""

    x: FloatArray
    y: FloatArray  # >= 0, one per <= row
    z: FloatArray  # one per equality row
    profit: FloatArray
    lower: FloatArray
    upper: FloatArray
    a_ub: csr_matrix
    a_eq: csr_matrix
    b_ub: FloatArray
    b_eq: FloatArray
    b_owner: list[int]

    def weak_duality_bound(self) -> float:
        """``y.b + sum over variables of max(reduced profit * upper, reduced profit * lower)``:
        an upper bound on the LP's maximum for any ``y >= 0`` and any ``z``."""
        reduced = self.profit - self.a_ub.T @ self.y - self.a_eq.T @ self.z
        return float(
            self.y @ self.b_ub
            + self.z @ self.b_eq
            + np.sum(np.maximum(reduced * self.upper, reduced * self.lower))
        )


def _solve_with_highs(rows: _LinearProgram, deadline: float) -> _SolvedProgram | None:
    """HiGHS's solution and duals, or None if it failed (or ran out of time)."""
    profit = np.array(rows.profit)
    lower = np.array(rows.lower)
    upper = np.array(rows.upper)
    a_ub, a_eq = rows.matrices()
    b_ub = np.array(rows.ub_rhs, dtype=float)
    b_eq = np.array(rows.eq_rhs, dtype=float)
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
        return None
    y = np.zeros(len(b_ub))
    z = np.zeros(len(b_eq))
    if len(b_ub):
        y = np.maximum(0.0, -np.asarray(result.ineqlin.marginals, dtype=float))
    if len(b_eq):
        z = -np.asarray(result.eqlin.marginals, dtype=float)
    x = np.asarray(result.x, dtype=float)
    return _SolvedProgram(x, y, z, profit, lower, upper, a_ub, a_eq, b_ub, b_eq, rows.ub_owner)


def _maximise(rows: _LinearProgram, deadline: float) -> tuple[float | None, FloatArray]:
    """A proven upper bound on the LP's maximum (weak duality) and HiGHS's solution; None and
    an empty solution if HiGHS failed."""
    if not rows.profit:
        return 0.0, np.zeros(0)
    solved = _solve_with_highs(rows, deadline)
    if solved is None:
        return None, np.zeros(0)
    return _with_margin(solved.weak_duality_bound()), solved.x


def _with_margin(value: float) -> float:
    return value * (1 + 1e-9) + 1e-7


def _flow_bound(c: CompiledWeek) -> tuple[float | None, Shares]:
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


def _full_lp(
    c: CompiledWeek, deadline: float, tighten: bool, days: bool = False
) -> tuple[float | None, Shares]:
    """The full relaxation with its side constraints (rule 11's ``share <= covered``, and
    rule 10 for the people whose circle places can run out); ``days``: with each volunteer's
    day's rounded knapsacks and ``stretch_knapsacks`` too."""
    built = _full_rows(c, tighten, days)
    if built is None:
        return None, {}
    rows, share_of = built
    solved = _solve_with_highs(rows, deadline)
    if solved is None:
        return None, {}
    value = _with_margin(solved.weak_duality_bound())
    if tighten:
        value = min(value, _lagrangian_bound(c, solved, share_of, deadline))
    x = solved.x
    return value, {key: float(x[i]) for key, i in share_of.items() if x[i] > 1e-6}


def _full_rows(
    c: CompiledWeek, tighten: bool, days: bool, contract: bool = False
) -> tuple[_LinearProgram, dict[tuple[int, int], int]] | None:
    """The rows of ``_full_lp`` and each pair's share column; None if pins cannot hold.

    ``contract``: also the contract's assignment part beside coverage, in units of coverage,
    as each column's ``bonus`` (a circle member's share earns ``continuity / coverage``, each
    newcomer costs ``new_member / coverage``; so every newcomer gets a column), for a rota."""
    rows = _LinearProgram()
    circle_profit = c.continuity / c.coverage if contract and c.coverage else 0.0
    new_cost = c.new_member / c.coverage if contract and c.coverage else 0.0
    weekly: dict[int, list[tuple[int, int]]] = defaultdict(list)
    daily: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
    spans: dict[tuple[int, int], list[_Span]] = defaultdict(list)
    newcomer_shares: dict[tuple[int, int], list[int]] = defaultdict(list)
    share_of: dict[tuple[int, int], int] = {}
    for v in c.visits:
        cands = c.candidates[v.index]
        low = 1.0 if v.pinned else 0.0
        high = 1.0 if len(cands) >= v.needed else 0.0
        if low > high:
            return None
        covered = rows.variable(c.people[v.person].need, low, high)
        if high == 0.0:
            continue
        shares = []
        for cand in cands:
            share = rows.variable(0.0, 0.0, 1.0, circle_profit if cand.in_circle else 0.0)
            share_of[(v.index, cand.volunteer)] = share
            shares.append(share)
            if v.needed > 1:
                rows.at_most([share, covered], [1.0, -1.0], 0.0)
            weekly[cand.volunteer].append((v.duration, share))
            daily[(cand.volunteer, v.day)].append((v.duration, share))
            spans[(cand.volunteer, v.day)].append(
                _Span(cand.starts[0], cand.starts[-1] + v.duration, v.duration, share, v.index)
            )
            if not cand.in_circle:
                newcomer_shares[(v.person, cand.volunteer)].append(share)
        rows.equal([*shares, covered], [1.0] * len(shares) + [-float(v.needed)], 0.0)
    for w, items in weekly.items():
        limit = c.volunteers[w].max_minutes
        if sum(d for d, _ in items) > limit:
            rows.at_most([x for _, x in items], [float(d) for d, _ in items], float(limit), w)
            for weights, room in rounded_knapsacks([d for d, _ in items], limit, tighten):
                rows.at_most([x for _, x in items], weights, room, w)
    for (w, day), items in daily.items():
        windows = c.volunteers[w].windows.get(day, ())
        available = min(c.volunteers[w].max_minutes, _union_minutes(windows))
        if sum(d for d, _ in items) > available:
            rows.at_most([x for _, x in items], [float(d) for d, _ in items], float(available), w)
            if days and available > 0:
                for weights, room in rounded_knapsacks([d for d, _ in items], available, tighten):
                    rows.at_most([x for _, x in items], weights, room, w)
        if tighten and days:
            for cols, weights, room in stretch_knapsacks(c, w, day, spans[(w, day)], available):
                rows.at_most(cols, weights, room, w)
            for a, b in conflicts(c, spans[(w, day)]):
                rows.at_most([a.share, b.share], [1.0, 1.0], 1.0, w)
    by_person: dict[int, list[list[int]]] = defaultdict(list)
    for (p, _), shares in newcomer_shares.items():
        by_person[p].append(shares)
    for p, groups in by_person.items():
        room = max(0, c.people[p].circle_max - len(c.people[p].circle))
        binds = len(groups) > room and sum(c.visits[v].needed for v in c.people[p].visits) > room
        if not binds and not new_cost:
            continue  # never binds: there are not that many newcomers to choose
        news = []
        for shares in groups:
            new = rows.variable(0.0, 0.0, 1.0, -new_cost)
            news.append(new)
            for share in shares:
                rows.at_most([share, new], [1.0, -1.0], 0.0)
        if binds:
            rows.at_most(news, [1.0] * len(news), float(room))
    return rows, share_of


@dataclass
class WholeRelaxation:
    """``integer_relaxation``'s bound on coverage (None if HiGHS gave none in time), and the
    pairs (visit, volunteer) -> 1.0 of its best whole solutions, empty where it found none:
    ``chosen`` by the contract's assignment part, ``covering`` by coverage alone."""

    need_weighted_upper_bound: float | None
    chosen: Shares = field(default_factory=dict)
    covering: Shares = field(default_factory=dict)


def integer_relaxation(compiled: CompiledWeek, *, time_limit: float) -> WholeRelaxation:
    """The full relaxation with the day's rows (``_full_lp`` with ``days``), every variable
    whole, by HiGHS's branch and bound (scipy's ``milp``) within ``time_limit`` seconds, for two
    objectives side by side, one thread each (HiGHS releases the GIL), on the same rows.

    Coverage: every valid rota is a whole solution of these rows, so the most need they can
    cover bounds what any rota covers, and HiGHS's dual bound (its best bound over the open
    nodes when it stops, the root's cuts included) bounds that, whenever it stops. Rows over
    several volunteers at once (its cuts and branching) reach below the Lagrangian bound over
    volunteers' weeks. The contract's assignment part (``_full_rows`` with ``contract``): its
    best whole solution keeps circles as the contract weighs them, and guides the rota. Each
    gives each visit its volunteers within their weekly, daily and stretch minutes, not yet in
    sequence: ``solver/guided.py``'s ``rota_from_whole`` makes a rota of it. Only for weeks
    whose every eligible pair is known.
    """
    c = compiled
    total = sum(c.people[v.person].need for v in c.visits)
    began = time.monotonic()
    built = _full_rows(c, True, True, contract=True)
    if built is None or total <= 0:
        return WholeRelaxation(None)
    rows, share_of = built
    coverage = np.array(rows.profit)
    model = _WholeModel.of(rows)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="coverage") as beside:
        covering = beside.submit(model.solve, coverage, time_limit - (time.monotonic() - began))
        contract = model.solve(
            coverage + np.array(rows.bonus), time_limit - (time.monotonic() - began)
        )
        covered = covering.result()
    bound = None
    if covered is not None:
        dual = covered.get("mip_dual_bound")
        if dual is not None and math.isfinite(dual):
            bound = min(1.0, (_with_margin(-float(dual)) + INTEGER_MARGIN) / total)
    return WholeRelaxation(bound, _whole_pairs(contract, share_of), _whole_pairs(covered, share_of))


@dataclass(frozen=True)
class _WholeModel:
    """``rows`` as HiGHS's branch and bound takes them, built once for both objectives."""

    constraints: list[LinearConstraint]
    bounds: Bounds

    @classmethod
    def of(cls, rows: _LinearProgram) -> _WholeModel:
        a_ub, a_eq = rows.matrices()
        constraints = [LinearConstraint(a_ub, -np.inf, np.array(rows.ub_rhs))]
        if len(rows.eq_rhs):
            equal = np.array(rows.eq_rhs)
            constraints.append(LinearConstraint(a_eq, equal, equal))
        return cls(constraints, Bounds(np.array(rows.lower), np.array(rows.upper)))

    def solve(self, objective: FloatArray, left: float) -> OptimizeResult | None:
        """HiGHS's branch and bound maximising ``objective``, every variable whole, within
        ``left`` seconds (None if there is no time)."""
        if left <= 0.1:
            return None
        return milp(
            -objective,
            constraints=self.constraints,
            integrality=np.ones(len(objective)),
            bounds=self.bounds,
            options={"time_limit": left},
        )


def _whole_pairs(result: OptimizeResult | None, share_of: dict[tuple[int, int], int]) -> Shares:
    """The pairs whose share is 1 in HiGHS's best whole solution (none if it found none)."""
    if result is None or result.x is None:
        return {}
    x = np.asarray(result.x, dtype=float)
    return {key: 1.0 for key, i in share_of.items() if x[i] > 0.5}


def _lagrangian_bound(
    c: CompiledWeek, solved: _SolvedProgram, share_of: dict[tuple[int, int], int], deadline: float
) -> float:
    """The Lagrangian bound from the LP's dual values, each volunteer's week priced exactly.

    Keep the LP's dual values ``y``, ``z`` on every row but a volunteer's own (weekly, daily and
    rounded knapsacks), and let each volunteer's shares be any week that volunteer can really
    do (solver/schedules.py): every valid rota is such a choice, so
    ``y.b + z.f + sum over covered/newcomer variables of max(reduced * upper, reduced * lower)
    + sum over volunteers of their best week at the reduced profits`` is at least its need,
    for any ``y >= 0``. A volunteer whose week is not priced (time, or too many sequences) counts
    with the LP's own weak-duality term for their rows, which bounds their best week too; so
    this is never above the LP bound, and lower where a volunteer's LP shares are no real week.
    """
    mine = np.array([owner >= 0 for owner in solved.b_owner], dtype=bool)
    y_shared = np.where(mine, 0.0, solved.y)
    reduced = solved.profit - solved.a_ub.T @ y_shared - solved.a_eq.T @ solved.z
    full = reduced - solved.a_ub.T @ np.where(mine, solved.y, 0.0)
    is_share = np.zeros(len(solved.profit), dtype=bool)
    by_volunteer: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for (v, w), col in share_of.items():
        is_share[col] = True
        by_volunteer[w].append((v, col))
    own_rows: dict[int, float] = defaultdict(float)
    for row, owner in enumerate(solved.b_owner):
        if owner >= 0:
            own_rows[owner] += float(solved.y[row] * solved.b_ub[row])
    others = np.where(is_share, 0.0, np.maximum(reduced * solved.upper, reduced * solved.lower))
    total = float(y_shared @ solved.b_ub + solved.z @ solved.b_eq + others.sum())
    starts = {(cand.visit, cand.volunteer): cand.starts for cands in c.candidates for cand in cands}
    lp_terms = {
        w: own_rows[w] + float(sum(max(0.0, full[col]) for _, col in pairs))
        for w, pairs in by_volunteer.items()
    }
    for w in sorted(lp_terms, key=lambda w: (-lp_terms[w], w)):  # the most to gain first
        pairs, lp_term = by_volunteer[w], lp_terms[w]
        week = None
        if time.monotonic() < deadline:
            offers = [
                Offer(v, float(reduced[col]), c.visits[v].duration, c.visits[v].day, starts[v, w])
                for v, col in pairs
                if reduced[col] > 0
            ]
            week = best_week(offers, max_minutes=c.volunteers[w].max_minutes, travel=c.travel)
        total += lp_term if week is None else min(lp_term, week)
    return _with_margin(total)


@dataclass(frozen=True, slots=True)
class _Span:
    """A candidate's visit on a volunteer's day: its first start and last end for them."""

    first: int
    last_end: int
    duration: int
    share: int  # the share's column in the LP
    visit: int


def conflicts(c: CompiledWeek, spans: list[_Span]) -> list[tuple[_Span, _Span]]:
    """The pairs of a volunteer's day's visits that they cannot do both of, in either order:
    the second cannot start by its last start after the first, begun at its first start, and
    the travel between them (rules 1, 2 and 8). Exact for two visits, so ``a + b <= 1`` holds
    for every real day."""
    out = []
    for i, a in enumerate(spans):
        for b in spans[i + 1 :]:
            if a.visit == b.visit:
                continue
            a_then_b = a.first + a.duration + c.travel(a.visit, b.visit) <= b.last_end - b.duration
            b_then_a = b.first + b.duration + c.travel(b.visit, a.visit) <= a.last_end - a.duration
            if not a_then_b and not b_then_a:
                out.append((a, b))
    return out


def stretch_knapsacks(
    c: CompiledWeek, w: int, day: int, spans: list[_Span], available: int
) -> list[tuple[list[int], list[float], float]]:
    """Valid rows ``sum weights * share <= room`` for one volunteer's day, from its stretches.

    For a stretch ``[a, b]`` (a candidate's first start to a candidate's last end), the visits
    that start and end inside it whatever start they get are done one after another inside it:
    their minutes fit the volunteer's free minutes in the stretch (and the day's
    ``available``), and their minutes plus the travel between consecutive ones fit ``b - a``;
    each such trip takes at least ``gap``, the least travel between two of them, so
    ``sum (duration + gap) * share <= b - a + gap`` (travel may fall outside the volunteer's
    free time, so the gaps count against the stretch, never against the free minutes). Only
    rows the day's own row does not already imply.
    """
    if len(spans) < 2:
        return []
    spans = sorted(spans, key=lambda s: (s.last_end, s.first))
    firsts = np.array([s.first for s in spans])
    ends = np.array([s.last_end for s in spans])
    durations = np.array([s.duration for s in spans], dtype=float)
    _, travel = c.travel_table([s.visit for s in spans])
    windows = c.volunteers[w].windows.get(day, ())
    out: list[tuple[list[int], list[float], float]] = []
    for a in sorted(set(firsts.tolist()), reverse=True):
        inside = np.flatnonzero(firsts >= a)  # in order of last end
        n = len(inside)
        if n < 2:
            continue
        pairwise = travel[np.ix_(inside, inside)].astype(float)
        pairwise[np.triu_indices(n)] = np.inf
        gaps = np.minimum.accumulate(pairwise.min(axis=1))  # least travel among the first j + 1
        minutes = np.cumsum(durations[inside])
        earliest = np.minimum.accumulate(firsts[inside])
        for j in range(1, n):
            b = int(ends[inside[j]])
            if j + 1 < n and ends[inside[j + 1]] == b:
                continue  # the stretch to b holds the next one too
            if earliest[j] > a:
                continue  # the same visits as from a later a, whose narrower stretch is tighter
            cols = [spans[i].share for i in inside[: j + 1]]
            room = min(available, _minutes_within(windows, a, b))
            if minutes[j] > room and room < available:
                out.append((cols, durations[inside[: j + 1]].tolist(), float(room)))
            gap = float(gaps[j])
            if gap > 0 and minutes[j] + gap * j > b - a:  # else the row above is tighter
                weights = (durations[inside[: j + 1]] + gap).tolist()
                out.append((cols, weights, float(b - a + gap)))
    return out


def _minutes_within(windows: tuple[tuple[int, int], ...], a: int, b: int) -> int:
    """The minutes of ``[a, b]`` that some window covers."""
    inside = tuple((max(s, a), min(e, b)) for s, e in windows if min(e, b) > max(s, a))
    return _union_minutes(inside)


def rounded_knapsacks(
    durations: list[int], limit: int, wanted: bool = True
) -> list[tuple[list[float], float]]:
    """Valid inequalities ``sum weights * share <= room`` for one volunteer's weekly minutes.

    Weights come from the dual-feasible functions ``u_k`` of Fekete and Schepers
    (``u_k(x) = x`` where ``(k + 1) x`` is whole, else ``floor((k + 1) x) / k``) applied to
    ``duration / limit``; the room is not taken from the theory but computed: the most
    ``sum weights`` any set of these visits within ``limit`` minutes reaches, so each row holds
    for every real week whatever the weights. Only rows that differ from the plain knapsack.
    """
    if not wanted:
        return []
    counts: dict[int, int] = defaultdict(int)
    for d in durations:
        counts[d] += 1
    kinds = sorted(counts)
    out = []
    for k in (1, 2, 3):
        weight = {d: _rounded(d / limit, k) for d in kinds}
        if all(abs(weight[d] - d / limit) < 1e-12 for d in kinds):
            continue
        room = _best_knapsack_fill(kinds, counts, weight, limit)
        if room < sum(weight[d] * counts[d] for d in kinds) - 1e-9:
            out.append(([weight[d] for d in durations], room))
    return out


def _rounded(x: float, k: int) -> float:
    scaled = (k + 1) * x
    if abs(scaled - round(scaled)) < 1e-9:
        return x
    return math.floor(scaled) / k


def _best_knapsack_fill(
    kinds: list[int], counts: dict[int, int], weight: dict[int, float], limit: int
) -> float:
    """The largest ``sum weight * n`` over whole ``n[d] <= counts[d]`` within ``limit``."""
    best = {0: 0.0}  # minutes -> most weight
    for d in kinds:
        grown = dict(best)
        for used, value in best.items():
            for n in range(1, counts[d] + 1):
                minutes = used + n * d
                if minutes > limit:
                    break
                if grown.get(minutes, -1.0) < value + n * weight[d]:
                    grown[minutes] = value + n * weight[d]
        best = grown
    return max(best.values())


def _aggregate_lp(c: CompiledWeek, deadline: float) -> tuple[float | None, FloatArray]:
    rows = _LinearProgram()
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
