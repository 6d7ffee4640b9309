"""Repairing a published week: who could take a visit its volunteer gave up, best first, with
everything else in the week kept as it is.

Who may take the visit is decided by ``solver.eligibility`` alone (``eligible_volunteers``:
rules 1-9 against the visits each volunteer already holds that week). This module only orders
the eligible and says why: members of the person's circle first, then volunteers who have
visited the person before, then the nearest (to the half kilometre), then the least loaded this
week (the share of their weekly minutes already held: fairness), then by id so the order is
stable. ``repair_visits`` ranks several visits of one week (a volunteer's cancelled days) in
time order, holding each visit's first choice while ranking the next, so taking every first
choice never double-books anyone. ``rules_broken`` says which rules a hand-picked volunteer
would break.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

from clock import clock_of
from solver import eligibility
from solver.eligibility import HeldVisit, VolunteerTable
from solver.geography import distance_km
from solver.models import Person, Visit, Volunteer

GRID_MINUTES = 15
TRAVEL_SPEED_KMH = 12.0
DISTANCE_STEP_KM = 0.5  # nearer by less than this is not a reason to prefer someone


@dataclass(frozen=True)
class Replacement:
    """A volunteer who may take the visit, at ``start`` (minutes after midnight), and why."""

    volunteer: str
    start: int
    in_circle: bool
    visited_before: bool
    km: float
    load: float  # share of the volunteer's weekly minutes already held, 0..1
    reasons: list[str] = field(default_factory=list)

    def rank_key(self) -> tuple[int, float, float, str]:
        tier = 0 if self.in_circle else 1 if self.visited_before else 2
        return (tier, round(self.km / DISTANCE_STEP_KM), round(self.load, 2), self.volunteer)


@dataclass(frozen=True)
class VisitToRepair:
    """A visit that lost its volunteer, its person, and who the person knows: ``circle`` (the
    volunteers in circles that support them) and ``known`` (who visited them before)."""

    visit: Visit
    person: Person
    circle: Collection[str] = ()
    known: Collection[str] = ()


def rank_replacements(
    *,
    repair: VisitToRepair,
    table: VolunteerTable,
    volunteers: Mapping[str, Volunteer],
    held: Mapping[str, Sequence[HeldVisit]],
    exclude: Collection[str] = (),
    first: int = 5,
) -> list[Replacement]:
    """Up to ``first`` volunteers of ``table`` who may take the visit (rules 1-9, given what
    each holds: ``held``), best first; ``exclude`` (who gave it up) left out."""
    visit, person = repair.visit, repair.person
    starts = eligibility.eligible_volunteers(
        visit=visit,
        person=person,
        table=table,
        held=held,
        grid_minutes=GRID_MINUTES,
        travel_speed_kmh=TRAVEL_SPEED_KMH,
    )
    found = []
    for volunteer_id, possible in starts.items():
        if volunteer_id in exclude:
            continue
        volunteer = volunteers[volunteer_id]
        minutes = eligibility.held_minutes(held.get(volunteer_id, ()))
        km = distance_km(volunteer.lat, volunteer.lon, person.lat, person.lon)
        load = minutes / volunteer.max_minutes if volunteer.max_minutes else 1.0
        in_circle = volunteer_id in repair.circle
        visited = volunteer_id in repair.known
        start = _nearest_start(possible, visit)
        found.append(
            Replacement(
                volunteer=volunteer_id,
                start=start,
                in_circle=in_circle,
                visited_before=visited,
                km=km,
                load=load,
                reasons=_reasons(in_circle, visited, km, start, minutes, volunteer.max_minutes),
            )
        )
    found.sort(key=Replacement.rank_key)
    return found[:first]


def _nearest_start(possible: Sequence[int], visit: Visit) -> int:
    """The start kept closest to the one the person expected (the window's earliest when the
    visit had none), so the person's day changes as little as possible."""
    return min(possible, key=lambda start: (abs(start - visit.earliest_minutes), start))


def _reasons(
    in_circle: bool, visited: bool, km: float, start: int, minutes: int, max_minutes: int
) -> list[str]:
    reasons = []
    if in_circle:
        reasons.append("in the person's circle")
    elif visited:
        reasons.append("has visited the person before")
    else:
        reasons.append("new to the person")
    reasons.append(f"{km:.1f} km away")
    reasons.append(f"free at {clock_of(start)}")
    reasons.append(f"{minutes} of {max_minutes} minutes taken this week")
    return reasons


def repair_visits(
    *,
    repairs: Sequence[VisitToRepair],
    volunteers: Sequence[Volunteer],
    held: Mapping[str, Sequence[HeldVisit]],
    exclude: Collection[str] = (),
    first: int = 5,
) -> dict[str, list[Replacement]]:
    """Ranked replacements for each visit of ``repairs`` (one week's), by visit id. Visits are
    ranked in time order and each one's first choice is held while ranking the rest, so the
    first choices together never double-book a volunteer or break a weekly limit."""
    table = eligibility.table_of(volunteers)
    by_id = {volunteer.id: volunteer for volunteer in volunteers}
    holding = {volunteer_id: list(visits) for volunteer_id, visits in held.items()}
    ranked: dict[str, list[Replacement]] = {}
    for repair in sorted(repairs, key=lambda r: (r.visit.day, r.visit.earliest, r.visit.id)):
        found = rank_replacements(
            repair=repair,
            table=table,
            volunteers=by_id,
            held=holding,
            exclude=exclude,
            first=first,
        )
        ranked[repair.visit.id] = found
        if found:
            best = found[0]
            holding.setdefault(best.volunteer, []).append(
                HeldVisit(
                    repair.visit.day,
                    best.start,
                    repair.visit.duration_minutes,
                    repair.person.lat,
                    repair.person.lon,
                )
            )
    return ranked


def rules_broken(
    *,
    visit: Visit,
    person: Person,
    volunteer: Volunteer,
    held: Sequence[HeldVisit],
) -> list[str]:
    """Which rules ``volunteer`` would break on ``visit`` beside the visits they hold that week
    (``held``), in plain words; empty when they may take it."""
    reasons = eligibility.reasons_not_eligible(
        visit=visit, person=person, volunteer=volunteer, grid_minutes=GRID_MINUTES
    )
    minutes = eligibility.held_minutes(held) + visit.duration_minutes
    if not eligibility.within_weekly_limit(minutes, volunteer.max_minutes):
        reasons.append(
            f"would give {minutes} minutes this week, over their limit of {volunteer.max_minutes}"
        )
    starts = eligibility.possible_starts(
        visit=visit, volunteer=volunteer, grid_minutes=GRID_MINUTES
    )
    if starts and not _first_clear(starts, visit=visit, person=person, held=held):
        reasons.append(
            f"busy with another visit on {eligibility.DAY_NAMES[visit.day]} "
            "(travel included) at every time they could go"
        )
    return reasons


def start_for(
    *, visit: Visit, person: Person, volunteer: Volunteer, held: Sequence[HeldVisit]
) -> int:
    """The start a hand-picked volunteer is given: the first at which they are free beside
    ``held`` (rules 1, 2, 8), else the first they are available, else the window's earliest."""
    starts = eligibility.possible_starts(
        visit=visit, volunteer=volunteer, grid_minutes=GRID_MINUTES
    )
    clear = _first_clear(starts, visit=visit, person=person, held=held)
    if clear:
        return clear[0]
    return starts[0] if starts else visit.earliest_minutes


def _first_clear(
    starts: Sequence[int], *, visit: Visit, person: Person, held: Sequence[HeldVisit]
) -> list[int]:
    """The first of ``starts`` at which the visit is clear of ``held`` (rule 8), if any."""
    return eligibility.starts_clear_of(
        held,
        starts=starts,
        day=visit.day,
        duration=visit.duration_minutes,
        lat=person.lat,
        lon=person.lon,
        travel_speed_kmh=TRAVEL_SPEED_KMH,
        first_only=True,
    )
