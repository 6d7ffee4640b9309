"""A volunteer's own visits: what is open to them, claim, accept, decline, log, their week.

Eligibility is judged by ``solver.eligibility`` (rules 1-7, the same code the scheduler uses)
plus rule 8 (no overlap with visits they hold, travel included) and rule 9 (weekly limit). The
claim itself is one guarded statement (graph/repo/signup.py), so what this module decides is
advice for choosing a start; the statement has the last word.
"""

from __future__ import annotations

import math
import threading
import time
import weakref
from bisect import bisect_right
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import partial
from itertools import compress
from typing import Any, Literal, NamedTuple

import numpy as np
import numpy.typing as npt

from graph.models import Volunteer, VolunteerTerms, iso_utc, minutes, utc_now
from graph.repo import signup as repo
from graph.repo.records import from_properties
from graph.store.port import GraphStore
from service.config import OPEN_VISITS_MAX_AGE_DEFAULT_S
from service.connections import connections_changed
from service.context import off_loop, underlying
from service.weeks import monday_of, today, visit_date
from service.wellbeing.feedback import VISIT_DONE_GAIN, VISIT_MISSED_LOSS
from solver import eligibility
from solver import models as rota

GRID_MINUTES = 15
TRAVEL_SPEED_KMH = 12.0
KM_PER_DEGREE_LAT = 111.0
# Extra candidates fetched per page, for those the exact rules turn down.
OPEN_VISITS_SLACK = 10
# A snapshot older than max age + this is not served while a fresh one loads (an idle process).
STALE_LIMIT_S = 30.0
# The snapshot's reloads read every detail of every open visit at least this often (seconds),
# and between those only which are open and who holds them (see OpenVisitsSnapshot). Details
# (a window, a person's languages or address...) change by hand, seldom, and a stale one cannot
# break a rule; which visits are open changes with every claim. 30 s: an edited detail shows in
# openVisits within about half a minute (STALE_LIMIT_S's bound too), and with a 2 s max age a
# busy process reloads 15 times in 30 s and reads in full once: ~190 ms of graph CPU (and
# ~70-130 of ours) per 30 s on 7,500 open visits, instead of ~1,650 (and ~250).
FULL_RELOAD_S = 30.0

GET_VOLUNTEER = "MATCH (n:Volunteer {id: $id}) RETURN properties(n) AS n"

# Found by the volunteer's id first (WITH): otherwise FalkorDB scans every visit (~20x the time).
MY_VISITS = """
MATCH (vol:Volunteer {id: $volunteer_id})
WITH vol
MATCH (vol)-[a:ASSIGNED]->(v:Visit)-[:FOR]->(p:Person)
WHERE v.week_start >= $from_week AND v.week_start <= $to_week
  AND a.status IN ['proposed', 'accepted', 'done', 'missed']
RETURN properties(v) AS v, a.status AS my_status, a.note AS note, p.id AS person_id,
       p.first_name AS person_first_name, p.area_id AS area_id, p.address AS address,
       p.postcode AS postcode
ORDER BY v.week_start, v.day, v.start
"""


class OpenVisit(NamedTuple):
    """An open visit as a volunteer may see it: first name and area, no address. ``key``
    orders open visits (and is the paging cursor). A named tuple: a page makes 20 and a
    tuple is made in a third of a frozen dataclass's time."""

    key: str
    id: str
    week_start: str
    day: int
    start: str
    end: str
    earliest: str
    latest: str
    duration_minutes: int
    area_id: str | None
    person_first_name: str
    distance_km: float
    area_name: str | None = None  # when known without another statement (from the snapshot)


@dataclass(frozen=True)
class ClaimResult:
    outcome: Literal["claimed", "unavailable", "not_eligible"]
    message: str = ""
    reasons: list[str] = field(default_factory=list)
    start: str | None = None
    visit: dict[str, Any] = field(default_factory=dict)  # the visit row, as claimed

    @property
    def visit_status(self) -> str:
        """The visit's status after a won claim: accepted once it has all it needs."""
        needed = int(self.visit.get("v", {}).get("volunteers_needed", 1))
        return "accepted" if int(self.visit.get("holders", 0)) + 1 >= needed else "open"

    @property
    def for_everyone(self) -> bool:
        """Whether this answer holds for anyone else claiming the visit at the same moment:
        this claim filled it, or it was taken already, or its time is over."""
        if self.outcome == "claimed":
            return self.visit_status != "open"
        return self.outcome == "unavailable" and self.message in FOR_EVERYONE


def _clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def get_volunteer(*, store: GraphStore, volunteer_id: str) -> Volunteer | None:
    rows = store.run(GET_VOLUNTEER, {"id": volunteer_id}, write=False)
    return from_properties(Volunteer, rows[0]["n"]) if rows else None


def _solver_volunteer(volunteer: VolunteerTerms, on: date) -> rota.Volunteer:
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


def _solver_pair(row: dict[str, Any], visit: dict[str, Any]) -> tuple[rota.Person, rota.Visit]:
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
class _Held:
    week_start: str
    day: int
    begin: int
    end: int
    lat: float
    lon: float


def _free_start(
    *,
    starts: list[int],
    duration: int,
    lat: float,
    lon: float,
    same_day: list[_Held],
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


def _choose_start(
    *,
    volunteer: rota.Volunteer,
    person: rota.Person,
    visit: rota.Visit,
    fixed_start: str | None,
    week_start: str,
    held: list[_Held],
    on_or_after: tuple[date, int] | None,
) -> tuple[int | None, list[str]]:
    """A start for this volunteer on this visit, or the reasons there is none."""
    reasons = eligibility.reasons_not_eligible(
        visit=visit, person=person, volunteer=volunteer, grid_minutes=GRID_MINUTES
    )
    if reasons:
        return None, reasons
    return _start_among(
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


def _start_among(
    starts: list[int],
    *,
    duration: int,
    day: int,
    lat: float,
    lon: float,
    max_minutes: int,
    fixed_start: str | None,
    week_start: str,
    held: list[_Held],
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
        starts = [s for s in starts if s == minutes(fixed_start)]
        if not starts:
            return None, [f"the others on this visit go at {fixed_start}, when you are not free"]
    if on_or_after is not None and visit_date(week_start, day) == on_or_after[0]:
        later = [s for s in starts if s >= on_or_after[1]]
        if not later:
            return None, [f"its time today has passed (the last start was {_clock(starts[-1])})"]
        starts = later
    same_day = [h for h in held if h.week_start == week_start and h.day == day]
    start = _free_start(starts=starts, duration=duration, lat=lat, lon=lon, same_day=same_day)
    if start is None:
        return None, [
            "no free time in the visit window once travel to your other visits is allowed"
        ]
    return start, []


def _box(volunteer: VolunteerTerms) -> tuple[float, float, float, float]:
    dlat = volunteer.max_km / KM_PER_DEGREE_LAT
    dlon = volunteer.max_km / (KM_PER_DEGREE_LAT * max(0.01, math.cos(math.radians(volunteer.lat))))
    return (volunteer.lat - dlat, volunteer.lat + dlat, volunteer.lon - dlon, volunteer.lon + dlon)


def _now_minute() -> tuple[date, int]:
    now = utc_now()
    return now.date(), now.hour * 60 + now.minute


def open_visits(
    *,
    store: GraphStore,
    volunteer_id: str,
    first: int,
    after: str | None = None,
    max_age: float = OPEN_VISITS_MAX_AGE_DEFAULT_S,
) -> tuple[list[OpenVisit], bool]:
    """The next ``first`` open visits (after the key ``after``) this volunteer could claim
    now, soonest first, and whether there are more.

    With ``max_age`` > 0 (``CARECIRCLES_OPEN_VISITS_MAX_AGE_S``) the candidates come from this
    process's snapshot of every open visit, at most about ``max_age`` seconds old, instead of
    a statement per call; the volunteer and what they hold are always read fresh."""
    this_week = monday_of(today())
    props, held_rows = repo.volunteer_with_held(
        store=store, volunteer_id=volunteer_id, week_start=this_week.isoformat()
    )
    if props is None:
        return [], False
    if max_age <= 0:
        return _open_by_statement(store, this_week, props, held_rows, first=first, after=after)
    snapshot = OpenVisitsSnapshot.of(store, max_age=max_age).current(this_week.isoformat())
    return _open_from_snapshot(snapshot, this_week, props, held_rows, first=first, after=after)


async def open_visits_awaited(
    *,
    store: GraphStore,
    volunteer_id: str,
    first: int,
    after: str | None = None,
    max_age: float = OPEN_VISITS_MAX_AGE_DEFAULT_S,
) -> tuple[list[OpenVisit], bool]:
    """``open_visits`` for the API's event loop. With the snapshot on, its one statement is
    awaited (``store.arun``) and the rest, ~1-2 ms of CPU, runs on the loop: no thread hop,
    and requests are served in the order they came (a pool of threads taking turns at the
    interpreter lock served them in no order, so some waited twice as long as the rest). A
    snapshot that is not ready yet is loaded in a thread; with the snapshot off,
    ``open_visits`` runs in a thread (a statement per batch, waiting on the store)."""
    if max_age <= 0:
        return await off_loop(
            partial(
                open_visits,
                store=store,
                volunteer_id=volunteer_id,
                first=first,
                after=after,
                max_age=max_age,
            )
        )
    this_week = monday_of(today())
    week = this_week.isoformat()
    rows = await store.arun(
        repo.VOLUNTEER_WITH_HELD, repo.volunteer_with_held_params(volunteer_id, week), write=False
    )
    props, held_rows = repo.volunteer_with_held_of(rows)
    if props is None:
        return [], False
    snapshots = OpenVisitsSnapshot.of(store, max_age=max_age)
    snapshot = snapshots.ready(week)
    if snapshot is None:  # none yet, or too old: loaded in a thread, the loop not blocked
        snapshot = await off_loop(partial(snapshots.current, week))
    return _open_from_snapshot(snapshot, this_week, props, held_rows, first=first, after=after)


def _open_by_statement(
    store: GraphStore,
    this_week: date,
    props: dict[str, Any],
    held_rows: list[dict[str, Any]],
    *,
    first: int,
    after: str | None,
) -> tuple[list[OpenVisit], bool]:
    """``open_visits`` without the snapshot: OPEN_VISITS_NEAR in batches until a page is
    full, each row judged by rules 1-9."""
    volunteer = from_properties(VolunteerTerms, props)
    held = _held_of(held_rows)
    now = _now_minute()
    solver_volunteer = _solver_volunteer(volunteer, this_week)
    result: list[OpenVisit] = []
    batch = first + 1 + OPEN_VISITS_SLACK
    while len(result) <= first:
        rows = repo.open_visits_near(
            store=store,
            volunteer_id=volunteer.id,
            week_start=this_week.isoformat(),
            first_day=now[0].weekday(),
            box=_box(volunteer),
            checked=volunteer.check_valid_on(this_week),
            point=(volunteer.lat, volunteer.lon),
            max_km=volunteer.max_km,
            windows=[(w.day, minutes(w.start), minutes(w.end)) for w in volunteer.availability],
            languages=volunteer.languages,
            gender=volunteer.gender,
            after=after,
            limit=batch,
        )
        for row in rows:
            found = _open_visit(row, volunteer, solver_volunteer, held, now)
            if found is not None:
                result.append(found)
        if len(rows) < batch:
            break
        after = rows[-1]["key"]
        batch *= 2
    return result[:first], len(result) > first


def _held_of(rows: list[dict[str, Any]]) -> list[_Held]:
    return [
        _Held(
            row["week_start"],
            row["day"],
            minutes(row["start"]),
            minutes(row["start"]) + row["duration_minutes"],
            row["lat"],
            row["lon"],
        )
        for row in rows
        if row.get("start")
    ]


# The snapshot's visits as columns (numpy), so openVisits tests all of them at once.
LANGUAGE_BITS = 63  # languages beyond the first 63 seen are not pre-filtered (all bits set)
DISTANCE_SLACK_KM = 1e-6  # the pre-filter never drops what the exact rule would keep


@dataclass
class _Columns:
    """One entry per snapshot visit, in key order: what the cheap tests of rules 1-7 and 9
    need. ``taken`` changes as claims are won in this process."""

    lat: npt.NDArray[np.float64]
    lon: npt.NDArray[np.float64]
    week: npt.NDArray[np.int64]  # date ordinal of the week's Monday
    day: npt.NDArray[np.int64]
    earliest: npt.NDArray[np.int64]
    latest: npt.NDArray[np.int64]
    duration: npt.NDArray[np.int64]
    needs_check: npt.NDArray[np.bool_]
    needed: npt.NDArray[np.int64]
    taken: npt.NDArray[np.int64]
    gender: npt.NDArray[np.int64]  # 0: no preference, else genders[...] + 1
    languages: npt.NDArray[np.uint64]  # bit per language; 0: no languages listed
    genders: dict[str, int]
    language_bits: dict[str, int]

    @classmethod
    def of(cls, visits: list[dict[str, Any]], *, like: _Columns | None = None) -> _Columns:
        """Columns for ``visits``; with ``like``, coded as ``like`` codes genders and languages
        (new ones added after its own), so the two can be joined (``inserted``)."""
        genders: dict[str, int] = dict(like.genders) if like else {}
        language_bits: dict[str, int] = dict(like.language_bits) if like else {}
        masks = []
        for visit in visits:
            mask = 0
            for language in visit["languages"]:
                if language not in language_bits and len(language_bits) < LANGUAGE_BITS:
                    language_bits[language] = 1 << len(language_bits)
                mask |= language_bits.get(language, (1 << 64) - 1)
            masks.append(mask)
            if visit["gender_preference"]:
                genders.setdefault(visit["gender_preference"], len(genders))

        def ints(name: str) -> npt.NDArray[np.int64]:
            return np.fromiter((v[name] for v in visits), dtype=np.int64, count=len(visits))

        weeks = {w: date.fromisoformat(w).toordinal() for w in {v["week_start"] for v in visits}}
        return cls(
            lat=np.fromiter((v["lat"] for v in visits), dtype=np.float64, count=len(visits)),
            lon=np.fromiter((v["lon"] for v in visits), dtype=np.float64, count=len(visits)),
            week=np.fromiter((weeks[v["week_start"]] for v in visits), np.int64, len(visits)),
            day=ints("day"),
            earliest=ints("earliest_minute"),
            latest=ints("latest_minute"),
            duration=ints("duration_minutes"),
            needs_check=np.fromiter((v["requires_check"] for v in visits), np.bool_, len(visits)),
            needed=ints("volunteers_needed"),
            taken=np.zeros(len(visits), dtype=np.int64),  # set by each load
            gender=np.fromiter(
                (genders[g] + 1 if (g := v["gender_preference"]) else 0 for v in visits),
                np.int64,
                len(visits),
            ),
            languages=np.array(masks, dtype=np.uint64),
            genders=genders,
            language_bits=language_bits,
        )

    def _arrays(self) -> dict[str, Any]:
        return {
            name: getattr(self, name)
            for name in self.__dataclass_fields__
            if name not in ("genders", "language_bits")
        }

    def kept(self, keep: npt.NDArray[np.bool_]) -> _Columns:
        """These columns for the entries ``keep`` marks."""
        arrays: dict[str, Any] = {name: array[keep] for name, array in self._arrays().items()}
        return replace(self, **arrays)

    def inserted(self, positions: list[int], new: _Columns) -> _Columns:
        """These columns with ``new``'s entries (made ``like`` these) put before
        ``positions`` (ascending: where each goes among these)."""
        added = new._arrays()
        arrays: dict[str, Any] = {
            name: np.insert(array, positions, added[name]) for name, array in self._arrays().items()
        }
        return replace(new, **arrays)

    def candidates(
        self,
        *,
        volunteer: VolunteerTerms,
        checked: bool,
        windows: dict[int, list[tuple[int, int]]],
        now: tuple[date, int],
        begin: int,
    ) -> npt.NDArray[np.intp]:
        """Positions (ascending, from ``begin`` on) of the visits that pass the cheap tests of
        rules 1-7 and what is still open: a superset of those ``_open_visit`` accepts, never
        leaving one out (distance with a little slack, the grid and travel not tested)."""
        lat_min, lat_max, lon_min, lon_max = _box(volunteer)
        this_week = monday_of(now[0]).toordinal()
        first_day = now[0].weekday()
        ok = (self.lat >= lat_min) & (self.lat <= lat_max)
        ok &= (self.lon >= lon_min) & (self.lon <= lon_max)
        ok &= self.taken < self.needed
        later = (self.week > this_week) | ((self.week == this_week) & (self.day > first_day))
        # today: only while a start is left (the latest start has not passed)
        today = (self.week == this_week) & (self.day == first_day)
        ok &= later | (today & (self.latest - self.duration >= now[1]))
        if not checked:
            ok &= ~self.needs_check
        gender = self.genders.get(volunteer.gender or "", -2) + 1
        ok &= (self.gender == 0) | (self.gender == gender)
        mask = 0
        for language in volunteer.languages:
            mask |= self.language_bits.get(language, 0)
        if len(self.language_bits) >= LANGUAGE_BITS:
            mask |= 1 << 63  # visits listing a language past the first 63 pass to the exact test
        ok &= (self.languages == 0) | ((self.languages & np.uint64(mask)) != 0)
        fits = np.zeros_like(ok)
        for day, spans in windows.items():
            on_day = self.day == day
            for start, end in spans:
                fits |= on_day & (
                    np.maximum(self.earliest, start) + self.duration <= np.minimum(self.latest, end)
                )
        ok &= fits
        positions = np.flatnonzero(ok[begin:]) + begin if begin else np.flatnonzero(ok)
        if positions.size == 0:
            return positions
        phi1 = math.radians(volunteer.lat)
        phi2 = np.radians(self.lat[positions])
        dlam = np.radians(self.lon[positions] - volunteer.lon)
        h = np.sin((phi2 - phi1) / 2) ** 2 + math.cos(phi1) * np.cos(phi2) * np.sin(dlam / 2) ** 2
        km = 2 * eligibility.EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.minimum(1.0, h)))
        return positions[km <= volunteer.max_km + DISTANCE_SLACK_KM]


@dataclass
class _Snapshot:
    week_start: str
    loaded_at: float  # time.monotonic() when the statements of its last reload were sent
    full_at: float  # the same for its last full reload
    visits: list[dict[str, Any]]  # in key order; shared between snapshots: read-only
    keys: list[str]
    by_id: dict[str, int]  # visit id -> position
    columns: _Columns
    area_names: dict[str, str] = field(default_factory=dict)


class OpenVisitsSnapshot:
    """Every open visit from this week on, held in this process for openVisits to filter in
    Python, so a call costs no scan of the graph.

    A call that finds it over ``max_age`` seconds old starts one reload in a background thread
    and answers from the old one meanwhile (a call waits only when there is none yet, it is of
    another week, or it is over ``max_age + STALE_LIMIT_S`` old: a process that sat idle).
    Reloads are of two kinds:

    - light (most of them): which visits are open now and who holds them, at what start
      (OPEN_VISIT_IDS, OPEN_VISITS_TAKEN: ~10 ms of graph CPU and ~4 ms of ours for 7,500 open
      visits). Visits no longer open drop out; visits it did not have are read in full
      (OPEN_VISITS_BY_ID); a held visit's start is the one its holders hold it at.
    - full, at least every ``FULL_RELOAD_S`` seconds: every detail of every open visit
      (OPEN_VISITS_ALL, ~100-165 ms of graph CPU for 7,500), which is what notices a visit's or
      a person's details changing (window, duration, checks, languages, address, exclusions...).

    Either way only what changed is parsed, and the columns and index are rebuilt only when
    visits came or went. So which visits are open, how many hold them and at what start are at
    most about ``max_age`` seconds old; any other detail at most about ``FULL_RELOAD_S`` (with
    ``max_age`` over ``FULL_RELOAD_S`` every reload is a full one). A claim won in this process
    counts at once. So a visit taken elsewhere may still be listed for up to ``max_age``
    seconds, one that opened may be missing for as long, and one whose details changed may be
    listed by its old ones for up to ``FULL_RELOAD_S``; none of it breaks a rule, because
    ``claim_visit`` reads the visit, the volunteer and their held visits fresh and its guarded
    statement has the last word: a stale entry can only end in ``VisitUnavailable`` (or
    not_eligible, its reasons read fresh).
    """

    _by_store: weakref.WeakKeyDictionary[Any, OpenVisitsSnapshot] = weakref.WeakKeyDictionary()
    _registry_lock = threading.Lock()

    def __init__(self, store: GraphStore, max_age: float) -> None:
        self._store = store
        self.max_age = max_age
        self._snapshot: _Snapshot | None = None
        self._load_lock = threading.Lock()  # one load at a time
        self._lock = threading.Lock()  # short: the flag, recent claims, swapping snapshots
        self._reloading = False
        self._claims: list[tuple[float, str, str]] = []  # (when, visit id, start) won here
        self._forgotten_at = float("-inf")  # when ``forget`` last ran

    @classmethod
    def of(cls, store: GraphStore, *, max_age: float) -> OpenVisitsSnapshot:
        """The snapshot of ``store`` in this process (a per-request wrapper such as the
        API's query-counting store counts as the store it wraps)."""
        base = underlying(store)
        with cls._registry_lock:
            found = cls._by_store.get(base)
            if found is None:
                found = cls._by_store[base] = cls(base, max_age)
            found.max_age = max_age
            return found

    def current(self, week_start: str) -> _Snapshot:
        """The snapshot of ``week_start``'s week; loaded first (the caller waits) when there
        is none usable, see ``ready``."""
        found = self.ready(week_start)
        if found is not None:
            return found
        with self._load_lock:
            found = self._snapshot
            if found is None or not self._usable(found, week_start):
                found = self._load(week_start)
            return found

    def ready(self, week_start: str) -> _Snapshot | None:
        """The snapshot of ``week_start``'s week without waiting (a reload is started in the
        background when it is over ``max_age`` old), or None when there is none usable: none
        yet, another week's, or over ``max_age + STALE_LIMIT_S`` old (a process that sat
        idle)."""
        snapshot = self._snapshot
        if snapshot is None or not self._usable(snapshot, week_start):
            return None
        if time.monotonic() - snapshot.loaded_at > self.max_age:
            with self._lock:
                start = not self._reloading
                self._reloading = True
            if start:
                threading.Thread(
                    target=self._reload, args=(week_start,), name="open-visits", daemon=True
                ).start()
        return snapshot

    def _usable(self, snapshot: _Snapshot, week_start: str) -> bool:
        return (
            snapshot.week_start == week_start
            and time.monotonic() - snapshot.loaded_at <= self.max_age + STALE_LIMIT_S
        )

    def _reload(self, week_start: str) -> None:
        try:
            with self._load_lock:
                self._load(week_start)
        finally:
            with self._lock:
                self._reloading = False

    def _load(self, week_start: str, *, full: bool | None = None) -> _Snapshot:
        """Reload (caller holds ``_load_lock``): in full when ``full``, when there is no
        snapshot of this week or its last full reload is ``FULL_RELOAD_S`` old, else light."""
        before = self._snapshot
        started = time.monotonic()
        if before is None or before.week_start != week_start:
            full = True
        elif full is None:
            full = started - before.full_at >= FULL_RELOAD_S
        store = self._store
        if full:
            texts = repo.open_visit_texts(store=store, week_start=week_start)
            holders = repo.open_visit_holders(store=store, week_start=week_start)
            names = repo.area_names(store=store)
            snapshot = self._read_in_full(week_start, before, texts, names, started)
        else:
            assert before is not None
            ids = repo.open_visit_ids(store=store, week_start=week_start)
            holders = repo.open_visit_holders(store=store, week_start=week_start)
            snapshot = self._read_light(week_start, before, ids, started)
        _with_holders(snapshot, holders)
        with self._lock:
            # Claims won here after the statement was sent may be missing from what it read.
            self._claims = [claim for claim in self._claims if claim[0] >= started]
            for _, visit_id, start in self._claims:
                _count_claim(snapshot, visit_id, start)
            if started > self._forgotten_at:  # else it may hold what was forgotten: not kept
                self._snapshot = snapshot
        return snapshot

    def forget(self) -> None:
        """Drop the snapshot: the next call reads every open visit in full (and a reload that
        was sent before this is not kept)."""
        with self._lock:
            self._forgotten_at = time.monotonic()
            self._snapshot = None

    def _read_in_full(
        self,
        week_start: str,
        before: _Snapshot | None,
        texts: list[str],
        names: dict[str, str],
        started: float,
    ) -> _Snapshot:
        """The snapshot ``texts`` (every open visit) describe, reusing ``before``'s rows whose
        text is unchanged (and its columns and index when no text changed)."""
        if before is None or before.week_start != week_start:
            known = {visit["text"]: visit for visit in before.visits} if before else {}
            visits = repo.parse_open_visits(store=self._store, texts=texts, known=known)
            return _indexed(week_start, started, started, visits, _Columns.of(visits), names)
        positions = {visit["text"]: position for position, visit in enumerate(before.visits)}
        snapshot = self._changed(before, texts, positions, started, of_ids=False)
        return replace(snapshot, full_at=started, area_names=names)

    def _read_light(
        self, week_start: str, before: _Snapshot, ids: list[str], started: float
    ) -> _Snapshot:
        """``before`` without the visits not among ``ids`` (the open ones) and with those it
        lacks, read in full."""
        return self._changed(before, ids, before.by_id, started, of_ids=True)

    def _changed(
        self,
        before: _Snapshot,
        now_open: list[str],
        positions: dict[str, int],
        started: float,
        *,
        of_ids: bool,
    ) -> _Snapshot:
        """``before`` with only the visits in ``now_open`` (ids, or texts when not ``of_ids``;
        ``positions`` gives the position in ``before`` of each it has), plus those it lacks,
        read in full."""
        new = [item for item in now_open if item not in positions]
        gone = [positions[item] for item in positions.keys() - set(now_open)]
        if not new and not gone:
            return replace(before, loaded_at=started)  # the same visits: all of it again
        if of_ids and new:
            new = repo.open_visit_texts(store=self._store, week_start=before.week_start, ids=new)
        visits, keys, ids, columns = before.visits, before.keys, list(before.by_id), before.columns
        if gone:
            keep = np.ones(len(visits), dtype=np.bool_)
            keep[gone] = False
            flags = keep.tolist()
            visits = list(compress(visits, flags))
            keys = list(compress(keys, flags))
            ids = list(compress(ids, flags))
            columns = columns.kept(keep)
        if new:
            rows = repo.parse_open_visits(store=self._store, texts=new, known={})
            places = [bisect_right(keys, row["key"]) for row in rows]
            columns = columns.inserted(places, _Columns.of(rows, like=columns))
            visits = _spliced(visits, places, rows)
            keys = _spliced(keys, places, [row["key"] for row in rows])
            ids = _spliced(ids, places, [row["id"] for row in rows])
        by_id = dict(zip(ids, range(len(ids)), strict=True))
        return _Snapshot(
            before.week_start,
            started,
            before.full_at,
            visits,
            keys,
            by_id,
            columns,
            before.area_names,
        )

    def claimed(self, visit_id: str, start: str) -> None:
        """A claim of ``visit_id`` at ``start`` was won in this process (a visit needing
        several volunteers is now at that start for the others too)."""
        with self._lock:
            self._claims.append((time.monotonic(), visit_id, start))
            if self._snapshot is not None:
                _count_claim(self._snapshot, visit_id, start)


def open_visits_changed(*, store: GraphStore) -> None:
    """Forget this process's snapshot of open visits of ``store`` after a change it cannot
    follow by itself within ``max_age``: an erasure (the person's name and place must go at
    once), a change to a person (exclusions, languages, address...). Other processes' snapshots
    drop an erased person's visits at their next reload (at most about ``max_age`` seconds) and
    see a person's other changes at their next full one (``FULL_RELOAD_S``)."""
    snapshots = OpenVisitsSnapshot._by_store.get(underlying(store))
    if snapshots is not None:
        snapshots.forget()


def _indexed(
    week_start: str,
    loaded_at: float,
    full_at: float,
    visits: list[dict[str, Any]],
    columns: _Columns,
    area_names: dict[str, str],
) -> _Snapshot:
    keys = [visit["key"] for visit in visits]
    by_id = {visit["id"]: position for position, visit in enumerate(visits)}
    return _Snapshot(week_start, loaded_at, full_at, visits, keys, by_id, columns, area_names)


def _spliced(items: list[Any], places: list[int], added: list[Any]) -> list[Any]:
    """``items`` with each of ``added`` put before the item at its place (places ascending)."""
    result: list[Any] = []
    previous = 0
    for place, item in zip(places, added, strict=True):
        result += items[previous:place]
        result.append(item)
        previous = place
    return result + items[previous:]


def _with_holders(snapshot: _Snapshot, holders: dict[str, repo.Holding]) -> None:
    """Set how many hold each visit (a fresh ``taken`` column) and the start held visits are
    held at (rows copied, not changed: they may be shared with an older snapshot)."""
    taken = np.zeros(len(snapshot.visits), dtype=np.int64)
    visits = snapshot.visits
    for visit_id, holding in holders.items():
        position = snapshot.by_id.get(visit_id)
        if position is None:
            continue
        taken[position] = holding.taken
        if visits[position]["start"] != holding.start:
            if visits is snapshot.visits:
                visits = list(visits)
            visits[position] = repo.with_start(visits[position], holding.start)
    snapshot.visits = visits
    snapshot.columns = replace(snapshot.columns, taken=taken)


def _count_claim(snapshot: _Snapshot, visit_id: str, start: str) -> None:
    position = snapshot.by_id.get(visit_id)
    if position is None:
        return
    snapshot.columns.taken[position] += 1
    if snapshot.visits[position]["start"] != start:  # copied, not changed (see _with_holders)
        visits = list(snapshot.visits)
        visits[position] = repo.with_start(visits[position], start)
        snapshot.visits = visits


def _open_from_snapshot(
    snapshot: _Snapshot,
    this_week: date,
    props: dict[str, Any],
    held_rows: list[dict[str, Any]],
    *,
    first: int,
    after: str | None,
) -> tuple[list[OpenVisit], bool]:
    """What OPEN_VISITS_NEAR and the loop in ``_open_by_statement`` give, over the snapshot:
    cheap tests that mirror the statement first (numpy), then rules 1-9 exactly as
    ``_open_visit`` applies them."""
    volunteer = from_properties(VolunteerTerms, props)
    checked = volunteer.check_valid_on(this_week)
    held = _held_of(held_rows)
    mine = {row["id"] for row in held_rows}
    now = _now_minute()
    windows: dict[int, list[tuple[int, int]]] = {}
    for window in volunteer.availability:
        windows.setdefault(window.day, []).append((minutes(window.start), minutes(window.end)))
    result: list[OpenVisit] = []
    visits = snapshot.visits
    positions = snapshot.columns.candidates(
        volunteer=volunteer,
        checked=checked,
        windows=windows,
        now=now,
        begin=bisect_right(snapshot.keys, after) if after else 0,
    )
    languages = volunteer.languages
    taken = snapshot.columns.taken
    for index in positions.tolist():
        visit = visits[index]
        if visit["id"] in mine:
            continue
        # Rules 1-7 exactly as eligibility.reasons_not_eligible judges them (the same functions,
        # on values parsed once), without building models or phrasing reasons nobody reads.
        km = eligibility.distance_km(volunteer.lat, volunteer.lon, visit["lat"], visit["lon"])
        if not (
            eligibility.within_range(km, volunteer.max_km)
            and eligibility.check_satisfied(visit["requires_check"], checked)
            and eligibility.language_shared(visit["languages"], languages)
            and eligibility.gender_matches(visit["gender_preference"], volunteer.gender)
            and eligibility.not_excluded(visit["excluded_volunteers"], volunteer.id)
        ):
            continue
        starts = eligibility.grid_starts(
            earliest=visit["earliest_minute"],
            latest=visit["latest_minute"],
            duration=visit["duration_minutes"],
            grid=GRID_MINUTES,
            windows=windows.get(visit["day"], ()),
        )
        if not starts:
            continue
        start, _ = _start_among(
            starts,
            duration=visit["duration_minutes"],
            day=visit["day"],
            lat=visit["lat"],
            lon=visit["lon"],
            max_minutes=volunteer.max_minutes,
            fixed_start=visit["start"] if taken[index] else None,
            week_start=visit["week_start"],
            held=held,
            on_or_after=now,
        )
        if start is None:
            continue
        result.append(
            _listed(visit, start, km, area_name=snapshot.area_names.get(visit["area_id"] or ""))
        )
        if len(result) > first:
            break
    return result[:first], len(result) > first


def _listed(
    row: dict[str, Any], start: int, km: float, *, area_name: str | None = None
) -> OpenVisit:
    return OpenVisit(
        key=row["key"],
        id=row["id"],
        week_start=row["week_start"],
        day=row["day"],
        start=_clock(start),
        end=_clock(start + row["duration_minutes"]),
        earliest=row["earliest"],
        latest=row["latest"],
        duration_minutes=row["duration_minutes"],
        area_id=row["area_id"],
        person_first_name=row["person_first_name"],
        distance_km=round(km, 1),
        area_name=area_name,
    )


def _open_visit(
    row: dict[str, Any],
    volunteer: VolunteerTerms,
    solver_volunteer: rota.Volunteer,
    held: list[_Held],
    now: tuple[date, int],
) -> OpenVisit | None:
    if row["mine"] or row["taken"] >= row["volunteers_needed"]:
        return None
    person, visit = _solver_pair(row, row)
    start, _ = _choose_start(
        volunteer=solver_volunteer,
        person=person,
        visit=visit,
        fixed_start=row["start"] if row["taken"] else None,
        week_start=row["week_start"],
        held=held,
        on_or_after=now,
    )
    if start is None:
        return None
    return _listed(
        row, start, eligibility.distance_km(volunteer.lat, volunteer.lon, person.lat, person.lon)
    )


UNAVAILABLE_MESSAGES = {
    "missing": "There is no such visit.",
    "taken": "Someone else has just taken this visit.",
    "held": "You already hold this visit.",
    "start": "The other volunteers on this visit go at a time you cannot make.",
    "overlap": "This visit overlaps another visit you hold that day (travel included).",
    "load": "This visit would take you past your weekly limit.",
    "past": "This visit is in the past.",
    "passed": "This visit's time today has passed.",
}
# Answers that hold for anyone claiming the visit now, whoever they are.
FOR_EVERYONE = frozenset(UNAVAILABLE_MESSAGES[key] for key in ("taken", "past", "passed"))


def claim_visit(*, store: GraphStore, visit_id: str, volunteer_id: str) -> ClaimResult:
    """Claim an open visit: the first valid claim wins, never two. One statement reads what
    choosing a start needs, the guarded claim statement decides."""
    row = repo.claim_context(store=store, visit_id=visit_id, volunteer_id=volunteer_id)
    start = _claim_start(row)
    if isinstance(start, ClaimResult):
        return start
    outcome = repo.claim_visit(
        store=store,
        visit_id=visit_id,
        volunteer_id=volunteer_id,
        start=start,
        now=iso_utc(utc_now()),
        speed_kmh=TRAVEL_SPEED_KMH,
    )
    return _claim_answer(store, row, visit_id, start, outcome)


async def claim_visit_awaited(
    *, store: GraphStore, visit_id: str, volunteer_id: str
) -> ClaimResult:
    """``claim_visit`` for the API's event loop: its two statements awaited (``store.arun``),
    the choice of a start between them on the loop (no thread hop)."""
    rows = await store.arun(
        repo.CLAIM_CONTEXT, repo.claim_context_params(visit_id, volunteer_id), write=False
    )
    row = repo.claim_context_of(rows)
    start = _claim_start(row)
    if isinstance(start, ClaimResult):
        return start
    params = repo.claim_visit_params(
        visit_id, volunteer_id, start, iso_utc(utc_now()), TRAVEL_SPEED_KMH
    )
    outcome = repo.claim_outcome_of(await store.arun(repo.CLAIM_VISIT, params))
    return _claim_answer(store, row, visit_id, start, outcome)


def _claim_start(row: dict[str, Any]) -> str | ClaimResult:
    """The start ("HH:MM") to claim the visit in CLAIM_CONTEXT's ``row`` at, or the answer
    when there is none: the visit is missing, taken, past, or the volunteer not eligible."""
    props = row["v"]
    if row["volunteer"] is None or props is None:
        return ClaimResult("unavailable", UNAVAILABLE_MESSAGES["missing"])
    if props.get("status") != "open":  # most of a race's losers: answer before parsing more
        return ClaimResult("unavailable", UNAVAILABLE_MESSAGES["taken"])
    now = _now_minute()
    day = visit_date(props["week_start"], props["day"])
    if day < now[0]:
        return ClaimResult("unavailable", UNAVAILABLE_MESSAGES["past"])
    if day == now[0] and minutes(props["latest"]) - int(props["duration_minutes"]) < now[1]:
        return ClaimResult("unavailable", UNAVAILABLE_MESSAGES["passed"])
    volunteer = from_properties(VolunteerTerms, row["volunteer"])
    person, visit = _solver_pair(row, props)
    week_start = props["week_start"]
    start, reasons = _choose_start(
        volunteer=_solver_volunteer(volunteer, date.fromisoformat(week_start)),
        person=person,
        visit=visit,
        fixed_start=props.get("start") if row["holders"] else None,
        week_start=week_start,
        held=_held_of(row["held"] or []),
        on_or_after=now,
    )
    if start is None:
        return ClaimResult("not_eligible", reasons=reasons)
    return _clock(start)


def _claim_answer(
    store: GraphStore, row: dict[str, Any], visit_id: str, start: str, outcome: repo.ClaimOutcome
) -> ClaimResult:
    if outcome == "won":
        snapshot = OpenVisitsSnapshot._by_store.get(underlying(store))
        if snapshot is not None:
            snapshot.claimed(visit_id, start)
        return ClaimResult("claimed", start=start, visit=row)
    return ClaimResult("unavailable", UNAVAILABLE_MESSAGES[outcome])


def accept_visit(*, store: GraphStore, visit_id: str, volunteer_id: str) -> repo.Change | None:
    return repo.accept_visit(
        store=store, visit_id=visit_id, volunteer_id=volunteer_id, now=iso_utc(utc_now())
    )


def decline_visit(*, store: GraphStore, visit_id: str, volunteer_id: str) -> repo.Change | None:
    """Decline a visit held; it opens again, at once in this process's snapshot of open visits
    (and in others' within their max age)."""
    change = repo.decline_visit(
        store=store, visit_id=visit_id, volunteer_id=volunteer_id, now=iso_utc(utc_now())
    )
    if change is not None:
        open_visits_changed(store=store)
    return change


def log_visit(
    *,
    store: GraphStore,
    visit_id: str,
    volunteer_id: str,
    outcome: Literal["done", "missed"],
    note: str | None,
) -> repo.Change | None:
    change = repo.log_visit(
        store=store,
        visit_id=visit_id,
        volunteer_id=volunteer_id,
        outcome=outcome,
        note=note,
        now=iso_utc(utc_now()),
        gain=VISIT_DONE_GAIN,
        loss=VISIT_MISSED_LOSS,
    )
    if change is not None and change.ok:  # the volunteer's KNOWS edge to the person moved
        connections_changed(store=store, volunteers=[volunteer_id])
    return change


def my_visits(
    *, store: GraphStore, volunteer_id: str, from_week: date, weeks: int = 4
) -> list[dict[str, Any]]:
    """The volunteer's proposed, accepted and logged visits over ``weeks`` weeks."""
    to_week = from_week + timedelta(weeks=weeks - 1)
    return store.run(
        MY_VISITS,
        {
            "volunteer_id": volunteer_id,
            "from_week": from_week.isoformat(),
            "to_week": to_week.isoformat(),
        },
        write=False,
    )
