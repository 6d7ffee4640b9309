"""The graph's volunteers, people and visits as the solver's rules see them.

The one adapter between the two models: the rota's problem (``service.rota.runs``) and a
volunteer's own open visits and claims (``service.visits``) build their solver terms here, so
the rota and a volunteer's sign-up judge the same person the same way.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from clock import clock_of, minutes_of
from graph.models import VolunteerTerms
from solver import models as rota


def solver_volunteer(volunteer: VolunteerTerms, on: date) -> rota.Volunteer:
    """The volunteer as the solver's rules see them in the week starting ``on``: their check
    judged valid or not ``on``, and no availability on a day they are away."""
    away = {(day - on).days for day in volunteer.away_dates if 0 <= (day - on).days < 7}
    return rota.Volunteer(
        id=volunteer.id,
        lat=volunteer.lat,
        lon=volunteer.lon,
        max_km=volunteer.max_km,
        max_minutes=volunteer.max_minutes,
        availability=[
            rota.Availability(day=w.day, start=w.start, end=w.end)
            for w in volunteer.availability
            if w.day not in away
        ],
        languages=volunteer.languages,
        gender=volunteer.gender,
        checked=volunteer.check_valid_on(on),
    )


def without_commitments(
    volunteer: rota.Volunteer, busy: list[tuple[int, str, int]]
) -> rota.Volunteer:
    """The volunteer with the times of their visits for other rotas (``busy``: day, start,
    minutes) taken out of their availability and their minutes from their weekly limit, so a
    volunteer who volunteers with two organisations is not given two visits at once."""
    if not busy:
        return volunteer
    windows = [(w.day, minutes_of(w.start), minutes_of(w.end)) for w in volunteer.availability]
    for day, start, minutes in busy:
        begin = minutes_of(start)
        end = begin + minutes
        cut = []
        for w_day, w_start, w_end in windows:
            if w_day != day or w_end <= begin or w_start >= end:
                cut.append((w_day, w_start, w_end))
                continue
            if w_start < begin:
                cut.append((w_day, w_start, begin))
            if end < w_end:
                cut.append((w_day, end, w_end))
        windows = cut
    return volunteer.model_copy(
        update={
            "availability": [
                rota.Availability(day=d, start=clock_of(a), end=clock_of(b)) for d, a, b in windows
            ],
            "max_minutes": max(0, volunteer.max_minutes - sum(m for _, _, m in busy)),
        }
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
