"""First-fit by need: the rota a careful coordinator might make by hand.

Pinned visits first, then visits in order of need (highest first); each goes to the first
volunteer who can still take it without breaking a hard rule, preferring members of the
person's current circle, then the nearest; at the earliest start that fits. Used as the CP-SAT
hint and as the benchmarks' yardstick.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from solver import eligibility as rules
from solver.compiled import Candidate, CompiledWeek

# visit index -> (start, volunteer indices)
Rota = dict[int, tuple[int, tuple[int, ...]]]


@dataclass
class RotaState:
    """What a partial rota has used up: minutes, day schedules, circle places."""

    compiled: CompiledWeek
    load: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    days: dict[tuple[int, int], list[tuple[int, int, int]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    newcomers: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))

    def fits_day(self, w: int, visit: int, start: int) -> bool:
        """Rule 8: ``visit`` at ``start`` fits between the volunteer's other visits that day."""
        c = self.compiled
        v = c.visits[visit]
        end = start + v.duration
        for other_start, other_end, other in self.days.get((w, v.day), ()):
            gap = c.travel(other, visit)
            if not rules.apart_with_travel(other_start, other_end, start, end, gap):
                return False
        return True

    def has_room(self, w: int, visit: int) -> bool:
        """Rules 9 and 10 for one more visit of ``w``."""
        c = self.compiled
        v = c.visits[visit]
        if not rules.within_weekly_limit(self.load[w] + v.duration, c.volunteers[w].max_minutes):
            return False
        person = c.people[v.person]
        if c.volunteers[w].id in person.circle or w in self.newcomers[v.person]:
            return True
        return len(person.circle) + len(self.newcomers[v.person]) < person.circle_max

    def add(self, visit: int, start: int, volunteers: tuple[int, ...]) -> None:
        c = self.compiled
        v = c.visits[visit]
        person = c.people[v.person]
        for w in volunteers:
            self.load[w] += v.duration
            self.days[(w, v.day)].append((start, start + v.duration, visit))
            if c.volunteers[w].id not in person.circle:
                self.newcomers[v.person].add(w)


def greedy(compiled: CompiledWeek, keep: Rota | None = None) -> Rota:
    """A valid rota by first-fit in order of need (pins first).

    ``keep`` (last week's rota, say): in the same order, each of its assignments that still
    holds (its volunteers are candidates, free at that start, with room) is placed first, then
    the rest by first-fit.
    """
    c = compiled
    state = RotaState(c)
    rota: Rota = {}
    if keep:
        for i in _need_order(c):
            if i in keep and holds(state, i, *keep[i]):
                state.add(i, *keep[i])
                rota[i] = keep[i]
    for i in _need_order(c):
        if i in rota:
            continue
        placed = place(state, i, c.candidates[i])
        if placed is not None:
            start, chosen = placed
            state.add(i, start, chosen)
            rota[i] = (start, chosen)
    return rota


def _need_order(c: CompiledWeek) -> list[int]:
    return sorted(
        range(len(c.visits)),
        key=lambda i: (
            not c.visits[i].pinned,
            -c.people[c.visits[i].person].need,
            c.visits[i].day,
            c.visits[i].earliest,
            c.visits[i].id,
        ),
    )


def holds(state: RotaState, visit: int, start: int, volunteers: tuple[int, ...]) -> bool:
    """``visit`` at ``start`` with ``volunteers`` keeps every rule beside the partial rota."""
    c = state.compiled
    v = c.visits[visit]
    if len(set(volunteers)) != v.needed or not set(v.pinned) <= set(volunteers):
        return False
    by_volunteer = {cand.volunteer: cand for cand in c.candidates[visit]}
    newcomers = 0
    for w in volunteers:
        cand = by_volunteer.get(w)
        if cand is None or start not in cand.starts:
            return False
        if not state.has_room(w, visit) or not state.fits_day(w, visit, start):
            return False
        newcomers += not _may_serve(state, w, visit)
    person = c.people[v.person]
    return len(person.circle) + len(state.newcomers[v.person]) + newcomers <= person.circle_max


def place(
    state: RotaState, visit: int, candidates: list[Candidate]
) -> tuple[int, tuple[int, ...]] | None:
    """The first (start, volunteers) that fits the partial rota, or None."""
    c = state.compiled
    v = c.visits[visit]
    pins = set(v.pinned)
    usable = [cand for cand in candidates if state.has_room(cand.volunteer, visit)]
    if v.needed == 1 and not pins:
        for cand in usable:
            for start in cand.starts:
                if state.fits_day(cand.volunteer, visit, start):
                    return start, (cand.volunteer,)
        return None
    person = c.people[v.person]
    places = person.circle_max - len(person.circle) - len(state.newcomers[v.person])
    starts = sorted({s for cand in usable for s in cand.starts})
    for start in starts:
        free = [
            cand
            for cand in usable
            if start in cand.starts and state.fits_day(cand.volunteer, visit, start)
        ]
        chosen = [cand.volunteer for cand in free if cand.volunteer in pins]
        if len(chosen) < len(pins):
            continue
        newcomers = sum(1 for w in chosen if not _may_serve(state, w, visit))
        for cand in free:
            if len(chosen) == v.needed:
                break
            if cand.volunteer in pins:
                continue
            new = not _may_serve(state, cand.volunteer, visit)
            if new and newcomers >= places:
                continue
            chosen.append(cand.volunteer)
            newcomers += new
        if len(chosen) == v.needed and newcomers <= places:
            return start, tuple(chosen)
    return None


def _may_serve(state: RotaState, w: int, visit: int) -> bool:
    c = state.compiled
    person = c.visits[visit].person
    return c.volunteers[w].id in c.people[person].circle or w in state.newcomers[person]
