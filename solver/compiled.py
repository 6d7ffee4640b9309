"""The problem compiled for the hot loops: plain dataclasses, minutes as ints, candidate pairs.

Candidates are the (visit, volunteer) pairs that pass rules 1-7, each with its allowed starts.
They are found through a spatial grid on 3D unit-sphere coordinates (the chord length grows with
the great-circle distance, so a cube of cells around a volunteer holds everyone in range, at any
latitude), never by comparing all pairs.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from solver import eligibility as rules
from solver.models import Problem


@dataclass(slots=True)
class CPerson:
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
class CVisit:
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
class CVolunteer:
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
class Compiled:
    people: list[CPerson]
    visits: list[CVisit]
    volunteers: list[CVolunteer]
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
            km = 0.0 if a == b else rules.distance_km(pa.lat, pa.lon, pb.lat, pb.lon)
            self._km_cache[key] = km
        return km

    def visit_km(self, a: int, b: int) -> float:
        return self.person_km(self.visits[a].person, self.visits[b].person)

    def travel(self, a: int, b: int) -> int:
        """Rule 8 travel minutes between the people of visits ``a`` and ``b``."""
        return rules.travel_minutes(self.visit_km(a, b), self.speed)

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
        h = (
            np.sin((lat[:, None] - lat[None, :]) / 2) ** 2
            + np.cos(lat)[:, None]
            * np.cos(lat)[None, :]
            * np.sin((lon[:, None] - lon[None, :]) / 2) ** 2
        )
        km = 2 * rules.EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.minimum(1.0, h)))
        same = np.array(people)[:, None] == np.array(people)[None, :]
        km[same] = 0.0
        exact = km / self.speed * 60
        low = np.ceil(exact * (1 - 1e-9) - 1e-9)
        high = np.ceil(exact * (1 + 1e-9) + 1e-9)
        minutes = high.astype(np.int64)
        minutes[same] = 0
        for i, j in zip(*np.nonzero((low != high) & ~same), strict=True):
            minutes[i, j] = self.travel(visits[i], visits[j])
        return km, minutes


def compile_problem(problem: Problem, *, with_candidates: bool = True) -> Compiled:
    """Compile a validated problem (ids unique, visit people known, pins known)."""
    person_index = {p.id: i for i, p in enumerate(problem.people)}
    volunteer_index = {v.id: i for i, v in enumerate(problem.volunteers)}
    people = [
        CPerson(
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
    visits: list[CVisit] = []
    for i, v in enumerate(problem.visits):
        visits.append(
            CVisit(
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
            CVolunteer(
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
    compiled = Compiled(
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


_GENDER_NONE = -1


def find_candidates(compiled: Compiled, *, limit: int | None = None) -> list[list[Candidate]]:
    """For each visit its candidates (rules 1-7), circle members first, then nearest.

    Rules are applied to all volunteers at once with numpy, one person at a time; with ``limit``
    only the first ``limit`` candidates of each visit are kept (pins always are). Sets
    ``compiled.eligible_counts`` to the number of eligible volunteers before the limit.
    """
    people, visits, volunteers = compiled.people, compiled.visits, compiled.volunteers
    by_visit: list[list[Candidate]] = [[] for _ in visits]
    compiled.eligible_counts = [0] * len(visits)
    if not volunteers:
        return by_visit
    grid = compiled.grid
    languages: dict[str, int] = {}
    for w in volunteers:
        for lang in w.languages:
            languages.setdefault(lang, len(languages))
    wide = len(languages) > 62

    def mask_of(langs: frozenset[str]) -> int:
        return sum(1 << languages[lang] for lang in langs if lang in languages)

    genders: dict[str, int] = {}
    w_lat = np.radians(np.array([w.lat for w in volunteers]))
    w_lon = np.radians(np.array([w.lon for w in volunteers]))
    w_max_km = np.array([w.max_km for w in volunteers])
    w_checked = np.array([w.checked for w in volunteers])
    w_minutes = np.array([w.max_minutes for w in volunteers])
    w_gender = np.array(
        [
            _GENDER_NONE if w.gender is None else genders.setdefault(w.gender, len(genders))
            for w in volunteers
        ]
    )
    w_lang = np.array([0 if wide else mask_of(w.languages) for w in volunteers], dtype=np.int64)
    windows = _window_arrays(volunteers)
    cos_w_lat = np.cos(w_lat)
    for person in people:
        if not person.visits:
            continue
        phi, lam = math.radians(person.lat), math.radians(person.lon)
        h = (
            np.sin((w_lat - phi) / 2) ** 2
            + math.cos(phi) * cos_w_lat * np.sin((w_lon - lam) / 2) ** 2
        )
        km = 2 * rules.EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.minimum(1.0, h)))
        base = km <= w_max_km + 1e-7
        if person.languages:
            if wide:
                base &= np.array(
                    [rules.language_shared(person.languages, w.languages) for w in volunteers]
                )
            else:
                base &= (w_lang & mask_of(person.languages)) != 0
        if person.gender_preference is not None:
            base &= w_gender == genders.get(person.gender_preference, -2)
        rank = km.copy()
        members = [
            compiled.volunteer_index[i] for i in person.circle if i in compiled.volunteer_index
        ]
        rank[members] -= 1e6
        for v in person.visits:
            visit = visits[v]
            mask = base & (w_minutes >= visit.duration)
            if visit.requires_check:
                mask &= w_checked
            if visit.day not in windows:
                mask &= False
            else:
                starts_w, ends_w = windows[visit.day]
                low = np.maximum(starts_w, visit.earliest)
                first = -(-low // grid) * grid
                fits = first + visit.duration <= np.minimum(ends_w, visit.latest)
                mask &= fits.any(axis=1)
            chosen = np.flatnonzero(mask)
            keep = None if limit is None else 2 * limit + len(person.excluded) + len(visit.pinned)
            if keep is not None and len(chosen) > keep:
                ordered = chosen[np.argpartition(rank[chosen], keep)[:keep]]
                ordered = ordered[np.lexsort((ordered, rank[ordered]))]
                if visit.pinned:
                    ordered = np.concatenate([ordered, np.array(visit.pinned, dtype=np.int64)])
            else:
                ordered = chosen[np.lexsort((chosen, rank[chosen]))]
            kept: list[Candidate] = []
            pinned = set(visit.pinned)
            excluded = 0
            seen: set[int] = set()
            for i in ordered.tolist():
                if i in seen:
                    continue
                seen.add(i)
                w = volunteers[i]
                if w.id in person.excluded:
                    excluded += 1
                    continue
                if limit is not None and len(kept) >= limit and i not in pinned:
                    if not pinned.difference(c.volunteer for c in kept):
                        break
                    continue
                exact = float(km[i])
                if exact > w.max_km - 1e-6:
                    exact = rules.distance_km(w.lat, w.lon, person.lat, person.lon)
                    if not rules.within_range(exact, w.max_km):
                        excluded += 1
                        continue
                starts = rules.grid_starts(
                    earliest=visit.earliest,
                    latest=visit.latest,
                    duration=visit.duration,
                    grid=grid,
                    windows=w.windows.get(visit.day, ()),
                )
                kept.append(Candidate(v, i, tuple(starts), exact, w.id in person.circle))
            # Counted before the limit; a volunteer a hair beyond range past the limit may be
            # counted, which only ever loosens the upper bound that uses these counts.
            compiled.eligible_counts[v] = len(chosen) - excluded
            by_visit[v] = kept
    return by_visit


def _window_arrays(
    volunteers: list[CVolunteer],
) -> dict[int, tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]]:
    """Per day, (n_volunteers, k) arrays of window starts and ends (padded with empty windows)."""
    out = {}
    for day in range(7):
        width = max((len(w.windows.get(day, ())) for w in volunteers), default=0)
        if width == 0:
            continue
        starts = np.zeros((len(volunteers), width), dtype=np.int64)
        ends = np.full((len(volunteers), width), -10_000, dtype=np.int64)
        for w in volunteers:
            for k, (a, b) in enumerate(w.windows.get(day, ())):
                starts[w.index, k] = a
                ends[w.index, k] = b
        out[day] = (starts, ends)
    return out


def minutes_label(day: int, start: int, end: int) -> str:
    """'Tue 10:00-13:00'."""
    return (
        f"{rules.DAY_SHORT[day]} {start // 60:02d}:{start % 60:02d}-{end // 60:02d}:{end % 60:02d}"
    )
