"""The CP-SAT model: all twelve hard rules and the contract's objective, exactly.

Variables (keyed by domain indices, as in OR-Tools' shift_scheduling_sat example):

- ``assign[(visit, volunteer)]`` for every candidate pair (rules 1-7 already hold for it);
- ``start[visit]`` on the grid, shared by the visit's volunteers (rule 11), restricted to the
  candidate's allowed starts when that volunteer is assigned (rules 1-2);
- ``covered[visit]``: ``sum(assign) == volunteers_needed * covered`` (rule 11), pins fixed (12);
- ``newcomer[(person, volunteer)]`` for volunteers outside the current circle (rule 10 and the
  new-member penalty);
- per volunteer and day, a circuit through a depot and that day's candidate visits
  (``AddCircuit``; an unassigned visit takes its self-loop). An arc ``a -> b`` forces
  ``start_b >= end_a + travel(a, b)``, which is rule 8 for consecutive visits, and for any two
  visits by the triangle inequality (``ceil(x + y) <= ceil(x) + ceil(y)``). The same arcs carry
  the km between consecutive visits, so the travel term is exact, not approximated. Arcs are only
  created where the order is possible in time, so the circuits stay small.

The model is built for a *neighbourhood*: ``free`` visits are decided, every other assignment in
``fixed`` stays, and enters as fixed nodes on circuits, used minutes, circle places and the
fairness term (max and min minutes of volunteers outside the neighbourhood are constants), so the
model's objective differs from the whole rota's by a constant. The whole problem is the
neighbourhood with every visit free.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from ortools.sat.python import cp_model

from solver.compiled import Candidate, Compiled
from solver.greedy import Rota

SCALE = 1000  # need and km are scaled to integers (thousandths)


@dataclass
class SubResult:
    """The outcome of solving one neighbourhood."""

    rota: Rota  # the decided free visits only
    status: str  # OPTIMAL, FEASIBLE, INFEASIBLE, UNKNOWN
    objective: float
    bound: float


def solve_neighbourhood(
    compiled: Compiled,
    *,
    free: list[int],
    fixed: Rota,
    hint: Rota,
    time_limit: float,
    workers: int = 1,
    seed: int = 0,
) -> SubResult:
    """Optimise the ``free`` visits with everything in ``fixed`` kept as it is."""
    c = compiled
    model = cp_model.CpModel()
    free_set = set(free)
    cands: dict[int, list[Candidate]] = {v: c.candidates[v] for v in free}
    assign: dict[tuple[int, int], cp_model.IntVar] = {}
    start: dict[int, cp_model.IntVar] = {}
    covered: dict[int, cp_model.IntVar] = {}
    objective: list[cp_model.LinearExprT] = []

    # fixed context
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

    for v in free:
        visit = c.visits[v]
        values = sorted({s for cand in cands[v] for s in cand.starts}) or [visit.earliest]
        start[v] = model.new_int_var_from_domain(cp_model.Domain.from_values(values), f"start_{v}")
        covered[v] = model.new_bool_var(f"covered_{v}")
        for cand in cands[v]:
            x = model.new_bool_var(f"assign_{v}_{cand.volunteer}")
            assign[(v, cand.volunteer)] = x
            if len(cand.starts) != len(values):
                first, last = cand.starts[0], cand.starts[-1]
                if last - first == c.grid * (len(cand.starts) - 1):
                    model.add(start[v] >= first).only_enforce_if(x)
                    model.add(start[v] <= last).only_enforce_if(x)
                else:
                    model.add_linear_expression_in_domain(
                        start[v], cp_model.Domain.from_values(list(cand.starts))
                    ).only_enforce_if(x)
        model.add(
            sum(assign[(v, cand.volunteer)] for cand in cands[v]) == visit.needed * covered[v]
        )
        for w in visit.pinned:
            if (v, w) in assign:
                model.add(assign[(v, w)] == 1)
            else:
                model.add(covered[v] == 0)
                model.add(covered[v] == 1)  # a pin without candidate: infeasible, by pins
        need = round(c.people[visit.person].need * SCALE)
        objective.append(c.coverage * need * covered[v])

    # weekly load (rule 9) and the continuity reward
    by_volunteer: dict[int, list[tuple[int, cp_model.IntVar]]] = defaultdict(list)
    for (v, w), x in assign.items():
        by_volunteer[w].append((v, x))
        person = c.people[c.visits[v].person]
        if c.volunteers[w].id in person.circle:
            objective.append(c.continuity * SCALE * x)
    for w, items in by_volunteer.items():
        room = c.volunteers[w].max_minutes - fixed_load[w]
        model.add(sum(c.visits[v].duration * x for v, x in items) <= room)

    # circle size (rule 10) and the new-member penalty
    by_person: dict[tuple[int, int], list[cp_model.IntVar]] = defaultdict(list)
    for (v, w), x in assign.items():
        p = c.visits[v].person
        if c.volunteers[w].id not in c.people[p].circle and w not in fixed_serving[p]:
            by_person[(p, w)].append(x)
    newcomers: dict[int, list[cp_model.IntVar]] = defaultdict(list)
    newcomer_vars: dict[tuple[int, int], cp_model.IntVar] = {}
    for (p, w), xs in by_person.items():
        y = model.new_bool_var(f"newcomer_{p}_{w}")
        newcomer_vars[(p, w)] = y
        for x in xs:
            model.add_implication(x, y)
        model.add_bool_or(xs).only_enforce_if(y)
        newcomers[p].append(y)
        objective.append(-c.new_member * SCALE * y)
    for p, ys in newcomers.items():
        person = c.people[p]
        fixed_new = sum(1 for w in fixed_serving[p] if c.volunteers[w].id not in person.circle)
        model.add(sum(ys) <= person.circle_max - len(person.circle) - fixed_new)

    # no overlap with travel (rule 8) and the travel term, per volunteer and day
    arcs_of: dict[tuple[int, int, int], cp_model.IntVar] = {}
    day_nodes: dict[tuple[int, int], list[int]] = defaultdict(list)
    cand_of = {(v, cand.volunteer): cand for v in free for cand in cands[v]}
    for v, w in assign:
        day_nodes[(w, c.visits[v].day)].append(v)
    for (w, day), nodes in day_nodes.items():
        fixed_here = fixed_days.get((w, day), [])
        if len(nodes) + len(fixed_here) < 2:
            continue
        _add_day_circuit(model, c, w, nodes, fixed_here, cand_of, assign, start, objective, arcs_of)

    # fairness: max minus min minutes over volunteers with any visit
    if c.fairness and assign:
        _add_fairness(model, c, fixed, free_set, fixed_load, by_volunteer, objective)

    model.maximize(sum(objective))
    _add_hints(model, c, hint, free, assign, start, covered, newcomer_vars, arcs_of)

    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.05, time_limit)
    solver.parameters.num_workers = max(1, workers)
    solver.parameters.random_seed = seed
    solver.parameters.log_search_progress = False
    code = solver.solve(model)
    status = solver.status_name(code)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return SubResult({}, status, float("-inf"), float("inf"))
    rota: Rota = {}
    for v in free:
        if solver.value(covered[v]):
            vols = tuple(w for (vv, w) in _pairs_of(v, cands) if solver.value(assign[(vv, w)]))
            rota[v] = (solver.value(start[v]), vols)
    return SubResult(
        rota, status, solver.objective_value / SCALE, solver.best_objective_bound / SCALE
    )


def _pairs_of(v: int, cands: dict[int, list[Candidate]]) -> list[tuple[int, int]]:
    return [(v, cand.volunteer) for cand in cands[v]]


def _add_day_circuit(
    model: cp_model.CpModel,
    c: Compiled,
    w: int,
    nodes: list[int],
    fixed_here: list[tuple[int, int]],
    cand_of: dict[tuple[int, int], Candidate],
    assign: dict[tuple[int, int], cp_model.IntVar],
    start: dict[int, cp_model.IntVar],
    objective: list[cp_model.LinearExprT],
    arcs_of: dict[tuple[int, int, int], cp_model.IntVar],
) -> None:
    """One circuit through a depot (node 0) and the volunteer's visits of the day."""
    cands = {v: cand_of[(v, w)] for v in nodes}
    fixed_start = dict(fixed_here)
    order = list(nodes) + [v for v, _ in fixed_here]

    def window(v: int) -> tuple[int, int]:
        if v in fixed_start:
            return fixed_start[v], fixed_start[v]
        return cands[v].starts[0], cands[v].starts[-1]

    def start_of(v: int) -> cp_model.LinearExprT:
        return fixed_start[v] if v in fixed_start else start[v]

    arcs: list[tuple[int, int, cp_model.LiteralT]] = []
    any_fixed = bool(fixed_here)
    if not any_fixed:
        arcs.append((0, 0, model.new_bool_var("")))  # an empty day
    for i, v in enumerate(order, start=1):
        if v not in fixed_start:
            arcs.append((i, i, assign[(v, w)].negated()))
        arcs.append((0, i, model.new_bool_var("")))
        arcs.append((i, 0, model.new_bool_var("")))
    for i, a in enumerate(order, start=1):
        earliest_a, _ = window(a)
        for j, b in enumerate(order, start=1):
            if i == j:
                continue
            gap = c.travel(a, b)
            _, latest_b = window(b)
            if earliest_a + c.visits[a].duration + gap > latest_b:
                continue
            arc = model.new_bool_var(f"arc_{w}_{a}_{b}")
            arcs.append((i, j, arc))
            arcs_of[(w, a, b)] = arc
            if a not in fixed_start or b not in fixed_start:
                model.add(start_of(b) >= start_of(a) + c.visits[a].duration + gap).only_enforce_if(
                    arc
                )
            km = round(c.visit_km(a, b) * SCALE)
            if km and c.travel_km:
                objective.append(-c.travel_km * km * arc)
    model.add_circuit(arcs)


def _add_fairness(
    model: cp_model.CpModel,
    c: Compiled,
    fixed: Rota,
    free_set: set[int],
    fixed_load: dict[int, int],
    by_volunteer: dict[int, list[tuple[int, cp_model.IntVar]]],
    objective: list[cp_model.LinearExprT],
) -> None:
    """``fairness * (max - min)`` over volunteers with any visit; outside ones as constants."""
    outside = [load for w, load in fixed_load.items() if w not in by_volunteer]
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
            model.add_bool_or([x for _, x in items]).only_enforce_if(used)
            for _, x in items:
                model.add_implication(x, used)
            model.add(least <= load).only_enforce_if(used)
    objective.append(-c.fairness * SCALE * (most - least))


def _add_hints(
    model: cp_model.CpModel,
    c: Compiled,
    hint: Rota,
    free: list[int],
    assign: dict[tuple[int, int], cp_model.IntVar],
    start: dict[int, cp_model.IntVar],
    covered: dict[int, cp_model.IntVar],
    newcomer_vars: dict[tuple[int, int], cp_model.IntVar],
    arcs_of: dict[tuple[int, int, int], cp_model.IntVar],
) -> None:
    chosen = {(v, w) for v, (_, vols) in hint.items() for w in vols}
    for v in free:
        covered_here = v in hint and all((v, w) in assign for w in hint[v][1])
        model.add_hint(covered[v], covered_here)
        if covered_here:
            model.add_hint(start[v], hint[v][0])
    for key, x in assign.items():
        model.add_hint(x, key in chosen)
    serving = {(c.visits[v].person, w) for v, w in chosen}
    for key, y in newcomer_vars.items():
        model.add_hint(y, key in serving)
    days: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
    for v, (s, vols) in hint.items():
        for w in vols:
            days[(w, c.visits[v].day)].append((s, v))
    follows: set[tuple[int, int, int]] = set()
    for (w, _), items in days.items():
        items.sort()
        follows.update((w, a, b) for (_, a), (_, b) in zip(items, items[1:], strict=False))
    for arc_key, arc in arcs_of.items():
        model.add_hint(arc, arc_key in follows)
