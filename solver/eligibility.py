"""Eligibility: hard rules 1-7 of ROTA_FORMAT.md, the one source of truth.

Each rule is a small function on plain values, so the solver's hot loops and the service (which
validates a volunteer's self sign-up) share exactly the same code. ``reasons_not_eligible`` and
``eligible`` take the individual person, visit and volunteer models; no whole problem is needed.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable

from solver.models import Person, Visit, Volunteer, clock_of, minutes_of

EARTH_RADIUS_KM = 6371.0088
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
DAY_SHORT = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance in km, Earth radius 6371.0088 km."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlam = math.radians(lon2 - lon1)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlam / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, h)))


def travel_minutes(km: float, speed_kmh: float) -> int:
    """Rule 8's travel time, ``ceil(km / speed * 60)``.

    Both evaluation orders are taken and the larger kept, so a checker that computes the formula
    either way never finds a gap one floating-point step too short.
    """
    return max(math.ceil(km / speed_kmh * 60), math.ceil(km * 60 / speed_kmh))


# --- rules on plain values -------------------------------------------------------------------


def fits_availability(start: int, duration: int, windows: Iterable[tuple[int, int]]) -> bool:
    """Rule 1: one availability window contains ``[start, start + duration]``."""
    return any(w_start <= start and start + duration <= w_end for w_start, w_end in windows)


def fits_visit_window(start: int, duration: int, earliest: int, latest: int, grid: int) -> bool:
    """Rule 2: inside the visit's window and on the grid."""
    return earliest <= start and start + duration <= latest and start % grid == 0


def within_range(km: float, max_km: float) -> bool:
    """Rule 3: the person lives within the volunteer's range."""
    return km <= max_km


def check_satisfied(requires_check: bool, checked: bool) -> bool:
    """Rule 4: visits that require a check go to checked volunteers."""
    return checked or not requires_check


def language_shared(
    person_languages: Collection[str], volunteer_languages: Collection[str]
) -> bool:
    """Rule 5: where the person lists languages, the volunteer shares one."""
    return not person_languages or any(lang in person_languages for lang in volunteer_languages)


def gender_matches(preference: str | None, gender: str | None) -> bool:
    """Rule 6: where the person states a preference, the volunteer's gender equals it."""
    return preference is None or gender == preference


def not_excluded(excluded: Collection[str], volunteer_id: str) -> bool:
    """Rule 7: the volunteer is not on the person's exclusion list."""
    return volunteer_id not in excluded


def grid_starts(
    *,
    earliest: int,
    latest: int,
    duration: int,
    grid: int,
    windows: Iterable[tuple[int, int]],
) -> list[int]:
    """Every start allowed by rules 1 and 2, ascending."""
    starts: set[int] = set()
    for w_start, w_end in windows:
        low = max(earliest, w_start)
        high = min(latest, w_end) - duration
        first = -(-low // grid) * grid
        starts.update(range(first, high + 1, grid))
    return sorted(starts)


# --- the model-level API (used by the service) -----------------------------------------------


def windows_on(volunteer: Volunteer, day: int) -> list[tuple[int, int]]:
    """The volunteer's availability windows on ``day``, in minutes."""
    return [(a.start_minutes, a.end_minutes) for a in volunteer.availability if a.day == day]


def possible_starts(*, visit: Visit, volunteer: Volunteer, grid_minutes: int = 15) -> list[int]:
    """Starts (minutes after midnight) at which this volunteer could make this visit."""
    return grid_starts(
        earliest=visit.earliest_minutes,
        latest=visit.latest_minutes,
        duration=visit.duration_minutes,
        grid=grid_minutes,
        windows=windows_on(volunteer, visit.day),
    )


def reasons_not_eligible(
    *,
    visit: Visit,
    person: Person,
    volunteer: Volunteer,
    grid_minutes: int = 15,
    start: int | str | None = None,
) -> list[str]:
    """Plain-language reasons why ``volunteer`` may not make ``visit`` (empty when eligible).

    With ``start`` given, rules 1 and 2 are checked at that start; otherwise at any start.
    """
    reasons: list[str] = []
    km = distance_km(volunteer.lat, volunteer.lon, person.lat, person.lon)
    if not within_range(km, volunteer.max_km):
        reasons.append(
            f"lives {km:.1f} km away, beyond the volunteer's range of {volunteer.max_km:g} km"
        )
    if not check_satisfied(visit.requires_check, volunteer.checked):
        reasons.append("this visit needs a checked volunteer and the volunteer is not checked")
    if not language_shared(person.languages, volunteer.languages):
        reasons.append(f"shares none of the person's languages ({', '.join(person.languages)})")
    if not gender_matches(person.gender_preference, volunteer.gender):
        reasons.append(f"the person asked for a {person.gender_preference} volunteer")
    if not not_excluded(person.excluded_volunteers, volunteer.id):
        reasons.append("the person asked not to be visited by this volunteer")
    day = DAY_NAMES[visit.day]
    window = f"{visit.earliest}-{visit.latest}"
    windows = windows_on(volunteer, visit.day)
    if start is None:
        if not possible_starts(visit=visit, volunteer=volunteer, grid_minutes=grid_minutes):
            reasons.append(f"not available for {visit.duration_minutes} minutes on {day} {window}")
    else:
        at = minutes_of(start) if isinstance(start, str) else start
        if not fits_visit_window(
            at, visit.duration_minutes, visit.earliest_minutes, visit.latest_minutes, grid_minutes
        ):
            reasons.append(
                f"a start at {clock_of(at)} is outside the visit window {window} "
                f"or off the {grid_minutes}-minute grid"
            )
        if not fits_availability(at, visit.duration_minutes, windows):
            reasons.append(
                f"not available {clock_of(at)}-{clock_of(at + visit.duration_minutes)} on {day}"
            )
    return reasons


def eligible(
    *,
    visit: Visit,
    person: Person,
    volunteer: Volunteer,
    grid_minutes: int = 15,
    start: int | str | None = None,
) -> bool:
    """Whether rules 1-7 allow ``volunteer`` on ``visit`` (at ``start`` when given)."""
    return not reasons_not_eligible(
        visit=visit, person=person, volunteer=volunteer, grid_minutes=grid_minutes, start=start
    )
