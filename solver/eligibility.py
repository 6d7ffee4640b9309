"""Eligibility: hard rules 1-9 of ROTA_FORMAT.md, decided here and nowhere else.

Each rule is a small function on plain values (``fits_availability`` ... ``within_weekly_limit``),
used by the checker, the explanations and problem validation. The same rules over many volunteers
at once, with numpy, are the ``*_all`` functions and ``VolunteerTable``: the solver's candidate
search (solver/compiled.py, which the CP-SAT model, greedy and the bound read) uses them, and
tests/solver/test_eligibility.py checks that they decide every (visit, volunteer) pair of random
weeks exactly as the scalar rules do.

``eligible_volunteers`` answers the rota's question: who may take this visit, given the
visits each volunteer already holds this week (rules 1-9), and at which starts. The service's
question, which visits one volunteer may take, is answered over a ``VisitTable`` (many visits
with what their people decide, as numpy columns) by ``visit_rules_for`` (rules 1-7 and 9 over
every visit at once) and ``starts_clear_of`` (rule 8 against the visits the volunteer holds);
open visits and claims use them, and tests/solver/test_eligibility.py checks them against the
scalar rules.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from clock import clock_of, minutes_of
from solver.geography import EARTH_RADIUS_KM as EARTH_RADIUS_KM
from solver.geography import distance_km as distance_km
from solver.geography import haversine_km
from solver.geography import travel_minutes as travel_minutes
from solver.models import Person, Visit, Volunteer

# EARTH_RADIUS_KM, distance_km and travel_minutes live in solver/geography.py; re-exported so
# a caller of the rules finds rule 3's and rule 8's measures beside them.

DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
DAY_SHORT = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

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


def apart_with_travel(start_a: int, end_a: int, start_b: int, end_b: int, gap: int) -> bool:
    """Rule 8 for two visits of one volunteer on one day: one starts after the other ends plus
    ``gap``, the travel minutes between their people."""
    return start_b >= end_a + gap or start_a >= end_b + gap


def within_weekly_limit(minutes: int, max_minutes: int) -> bool:
    """Rule 9: a volunteer's visit minutes this week are within their weekly limit."""
    return minutes <= max_minutes


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
        reasons.append(
            "this visit needs a DBS-checked volunteer and the volunteer is not DBS-checked"
        )
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


# --- the same rules over many volunteers at once -----------------------------------------------


@dataclass(frozen=True, slots=True)
class VolunteerTable:
    """Many volunteers as numpy columns, row ``i`` being ``ids[i]``: what rules 1-9 read."""

    ids: tuple[str, ...]
    index: dict[str, int]
    lat: FloatArray
    lon: FloatArray
    lat_radians: FloatArray
    lon_radians: FloatArray
    max_km: FloatArray
    max_minutes: IntArray
    checked: BoolArray
    gender_codes: dict[str, int]
    genders: IntArray  # a code of ``gender_codes``, or -1 where no gender is stated
    languages: tuple[frozenset[str], ...]
    language_bits: dict[str, int]
    language_masks: IntArray | None  # one bit per language; None when there are more than 62
    windows: tuple[Mapping[int, Sequence[tuple[int, int]]], ...]  # per volunteer, by day
    window_starts: dict[int, IntArray]  # by day, (volunteers, windows), padded with empty ones
    window_ends: dict[int, IntArray]


_NO_GENDER = -1
_EMPTY_WINDOW_END = -10_000


def volunteer_table(
    *,
    ids: Sequence[str],
    lats: Sequence[float],
    lons: Sequence[float],
    max_km: Sequence[float],
    max_minutes: Sequence[int],
    checked: Sequence[bool],
    genders: Sequence[str | None],
    languages: Sequence[Collection[str]],
    windows: Sequence[Mapping[int, Sequence[tuple[int, int]]]],
) -> VolunteerTable:
    """The table of volunteers given as parallel sequences of plain values."""
    gender_codes: dict[str, int] = {}
    gender_column = [
        _NO_GENDER if g is None else gender_codes.setdefault(g, len(gender_codes)) for g in genders
    ]
    language_bits: dict[str, int] = {}
    for spoken in languages:
        for lang in spoken:
            language_bits.setdefault(lang, len(language_bits))
    masks = None
    if len(language_bits) <= 62:
        masks = np.array(
            [sum(1 << language_bits[lang] for lang in set(spoken)) for spoken in languages],
            dtype=np.int64,
        )
    window_starts: dict[int, IntArray] = {}
    window_ends: dict[int, IntArray] = {}
    for day in range(7):
        width = max((len(w.get(day, ())) for w in windows), default=0)
        if width == 0:
            continue
        starts = np.zeros((len(ids), width), dtype=np.int64)
        ends = np.full((len(ids), width), _EMPTY_WINDOW_END, dtype=np.int64)
        for i, by_day in enumerate(windows):
            for k, (start, end) in enumerate(by_day.get(day, ())):
                starts[i, k] = start
                ends[i, k] = end
        window_starts[day], window_ends[day] = starts, ends
    lat = np.array(lats, dtype=np.float64)
    lon = np.array(lons, dtype=np.float64)
    return VolunteerTable(
        ids=tuple(ids),
        index={volunteer_id: i for i, volunteer_id in enumerate(ids)},
        lat=lat,
        lon=lon,
        lat_radians=np.radians(lat),
        lon_radians=np.radians(lon),
        max_km=np.array(max_km, dtype=np.float64),
        max_minutes=np.array(max_minutes, dtype=np.int64),
        checked=np.array(checked, dtype=np.bool_),
        gender_codes=gender_codes,
        genders=np.array(gender_column, dtype=np.int64),
        languages=tuple(frozenset(spoken) for spoken in languages),
        language_bits=language_bits,
        language_masks=masks,
        windows=tuple(windows),
        window_starts=window_starts,
        window_ends=window_ends,
    )


def table_of(volunteers: Sequence[Volunteer]) -> VolunteerTable:
    """The table of volunteers given as ROTA_FORMAT models."""
    return volunteer_table(
        ids=[w.id for w in volunteers],
        lats=[w.lat for w in volunteers],
        lons=[w.lon for w in volunteers],
        max_km=[w.max_km for w in volunteers],
        max_minutes=[w.max_minutes for w in volunteers],
        checked=[w.checked for w in volunteers],
        genders=[w.gender for w in volunteers],
        languages=[w.languages for w in volunteers],
        windows=[{day: windows_on(w, day) for day in range(7)} for w in volunteers],
    )


def km_to_all(lat: float, lon: float, table: VolunteerTable) -> FloatArray:
    """Great-circle km from a person at (``lat``, ``lon``) to every volunteer.

    Values within a hair of a volunteer's ``max_km`` are computed again with ``distance_km``, so
    that ``within_range_all`` decides rule 3 exactly as ``within_range`` does.
    """
    phi, lam = np.radians(lat), np.radians(lon)
    km = haversine_km(phi, lam, table.lat_radians, table.lon_radians)
    for i in np.flatnonzero(np.abs(km - table.max_km) <= 1e-6).tolist():
        km[i] = distance_km(float(table.lat[i]), float(table.lon[i]), lat, lon)
    return km


def fits_some_start_all(
    *, day: int, earliest: int, latest: int, duration: int, grid: int, table: VolunteerTable
) -> BoolArray:
    """Rules 1 and 2: some grid start in the visit window fits one of the volunteer's windows
    (``grid_starts`` is not empty)."""
    if day not in table.window_starts:
        return np.zeros(len(table.ids), dtype=np.bool_)
    low = np.maximum(table.window_starts[day], earliest)
    first = -(-low // grid) * grid
    fits_window: BoolArray = first + duration <= np.minimum(table.window_ends[day], latest)
    fits: BoolArray = np.any(fits_window, axis=1)
    return fits


def within_range_all(km: FloatArray, table: VolunteerTable) -> BoolArray:
    """Rule 3 for every volunteer (``km`` from ``km_to_all``)."""
    inside: BoolArray = km <= table.max_km
    return inside


def check_satisfied_all(requires_check: bool, table: VolunteerTable) -> BoolArray:
    """Rule 4 for every volunteer."""
    if not requires_check:
        return np.ones(len(table.ids), dtype=np.bool_)
    return table.checked.copy()


def language_shared_all(person_languages: Collection[str], table: VolunteerTable) -> BoolArray:
    """Rule 5 for every volunteer."""
    if not person_languages:
        return np.ones(len(table.ids), dtype=np.bool_)
    if table.language_masks is None:
        return np.array(
            [language_shared(person_languages, spoken) for spoken in table.languages],
            dtype=np.bool_,
        )
    wanted = sum(
        1 << table.language_bits[lang]
        for lang in set(person_languages)
        if lang in table.language_bits
    )
    shared: BoolArray = (table.language_masks & wanted) != 0
    return shared


def gender_matches_all(preference: str | None, table: VolunteerTable) -> BoolArray:
    """Rule 6 for every volunteer."""
    if preference is None:
        return np.ones(len(table.ids), dtype=np.bool_)
    matches: BoolArray = table.genders == table.gender_codes.get(preference, _NO_GENDER - 1)
    return matches


def not_excluded_all(excluded: Collection[str], table: VolunteerTable) -> BoolArray:
    """Rule 7 for every volunteer."""
    allowed = np.ones(len(table.ids), dtype=np.bool_)
    for volunteer_id in excluded:
        i = table.index.get(volunteer_id)
        if i is not None:
            allowed[i] = False
    return allowed


def within_weekly_limit_all(minutes: int | IntArray, table: VolunteerTable) -> BoolArray:
    """Rule 9 for every volunteer, ``minutes`` being what each would work this week."""
    within: BoolArray = minutes <= table.max_minutes
    return within


def person_rules_all(
    *,
    lat: float,
    lon: float,
    languages: Collection[str],
    gender_preference: str | None,
    excluded: Collection[str],
    table: VolunteerTable,
) -> tuple[BoolArray, FloatArray]:
    """Rules 3, 5, 6 and 7 (those a person decides, whatever the visit) for every volunteer,
    and every volunteer's km from the person."""
    km = km_to_all(lat, lon, table)
    allowed = within_range_all(km, table)
    allowed &= language_shared_all(languages, table)
    allowed &= gender_matches_all(gender_preference, table)
    allowed &= not_excluded_all(excluded, table)
    return allowed, km


def visit_rules_all(
    *,
    day: int,
    earliest: int,
    latest: int,
    duration: int,
    requires_check: bool,
    grid: int,
    table: VolunteerTable,
) -> BoolArray:
    """Rules 1, 2 and 4 (those a visit decides, wherever its person lives) for every volunteer."""
    allowed = fits_some_start_all(
        day=day, earliest=earliest, latest=latest, duration=duration, grid=grid, table=table
    )
    allowed &= check_satisfied_all(requires_check, table)
    return allowed


def eligible_all(
    *, visit: Visit, person: Person, table: VolunteerTable, grid_minutes: int = 15
) -> BoolArray:
    """``eligible`` (rules 1-7, at any start) for every volunteer of ``table`` at once."""
    allowed, _ = person_rules_all(
        lat=person.lat,
        lon=person.lon,
        languages=person.languages,
        gender_preference=person.gender_preference,
        excluded=person.excluded_volunteers,
        table=table,
    )
    allowed &= visit_rules_all(
        day=visit.day,
        earliest=visit.earliest_minutes,
        latest=visit.latest_minutes,
        duration=visit.duration_minutes,
        requires_check=visit.requires_check,
        grid=grid_minutes,
        table=table,
    )
    return allowed


# --- rules 8 and 9 against the visits a volunteer already holds --------------------------------


@dataclass(frozen=True, slots=True)
class HeldVisit:
    """A visit a volunteer holds this week: its day, start and duration (minutes), and where."""

    day: int
    start: int
    duration: int
    lat: float
    lon: float


def held_minutes(held: Iterable[HeldVisit]) -> int:
    """The minutes of the ``held`` visits (what rule 9 adds a new visit to)."""
    return sum(h.duration for h in held)


def fits_schedule(held: Iterable[HeldVisit], new: HeldVisit, *, travel_speed_kmh: float) -> bool:
    """Rule 8: ``new`` overlaps none of the ``held`` visits of its day, travel included."""
    for other in held:
        if other.day != new.day:
            continue
        gap = travel_minutes(distance_km(other.lat, other.lon, new.lat, new.lon), travel_speed_kmh)
        if not apart_with_travel(
            other.start, other.start + other.duration, new.start, new.start + new.duration, gap
        ):
            return False
    return True


def fits_week(
    held: Sequence[HeldVisit], new: HeldVisit, *, max_minutes: int, travel_speed_kmh: float
) -> bool:
    """Rules 8 and 9: ``new`` fits beside the ``held`` visits and within the weekly limit."""
    minutes = held_minutes(held) + new.duration
    return within_weekly_limit(minutes, max_minutes) and fits_schedule(
        held, new, travel_speed_kmh=travel_speed_kmh
    )


def eligible_volunteers(
    *,
    visit: Visit,
    person: Person,
    table: VolunteerTable,
    held: Mapping[str, Sequence[HeldVisit]],
    grid_minutes: int = 15,
    travel_speed_kmh: float = 12.0,
) -> dict[str, list[int]]:
    """The volunteers of ``table`` who may take ``visit`` (rules 1-9), given the visits each
    already holds this week (``held``, by volunteer id; none where absent): for each, the starts
    (minutes after midnight, ascending) at which they can. Volunteers with no start are left out.
    """
    allowed = eligible_all(visit=visit, person=person, table=table, grid_minutes=grid_minutes)
    minutes = np.array(
        [held_minutes(held.get(volunteer_id, ())) for volunteer_id in table.ids], dtype=np.int64
    )
    allowed &= within_weekly_limit_all(minutes + visit.duration_minutes, table)
    out: dict[str, list[int]] = {}
    for i in np.flatnonzero(allowed).tolist():
        volunteer_id = table.ids[i]
        starts = grid_starts(
            earliest=visit.earliest_minutes,
            latest=visit.latest_minutes,
            duration=visit.duration_minutes,
            grid=grid_minutes,
            windows=table.windows[i].get(visit.day, ()),
        )
        fitting = starts_clear_of(
            held.get(volunteer_id, ()),
            starts=starts,
            day=visit.day,
            duration=visit.duration_minutes,
            lat=person.lat,
            lon=person.lon,
            travel_speed_kmh=travel_speed_kmh,
        )
        if fitting:
            out[volunteer_id] = fitting
    return out


def starts_clear_of(
    held: Iterable[HeldVisit],
    *,
    starts: Iterable[int],
    day: int,
    duration: int,
    lat: float,
    lon: float,
    travel_speed_kmh: float,
    first_only: bool = False,
) -> list[int]:
    """Rule 8: of ``starts`` (ascending), those at which a visit of ``duration`` minutes on
    ``day`` at (``lat``, ``lon``) overlaps none of the ``held`` visits, travel included; with
    ``first_only``, at most the first of them."""
    same_day = [h for h in held if h.day == day]
    fitting: list[int] = []
    for start in starts:
        if fits_schedule(
            same_day, HeldVisit(day, start, duration, lat, lon), travel_speed_kmh=travel_speed_kmh
        ):
            fitting.append(start)
            if first_only:
                break
    return fitting


# --- the same rules over many visits for one volunteer -----------------------------------------


@dataclass(frozen=True, slots=True)
class VisitTable:
    """Many visits, each with what its person decides, as numpy columns (row ``i``).

    ``like`` in ``visit_table`` codes genders and languages as another table does, so that rows
    of the two can be joined (``inserted``)."""

    day: IntArray
    earliest: IntArray
    latest: IntArray
    duration: IntArray
    requires_check: BoolArray
    lat: FloatArray
    lon: FloatArray
    lat_radians: FloatArray
    lon_radians: FloatArray
    gender_preference: IntArray  # a code of ``gender_codes``, or -1 where none is stated
    language_masks: IntArray  # one bit per language of ``language_bits``; 0 where none listed
    languages: tuple[frozenset[str], ...]  # the person's languages, for codes past the 62nd
    excluded: tuple[frozenset[str], ...]
    has_exclusions: BoolArray
    gender_codes: dict[str, int]
    language_bits: dict[str, int]

    def __len__(self) -> int:
        return len(self.day)

    def kept(self, keep: BoolArray) -> VisitTable:
        """This table with only the rows ``keep`` marks."""
        flags = keep.tolist()
        return VisitTable(
            **{name: _kept(getattr(self, name), keep, flags) for name in _VISIT_COLUMNS},
            gender_codes=self.gender_codes,
            language_bits=self.language_bits,
        )

    def inserted(self, positions: Sequence[int], new: VisitTable) -> VisitTable:
        """This table with ``new``'s rows (made ``like`` this one) put before ``positions``
        (ascending: where each goes among this table's rows)."""
        return VisitTable(
            **{
                name: _inserted(getattr(self, name), positions, getattr(new, name))
                for name in _VISIT_COLUMNS
            },
            gender_codes=new.gender_codes,
            language_bits=new.language_bits,
        )


_VISIT_COLUMNS = tuple(
    name for name in VisitTable.__slots__ if name not in ("gender_codes", "language_bits")
)
_LANGUAGE_BITS = 62  # beyond these, a language is matched by ``language_shared`` on the sets


def _kept(column: Any, keep: BoolArray, flags: list[bool]) -> Any:
    if isinstance(column, tuple):
        return tuple(item for item, flag in zip(column, flags, strict=True) if flag)
    return column[keep]


def _inserted(column: Any, positions: Sequence[int], added: Any) -> Any:
    if isinstance(column, tuple):
        out: list[Any] = []
        previous = 0
        for place, item in zip(positions, added, strict=True):
            out += column[previous:place]
            out.append(item)
            previous = place
        return tuple(out + list(column[previous:]))
    return np.insert(column, list(positions), added)


def visit_table(
    *,
    days: Sequence[int],
    earliest: Sequence[int],
    latest: Sequence[int],
    durations: Sequence[int],
    requires_check: Sequence[bool],
    lats: Sequence[float],
    lons: Sequence[float],
    gender_preferences: Sequence[str | None],
    languages: Sequence[Collection[str]],
    excluded: Sequence[Collection[str]],
    like: VisitTable | None = None,
) -> VisitTable:
    """The table of visits given as parallel sequences of plain values (times in minutes)."""
    gender_codes = dict(like.gender_codes) if like else {}
    language_bits = dict(like.language_bits) if like else {}
    masks = []
    for listed in languages:
        mask = 0
        for lang in listed:
            if lang not in language_bits and len(language_bits) < _LANGUAGE_BITS:
                language_bits[lang] = len(language_bits)
            if lang in language_bits:
                mask |= 1 << language_bits[lang]
        masks.append(mask)
    preferences = [
        _NO_GENDER if g is None else gender_codes.setdefault(g, len(gender_codes))
        for g in gender_preferences
    ]
    lat = np.array(lats, dtype=np.float64)
    lon = np.array(lons, dtype=np.float64)
    excluded_sets = tuple(frozenset(ids) for ids in excluded)
    return VisitTable(
        day=np.array(days, dtype=np.int64),
        earliest=np.array(earliest, dtype=np.int64),
        latest=np.array(latest, dtype=np.int64),
        duration=np.array(durations, dtype=np.int64),
        requires_check=np.array(requires_check, dtype=np.bool_),
        lat=lat,
        lon=lon,
        lat_radians=np.radians(lat),
        lon_radians=np.radians(lon),
        gender_preference=np.array(preferences, dtype=np.int64),
        language_masks=np.array(masks, dtype=np.int64),
        languages=tuple(frozenset(listed) for listed in languages),
        excluded=excluded_sets,
        has_exclusions=np.array([bool(ids) for ids in excluded_sets], dtype=np.bool_),
        gender_codes=gender_codes,
        language_bits=language_bits,
    )


def visit_table_of(visits: Sequence[Visit], people: Mapping[str, Person]) -> VisitTable:
    """The table of visits given as ROTA_FORMAT models, with their people by id."""
    persons = [people[v.person] for v in visits]
    return visit_table(
        days=[v.day for v in visits],
        earliest=[v.earliest_minutes for v in visits],
        latest=[v.latest_minutes for v in visits],
        durations=[v.duration_minutes for v in visits],
        requires_check=[v.requires_check for v in visits],
        lats=[p.lat for p in persons],
        lons=[p.lon for p in persons],
        gender_preferences=[p.gender_preference for p in persons],
        languages=[p.languages for p in persons],
        excluded=[p.excluded_volunteers for p in persons],
    )


def km_to_visits(volunteer: Volunteer, table: VisitTable, rows: IntArray) -> FloatArray:
    """Great-circle km from the volunteer to the people of ``rows``; values within a hair of
    the volunteer's ``max_km`` are computed again with ``distance_km`` (as ``km_to_all``)."""
    phi, lam = np.radians(volunteer.lat), np.radians(volunteer.lon)
    km = haversine_km(phi, lam, table.lat_radians[rows], table.lon_radians[rows])
    for k in np.flatnonzero(np.abs(km - volunteer.max_km) <= 1e-6).tolist():
        i = int(rows[k])
        km[k] = distance_km(volunteer.lat, volunteer.lon, float(table.lat[i]), float(table.lon[i]))
    return km


# Each rule over visits judges the visits of ``rows`` (positions in the table) and answers one
# flag per row, so that ``visit_rules_for`` narrows the rows rule after rule.


def fits_some_start_visits(
    volunteer: Volunteer, table: VisitTable, rows: IntArray, grid: int
) -> BoolArray:
    """Rules 1 and 2: some grid start in the visit's window fits one of the volunteer's
    availability windows on its day (``possible_starts`` is not empty)."""
    fits = np.zeros(len(rows), dtype=np.bool_)
    if not volunteer.availability or not len(rows):
        return fits
    day, duration = table.day[rows], table.duration[rows]
    earliest, latest = table.earliest[rows], table.latest[rows]
    for window in volunteer.availability:
        first = -(-np.maximum(earliest, window.start_minutes) // grid) * grid
        fits |= (day == window.day) & (first + duration <= np.minimum(latest, window.end_minutes))
    return fits


def check_satisfied_visits(checked: bool, table: VisitTable, rows: IntArray) -> BoolArray:
    """Rule 4."""
    if checked:
        return np.ones(len(rows), dtype=np.bool_)
    allowed: BoolArray = ~table.requires_check[rows]
    return allowed


def language_shared_visits(
    volunteer_languages: Collection[str], table: VisitTable, rows: IntArray
) -> BoolArray:
    """Rule 5."""
    wanted = 0
    for lang in volunteer_languages:
        if lang in table.language_bits:
            wanted |= 1 << table.language_bits[lang]
    masks = table.language_masks[rows]
    shared: BoolArray = (masks == 0) | ((masks & wanted) != 0)
    if len(table.language_bits) >= _LANGUAGE_BITS:  # languages past the codes: on the sets
        for k in np.flatnonzero(~shared).tolist():
            shared[k] = language_shared(table.languages[int(rows[k])], volunteer_languages)
    return shared


def gender_matches_visits(gender: str | None, table: VisitTable, rows: IntArray) -> BoolArray:
    """Rule 6."""
    code = _NO_GENDER - 1 if gender is None else table.gender_codes.get(gender, _NO_GENDER - 1)
    preference = table.gender_preference[rows]
    matches: BoolArray = (preference == _NO_GENDER) | (preference == code)
    return matches


def not_excluded_visits(volunteer_id: str, table: VisitTable, rows: IntArray) -> BoolArray:
    """Rule 7."""
    allowed = np.ones(len(rows), dtype=np.bool_)
    for k in np.flatnonzero(table.has_exclusions[rows]).tolist():
        allowed[k] = not_excluded(table.excluded[int(rows[k])], volunteer_id)
    return allowed


def within_weekly_limit_visits(minutes: IntArray, max_minutes: int) -> BoolArray:
    """Rule 9, ``minutes`` being the volunteer's week with each visit added."""
    within: BoolArray = minutes <= max_minutes
    return within


def visit_rules_for(
    *,
    volunteer: Volunteer,
    table: VisitTable,
    grid_minutes: int = 15,
    held_minutes: int | IntArray = 0,
    among: BoolArray | None = None,
) -> tuple[IntArray, FloatArray]:
    """The rows of ``table`` (ascending) whose visits rules 1-7 allow ``volunteer`` to make at
    some start, and rule 9 given ``held_minutes`` (what the volunteer already holds in each
    visit's week, one value or one per row), with the volunteer's km to each. Rows outside
    ``among`` (when given) are left out unjudged. Rule 8 needs the starts: ``starts_clear_of``."""
    rows: IntArray = np.flatnonzero(among) if among is not None else np.arange(len(table))
    rows = rows[fits_some_start_visits(volunteer, table, rows, grid_minutes)]
    rows = rows[check_satisfied_visits(volunteer.checked, table, rows)]
    rows = rows[language_shared_visits(volunteer.languages, table, rows)]
    rows = rows[gender_matches_visits(volunteer.gender, table, rows)]
    held = held_minutes[rows] if isinstance(held_minutes, np.ndarray) else held_minutes
    rows = rows[within_weekly_limit_visits(held + table.duration[rows], volunteer.max_minutes)]
    rows = rows[not_excluded_visits(volunteer.id, table, rows)]
    km = km_to_visits(volunteer, table, rows)
    inside: BoolArray = km <= volunteer.max_km  # rule 3, ``within_range``
    kept_rows: IntArray = rows[inside]
    kept_km: FloatArray = km[inside]
    return kept_rows, kept_km


def visit_starts(volunteer: Volunteer, table: VisitTable, row: int, grid_minutes: int) -> list[int]:
    """The starts rules 1 and 2 allow ``volunteer`` on the visit of ``row``, ascending."""
    day = int(table.day[row])
    return grid_starts(
        earliest=int(table.earliest[row]),
        latest=int(table.latest[row]),
        duration=int(table.duration[row]),
        grid=grid_minutes,
        windows=windows_on(volunteer, day),
    )
