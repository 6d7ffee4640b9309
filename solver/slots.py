"""The slot-flow relaxation: volunteer minutes flowing to visits through the week's time slots.

Each volunteer gives at most ``max_minutes`` in the week and at most one slot's minutes in each
slot (``grid_minutes`` long) they are available in; only checked volunteers serve visits that
require a check; each visit takes at most ``volunteers_needed`` slots' minutes per slot inside
its window and ``duration x volunteers_needed`` minutes in all. Every valid rota is such a flow
(distance, language, gender, travel, contiguity and all-or-nothing are relaxed away), so the
max flow bounds the volunteer-minutes any rota covers, and the flow of most value (each minute of
a visit worth need / its minutes) bounds the need it covers.

It keeps what the per-pair relaxation in solver/bound.py loses on a big week, where that one is
summed over all volunteers per day: *when* in the day volunteers are free and visits are
wanted. Volunteers with the same slots, limit and check form one group, and visits with the same
window, check, need and minutes one kind, so even a borough's week is a few thousand nodes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

DAYS_IN_WEEK = 7

# (day, start, end) in minutes after midnight
Window = tuple[int, int, int]


@dataclass(frozen=True)
class SlotVolunteer:
    windows: tuple[Window, ...]
    max_minutes: int
    checked: bool


@dataclass(frozen=True)
class SlotVisit:
    day: int
    earliest: int
    latest: int
    duration: int
    needed: int
    requires_check: bool
    need: float


@dataclass(frozen=True)
class SlotFlow:
    """What the relaxation says of a week (see the module doc)."""

    demand_minutes: int  # sum of duration x volunteers_needed over visits
    offered_minutes: int  # sum over volunteers of min(max_minutes, available minutes)
    coverable_minutes: int  # the max flow
    need_weighted_bound: float  # the most valuable flow's need over the total need


def slot_flow(
    grid: int, volunteers: Iterable[SlotVolunteer], visits: Iterable[SlotVisit]
) -> SlotFlow:
    """Solve the relaxation (OR-Tools max flow, then min-cost flow)."""
    from ortools.graph.python import max_flow, min_cost_flow

    per_day = 24 * 60 // grid
    slots = DAYS_IN_WEEK * per_day
    groups: dict[tuple[tuple[int, ...], int, bool], int] = {}
    offered = 0
    for volunteer in volunteers:
        covered: set[int] = set()
        for day, start, end in volunteer.windows:
            # Partial slots count as whole ones: looser, and sound off the grid too.
            covered.update(range(day * per_day + start // grid, day * per_day + -(-end // grid)))
        offered += min(len(covered) * grid, volunteer.max_minutes)
        group = (tuple(sorted(covered)), volunteer.max_minutes, volunteer.checked)
        groups[group] = groups.get(group, 0) + 1
    # -> (visits, volunteers needed per slot)
    kinds: dict[tuple[int, int, bool, float, int], tuple[int, int]] = {}
    for visit in visits:
        day_slot = visit.day * per_day
        key = (
            day_slot + visit.earliest // grid,
            day_slot + -(-visit.latest // grid),
            visit.requires_check,
            visit.need,
            visit.needed * visit.duration,
        )
        count, per_slot = kinds.get(key, (0, 0))
        kinds[key] = (count + 1, per_slot + visit.needed)
    demand = sum(key[4] * count for key, (count, _) in kinds.items())
    total_need = sum(key[3] * count for key, (count, _) in kinds.items())
    # Nodes: 0 source, 1 sink, a node per slot for checked and one for unchecked volunteers,
    # then groups, then visit kinds. Arcs are the same in both flows.
    arcs: list[tuple[int, int, int]] = []
    value_arcs: list[tuple[int, float, int]] = []  # (arc index, need per minute, capacity)
    checked_slot, unchecked_slot = 2, 2 + slots
    node = 2 + 2 * slots
    for (covered_slots, limit, checked), count in groups.items():
        arcs.append((0, node, count * limit))
        base = checked_slot if checked else unchecked_slot
        arcs.extend((node, base + slot, count * grid) for slot in covered_slots)
        node += 1
    for (first, last, requires_check, need, minutes), (count, per_slot) in kinds.items():
        for slot in range(first, last):
            arcs.append((checked_slot + slot, node, per_slot * grid))
            if not requires_check:
                arcs.append((unchecked_slot + slot, node, per_slot * grid))
        value_arcs.append((len(arcs), need / minutes, count * minutes))
        arcs.append((node, 1, count * minutes))
        node += 1
    most = max_flow.SimpleMaxFlow()
    for tail, head, capacity in arcs:
        most.add_arc_with_capacity(tail, head, capacity)
    if most.solve(0, 1) != most.OPTIMAL:
        raise RuntimeError("max flow for the coverable minutes did not solve")
    coverable = int(most.optimal_flow())
    # Most valuable flow: costs are -need per minute, scaled to integers; a free arc from source
    # to sink lets any minute go unused. The bound is recomputed from the flows in exact need,
    # plus a margin for the rounding of the costs.
    best = min_cost_flow.SimpleMinCostFlow()
    cost = dict.fromkeys(range(len(arcs)), 0)
    for arc, per_minute, _ in value_arcs:
        cost[arc] = -round(per_minute * 1e9)
    for index, (tail, head, capacity) in enumerate(arcs):
        best.add_arc_with_capacity_and_unit_cost(tail, head, capacity, cost[index])
    best.add_arc_with_capacity_and_unit_cost(0, 1, coverable, 0)
    best.set_node_supply(0, coverable)
    best.set_node_supply(1, -coverable)
    if best.solve() != best.OPTIMAL:
        raise RuntimeError("min cost flow for the need-weighted bound did not solve")
    value = sum(best.flow(arc) * per_minute for arc, per_minute, _ in value_arcs)
    rounding = sum(capacity for _, _, capacity in value_arcs) * 1e-9
    bound = min(1.0, (value + rounding) / total_need) if total_need > 0 else 1.0
    return SlotFlow(demand, offered, coverable, bound)
