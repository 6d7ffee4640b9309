"""The most one volunteer's week can be worth, exactly: the pricing step of the bound.

Given a value for each visit a volunteer could take, ``best_week`` finds the largest total value
of visits the volunteer can really do together. On each day the visits form a sequence, each at
its earliest allowed start (rules 1-2, the candidate's starts) no sooner than the end of the one
before plus the travel between the two people (rule 8); starting a visit as early as possible
never hurts the ones after it, so a sequence is possible exactly when this earliest-start
placement is. Every sequence of every day is tried, depth first, stopping where a visit no longer
fits (a longer sequence cannot fit where its start does not), and the days are combined within
the weekly minutes (rule 9). The answer is exact, or None when the search would take more than
``node_limit`` steps.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Offer:
    """A visit a volunteer could take, worth ``value`` to the bound."""

    visit: int
    value: float
    duration: int
    day: int
    starts: tuple[int, ...]  # the volunteer's allowed starts, ascending


class TooManySteps(Exception):
    """The search went past its step limit."""


def earliest_start(starts: tuple[int, ...], ready: int) -> int | None:
    """The first of ``starts`` (ascending) no sooner than ``ready``: where a visit goes after
    the one before it and the travel between them (rules 1, 2 and 8), or None if it no longer
    fits that day."""
    k = bisect.bisect_left(starts, ready)
    return starts[k] if k < len(starts) else None


def best_week(
    offers: list[Offer],
    *,
    max_minutes: int,
    travel: Callable[[int, int], int],
    node_limit: int = 2_000,
) -> float | None:
    """The largest total value of offers one volunteer can do together in a week, or None."""
    useful = [o for o in offers if o.value > 0 and o.duration <= max_minutes and o.starts]
    if not useful:
        return 0.0
    by_day: dict[int, list[Offer]] = defaultdict(list)
    for offer in useful:
        by_day[offer.day].append(offer)
    steps = [node_limit]
    week = {0: 0.0}  # minutes used -> best value
    try:
        for day_offers in by_day.values():
            day = _best_day(day_offers, max_minutes, travel, steps)
            combined = dict(week)
            for used, value in week.items():
                for minutes, gain in day.items():
                    total = used + minutes
                    if not minutes or total > max_minutes:
                        continue
                    if combined.get(total, -1.0) < value + gain:
                        combined[total] = value + gain
            week = combined
    except TooManySteps:
        return None
    return max(week.values())


def _best_day(
    offers: list[Offer],
    max_minutes: int,
    travel: Callable[[int, int], int],
    steps: list[int],
) -> dict[int, float]:
    """Minutes used -> the best value of one day's sequences using that many minutes."""
    offers = sorted(offers, key=lambda o: (o.starts[0], o.visit))
    n = len(offers)
    gaps = [[travel(a.visit, b.visit) if a is not b else 0 for b in offers] for a in offers]
    last_start = [o.starts[-1] for o in offers]
    best: dict[int, float] = {0: 0.0}
    # (visits done, last) -> the earliest the volunteer was free after them: reaching the same
    # set with the same last visit no sooner cannot do better (same minutes, same value)
    reached: dict[tuple[int, int], int] = {}

    def extend(done: int, last: int, free_from: int, minutes: int, value: float) -> None:
        steps[0] -= 1
        if steps[0] < 0:
            raise TooManySteps
        if best.get(minutes, -1.0) < value:
            best[minutes] = value
        row = gaps[last] if last >= 0 else None
        for i in range(n):
            bit = 1 << i
            if done & bit or last_start[i] < free_from:
                continue
            offer = offers[i]
            if minutes + offer.duration > max_minutes:
                continue
            start = earliest_start(offer.starts, free_from if row is None else free_from + row[i])
            if start is None:
                continue
            end = start + offer.duration
            key = (done | bit, i)
            if reached.get(key, end + 1) <= end:
                continue
            reached[key] = end
            extend(done | bit, i, end, minutes + offer.duration, value + offer.value)

    extend(0, -1, 0, 0, 0.0)
    return best
