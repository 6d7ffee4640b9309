"""Synthetic rota problems for tests and benchmarks, in the ROTA_FORMAT.md problem shape.

A London-borough-sized area (6 x 6 km around 51.52, -0.08) with clustered neighbourhoods, each
with its own mix of community languages. People ask for 1-3 visits a week, mostly weekday
mornings and afternoons; volunteers keep weekly patterns (daytime retirees, evening and weekend
workers, a few flexible). Most people already have a small circle of volunteers who could still
serve them. Everything is drawn from ``numpy.random.default_rng`` seeded by (seed, size, variant),
so the same arguments always give the same JSON.

``plentiful`` volunteers have far more usable time than the visits need; ``scarce`` volunteers are
mostly evening and weekend workers with little daytime time, so even a perfect rota leaves visits
uncovered and the choice of *which* visits to cover decides the result (see ``supply_and_demand``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import numpy.typing as npt

from clock import clock_of, minutes_of
from solver.geography import KM_PER_DEGREE, haversine_km, km_per_degree_of_longitude
from solver.slots import DAYS_IN_WEEK, SlotFlow, SlotVisit, SlotVolunteer, slot_flow

if TYPE_CHECKING:
    from solver.models import Problem

Size = Literal["S", "M", "L"]
Variant = Literal["plentiful", "scarce"]
FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

SIZES: dict[str, tuple[int, int]] = {"S": (50, 100), "M": (500, 1_000), "L": (5_000, 10_000)}
VARIANTS: tuple[Variant, ...] = ("plentiful", "scarce")
_SIZE_CODE = {"S": 1, "M": 2, "L": 3}
_VARIANT_CODE = {"plentiful": 1, "scarce": 2}

CENTRE = (51.52, -0.08)
HALF_SIDE_KM = 3.0
KM_PER_DEGREE_LON = km_per_degree_of_longitude(CENTRE[0])
WEEK_START = "2026-11-23"
GRID_MINUTES = 15
DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MINORITY_LANGUAGES = ("pl", "bn", "ur", "so", "tr", "es")
DEFAULT_WEIGHTS = {
    "coverage": 1000,
    "continuity": 50,
    "new_member": 20,
    "travel_km": 2,
    "fairness": 1,
}

# Visit windows people ask for: (earliest, latest) in minutes after midnight, by time of day.
_MORNING = ((540, 660), (540, 720), (570, 720), (600, 720), (600, 780))
_AFTERNOON = ((780, 900), (780, 960), (810, 960), (840, 960), (840, 1020))
_EVENING = ((1020, 1170), (1080, 1200))
_ALL_DAY = ((600, 960),)
_DURATIONS = (30, 45, 60, 90)


@dataclass(frozen=True)
class VolunteerMix:
    """How a variant's volunteers split into weekly patterns, and how much they give."""

    retiree: float
    worker: float
    flexible: float
    checked: float
    retiree_minutes: tuple[int, ...]
    other_minutes: tuple[int, ...]
    max_km: tuple[float, ...]


MIXES: dict[str, VolunteerMix] = {
    "plentiful": VolunteerMix(
        retiree=0.45,
        worker=0.35,
        flexible=0.20,
        checked=0.88,
        retiree_minutes=(120, 180, 240, 300, 360, 480),
        other_minutes=(60, 90, 120, 180, 240),
        max_km=(1, 1, 1.5, 1.5, 2, 2, 2, 3, 3, 4, 5),  # repeats weight the draw
    ),
    "scarce": VolunteerMix(
        retiree=0.15,
        worker=0.70,
        flexible=0.15,
        checked=0.70,
        retiree_minutes=(60, 90, 120, 180),
        other_minutes=(60, 60, 90, 120),
        max_km=(1, 1, 1.5, 2, 3),
    ),
}


def generate(size: str, variant: str, seed: int) -> dict[str, Any]:
    """Return a problem in the ROTA_FORMAT.md JSON shape for ``size`` S/M/L and ``variant``."""
    if size not in SIZES:
        raise ValueError(f"size: expected one of {sorted(SIZES)}, got {size!r}")
    if variant not in MIXES:
        raise ValueError(f"variant: expected one of {list(VARIANTS)}, got {variant!r}")
    n_people, n_volunteers = SIZES[size]
    streams = np.random.SeedSequence([seed, _SIZE_CODE[size]]).spawn(2)
    # People and visits depend on (seed, size) only, so both variants share them.
    people_rng = np.random.default_rng(streams[0])
    variant_rng = np.random.default_rng([*streams[1].generate_state(2), _VARIANT_CODE[variant]])
    town = _neighbourhoods(people_rng)
    people = _people(people_rng, town, n_people)
    visits = _visits(people_rng, people)
    volunteers = _volunteers(variant_rng, town, n_volunteers, MIXES[variant])
    _add_circles_and_exclusions(variant_rng, people, visits, volunteers)
    return {
        "format": "carecircles.rota/1",
        "week_start": WEEK_START,
        "grid_minutes": GRID_MINUTES,
        "travel_speed_kmh": 12,
        "people": [p.to_json() for p in people],
        "visits": [v.to_json() for v in visits],
        "volunteers": [v.to_json() for v in volunteers],
        "weights": dict(DEFAULT_WEIGHTS),
    }


def generate_problem(size: str, variant: str, seed: int) -> Problem:
    """Return ``generate(...)`` parsed as the solver's ``Problem`` model."""
    from solver.models import Problem

    return Problem.model_validate(generate(size, variant, seed))


def next_week(
    problem: Mapping[str, Any],
    solution: Mapping[str, Any] | Any,
    *,
    drop_fraction: float = 0.05,
    seed: int = 0,
) -> dict[str, Any]:
    """Return the following week: the same visits, ``drop_fraction`` of volunteers gone, and
    every person's current circle set to who served them in ``solution`` (then earlier members),
    up to ``circle_max``."""
    if not 0 <= drop_fraction < 1:
        raise ValueError(f"drop_fraction: expected a number in [0, 1), got {drop_fraction!r}")
    solution_json = _as_json(solution)
    rng = np.random.default_rng([seed, 7])
    volunteer_ids = [v["id"] for v in problem["volunteers"]]
    n_drop = round(len(volunteer_ids) * drop_fraction)
    dropped = {volunteer_ids[i] for i in rng.choice(len(volunteer_ids), n_drop, replace=False)}
    person_of_visit = {v["id"]: v["person"] for v in problem["visits"]}
    served: dict[str, list[str]] = {}
    for assignment in solution_json["assignments"]:
        names = served.setdefault(person_of_visit[assignment["visit"]], [])
        if assignment["volunteer"] not in names:
            names.append(assignment["volunteer"])
    people = []
    for person in problem["people"]:
        circle_max = int(person.get("circle_max", 4))
        earlier = person.get("current_circle", [])
        circle = [v for v in [*served.get(person["id"], []), *earlier] if v not in dropped]
        people.append(
            {
                **person,
                "current_circle": list(dict.fromkeys(circle))[:circle_max],
                "excluded_volunteers": [
                    v for v in person.get("excluded_volunteers", []) if v not in dropped
                ],
            }
        )
    visits = [
        {**v, "pinned_volunteers": [p for p in v.get("pinned_volunteers", []) if p not in dropped]}
        for v in problem["visits"]
    ]
    start = dt.date.fromisoformat(problem.get("week_start", WEEK_START)) + dt.timedelta(days=7)
    return {
        **problem,
        "week_start": start.isoformat(),
        "people": people,
        "visits": visits,
        "volunteers": [v for v in problem["volunteers"] if v["id"] not in dropped],
    }


def kept_volunteer_share(
    week1: Mapping[str, Any] | Any, week2: Mapping[str, Any] | Any, week2_problem: Mapping[str, Any]
) -> tuple[float, int]:
    """Share of week-1 (visit, volunteer) assignments, whose volunteer is still there in week 2,
    that week 2 repeats; and how many such assignments there were."""
    present = {v["id"] for v in week2_problem["volunteers"]}
    before = {
        (a["visit"], a["volunteer"])
        for a in _as_json(week1)["assignments"]
        if a["volunteer"] in present
    }
    after = {(a["visit"], a["volunteer"]) for a in _as_json(week2)["assignments"]}
    if not before:
        return 1.0, 0
    return len(before & after) / len(before), len(before)


def supply_and_demand(problem: Mapping[str, Any]) -> SlotFlow:
    """Return the volunteer-minutes a problem (its JSON) asks for and the most any rota could
    cover: the slot-flow relaxation (solver/slots.py).

    ``demand_minutes``: sum of duration x volunteers_needed over visits.
    ``offered_minutes``: sum over volunteers of min(max_minutes, available minutes).
    ``coverable_minutes`` (the max flow) bounds the volunteer-minutes any rota covers, and
    ``need_weighted_bound`` bounds need-weighted coverage.
    """
    need_of = {person["id"]: float(person.get("need", 0.5)) for person in problem["people"]}
    volunteers = (
        SlotVolunteer(
            tuple(
                (w["day"], minutes_of(w["start"]), minutes_of(w["end"])) for w in v["availability"]
            ),
            int(v["max_minutes"]),
            bool(v.get("checked", False)),
        )
        for v in problem["volunteers"]
    )
    visits = (
        SlotVisit(
            v["day"],
            minutes_of(v["earliest"]),
            minutes_of(v["latest"]),
            int(v["duration_minutes"]),
            int(v.get("volunteers_needed", 1)),
            bool(v.get("requires_check", True)),
            need_of[v["person"]],
        )
        for v in problem["visits"]
    )
    return slot_flow(int(problem.get("grid_minutes", GRID_MINUTES)), volunteers, visits)


def _as_json(solution: Mapping[str, Any] | Any) -> Mapping[str, Any]:
    if isinstance(solution, Mapping):
        return solution
    dumped: Mapping[str, Any] = solution.model_dump(mode="json")
    return dumped


@dataclass
class _Town:
    """Neighbourhood centres (km from the centre), spreads, weights and community languages."""

    x: FloatArray
    y: FloatArray
    spread: FloatArray
    weight: FloatArray
    language: list[str | None]
    minority_share: FloatArray


@dataclass
class _Person:
    index: int
    x: float
    y: float
    neighbourhood: int
    need: float
    languages: list[str]
    gender_preference: str | None
    circle_max: int
    current_circle: list[str]
    excluded_volunteers: list[str]

    @property
    def id(self) -> str:
        return f"p{self.index + 1}"

    def to_json(self) -> dict[str, Any]:
        lat, lon = _latlon(self.x, self.y)
        return {
            "id": self.id,
            "lat": lat,
            "lon": lon,
            "need": self.need,
            "languages": self.languages,
            "gender_preference": self.gender_preference,
            "excluded_volunteers": self.excluded_volunteers,
            "current_circle": self.current_circle,
            "circle_max": self.circle_max,
        }


@dataclass
class _Visit:
    person: _Person
    day: int
    earliest: int
    latest: int
    duration: int
    requires_check: bool
    volunteers_needed: int

    def to_json(self) -> dict[str, Any]:
        return {
            "id": f"{self.person.id}-{DAY_NAMES[self.day]}",
            "person": self.person.id,
            "day": self.day,
            "earliest": clock_of(self.earliest),
            "latest": clock_of(self.latest),
            "duration_minutes": self.duration,
            "requires_check": self.requires_check,
            "volunteers_needed": self.volunteers_needed,
            "pinned_volunteers": [],
        }


@dataclass
class _Volunteer:
    index: int
    x: float
    y: float
    max_km: float
    max_minutes: int
    availability: list[tuple[int, int, int]]  # (day, start, end)
    languages: list[str]
    gender: str
    checked: bool

    @property
    def id(self) -> str:
        return f"v{self.index + 1}"

    def to_json(self) -> dict[str, Any]:
        lat, lon = _latlon(self.x, self.y)
        return {
            "id": self.id,
            "lat": lat,
            "lon": lon,
            "max_km": self.max_km,
            "max_minutes": self.max_minutes,
            "availability": [
                {"day": day, "start": clock_of(start), "end": clock_of(end)}
                for day, start, end in self.availability
            ],
            "languages": self.languages,
            "gender": self.gender,
            "checked": self.checked,
        }


def _latlon(x: float, y: float) -> tuple[float, float]:
    return round(CENTRE[0] + y / KM_PER_DEGREE, 5), round(CENTRE[1] + x / KM_PER_DEGREE_LON, 5)


def _neighbourhoods(rng: np.random.Generator) -> _Town:
    count = 14
    inner = HALF_SIDE_KM - 0.5
    languages: list[str | None] = []
    for _ in range(count):
        has_community = rng.random() < 0.7
        languages.append(str(rng.choice(MINORITY_LANGUAGES)) if has_community else None)
    return _Town(
        x=rng.uniform(-inner, inner, count),
        y=rng.uniform(-inner, inner, count),
        spread=rng.uniform(0.3, 0.7, count),
        weight=rng.dirichlet(np.full(count, 2.0)),
        language=languages,
        minority_share=np.where(
            [lang is not None for lang in languages], rng.uniform(0.05, 0.35, count), 0.0
        ),
    )


def _places(
    rng: np.random.Generator, town: _Town, count: int, clustered: float
) -> tuple[FloatArray, FloatArray, IntArray]:
    """Points in the square: ``clustered`` of them around neighbourhood centres, the rest
    anywhere; each labelled with its nearest neighbourhood."""
    hood = rng.choice(len(town.x), count, p=town.weight)
    in_cluster = rng.random(count) < clustered
    x = np.where(
        in_cluster,
        town.x[hood] + rng.normal(0, 1, count) * town.spread[hood],
        rng.uniform(-HALF_SIDE_KM, HALF_SIDE_KM, count),
    )
    y = np.where(
        in_cluster,
        town.y[hood] + rng.normal(0, 1, count) * town.spread[hood],
        rng.uniform(-HALF_SIDE_KM, HALF_SIDE_KM, count),
    )
    x = np.clip(x, -HALF_SIDE_KM, HALF_SIDE_KM)
    y = np.clip(y, -HALF_SIDE_KM, HALF_SIDE_KM)
    nearest = np.argmin((x[:, None] - town.x) ** 2 + (y[:, None] - town.y) ** 2, axis=1)
    return x, y, nearest.astype(np.int64)


def _need(rng: np.random.Generator) -> float:
    roll = rng.random()
    if roll < 0.12:
        return round(float(rng.uniform(0.8, 1.0)), 2)
    if roll < 0.22:
        return round(float(rng.uniform(0.1, 0.3)), 2)
    return round(float(rng.uniform(0.3, 0.6)), 2)


def _people(rng: np.random.Generator, town: _Town, count: int) -> list[_Person]:
    x, y, hood = _places(rng, town, count, clustered=0.85)
    people = []
    for i in range(count):
        community = town.language[hood[i]]
        if community is not None and rng.random() < town.minority_share[hood[i]] * 1.5:
            languages = [community] if rng.random() < 0.5 else [community, "en"]
        elif rng.random() < 0.03:
            languages = [str(rng.choice(MINORITY_LANGUAGES))]
        else:
            languages = ["en"] if rng.random() < 0.9 else []
        roll = rng.random()
        preference = "female" if roll < 0.12 else "male" if roll < 0.15 else None
        circle_max = int(rng.choice((3, 4, 5), p=(0.1, 0.8, 0.1)))
        people.append(
            _Person(i, float(x[i]), float(y[i]), int(hood[i]), _need(rng), languages,
                    preference, circle_max, [], [])
        )  # fmt: skip
    return people


def _visits(rng: np.random.Generator, people: Sequence[_Person]) -> list[_Visit]:
    day_weights = np.array([1, 1, 1, 1, 1, 0.35, 0.25])
    visits = []
    for person in people:
        count = int(rng.choice((1, 2, 3), p=(0.35, 0.35, 0.30)))
        days = sorted(rng.choice(7, count, replace=False, p=day_weights / day_weights.sum()))
        roll = rng.random()
        band: tuple[tuple[int, int], ...] = (
            _MORNING if roll < 0.6 else _AFTERNOON if roll < 0.9 else _EVENING
        )
        if roll >= 0.95:
            band = _ALL_DAY
        requires_check = rng.random() < 0.85
        for day in days:
            earliest, latest = band[int(rng.integers(len(band)))]
            duration = int(rng.choice(_DURATIONS, p=(0.25, 0.2, 0.4, 0.15)))
            if person.need >= 0.8:
                duration = max(duration, 45)
            duration = min(duration, latest - earliest)
            needed = 2 if rng.random() < 0.04 else 1
            visits.append(
                _Visit(person, int(day), earliest, latest, duration, requires_check, needed)
            )
    return visits


def _weekly_pattern(rng: np.random.Generator, kind: str) -> list[tuple[int, int, int]]:
    """Availability windows (day, start, end) for a retiree, worker or flexible volunteer."""
    windows: list[tuple[int, int, int]] = []
    if kind == "retiree":
        for day in sorted(rng.choice(5, int(rng.integers(2, 5)), replace=False)):
            start, end = ((540, 750), (780, 1020), (570, 960))[int(rng.integers(3))]
            windows.append((int(day), start, end))
        if rng.random() < 0.15:
            windows.append((5, 600, 780))
    elif kind == "worker":
        for day in sorted(rng.choice(5, int(rng.integers(1, 4)), replace=False)):
            windows.append((int(day), 1050, 1230))
        if rng.random() < 0.6:
            windows.append((int(rng.choice((5, 6))), 600, 960))
    else:
        for day in sorted(rng.choice(7, int(rng.integers(1, 4)), replace=False)):
            start = int(rng.choice((540, 600, 720, 840, 1020)))
            windows.append((int(day), start, min(start + int(rng.choice((180, 240))), 1260)))
    return windows


def _volunteers(
    rng: np.random.Generator, town: _Town, count: int, mix: VolunteerMix
) -> list[_Volunteer]:
    x, y, hood = _places(rng, town, count, clustered=0.7)
    kinds = rng.choice(
        ("retiree", "worker", "flexible"), count, p=(mix.retiree, mix.worker, mix.flexible)
    )
    volunteers = []
    for i in range(count):
        kind = str(kinds[i])
        minutes_choices = mix.retiree_minutes if kind == "retiree" else mix.other_minutes
        languages = ["en"] if rng.random() < 0.92 else []
        community = town.language[hood[i]]
        if community is not None and rng.random() < town.minority_share[hood[i]] * 1.2:
            languages.append(community)
        if rng.random() < 0.03 or not languages:
            languages.append(str(rng.choice(MINORITY_LANGUAGES)))
        volunteers.append(
            _Volunteer(
                index=i,
                x=float(x[i]),
                y=float(y[i]),
                max_km=float(rng.choice(mix.max_km)),
                max_minutes=int(rng.choice(minutes_choices)),
                availability=_weekly_pattern(rng, kind),
                languages=sorted(set(languages)),
                gender=str(rng.choice(("female", "male"), p=(0.64, 0.36))),
                checked=bool(rng.random() < mix.checked),
            )
        )
    return volunteers


def _add_circles_and_exclusions(
    rng: np.random.Generator,
    people: Sequence[_Person],
    visits: Sequence[_Visit],
    volunteers: Sequence[_Volunteer],
) -> None:
    """Give most people a current circle of 1-3 volunteers who could serve at least one of
    their visits this week (rules 1 and 3-7), and a few people one excluded volunteer nearby."""
    where = np.radians(np.array([_latlon(v.x, v.y) for v in volunteers]))
    max_km = np.array([v.max_km for v in volunteers])
    checked = np.array([v.checked for v in volunteers])
    female = np.array([v.gender == "female" for v in volunteers])
    speaks = {
        lang: np.array([lang in v.languages for v in volunteers])
        for lang in ("en", *MINORITY_LANGUAGES)
    }
    starts = np.full((len(volunteers), DAYS_IN_WEEK, 2), -1, dtype=np.int64)
    ends = np.full_like(starts, -1)
    for i, volunteer in enumerate(volunteers):
        slot = [0] * DAYS_IN_WEEK
        for day, start, end in volunteer.availability:
            if slot[day] < 2:
                starts[i, day, slot[day]], ends[i, day, slot[day]] = start, end
                slot[day] += 1
    circles = np.zeros(len(volunteers), dtype=np.int64)
    visits_of: dict[int, list[_Visit]] = {}
    for visit in visits:
        visits_of.setdefault(visit.person.index, []).append(visit)
    for person in people:
        home = np.radians(_latlon(person.x, person.y))
        distance = haversine_km(home[0], home[1], where[:, 0], where[:, 1])
        eligible = distance <= max_km
        if person.languages:
            eligible &= np.logical_or.reduce([speaks[lang] for lang in person.languages])
        if person.gender_preference is not None:
            eligible &= female if person.gender_preference == "female" else ~female
        free_for_one = np.zeros(len(volunteers), dtype=np.bool_)
        for visit in visits_of.get(person.index, []):
            fits = np.zeros(len(volunteers), dtype=np.bool_)
            for k in range(2):
                begin = np.maximum(starts[:, visit.day, k], visit.earliest)
                begin = -(-begin // GRID_MINUTES) * GRID_MINUTES
                finish = np.minimum(ends[:, visit.day, k], visit.latest)
                fits |= (starts[:, visit.day, k] >= 0) & (begin + visit.duration <= finish)
            free_for_one |= fits & (checked | (not visit.requires_check))
        eligible &= free_for_one & (circles < 3)
        if rng.random() < 0.8:
            nearest = np.flatnonzero(eligible)
            nearest = nearest[np.argsort(distance[nearest], kind="stable")][:8]
            size = min(len(nearest), int(rng.choice((1, 2, 3), p=(0.45, 0.35, 0.2))))
            chosen = sorted(rng.choice(nearest, size, replace=False)) if size else []
            person.current_circle = [volunteers[int(i)].id for i in chosen]
            circles[chosen] += 1
        if rng.random() < 0.03:
            near = np.flatnonzero(distance <= 2.0)
            near = np.array([i for i in near if volunteers[int(i)].id not in person.current_circle])
            if len(near):
                person.excluded_volunteers = [volunteers[int(rng.choice(near))].id]
