"""The graph's volunteers, people and visits as the solver's rules see them.

The one adapter between the two models: the rota's problem (``service.rota.runs``) and a
volunteer's own open visits and claims (``service.visits``) build their solver terms here, so
the rota and a volunteer's sign-up judge the same person the same way.
"""

from __future__ import annotations

from datetime import date
from typing import Any

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
