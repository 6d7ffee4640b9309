"""What is open to a volunteer: the open visits they could claim now, soonest first, each
with the start they would go at. Read by a statement per call, or filtered from this process's
open-visits snapshot (service/visits/open_visits_snapshot.py) when it is on.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping, Sequence
from datetime import date
from functools import partial
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from clock import clock_of
from graph.models import VolunteerTerms
from graph.repo import volunteer_visits as repo
from graph.repo.records import from_properties
from graph.store.port import GraphStore
from service.config import OPEN_VISITS_MAX_AGE_DEFAULT_S
from service.context import off_loop
from service.solver_terms import solver_volunteer
from service.visits.open_visits_snapshot import (
    LoadedOpenVisits,
    OpenVisitsSnapshot,
)
from service.visits.start_times import (
    GRID_MINUTES,
    HeldByWeek,
    first_free_start,
    held_by_week,
    now_minute,
    visit_table_of_rows,
)
from service.weeks import monday_of, today, visit_date
from solver import eligibility
from solver import models as rota
from solver.geography import box_around

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
    person_id: str
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
    found = repo.volunteer_with_held(
        store=store, volunteer_id=volunteer_id, week_start=this_week.isoformat()
    )
    if found.volunteer is None:
        return [], False
    age = max_age
    if age <= 0:
        return _open_by_statement(store, this_week, found, first=first, after=after)
    snapshot = OpenVisitsSnapshot.of(store, max_age=age).current(this_week.isoformat())
    return _open_from_snapshot(snapshot, this_week, found, first=first, after=after)


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
    found = await repo.volunteer_with_held_awaited(
        store=store, volunteer_id=volunteer_id, week_start=week
    )
    if found.volunteer is None:
        return [], False
    snapshots = OpenVisitsSnapshot.of(store, max_age=age)
    snapshot = snapshots.ready(week)
    if snapshot is None:  # none yet, or too old: loaded in a thread, the loop not blocked
        snapshot = await off_loop(partial(snapshots.current, week))
    return _open_from_snapshot(snapshot, this_week, found, first=first, after=after)


def _open_by_statement(
    store: GraphStore,
    this_week: date,
    found: repo.VolunteerWithHeld,
    *,
    first: int,
    after: str | None,
) -> tuple[list[OpenVisit], bool]:
    """``open_visits`` without the snapshot: OPEN_VISITS_NEAR (open visits not past, of people
    the volunteer's organisations support, on a day the volunteer has time, in a box around
    them) in batches until a page is full, each batch judged by rules 1-9."""
    assert found.volunteer is not None
    held_rows, given_up = found.held, found.given_up
    volunteer = from_properties(VolunteerTerms, found.volunteer)
    terms = solver_volunteer(volunteer, this_week)
    held = held_by_week(held_rows)
    now = now_minute()
    result: list[OpenVisit] = []
    batch = first + 1 + OPEN_VISITS_SLACK
    while len(result) <= first:
        rows = repo.open_visits_near(
            store=store,
            volunteer_id=volunteer.id,
            week_start=this_week.isoformat(),
            first_day=now[0].weekday(),
            days=sorted({window.day for window in volunteer.availability}),
            box=box_around(volunteer.lat, volunteer.lon, volunteer.max_km),
            after=after,
            limit=batch,
        )
        if rows:
            table = visit_table_of_rows(rows)
            among = np.array(
                [
                    not row["mine"]
                    and row["id"] not in given_up
                    and row["taken"] < row["volunteers_needed"]
                    for row in rows
                ],
                dtype=np.bool_,
            )
            if volunteer.away_dates:
                among &= _not_away(rows, volunteer.away_dates)
            result += _offers(
                terms,
                rows,
                table,
                among=among,
                fixed=[row["start"] if row["taken"] else None for row in rows],
                held=held,
                now=now,
                wanted=first + 1 - len(result),
            )
        if len(rows) < batch:
            break
        after = rows[-1]["key"]
        batch *= 2
    return result[:first], len(result) > first


def _open_from_snapshot(
    snapshot: LoadedOpenVisits,
    this_week: date,
    found: repo.VolunteerWithHeld,
    *,
    first: int,
    after: str | None,
) -> tuple[list[OpenVisit], bool]:
    """What ``_open_by_statement`` gives, over the snapshot: the snapshot says which visits are
    open, not full and not past, of people the volunteer's organisations support, in a box
    around the volunteer; rules 1-9 decide the rest."""
    assert found.volunteer is not None
    held_rows, given_up = found.held, found.given_up
    volunteer = from_properties(VolunteerTerms, found.volunteer)
    terms = solver_volunteer(volunteer, this_week)
    held = held_by_week(held_rows)
    mine = {row["id"] for row in held_rows}
    now = now_minute()
    columns = snapshot.columns
    among = columns.open_near(
        box=box_around(volunteer.lat, volunteer.lon, volunteer.max_km),
        now=now,
        begin=bisect_right(snapshot.keys, after) if after else 0,
    )
    among &= columns.supported_by(found.organizations)
    for visit_id in mine | given_up:  # held already, or given up (not to be claimed back)
        position = snapshot.by_id.get(visit_id)
        if position is not None:
            among[position] = False
    if volunteer.away_dates:
        among &= _not_away(snapshot.visits, volunteer.away_dates)
    visits = snapshot.visits
    taken = columns.taken
    result = _offers(
        terms,
        visits,
        columns.rules,
        among=among,
        fixed=_FixedStarts(visits, taken),
        held=held,
        held_minutes=columns.minutes_by_week(
            {week: eligibility.held_minutes(theirs) for week, theirs in held.items()}
        ),
        now=now,
        wanted=first + 1,
        area_names=snapshot.area_names,
    )
    return result[:first], len(result) > first


def _not_away(rows: Sequence[dict[str, Any]], away: Sequence[date]) -> npt.NDArray[np.bool_]:
    """Which of the visit ``rows`` fall on none of the days the volunteer is ``away``."""
    days = set(away)
    return np.array(
        [visit_date(str(row["week_start"]), int(row["day"])) not in days for row in rows],
        dtype=np.bool_,
    )


class _FixedStarts:
    """The start a snapshot visit is held at by others (None when nobody holds it yet)."""

    def __init__(self, visits: Sequence[dict[str, Any]], taken: npt.NDArray[np.int64]) -> None:
        self._visits, self._taken = visits, taken

    def __getitem__(self, position: int) -> str | None:
        start: str | None = self._visits[position]["start"] if self._taken[position] else None
        return start


def _offers(
    volunteer: rota.Volunteer,
    rows: Sequence[dict[str, Any]],
    table: eligibility.VisitTable,
    *,
    among: npt.NDArray[np.bool_],
    fixed: Sequence[str | None] | _FixedStarts,
    held: HeldByWeek,
    now: tuple[date, int],
    wanted: int,
    held_minutes: npt.NDArray[np.int64] | None = None,
    area_names: Mapping[str, str] | None = None,
) -> list[OpenVisit]:
    """The first ``wanted`` of ``rows`` (``table`` their rules' columns) that ``volunteer``
    may take, among those ``among`` marks: rules 1-7 and 9 over all of them at once
    (``eligibility.visit_rules_for``), then, in order until enough are found, rule 8 beside
    what they hold that week, the clock and a shared visit's start (``first_free_start``)."""
    if held_minutes is None:
        held_minutes = np.array(
            [eligibility.held_minutes(held.get(row["week_start"], ())) for row in rows],
            dtype=np.int64,
        )
    positions, kms = eligibility.visit_rules_for(
        volunteer=volunteer,
        table=table,
        grid_minutes=GRID_MINUTES,
        held_minutes=held_minutes,
        among=among,
    )
    found: list[OpenVisit] = []
    for position, km in zip(positions.tolist(), kms.tolist(), strict=True):
        row = rows[position]
        week = row["week_start"]
        start, _ = first_free_start(
            eligibility.visit_starts(volunteer, table, position, GRID_MINUTES),
            duration=row["duration_minutes"],
            day=row["day"],
            lat=row["lat"],
            lon=row["lon"],
            max_minutes=volunteer.max_minutes,
            fixed_start=fixed[position],
            week_start=week,
            held=held.get(week, ()),
            on_or_after=now,
        )
        if start is None:
            continue
        area_name = area_names.get(row["area_id"] or "") if area_names is not None else None
        found.append(_listed(row, start, km, area_name=area_name))
        if len(found) >= wanted:
            break
    return found


def _listed(
    row: dict[str, Any], start: int, km: float, *, area_name: str | None = None
) -> OpenVisit:
    return OpenVisit(
        key=row["key"],
        id=row["id"],
        week_start=row["week_start"],
        day=row["day"],
        start=clock_of(start),
        end=clock_of(start + row["duration_minutes"]),
        earliest=row["earliest"],
        latest=row["latest"],
        duration_minutes=row["duration_minutes"],
        area_id=row["area_id"],
        person_id=row["person_id"],
        person_first_name=row["person_first_name"],
        distance_km=round(km, 1),
        area_name=area_name,
    )
