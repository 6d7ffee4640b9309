"""What is open to a volunteer: the open visits they could claim now, soonest first, each
with the start they would go at. Read by a statement per call, or filtered from this process's
open-visits snapshot (service/visits/open_visits_snapshot.py) when it is on.
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import date
from functools import partial
from typing import Any, NamedTuple

from clock import minutes_of
from graph.models import VolunteerTerms
from graph.repo import signup as repo
from graph.repo.records import from_properties
from graph.store.port import GraphStore
from service.config import OPEN_VISITS_MAX_AGE_DEFAULT_S
from service.context import off_loop
from service.visits.open_visits_snapshot import (
    LoadedOpenVisits,
    OpenVisitsSnapshot,
)
from service.visits.start_times import (
    GRID_MINUTES,
    HeldVisit,
    choose_start,
    clock,
    first_free_start,
    held_visits_of,
    now_minute,
    reach_box,
    solver_person_and_visit,
    solver_volunteer,
)
from service.weeks import monday_of, today
from solver import eligibility
from solver import models as rota

# Extra candidates fetched per page, for those the exact rules turn down.
OPEN_VISITS_SLACK = 10


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
    age = max_age
    if age <= 0:
        return _open_by_statement(store, this_week, props, held_rows, first=first, after=after)
    snapshot = OpenVisitsSnapshot.of(store, max_age=age).current(this_week.isoformat())
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
    age = max_age
    if age <= 0:
        return await off_loop(
            partial(
                open_visits,
                store=store,
                volunteer_id=volunteer_id,
                first=first,
                after=after,
                max_age=age,
            )
        )
    this_week = monday_of(today())
    week = this_week.isoformat()
    props, held_rows = await repo.volunteer_with_held_awaited(
        store=store, volunteer_id=volunteer_id, week_start=week
    )
    if props is None:
        return [], False
    snapshots = OpenVisitsSnapshot.of(store, max_age=age)
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
    held = held_visits_of(held_rows)
    now = now_minute()
    terms = solver_volunteer(volunteer, this_week)
    result: list[OpenVisit] = []
    batch = first + 1 + OPEN_VISITS_SLACK
    while len(result) <= first:
        rows = repo.open_visits_near(
            store=store,
            volunteer_id=volunteer.id,
            week_start=this_week.isoformat(),
            first_day=now[0].weekday(),
            box=reach_box(volunteer),
            checked=volunteer.check_valid_on(this_week),
            point=(volunteer.lat, volunteer.lon),
            max_km=volunteer.max_km,
            windows=[
                (w.day, minutes_of(w.start), minutes_of(w.end)) for w in volunteer.availability
            ],
            languages=volunteer.languages,
            gender=volunteer.gender,
            after=after,
            limit=batch,
        )
        for row in rows:
            found = _open_visit(row, volunteer, terms, held, now)
            if found is not None:
                result.append(found)
        if len(rows) < batch:
            break
        after = rows[-1]["key"]
        batch *= 2
    return result[:first], len(result) > first


def _open_from_snapshot(
    snapshot: LoadedOpenVisits,
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
    held = held_visits_of(held_rows)
    mine = {row["id"] for row in held_rows}
    now = now_minute()
    windows: dict[int, list[tuple[int, int]]] = {}
    for window in volunteer.availability:
        windows.setdefault(window.day, []).append(
            (minutes_of(window.start), minutes_of(window.end))
        )
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
        start, _ = first_free_start(
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
        start=clock(start),
        end=clock(start + row["duration_minutes"]),
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
    terms: rota.Volunteer,
    held: list[HeldVisit],
    now: tuple[date, int],
) -> OpenVisit | None:
    if row["mine"] or row["taken"] >= row["volunteers_needed"]:
        return None
    person, visit = solver_person_and_visit(row, row)
    start, _ = choose_start(
        volunteer=terms,
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
