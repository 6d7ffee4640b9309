"""The CP-SAT model: all twelve hard rules and the contract's objective, exactly.

Variables (keyed by domain indices, as in OR-Tools' shift_scheduling_sat example):

- ``assign[(visit, volunteer)]`` for every candidate pair (rules 1-7 already hold for it);
- ``start[visit]`` on the grid, shared by the visit's volunteers (rule 11), restricted to the
  candidate's allowed starts when that volunteer is assigned (rules 1-2);
- ``covered[visit]``: ``sum(assign) == volunteers_needed * covered`` (rule 11), pins fixed (12);
- ``newcomer[(person, volunteer)]`` for volunteers outside the current circle (rule 10 and the
  new-member penalty).

Rule 8, per volunteer and day: starts are on the grid, so the least separation ``gap[a, b]``
between starts when ``a`` comes first is duration plus travel rounded up to the grid. Each visit
is an optional interval as long as its shortest separation to another of the day's visits, under
one ``AddNoOverlap``; only pairs whose separation is longer than that (people further apart than
one grid step of travel) get their own enforced precedence, with an ``order`` literal shared by
every volunteer who could do both when either order can happen; two visits that cannot both fit
get an at-most-one clause. Span knapsacks (solver/capacity.py) give the LP the day's capacity.
With CP-SAT's level-2 linearisation this proves small weeks in seconds (the earlier per-day
``AddCircuit`` model with precedence on every arc could not prove them in minutes).

Travel km, when weighted, uses ``follows[(volunteer, a, b)]`` arcs, only where ``a`` can come
before ``b``: each assigned visit has at most one successor and one predecessor, and a day's arcs
number its visits minus one. Arcs point forward in time, so they form one path in start order
and their km is exactly the km between consecutive visits. Fairness (max minus min minutes over
volunteers with any visit) is exact too.

The model is built for a *neighbourhood*: ``free`` visits are decided, every other assignment in
``fixed`` stays. A fixed visit removes the starts it clashes with from the candidates of its
volunteer's day, and enters the weekly load, circle places, travel path and fairness as
constants, so the model's objective differs from the whole rota's by a constant. The whole
problem is the neighbourhood with every visit free.

``Goal`` chooses what is maximised: the contract's objective; only its assignment part
(coverage + continuity - new members), which CP-SAT proves much faster and which bounds the
contract's objective from above (travel and fairness only ever subtract); or, for the
neighbourhood search, everything but travel (no arcs) plus a tiny reward for keeping the hint's
assignments. ``floor`` adds
``assignment part >= floor``; any rota whose contract objective is at least ``floor`` meets it,
so adding it never cuts off a rota better than an incumbent of that value.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt
from ortools.sat.python import cp_model

from solver import eligibility as rules
from solver.capacity import day_knapsacks
from solver.compiled import CompiledWeek
from solver.greedy import Rota

SCALE = 1000  # need and km are scaled to integers (thousandths)

Goal = Literal["contract", "assignment", "search"]
BoolVar = cp_model.BoolVarT  # a Boolean variable or its negation


@dataclass
class NeighbourhoodResult:
    """The outcome of solving one neighbourhood (objective and bound in the file's units)."""

    rota: Rota  # the decided free visits only
    status: str  # OPTIMAL, FEASIBLE, INFEASIBLE, UNKNOWN
    objective: float
    bound: float
    deterministic_time: float = 0.0


@dataclass
class _Node:
    """A visit on one volunteer's day: free (decided by the model) or fixed."""

    visit: int
    present: cp_model.IntVar | int  # the assign literal, or 1 for a fixed visit
    low: int  # earliest possible start for this volunteer
    high: int  # latest possible start for this volunteer
    start: cp_model.IntVar | int


@dataclass
class NeighbourhoodModel:
    """A built model with its variables, and the terms of the objective (scaled)."""

    model: cp_model.CpModel
    free: list[int]
    assign: dict[tuple[int, int], cp_model.IntVar] = field(default_factory=dict)
    start: dict[int, cp_model.IntVar] = field(default_factory=dict)
    covered: dict[int, cp_model.IntVar] = field(default_factory=dict)
    newcomer: dict[tuple[int, int], cp_model.IntVar] = field(default_factory=dict)
    order: dict[tuple[int, int], cp_model.IntVar] = field(default_factory=dict)
    follows: dict[tuple[int, int, int], cp_model.IntVar] = field(default_factory=dict)
    day_used: dict[tuple[int, int], cp_model.IntVar] = field(default_factory=dict)
    volunteer_used: dict[int, cp_model.IntVar] = field(default_factory=dict)
    assignment_terms: list[cp_model.LinearExprT] = field(default_factory=list)
    cost_terms: list[cp_model.LinearExprT] = field(default_factory=list)
    infeasible: bool = False

    def assignment_part(self) -> cp_model.LinearExpr:
        return cp_model.LinearExpr.sum(self.assignment_terms)

    def contract_objective(self) -> cp_model.LinearExpr:
        return cp_model.LinearExpr.sum(self.assignment_terms) - cp_model.LinearExpr.sum(
            self.cost_terms
        )


def build_model(
    compiled: CompiledWeek,
    *,
    free: list[int],
    fixed: Rota,
    goal: Goal = "contract",
    others: tuple[int, int] | None = None,
) -> NeighbourhoodModel:
    """Build the model of the ``free`` visits with the rest of ``fixed`` kept as it is.

    ``fixed`` may be only the part of the week the free visits touch (every visit of their
    people and of their candidates); ``others`` is then the least and most minutes of the
    volunteers left out that have any visit, which fairness needs as constants.
    """
    c = compiled
    built = NeighbourhoodModel(model=cp_model.CpModel(), free=list(free))
    model = built.model
    free_set = set(free)
    fixed_load: dict[int, int] = defaultdict(int)
    fixed_days: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
    fixed_serving: dict[int, set[int]] = defaultdict(set)
    for v, (s, vols) in fixed.items():
        if v in free_set:
            continue
        visit = c.visits[v]
        for w in vols:
            fixed_load[w] += visit.duration
            fixed_days[(w, visit.day)].append((v, s))
            fixed_serving[visit.person].add(w)

    # candidates still possible beside the fixed visits, with their starts
    starts_of: dict[tuple[int, int], tuple[int, ...]] = {}
    for v in free:
        visit = c.visits[v]
        person = c.people[visit.person]
        places = person.circle_max - len(person.circle)
        places -= sum(
            1 for w in fixed_serving[visit.person] if c.volunteers[w].id not in person.circle
        )
        for cand in c.candidates[v]:
            w = cand.volunteer
            if not rules.within_weekly_limit(
                fixed_load[w] + visit.duration, c.volunteers[w].max_minutes
            ):
                continue
            if not cand.in_circle and w not in fixed_serving[visit.person] and places <= 0:
                continue
            starts = cand.starts
            for u, s_u in fixed_days.get((w, visit.day), ()):
                after = s_u + c.visits[u].duration + c.travel(u, v)
                before = s_u - visit.duration - c.travel(v, u)
                starts = tuple(s for s in starts if s <= before or s >= after)
            if starts:
                starts_of[(v, w)] = starts

    by_visit: dict[int, list[int]] = defaultdict(list)
    for v, w in starts_of:
        by_visit[v].append(w)
    for v in free:
        visit = c.visits[v]
        able = by_visit.get(v, [])
        if len(able) < visit.needed:
            if visit.pinned:
                built.infeasible = True
            continue
        values = sorted({s for w in able for s in starts_of[(v, w)]})
        start = model.new_int_var_from_domain(cp_model.Domain.from_values(values), f"start_{v}")
        built.start[v] = start
        covered = model.new_bool_var(f"covered_{v}")
        built.covered[v] = covered
        xs = []
        for w in able:
            x = model.new_bool_var(f"assign_{v}_{w}")
            built.assign[(v, w)] = x
            xs.append(x)
            own = starts_of[(v, w)]
            if len(own) != len(values):
                if own[-1] - own[0] == c.grid * (len(own) - 1):
                    model.add(start >= own[0]).only_enforce_if(x)
                    model.add(start <= own[-1]).only_enforce_if(x)
                else:
                    model.add_linear_expression_in_domain(
                        start, cp_model.Domain.from_values(list(own))
                    ).only_enforce_if(x)
        if visit.needed == 1:
            model.add_exactly_one([*xs, covered.negated()])
        else:
            model.add(sum(xs) == visit.needed * covered)
            for x in xs:
                model.add_implication(x, covered)
        for w in visit.pinned:
            if (v, w) in built.assign:
                model.add(built.assign[(v, w)] == 1)
            else:
                built.infeasible = True
        need = round(c.people[visit.person].need * SCALE)
        built.assignment_terms.append(c.coverage * need * covered)
    if built.infeasible:
        return built

    # weekly load (rule 9) and the continuity reward
    by_volunteer: dict[int, list[tuple[int, cp_model.IntVar]]] = defaultdict(list)
    for (v, w), x in built.assign.items():
        by_volunteer[w].append((v, x))
        if c.volunteers[w].id in c.people[c.visits[v].person].circle and c.continuity:
            built.assignment_terms.append(c.continuity * SCALE * x)
    for w, items in by_volunteer.items():
        room = c.volunteers[w].max_minutes - fixed_load[w]
        if sum(c.visits[v].duration for v, _ in items) > room:
            model.add(sum(c.visits[v].duration * x for v, x in items) <= room)

    # circle size (rule 10) and the new-member penalty
    by_pair: dict[tuple[int, int], list[cp_model.IntVar]] = defaultdict(list)
    for (v, w), x in built.assign.items():
        p = c.visits[v].person
        if c.volunteers[w].id not in c.people[p].circle and w not in fixed_serving[p]:
            by_pair[(p, w)].append(x)
    newcomers: dict[int, list[cp_model.IntVar]] = defaultdict(list)
    for (p, w), xs in by_pair.items():
        y = model.new_bool_var(f"newcomer_{p}_{w}")
        built.newcomer[(p, w)] = y
        for x in xs:
            model.add_implication(x, y)
        newcomers[p].append(y)
        if c.new_member:
            built.assignment_terms.append(-c.new_member * SCALE * y)
    for p, ys in newcomers.items():
        person = c.people[p]
        fixed_new = sum(1 for w in fixed_serving[p] if c.volunteers[w].id not in person.circle)
        room = person.circle_max - len(person.circle) - fixed_new
        if len(ys) > room:
            model.add(sum(ys) <= room)

    # no overlap with travel (rule 8), per volunteer and day
    days: dict[tuple[int, int], list[_Node]] = defaultdict(list)
    for (v, w), x in built.assign.items():
        own = starts_of[(v, w)]
        days[(w, c.visits[v].day)].append(_Node(v, x, own[0], own[-1], built.start[v]))
    with_travel = goal == "contract" and c.travel_km > 0
    tables = _day_tables(c, days, fixed_days if with_travel else {})
    for (w, day), nodes in days.items():
        if len(nodes) < 2 and not (with_travel and fixed_days.get((w, day))):
            continue
        table = tables[day]
        _add_no_overlap(built, c, nodes, table)
        _add_day_energy(built, c, nodes, table)
        if with_travel:
            fixed_nodes = [_Node(u, 1, s, s, s) for u, s in fixed_days.get((w, day), ())]
            _add_travel_path(built, c, w, day, nodes + fixed_nodes, table)

    # fairness: max minus min minutes over volunteers with any visit
    if goal in ("contract", "search") and c.fairness and built.assign:
        _add_fairness(built, c, fixed_load, by_volunteer, others)
    return built


@dataclass
class _DayTable:
    """km and travel minutes between the visits of one day that the model touches."""

    position: dict[int, int]
    km: npt.NDArray[np.float64]
    minutes: npt.NDArray[np.int64]


def _day_tables(
    c: CompiledWeek,
    days: dict[tuple[int, int], list[_Node]],
    fixed_days: dict[tuple[int, int], list[tuple[int, int]]],
) -> dict[int, _DayTable]:
    on_day: dict[int, set[int]] = defaultdict(set)
    for (_, day), nodes in days.items():
        on_day[day].update(n.visit for n in nodes)
    for (_, day), items in fixed_days.items():
        on_day[day].update(u for u, _ in items)
    tables = {}
    for day, visits in on_day.items():
        ordered = sorted(visits)
        km, minutes = c.travel_table(ordered)
        tables[day] = _DayTable({v: i for i, v in enumerate(ordered)}, km, minutes)
    return tables


def _arrays(
    c: CompiledWeek, nodes: list[_Node], table: _DayTable
) -> tuple[npt.NDArray[np.int64], ...]:
    """Positions, earliest and latest starts, durations, and the separation matrix.

    ``gap[a, b]`` is the least ``start_b - start_a`` when ``a`` comes first (rule 8): duration
    plus travel, rounded up to the grid, since every start is on the grid (rule 2).
    """
    pos = np.array([table.position[n.visit] for n in nodes])
    low = np.array([n.low for n in nodes])
    high = np.array([n.high for n in nodes])
    dur = np.array([c.visits[n.visit].duration for n in nodes])
    gap = dur[:, None] + table.minutes[np.ix_(pos, pos)]
    gap = -(-gap // c.grid) * c.grid
    return pos, low, high, dur, gap


def _literal(node: _Node) -> cp_model.IntVar:
    """A free node's assign literal."""
    assert not isinstance(node.present, int)
    return node.present


def _order_literal(built: NeighbourhoodModel, a: _Node, b: _Node) -> BoolVar:
    """The literal that says ``a`` comes before ``b`` (one per pair of visits)."""
    key = (a.visit, b.visit) if a.visit < b.visit else (b.visit, a.visit)
    first = built.order.get(key)
    if first is None:
        first = built.model.new_bool_var(f"order_{key[0]}_{key[1]}")
        built.order[key] = first
    return first if key[0] == a.visit else first.negated()


def _add_no_overlap(
    built: NeighbourhoodModel, c: CompiledWeek, nodes: list[_Node], table: _DayTable
) -> None:
    """Rule 8 between every two free visits of one volunteer's day.

    Each visit is an optional interval as long as its shortest separation to another visit of
    the day (``reach``), under one ``AddNoOverlap``; only pairs whose separation is longer than
    that, in an order that can happen, get their own constraints. Visits close together (travel
    under one grid step) need none.
    """
    n = len(nodes)
    if n < 2:
        return
    model = built.model
    _, low, high, _, gap = _arrays(c, nodes, table)
    reach = (gap + np.where(np.eye(n, dtype=bool), 1 << 30, 0)).min(axis=1)
    model.add_no_overlap(
        [
            model.new_optional_fixed_size_interval_var(
                node.start, int(reach[i]), node.present, f"visit_{node.visit}"
            )
            for i, node in enumerate(nodes)
        ]
    )
    can = low[:, None] + gap <= high[None, :]  # a can come first
    always = high[:, None] + gap <= low[None, :]  # a always comes first, far enough
    covered_by_reach = low[:, None] + reach[:, None] > high[None, :]  # no-overlap forbids a first
    upper = np.triu(np.ones((n, n), dtype=bool), 1)
    never = upper & ~can & ~can.T & ~(covered_by_reach & covered_by_reach.T)
    for i, j in zip(*np.nonzero(never), strict=True):
        model.add_bool_or([~_literal(nodes[i]), ~_literal(nodes[j])])
    needs = can & ~always & (gap > reach[:, None])  # a first needs more than the no-overlap
    one_way = needs & ~(can.T & ~always.T)
    for i, j in zip(*np.nonzero(one_way), strict=True):
        a, b = nodes[i], nodes[j]
        model.add(b.start - a.start >= int(gap[i, j])).only_enforce_if([a.present, b.present])
    # either order can happen: an order literal decides, and both orders are stated
    either = (needs | needs.T) & can & can.T & ~always & ~always.T & upper
    for i, j in zip(*np.nonzero(either), strict=True):
        a, b = nodes[i], nodes[j]
        a_first = _order_literal(built, a, b)
        both = [a.present, b.present]
        model.add(b.start - a.start >= int(gap[i, j])).only_enforce_if([*both, a_first])
        model.add(a.start - b.start >= int(gap[j, i])).only_enforce_if([*both, a_first.negated()])


def _add_day_energy(
    built: NeighbourhoodModel, c: CompiledWeek, nodes: list[_Node], table: _DayTable
) -> None:
    """The day's span knapsacks (solver/capacity.py), for the LP relaxation."""
    if len(nodes) < 2:
        return
    _, low, high, dur, gap = _arrays(c, nodes, table)
    for knapsack in day_knapsacks(low, high, dur, gap):
        built.model.add(
            sum(
                int(weight) * nodes[i].present
                for i, weight in zip(knapsack.members, knapsack.weights, strict=True)
            )
            <= knapsack.room
        )


def _before_literal(built: NeighbourhoodModel, a: _Node, b: _Node) -> BoolVar | None:
    """The order literal that says ``a`` comes before ``b``, if the pair has one."""
    key = (a.visit, b.visit) if a.visit < b.visit else (b.visit, a.visit)
    first = built.order.get(key)
    if first is None:
        return None
    return first if key[0] == a.visit else first.negated()


def _add_travel_path(
    built: NeighbourhoodModel,
    c: CompiledWeek,
    w: int,
    day: int,
    nodes: list[_Node],
    table: _DayTable,
) -> None:
    """The km between consecutive visits of one volunteer's day, exactly (see module doc)."""
    if len(nodes) < 2 or all(isinstance(n.present, int) for n in nodes):
        return  # nothing to decide (all fixed: a constant, left out of the objective)
    model = built.model
    pos, low, high, _, gap = _arrays(c, nodes, table)
    km = table.km[np.ix_(pos, pos)]
    can = (low[:, None] + gap <= high[None, :]) & ~np.eye(len(nodes), dtype=bool)
    fixed = np.array([isinstance(n.present, int) for n in nodes])
    can &= ~(fixed[:, None] & fixed[None, :] & (low[:, None] > low[None, :]))
    outgoing: dict[int, list[cp_model.IntVar]] = defaultdict(list)
    incoming: dict[int, list[cp_model.IntVar]] = defaultdict(list)
    arcs: list[cp_model.IntVar] = []
    for i, j in zip(*np.nonzero(can), strict=True):
        a, b = nodes[i], nodes[j]
        arc = model.new_bool_var(f"follows_{w}_{a.visit}_{b.visit}")
        built.follows[(w, a.visit, b.visit)] = arc
        arcs.append(arc)
        outgoing[i].append(arc)
        incoming[j].append(arc)
        for end in (a, b):
            if not isinstance(end.present, int):
                model.add_implication(arc, end.present)
        before = _before_literal(built, a, b)
        if before is not None:
            model.add_implication(arc, before)
        elif fixed[i] or fixed[j]:
            if high[i] + gap[i, j] > low[j]:
                model.add(b.start - a.start >= int(gap[i, j])).only_enforce_if(arc)
        cost = round(float(km[i, j]) * SCALE)
        if cost:
            built.cost_terms.append(c.travel_km * cost * arc)
    for i, n in enumerate(nodes):
        if outgoing[i]:
            model.add(sum(outgoing[i]) <= n.present)
        if incoming[i]:
            model.add(sum(incoming[i]) <= n.present)
    presents = [n.present for n in nodes]
    if fixed.any():
        model.add(sum(arcs) == sum(presents) - 1)
    else:
        used = model.new_bool_var(f"day_used_{w}_{day}")
        built.day_used[(w, day)] = used
        for n in nodes:
            model.add_implication(_literal(n), used)
        model.add(sum(arcs) == sum(presents) - used)


def _add_fairness(
    built: NeighbourhoodModel,
    c: CompiledWeek,
    fixed_load: dict[int, int],
    by_volunteer: dict[int, list[tuple[int, cp_model.IntVar]]],
    others: tuple[int, int] | None,
) -> None:
    """``fairness * (max - min)`` over volunteers with any visit; outside ones as constants."""
    model = built.model
    outside = [load for w, load in fixed_load.items() if w not in by_volunteer and load > 0]
    if others is not None:
        outside += list(others)
    top = max((w.max_minutes for w in c.volunteers), default=0)
    most = model.new_int_var(0, top, "most_minutes")
    least = model.new_int_var(0, top, "least_minutes")
    model.add(least <= most)
    if outside:
        model.add(most >= max(outside))
        model.add(least <= min(outside))
    for w, items in by_volunteer.items():
        load = fixed_load[w] + sum(c.visits[v].duration * x for v, x in items)
        model.add(most >= load)
        if fixed_load[w] > 0:
            model.add(least <= load)
        else:
            used = model.new_bool_var(f"used_{w}")
            built.volunteer_used[w] = used
            for _, x in items:
                model.add_implication(x, used)
            model.add(least <= load).only_enforce_if(used)
    built.cost_terms.append(c.fairness * SCALE * (most - least))


def add_hints(built: NeighbourhoodModel, c: CompiledWeek, hint: Rota) -> None:
    """Hint every variable from a valid rota (the free visits' part of it)."""
    model = built.model
    # only the hint's part that the model touches: its free visits, and the visits of its
    # volunteers (their days' order and arcs); a neighbourhood's hint is the whole week's rota
    volunteers = {w for _, w in built.assign}
    hint = {
        v: (s, vols)
        for v, (s, vols) in hint.items()
        if v in built.start or not volunteers.isdisjoint(vols)
    }
    chosen = {(v, w) for v, (_, vols) in hint.items() for w in vols}
    when = {v: s for v, (s, _) in hint.items()}
    for v, covered in built.covered.items():
        here = v in hint and all((v, w) in built.assign for w in hint[v][1])
        model.add_hint(covered, here)
        if here:
            model.add_hint(built.start[v], hint[v][0])
    for key, x in built.assign.items():
        model.add_hint(x, key in chosen)
    serving = {(c.visits[v].person, w) for v, w in chosen}
    for key, y in built.newcomer.items():
        model.add_hint(y, key in serving)
    for (a, b), first in built.order.items():
        sa = when.get(a, c.visits[a].earliest)
        sb = when.get(b, c.visits[b].earliest)
        model.add_hint(first, sa < sb or (sa == sb and a < b))
    day_items: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
    for v, (s, vols) in hint.items():
        for w in vols:
            day_items[(w, c.visits[v].day)].append((s, v))
    consecutive: set[tuple[int, int, int]] = set()
    for (w, _), items in day_items.items():
        items.sort()
        consecutive.update((w, a, b) for (_, a), (_, b) in zip(items, items[1:], strict=False))
    for arc_key, arc in built.follows.items():
        model.add_hint(arc, arc_key in consecutive)
    for (w, day), used in built.day_used.items():
        model.add_hint(used, (w, day) in day_items)
    loads = {w for _, w in chosen}
    for w, used in built.volunteer_used.items():
        model.add_hint(used, w in loads)


def solve_model(
    built: NeighbourhoodModel,
    *,
    time_limit: float,
    workers: int = 1,
    seed: int = 0,
    deterministic_limit: float | None = None,
) -> tuple[cp_model.CpSolver, cp_model.CpSolverStatus]:
    """Solve a built model within ``time_limit`` seconds (and deterministic units, if given)."""
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.05, time_limit)
    if deterministic_limit is not None:
        solver.parameters.max_deterministic_time = max(0.01, deterministic_limit)
    solver.parameters.num_workers = max(1, workers)
    solver.parameters.random_seed = seed
    # the LP with the enforced (level 2) linearisation proves the bounds; one round of presolve
    # and light probing leave more time for the search (chosen on the benchmarks' weeks)
    solver.parameters.linearization_level = 2
    solver.parameters.max_presolve_iterations = 1
    solver.parameters.cp_model_probing_level = 1
    if workers > 1:
        # the default two-worker portfolio runs its LP worker at level 1; these two prove
        # the small weeks fastest (the core worker raises the bound from the objective side)
        solver.parameters.subsolvers.extend(["max_lp", "core", "default_lp", "quick_restart"])
    solver.parameters.log_search_progress = False
    code = solver.solve(built.model)
    return solver, code


def rota_of(built: NeighbourhoodModel, solver: cp_model.CpSolver) -> Rota:
    """The free visits' assignments in a solved model."""
    rota: Rota = {}
    vols_of: dict[int, list[int]] = defaultdict(list)
    for (v, w), x in built.assign.items():
        if solver.boolean_value(x):
            vols_of[v].append(w)
    for v, vols in vols_of.items():
        rota[v] = (solver.value(built.start[v]), tuple(sorted(vols)))
    return rota


def solve_neighbourhood(
    compiled: CompiledWeek,
    *,
    free: list[int],
    fixed: Rota,
    hint: Rota,
    time_limit: float,
    workers: int = 1,
    seed: int = 0,
    goal: Goal = "contract",
    floor: float | None = None,
    deterministic_limit: float | None = None,
    others: tuple[int, int] | None = None,
    keep: frozenset[tuple[int, int]] = frozenset(),
) -> NeighbourhoodResult:
    """Optimise the ``free`` visits with everything in ``fixed`` kept as it is.

    ``time_limit`` counts from the call, model building included. ``floor`` (file units) adds
    ``assignment part >= floor`` (see the module doc). ``fixed`` may be partial, with
    ``others`` (see ``build_model``). ``keep``: (visit, volunteer) pairs to keep where nothing
    is lost by it (last week's rota): a tie-break below every unit of the objective.
    """
    began = time.monotonic()
    built = build_model(compiled, free=free, fixed=fixed, goal=goal, others=others)
    if built.infeasible:
        return NeighbourhoodResult({}, "INFEASIBLE", float("-inf"), float("-inf"))
    model = built.model
    if floor is not None:
        model.add(built.assignment_part() >= round(floor * SCALE))
    # search: travel left out (its arcs make a neighbourhood several times slower); a tiny
    # reward for keeping the hint's assignments stops needless moves that would add km, and
    # one for last week's (``keep``) keeps volunteers with their visits
    tie_break = goal == "search" or bool(keep)
    objective = built.assignment_part() if goal == "assignment" else built.contract_objective()
    if tie_break:
        kept = [x for key, x in built.assign.items() if key in keep]
        if goal == "search":
            kept += [x for (v, w), x in built.assign.items() if v in hint and w in hint[v][1]]
        model.maximize(SCALE * objective + cp_model.LinearExpr.sum(kept))
    else:
        model.maximize(objective)
    add_hints(built, compiled, hint)
    solver, code = solve_model(
        built,
        time_limit=time_limit - (time.monotonic() - began),
        workers=workers,
        seed=seed,
        deterministic_limit=deterministic_limit,
    )
    status = solver.status_name(code)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        bound = float("-inf") if code == cp_model.INFEASIBLE else float("inf")
        return NeighbourhoodResult({}, status, float("-inf"), bound, solver.deterministic_time)
    unit = SCALE * SCALE if tie_break else SCALE
    return NeighbourhoodResult(
        rota_of(built, solver),
        status,
        solver.objective_value / unit,
        solver.best_objective_bound / unit,
        solver.deterministic_time,
    )


def model_objective(compiled: CompiledWeek, rota: Rota) -> int:
    """The contract's objective of a whole-week rota in the model's scaled integers."""
    c = compiled
    total = 0
    newcomers: set[tuple[int, int]] = set()
    load: dict[int, int] = defaultdict(int)
    days: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
    for v, (start, vols) in rota.items():
        visit = c.visits[v]
        person = c.people[visit.person]
        total += c.coverage * round(person.need * SCALE)
        for w in vols:
            if c.volunteers[w].id in person.circle:
                total += c.continuity * SCALE
            else:
                newcomers.add((visit.person, w))
            load[w] += visit.duration
            days[(w, visit.day)].append((start, v))
    total -= c.new_member * SCALE * len(newcomers)
    for items in days.values():
        items.sort()
        for (_, a), (_, b) in zip(items, items[1:], strict=False):
            total -= c.travel_km * round(c.visit_km(a, b) * SCALE)
    if load:
        total -= c.fairness * SCALE * (max(load.values()) - min(load.values()))
    return total
