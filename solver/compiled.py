"""The problem compiled for the hot loops: plain dataclasses, minutes as ints, candidate pairs.

Candidates are the (visit, volunteer) pairs that pass rules 1-7 (and whose visit alone fits the
volunteer's weekly limit), each with its allowed starts, decided by solver/eligibility.py over all
volunteers at once for each person.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from clock import clock_of
from solver import eligibility as rules
from solver.geography import distance_km, haversine_km, travel_minutes, travel_minutes_all
from solver.models import Problem


@dataclass(slots=True)
class CompiledPerson:
    index: int
    id: str
    lat: float
    lon: float
    need: float
    languages: frozenset[str]
    gender_preference: str | None
    excluded: frozenset[str]
    circle: frozenset[str]
    circle_max: int
    visits: list[int] = field(default_factory=list)


@dataclass(slots=True)
class CompiledVisit:
    index: int
    id: str
    person: int
    day: int
    earliest: int
    latest: int
    duration: int
    requires_check: bool
    needed: int
    pinned: tuple[int, ...]


@dataclass(slots=True)
class CompiledVolunteer:
    index: int
    id: str
    lat: float
    lon: float
    max_km: float
    max_minutes: int
    windows: dict[int, tuple[tuple[int, int], ...]]
    languages: frozenset[str]
    gender: str | None
    checked: bool


@dataclass(slots=True)
class Candidate:
    """A (visit, volunteer) pair allowed by rules 1-7, with its starts and home distance."""

    visit: int
    volunteer: int
    starts: tuple[int, ...]
    km: float
    in_circle: bool


@dataclass(slots=True)
class CompiledWeek:
    people: list[CompiledPerson]
    visits: list[CompiledVisit]
    volunteers: list[CompiledVolunteer]
    grid: int
    speed: float
    coverage: int
    continuity: int
    new_member: int
    travel_km: int
    fairness: int
    person_index: dict[str, int]
    visit_index: dict[str, int]
    volunteer_index: dict[str, int]
    candidates: list[list[Candidate]] = field(default_factory=list)
    eligible_counts: list[int] = field(default_factory=list)
    _km_cache: dict[tuple[int, int], float] = field(default_factory=dict)

    def person_km(self, a: int, b: int) -> float:
        """Distance between two people (cached)."""
        key = (a, b) if a <= b else (b, a)
        km = self._km_cache.get(key)
        if km is None:
            pa, pb = self.people[a], self.people[b]
            km = 0.0 if a == b else distance_km(pa.lat, pa.lon, pb.lat, pb.lon)
            self._km_cache[key] = km
        return km

    def visit_km(self, a: int, b: int) -> float:
        return self.person_km(self.visits[a].person, self.visits[b].person)

    def travel(self, a: int, b: int) -> int:
        """Rule 8 travel minutes between the people of visits ``a`` and ``b``."""
        return travel_minutes(self.visit_km(a, b), self.speed)

    def travel_table(
        self, visits: list[int]
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int64]]:
        """km and rule 8 travel minutes between every two of ``visits`` (square arrays).

        numpy's trigonometry may differ from ``math``'s in the last bit, so entries whose
        minutes a last-bit change could move are recomputed with ``travel`` (exactly the
        checker's formula).
        """
        people = [self.visits[v].person for v in visits]
        lat = np.radians(np.array([self.people[p].lat for p in people]))
        lon = np.radians(np.array([self.people[p].lon for p in people]))
        km = haversine_km(lat[None, :], lon[None, :], lat[:, None], lon[:, None])
        same = np.array(people)[:, None] == np.array(people)[None, :]
        km[same] = 0.0
        minutes, unsure = travel_minutes_all(km, self.speed)
        minutes[same] = 0
        for i, j in zip(*np.nonzero(unsure & ~same), strict=True):
            minutes[i, j] = self.travel(visits[i], visits[j])
        return km, minutes


def compile_problem(problem: Problem, *, with_candidates: bool = True) -> CompiledWeek:
    """Compile a validated problem (ids unique, visit people known, pins known)."""
    person_index = {p.id: i for i, p in enumerate(problem.people)}
    volunteer_index = {v.id: i for i, v in enumerate(problem.volunteers)}
    people = [
        CompiledPerson(
            index=i,
            id=p.id,
            lat=p.lat,
            lon=p.lon,
            need=p.need,
            languages=frozenset(p.languages),
            gender_preference=p.gender_preference,
            excluded=frozenset(p.excluded_volunteers),
            circle=frozenset(p.current_circle),
            circle_max=p.circle_max,
        )
        for i, p in enumerate(problem.people)
    ]
    visits: list[CompiledVisit] = []
    for i, v in enumerate(problem.visits):
        visits.append(
            CompiledVisit(
                index=i,
                id=v.id,
                person=person_index[v.person],
                day=v.day,
                earliest=v.earliest_minutes,
                latest=v.latest_minutes,
                duration=v.duration_minutes,
                requires_check=v.requires_check,
                needed=v.volunteers_needed,
                pinned=tuple(volunteer_index[w] for w in v.pinned_volunteers),
            )
        )
        people[person_index[v.person]].visits.append(i)
    volunteers = []
    for i, w in enumerate(problem.volunteers):
        windows: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for a in w.availability:
            windows[a.day].append((a.start_minutes, a.end_minutes))
        volunteers.append(
            CompiledVolunteer(
                index=i,
                id=w.id,
                lat=w.lat,
                lon=w.lon,
                max_km=w.max_km,
                max_minutes=w.max_minutes,
                windows={d: tuple(sorted(ws)) for d, ws in windows.items()},
                languages=frozenset(w.languages),
                gender=w.gender,
                checked=w.checked,
            )
        )
    weights = problem.weights
    compiled = CompiledWeek(
        people=people,
        visits=visits,
        volunteers=volunteers,
        grid=problem.grid_minutes,
        speed=problem.travel_speed_kmh,
        coverage=weights.coverage,
        continuity=weights.continuity,
        new_member=weights.new_member,
        travel_km=weights.travel_km,
        fairness=weights.fairness,
        person_index=person_index,
        visit_index={v.id: i for i, v in enumerate(problem.visits)},
        volunteer_index=volunteer_index,
    )
    if with_candidates:
        compiled.candidates = find_candidates(compiled)
    return compiled


def volunteers_table(compiled: CompiledWeek) -> rules.VolunteerTable:
    """The compiled volunteers as the eligibility rules' numpy table (rows in index order)."""
    volunteers = compiled.volunteers
    return rules.volunteer_table(
        ids=[w.id for w in volunteers],
        lats=[w.lat for w in volunteers],
        lons=[w.lon for w in volunteers],
        max_km=[w.max_km for w in volunteers],
        max_minutes=[w.max_minutes for w in volunteers],
        checked=[w.checked for w in volunteers],
        genders=[w.gender for w in volunteers],
        languages=[w.languages for w in volunteers],
        windows=[w.windows for w in volunteers],
    )


def find_candidates(compiled: CompiledWeek, *, limit: int | None = None) -> list[list[Candidate]]:
    """For each visit its candidates, circle members first, then nearest.

    A candidate passes rules 1-7 and has the visit's minutes within its weekly limit (rule 9),
    decided for all volunteers at once by solver/eligibility.py's ``*_all`` rules, one person at a
    time. With ``limit`` only the first ``limit`` candidates of each visit are kept (pins always
    are). Sets ``compiled.eligible_counts`` to the number of eligible volunteers before the limit.
    """
    people, visits, volunteers = compiled.people, compiled.visits, compiled.volunteers
    by_visit: list[list[Candidate]] = [[] for _ in visits]
    compiled.eligible_counts = [0] * len(visits)
    if not volunteers:
        return by_visit
    table = volunteers_table(compiled)
    for person in people:
        if not person.visits:
            continue
        allowed, km = rules.person_rules_all(
            lat=person.lat,
            lon=person.lon,
            languages=person.languages,
            gender_preference=person.gender_preference,
            excluded=person.excluded,
            table=table,
        )
        rank = km.copy()
        members = [table.index[i] for i in person.circle if i in table.index]
        rank[members] -= 1e6
        for v in person.visits:
            visit = visits[v]
            mask = allowed & rules.visit_rules_all(
                day=visit.day,
                earliest=visit.earliest,
                latest=visit.latest,
                duration=visit.duration,
                requires_check=visit.requires_check,
                grid=compiled.grid,
                table=table,
            )
            mask &= rules.within_weekly_limit_all(visit.duration, table)
            chosen = np.flatnonzero(mask)
            compiled.eligible_counts[v] = len(chosen)
            keep = None if limit is None else 2 * limit
            if keep is not None and len(chosen) > keep:
                # Partition with room to spare, then sort: ties in rank are broken by index.
                ordered = chosen[np.argpartition(rank[chosen], keep)[:keep]]
                ordered = ordered[np.lexsort((ordered, rank[ordered]))]
            else:
                ordered = chosen[np.lexsort((chosen, rank[chosen]))]
            picked = ordered.tolist() if limit is None else ordered[:limit].tolist()
            picked += [w for w in visit.pinned if mask[w] and w not in picked]
            by_visit[v] = [
                Candidate(
                    v,
                    i,
                    tuple(
                        rules.grid_starts(
                            earliest=visit.earliest,
                            latest=visit.latest,
                            duration=visit.duration,
                            grid=compiled.grid,
                            windows=volunteers[i].windows.get(visit.day, ()),
                        )
                    ),
                    float(km[i]),
                    volunteers[i].id in person.circle,
                )
                for i in picked
            ]
    return by_visit


def window_label(day: int, start: int, end: int) -> str:
    """'Tue 10:00-13:00'."""
    return f"{rules.DAY_SHORT[day]} {clock_of(start)}-{clock_of(end)}"
