"""A rota rounded from the relaxation: first-fit in the order the LP prefers.

The bound's relaxation (solver/bound.py) says, in fractions, which volunteer's time is best
spent on which visit. Scarce weeks are decided by exactly that: a first-fit by need gives a
flexible volunteer to an early high-need visit that someone else could have taken, and strands a
visit that only they could do. Here the visits the relaxation covers most fully go first (pins
before all), each to the volunteers with the largest share first. Valid by construction (the
same placement as greedy), and only a starting point for the search.
"""

from __future__ import annotations

from collections import defaultdict

from solver.bound import Shares
from solver.compiled import CompiledWeek
from solver.greedy import Rota, RotaState, place


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
