"""How much one volunteer can do in one day: the span knapsacks behind rule 8.

A volunteer's visits of a day do not overlap, and between two of them lies the travel between
the two people (rule 8). With ``gap[a, b]`` the least ``start_b - start_a`` when ``a`` comes
first (duration plus travel, on the grid), and ``reach[a]`` the least of ``gap[a, :]``, the visits
``S`` that must lie inside a span ``[t1, t2]`` (their earliest possible start and latest possible
end for this volunteer), done in order ``s_1 < ... < s_n``, satisfy
``sum of reach over all but the last + duration of the last <= t2 - t1``, which gives the valid
inequality

    sum over S of reach * assigned  <=  t2 - t1 + largest (reach - duration) in S.

These knapsacks are redundant in the CP-SAT model (the no-overlap and pairwise constraints imply
them) but give its LP relaxation the day's real capacity. One knapsack per distinct ``S``, over
``S``'s own tightest span; only those that can bind.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class Knapsack:
    """``sum(weights * assigned[members]) <= room`` over positions in a volunteer's day."""

    members: IntArray
    weights: IntArray
    room: int


def day_knapsacks(
    low: IntArray, high: IntArray, duration: IntArray, gap: IntArray
) -> list[Knapsack]:
    """The binding span knapsacks of one volunteer's day.

    ``low``/``high`` are each visit's earliest and latest start for this volunteer, ``gap`` the
    square matrix of least start-to-start separations (see the module doc).
    """
    n = len(low)
    if n < 2:
        return []
    end = high + duration
    reach = (gap + np.where(np.eye(n, dtype=bool), 1 << 30, 0)).min(axis=1)
    t1 = np.unique(low)
    t2 = np.unique(end)
    inside = (low[None, None, :] >= t1[:, None, None]) & (end[None, None, :] <= t2[None, :, None])
    flat = inside.reshape(-1, n)
    flat = flat[flat.sum(axis=1) >= 2]
    if len(flat) == 0:
        return []
    flat = np.unique(flat, axis=0)
    out = []
    for mask in flat:
        members = np.flatnonzero(mask)
        slack = int((reach[members] - duration[members]).max())
        room = int(end[members].max() - low[members].min()) + slack
        if int(reach[members].sum()) > room:
            out.append(Knapsack(members, reach[members], room))
    return out
