"""Choosing a volunteer's start on a visit: rules 1-7 as ``solver.eligibility`` judges them,
then rule 8 (no overlap with visits they hold, travel included), rule 9 (weekly limit), the clock
and a shared visit's start. Used by open visits (advice) and claims (the start to claim at; the
guarded claim statement has the last word).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Any

from clock import minutes_of
from graph.models import VolunteerTerms, utc_now
from service.weeks import visit_date
from solver import eligibility
from solver import models as rota

GRID_MINUTES = 15
TRAVEL_SPEED_KMH = 12.0
KM_PER_DEGREE_LAT = 111.0


def clock(minute: int) -> str:
    """A minute after midnight as "HH:MM"."""
    return f"{minute // 60:02d}:{minute % 60:02d}"


def now_minute() -> tuple[date, int]:
    """Today (UTC) and the minute of the day it is now."""
    now = utc_now()
    return now.date(), now.hour * 60 + now.minute


def solver_volunteer(volunteer: VolunteerTerms, on: date) -> rota.Volunteer:
    """The volunteer as the solver's rules see them, their check judged valid or not ``on``."""
    return rota.Volunteer(
        id=volunteer.id,
        lat=volunteer.lat,
        lon=volunteer.lon,
        max_km=volunteer.max_km,
        max_minutes=volunteer.max_minutes,
        availability=[
            rota.Availability(day=w.day, start=w.start, end=w.end) for w in volunteer.availability
        ],
        languages=volunteer.languages,
        gender=volunteer.gender,
        checked=volunteer.check_valid_on(on),
    )


def solver_person_and_visit(
    row: dict[str, Any], visit: dict[str, Any]
) -> tuple[rota.Person, rota.Visit]:
    """The person (from ``row``) and the visit (from ``visit``) as the solver's rules see them."""
    person = rota.Person(
        id=row["person_id"],
        lat=row["lat"],
        lon=row["lon"],
        languages=row.get("languages") or [],
        gender_preference=row.get("gender_preference"),
        excluded_volunteers=row.get("excluded_volunteers") or [],
    )
    solver_visit = rota.Visit(
        id=visit["id"],
        person=row["person_id"],
        day=visit["day"],
        earliest=visit["earliest"],
        latest=visit["latest"],
        duration_minutes=visit["duration_minutes"],
        requires_check=visit.get("requires_check", True),
    )
    return person, solver_visit


@dataclass(frozen=True)
class HeldVisit:
    """A visit the volunteer holds: when (minutes after midnight) and where."""

    week_start: str
    day: int
    begin: int
    end: int
    lat: float
    lon: float


def _first_start_clear_of_travel(
    *,
    starts: list[int],
    duration: int,
    lat: float,
    lon: float,
    same_day: list[HeldVisit],
) -> int | None:
    """The first start that leaves room for travel to and from every visit held that day."""
    for start in starts:
        clear = True
        for other in same_day:
            travel = eligibility.travel_minutes(
                eligibility.distance_km(lat, lon, other.lat, other.lon), TRAVEL_SPEED_KMH
            )
            if start < other.end + travel and other.begin < start + duration + travel:
                clear = False
                break
        if clear:
            return start
    return None


def choose_start(
    *,
    volunteer: rota.Volunteer,
    person: rota.Person,
    visit: rota.Visit,
    fixed_start: str | None,
    week_start: str,
    held: list[HeldVisit],
    on_or_after: tuple[date, int] | None,
) -> tuple[int | None, list[str]]:
    """A start for this volunteer on this visit, or the reasons there is none."""
    reasons = eligibility.reasons_not_eligible(
        visit=visit, person=person, volunteer=volunteer, grid_minutes=GRID_MINUTES
    )
    if reasons:
        return None, reasons
    return first_free_start(
        eligibility.possible_starts(visit=visit, volunteer=volunteer, grid_minutes=GRID_MINUTES),
        duration=visit.duration_minutes,
        day=visit.day,
        lat=person.lat,
        lon=person.lon,
        max_minutes=volunteer.max_minutes,
        fixed_start=fixed_start,
        week_start=week_start,
        held=held,
        on_or_after=on_or_after,
    )


def first_free_start(
    starts: list[int],
    *,
    duration: int,
    day: int,
    lat: float,
    lon: float,
    max_minutes: int,
    fixed_start: str | None,
    week_start: str,
    held: list[HeldVisit],
    on_or_after: tuple[date, int] | None,
) -> tuple[int | None, list[str]]:
    """Of the starts rules 1-7 allow, the first that rules 8 and 9 allow too (and that is not
    past, and matches the others' start on a shared visit), or why there is none."""
    load = sum(h.end - h.begin for h in held if h.week_start == week_start)
    if load + duration > max_minutes:
        return None, [
            f"would take the week to {load + duration} minutes, beyond the "
            f"volunteer's limit of {max_minutes}"
        ]
    if fixed_start is not None:
        starts = [s for s in starts if s == minutes_of(fixed_start)]
        if not starts:
            return None, [f"the others on this visit go at {fixed_start}, when you are not free"]
    if on_or_after is not None and visit_date(week_start, day) == on_or_after[0]:
        later = [s for s in starts if s >= on_or_after[1]]
        if not later:
            return None, [f"its time today has passed (the last start was {clock(starts[-1])})"]
        starts = later
    same_day = [h for h in held if h.week_start == week_start and h.day == day]
    start = _first_start_clear_of_travel(
        starts=starts, duration=duration, lat=lat, lon=lon, same_day=same_day
    )
    if start is None:
        return None, [
            "no free time in the visit window once travel to your other visits is allowed"
        ]
    return start, []


def reach_box(volunteer: VolunteerTerms) -> tuple[float, float, float, float]:
    """(lat_min, lat_max, lon_min, lon_max) around the volunteer, holding all within max_km."""
    dlat = volunteer.max_km / KM_PER_DEGREE_LAT
    dlon = volunteer.max_km / (KM_PER_DEGREE_LAT * max(0.01, math.cos(math.radians(volunteer.lat))))
    return (volunteer.lat - dlat, volunteer.lat + dlat, volunteer.lon - dlon, volunteer.lon + dlon)


def held_visits_of(rows: list[dict[str, Any]]) -> list[HeldVisit]:
    """The held visits among ``rows`` (the repository's held rows) that have a start."""
    return [
        HeldVisit(
            row["week_start"],
            row["day"],
            minutes_of(row["start"]),
            minutes_of(row["start"]) + row["duration_minutes"],
            row["lat"],
            row["lon"],
        )
        for row in rows
        if row.get("start")
    ]
