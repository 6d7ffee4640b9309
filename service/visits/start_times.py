"""Choosing a volunteer's start on a visit. Every rule of ROTA_FORMAT (1-9) is decided by
``solver.eligibility``: rules 1-7 (``reasons_not_eligible``, or ``visit_rules_for`` over many
visits), rule 9 (``within_weekly_limit``) and rule 8 (``starts_clear_of``, against the visits
the volunteer holds that week). This module adds only what belongs to the service: the clock (a
start today must not have passed), a shared visit's start (the others already hold it at one),
and the reasons' wording (the graph-to-solver adapters are ``service.solver_terms``). Used by
open visits (advice) and claims (the start to claim at; the guarded claim statement has the last
word on what must be atomic).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from clock import clock_of, minutes_of
from graph.models import utc_now
from service.weeks import visit_date
from solver import eligibility
from solver import models as rota

GRID_MINUTES = 15
TRAVEL_SPEED_KMH = 12.0

HeldVisit = eligibility.HeldVisit
HeldByWeek = Mapping[str, Sequence[HeldVisit]]  # week start (ISO) -> the visits held that week


def now_minute() -> tuple[date, int]:
    """Today (UTC) and the minute of the day it is now."""
    now = utc_now()
    return now.date(), now.hour * 60 + now.minute


def visit_table_of_rows(
    rows: Sequence[Mapping[str, Any]], *, like: eligibility.VisitTable | None = None
) -> eligibility.VisitTable:
    """Open-visit rows (OPEN_VISITS_NEAR's, or the snapshot's) as the solver's table of visits
    with what their people decide."""
    return eligibility.visit_table(
        days=[row["day"] for row in rows],
        earliest=[minutes_of(row["earliest"]) for row in rows],
        latest=[minutes_of(row["latest"]) for row in rows],
        durations=[row["duration_minutes"] for row in rows],
        requires_check=[row.get("requires_check", True) is not False for row in rows],
        lats=[row["lat"] for row in rows],
        lons=[row["lon"] for row in rows],
        gender_preferences=[row.get("gender_preference") or None for row in rows],
        languages=[row.get("languages") or () for row in rows],
        excluded=[row.get("excluded_volunteers") or () for row in rows],
        like=like,
    )


def choose_start(
    *,
    volunteer: rota.Volunteer,
    person: rota.Person,
    visit: rota.Visit,
    fixed_start: str | None,
    week_start: str,
    held: Sequence[HeldVisit],
    on_or_after: tuple[date, int] | None,
) -> tuple[int | None, list[str]]:
    """A start for this volunteer on this visit, or the reasons there is none (``held``: the
    visits they hold in the visit's week, the visit itself not among them)."""
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
    held: Sequence[HeldVisit],
    on_or_after: tuple[date, int] | None,
) -> tuple[int | None, list[str]]:
    """Of the starts rules 1-7 allow, the first that rules 8 and 9 allow too beside the
    ``held`` visits of the week (and that is not past, and matches the others' start on a
    shared visit), or why there is none."""
    load = eligibility.held_minutes(held) + duration
    if not eligibility.within_weekly_limit(load, max_minutes):
        return None, [
            f"would take the week to {load} minutes, beyond the volunteer's limit of {max_minutes}"
        ]
    if fixed_start is not None:
        starts = [s for s in starts if s == minutes_of(fixed_start)]
        if not starts:
            return None, [f"the others on this visit go at {fixed_start}, when you are not free"]
    if on_or_after is not None and visit_date(week_start, day) == on_or_after[0]:
        later = [s for s in starts if s >= on_or_after[1]]
        if not later:
            return None, [f"its time today has passed (the last start was {clock_of(starts[-1])})"]
        starts = later
    clear = eligibility.starts_clear_of(
        held,
        starts=starts,
        day=day,
        duration=duration,
        lat=lat,
        lon=lon,
        travel_speed_kmh=TRAVEL_SPEED_KMH,
        first_only=True,
    )
    if not clear:
        return None, [
            "no free time in the visit window once travel to your other visits is allowed"
        ]
    return clear[0], []


def held_by_week(
    rows: Sequence[Mapping[str, Any]], *, leave_out: str = ""
) -> dict[str, list[HeldVisit]]:
    """The held visits among ``rows`` (the repository's held rows) that have a start, by week,
    without the visit ``leave_out``."""
    out: dict[str, list[HeldVisit]] = {}
    for row in rows:
        if row.get("start") and row["id"] != leave_out:
            out.setdefault(row["week_start"], []).append(
                HeldVisit(
                    row["day"],
                    minutes_of(row["start"]),
                    row["duration_minutes"],
                    row["lat"],
                    row["lon"],
                )
            )
    return out
