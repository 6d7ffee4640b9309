"""A rota rounded from the relaxation: first-fit in the order the LP prefers.

The bound's relaxation (solver/bound.py) says, in fractions, which volunteer's time is best
spent on which visit. Scarce weeks are decided by exactly that: a first-fit by need gives a
flexible volunteer to an early high-need visit that someone else could have taken, and strands a
visit that only they could do. Here the visits the relaxation covers most fully go first (pins
before all), each to the volunteers with the largest share first. Valid by construction (the
same placement as greedy), and only a starting point for the search.

The integer relaxation (solver/bound.py ``integer_relaxation``) gives whole shares instead:
each visit its volunteers, within their minutes but not yet in sequence. ``rota_from_whole``
puts each volunteer's day in the order that fits the most need, and the rest first-fit.
"""

from __future__ import annotations

from collections import defaultdict
from itertools import permutations

from solver.bound import Shares
from solver.compiled import CompiledWeek
from solver.greedy import Rota, RotaState, holds, place
from solver.schedules import earliest_start

# rota_from_whole tries every order of a volunteer's chosen visits of a day up to this many
ORDERS_UP_TO = 6


def rota_from_relaxation(compiled: CompiledWeek, shares: Shares) -> Rota:
    """A valid rota that follows the relaxation's shares."""
    c = compiled
    covered: dict[int, float] = defaultdict(float)
    for (v, _), share in shares.items():
        covered[v] += share / c.visits[v].needed
    order = sorted(
        range(len(c.visits)),
        key=lambda i: (
            not c.visits[i].pinned,
            -round(covered[i], 6),
            -c.people[c.visits[i].person].need,
            c.visits[i].day,
            c.visits[i].earliest,
            c.visits[i].id,
        ),
    )
    state = RotaState(c)
    rota: Rota = {}
    for i in order:
        cands = sorted(c.candidates[i], key=lambda cand: -shares.get((i, cand.volunteer), 0.0))
        placed = place(state, i, cands)
        if placed is not None:
            state.add(i, placed[0], placed[1])
            rota[i] = placed
    return rota


def rota_from_whole(compiled: CompiledWeek, chosen: Shares) -> Rota:
    """A valid rota that follows a whole solution of the relaxation (``chosen`` pairs, each
    share 1, not yet in sequence; solver/bound.py ``integer_relaxation``).

    Each volunteer's chosen visits of a day go in the order that keeps the most need when each
    starts as early as it can after the one before and the travel between them (every order
    is tried, up to ``ORDERS_UP_TO`` visits a day; chronological beyond); visits needing more
    than one volunteer then go to their chosen volunteers at a start all of them can make; the
    chosen visits that did not fit, and then the visits left uncovered by need, go to whoever
    still fits (first-fit, as greedy).
    """
    c = compiled
    mine: dict[int, set[int]] = defaultdict(set)
    days: dict[tuple[int, int], list[int]] = defaultdict(list)
    for v, w in chosen:
        mine[v].add(w)
        if c.visits[v].needed == 1:
            days[(w, c.visits[v].day)].append(v)
    starts = {
        (cand.visit, cand.volunteer): cand.starts
        for v in mine
        for cand in c.candidates[v]
        if cand.volunteer in mine[v]
    }
    state = RotaState(c)
    rota: Rota = {}
    for (w, _), visits in sorted(days.items()):
        for v, start in _day_sequence(c, w, visits, starts):
            if holds(state, v, start, (w,)):
                state.add(v, start, (w,))
                rota[v] = (start, (w,))
    for v in sorted(mine):
        if v in rota or c.visits[v].needed == 1:
            continue
        placed = place(state, v, [cand for cand in c.candidates[v] if cand.volunteer in mine[v]])
        if placed is not None:
            state.add(v, *placed)
            rota[v] = placed
    rest = sorted(
        (i for i in range(len(c.visits)) if i not in rota),
        key=lambda i: (i not in mine, -c.people[c.visits[i].person].need, c.visits[i].id),
    )
    for i in rest:
        placed = place(state, i, c.candidates[i])
        if placed is not None:
            state.add(i, *placed)
            rota[i] = placed
    return rota


def _day_sequence(
    c: CompiledWeek, w: int, visits: list[int], starts: dict[tuple[int, int], tuple[int, ...]]
) -> list[tuple[int, int]]:
    """(visit, start) for the order of ``visits`` on one of ``w``'s days that keeps the most
    need, each at its earliest start after the one before (see ``rota_from_whole``)."""
    visits = sorted(visits, key=lambda v: (starts[(v, w)][0], v))
    orders = permutations(visits) if len(visits) <= ORDERS_UP_TO else [tuple(visits)]
    best: list[tuple[int, int]] = []
    best_need = -1.0
    for order in orders:
        placed: list[tuple[int, int]] = []
        need = 0.0
        free_from, last = -1, -1
        for v in order:
            start = earliest_start(
                starts[(v, w)], free_from if last < 0 else free_from + c.travel(last, v)
            )
            if start is None:
                continue
            placed.append((v, start))
            need += c.people[c.visits[v].person].need
            free_from, last = start + c.visits[v].duration, v
        if need > best_need + 1e-9:
            best, best_need = placed, need
    return best
