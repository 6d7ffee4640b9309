"""The open-visits snapshot: every open visit from this week on, held in this process (a
cache, off by default) so openVisits filters them in Python instead of scanning the graph.
``OpenVisitsSnapshot`` loads and reloads it; ``OpenVisitColumns`` holds its visits as numpy
columns: the solver's table of visits, which rules 1-9 read (solver/eligibility.py), and what
says a visit is still open to claim.
"""

from __future__ import annotations

import threading
import time
import weakref
from bisect import bisect_right
from dataclasses import dataclass, field, replace
from datetime import date
from itertools import compress
from typing import Any

import numpy as np
import numpy.typing as npt

from graph.repo import volunteer_visits as repo
from graph.store.port import GraphStore
from service.context import underlying
from service.visits.start_times import visit_table_of_rows
from service.weeks import monday_of
from solver import eligibility

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


@dataclass
class OpenVisitColumns:
    """One entry per snapshot visit, in key order: the solver's table of the visits with what
    their people decide (``rules``, what rules 1-9 read), and what only the service asks of an
    open visit (its week, how many it needs, how many hold it, and which organisations support
    its person: to whose volunteers it is offered). ``taken`` changes as claims are won in this
    process."""

    rules: eligibility.VisitTable
    week: npt.NDArray[np.int64]  # date ordinal of the week's Monday
    needed: npt.NDArray[np.int64]
    taken: npt.NDArray[np.int64]
    # organisation id -> which visits' people it supports (a borough has a few organisations)
    supported: dict[str, npt.NDArray[np.bool_]] = field(default_factory=dict)

    @classmethod
    def of(
        cls, visits: list[dict[str, Any]], *, like: OpenVisitColumns | None = None
    ) -> OpenVisitColumns:
        """Columns for ``visits``; with ``like``, coded as ``like`` codes genders and languages
        (new ones added after its own), so the two can be joined (``inserted``)."""
        weeks = {w: date.fromisoformat(w).toordinal() for w in {v["week_start"] for v in visits}}
        return cls(
            rules=visit_table_of_rows(visits, like=like.rules if like else None),
            week=np.fromiter((weeks[v["week_start"]] for v in visits), np.int64, len(visits)),
            needed=np.fromiter(
                (v["volunteers_needed"] for v in visits), dtype=np.int64, count=len(visits)
            ),
            taken=np.zeros(len(visits), dtype=np.int64),  # set by each load
            supported={
                org: np.fromiter(
                    (org in v["organizations"] for v in visits), dtype=np.bool_, count=len(visits)
                )
                for org in {org for v in visits for org in v["organizations"]}
            },
        )

    def kept(self, keep: npt.NDArray[np.bool_]) -> OpenVisitColumns:
        """These columns for the entries ``keep`` marks."""
        return OpenVisitColumns(
            self.rules.kept(keep),
            self.week[keep],
            self.needed[keep],
            self.taken[keep],
            {org: column[keep] for org, column in self.supported.items()},
        )

    def inserted(self, positions: list[int], new: OpenVisitColumns) -> OpenVisitColumns:
        """These columns with ``new``'s entries (made ``like`` these) put before
        ``positions`` (ascending: where each goes among these)."""
        mine, theirs = len(self.week), len(new.week)
        return OpenVisitColumns(
            self.rules.inserted(positions, new.rules),
            np.insert(self.week, positions, new.week),
            np.insert(self.needed, positions, new.needed),
            np.insert(self.taken, positions, new.taken),
            {
                org: np.insert(
                    self.supported.get(org, np.zeros(mine, dtype=np.bool_)),
                    positions,
                    new.supported.get(org, np.zeros(theirs, dtype=np.bool_)),
                )
                for org in self.supported.keys() | new.supported.keys()
            },
        )

    def supported_by(self, organizations: frozenset[str]) -> npt.NDArray[np.bool_]:
        """The visits whose person one of ``organizations`` supports."""
        found = np.zeros(len(self.week), dtype=np.bool_)
        for org in organizations:
            column = self.supported.get(org)
            if column is not None:
                found |= column
        return found

    def open_near(
        self, *, box: tuple[float, float, float, float], now: tuple[date, int], begin: int
    ) -> npt.NDArray[np.bool_]:
        """The visits from position ``begin`` on that are not full, whose time has not passed
        (today: a start is left) and whose person is inside ``box`` (lat_min, lat_max, lon_min,
        lon_max): where openVisits looks, before rules 1-9 decide."""
        lat_min, lat_max, lon_min, lon_max = box
        lat, lon = self.rules.lat, self.rules.lon
        this_week = monday_of(now[0]).toordinal()
        first_day = now[0].weekday()
        day = self.rules.day
        ok = (lat >= lat_min) & (lat <= lat_max) & (lon >= lon_min) & (lon <= lon_max)
        ok &= self.taken < self.needed
        later = (self.week > this_week) | ((self.week == this_week) & (day > first_day))
        today = (self.week == this_week) & (day == first_day)
        ok &= later | (today & (self.rules.latest - self.rules.duration >= now[1]))
        ok[:begin] = False
        return ok

    def minutes_by_week(self, minutes: dict[str, int]) -> npt.NDArray[np.int64]:
        """For each visit, the ``minutes`` (by week start) of its week; 0 for other weeks."""
        out = np.zeros(len(self.week), dtype=np.int64)
        for week, held in minutes.items():
            out[self.week == date.fromisoformat(week).toordinal()] = held
        return out


@dataclass
class LoadedOpenVisits:
    """The open visits of one load (from ``week_start`` on), in key order, with their columns."""

    week_start: str
    loaded_at: float  # time.monotonic() when the statements of its last reload were sent
    full_at: float  # the same for its last full reload
    visits: list[dict[str, Any]]  # in key order; shared between snapshots: read-only
    keys: list[str]
    by_id: dict[str, int]  # visit id -> position
    columns: OpenVisitColumns
    area_names: dict[str, str] = field(default_factory=dict)
    # person id -> the organisations supporting them, as of the last full reload
    supporters: dict[str, frozenset[str]] = field(default_factory=dict)


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
      a person's details changing (window, duration, checks, languages, address, exclusions...),
      and which organisations support each person (SUPPORTERS, ~7 ms): a visit is offered only
      to their volunteers (a visit a light reload adds, of someone no organisation supported at
      the last full one, is offered to nobody until the next).

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
        self._snapshot: LoadedOpenVisits | None = None
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

    @classmethod
    def claimed_in(cls, store: GraphStore, visit_id: str, start: str) -> None:
        """A claim of ``visit_id`` at ``start`` was won in this process: counted at once by
        ``store``'s snapshot, if it has one."""
        found = cls._by_store.get(underlying(store))
        if found is not None:
            found.claimed(visit_id, start)

    @classmethod
    def changed(cls, store: GraphStore) -> None:
        """Something this process changed cannot wait for the next reload (an erasure, a
        change to a person, a declined visit): ``store``'s snapshot, if any, is forgotten."""
        found = cls._by_store.get(underlying(store))
        if found is not None:
            found.forget()

    def current(self, week_start: str) -> LoadedOpenVisits:
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

    def ready(self, week_start: str) -> LoadedOpenVisits | None:
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

    def _usable(self, snapshot: LoadedOpenVisits, week_start: str) -> bool:
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

    def _load(self, week_start: str, *, full: bool | None = None) -> LoadedOpenVisits:
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
            supporters = repo.supporters_of_people(store=store)
            snapshot = self._read_in_full(week_start, before, texts, names, supporters, started)
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
        before: LoadedOpenVisits | None,
        texts: list[str],
        names: dict[str, str],
        supporters: dict[str, frozenset[str]],
        started: float,
    ) -> LoadedOpenVisits:
        """The snapshot ``texts`` (every open visit) describe, reusing ``before``'s rows whose
        text is unchanged (and its columns and index when no text changed). When who supports
        whom changed (seldom), every row is made afresh: a row holds its person's
        organisations."""
        if before is None or before.week_start != week_start or before.supporters != supporters:
            same = before is not None and before.supporters == supporters
            known = {visit["text"]: visit for visit in before.visits} if before and same else {}
            visits = repo.parse_open_visits(
                store=self._store, texts=texts, known=known, supporters=supporters
            )
            return _indexed(
                week_start,
                started,
                started,
                visits,
                OpenVisitColumns.of(visits),
                names,
                supporters,
            )
        positions = {visit["text"]: position for position, visit in enumerate(before.visits)}
        snapshot = self._changed(before, texts, positions, started, of_ids=False)
        return replace(snapshot, full_at=started, area_names=names)

    def _read_light(
        self, week_start: str, before: LoadedOpenVisits, ids: list[str], started: float
    ) -> LoadedOpenVisits:
        """``before`` without the visits not among ``ids`` (the open ones) and with those it
        lacks, read in full."""
        return self._changed(before, ids, before.by_id, started, of_ids=True)

    def _changed(
        self,
        before: LoadedOpenVisits,
        now_open: list[str],
        positions: dict[str, int],
        started: float,
        *,
        of_ids: bool,
    ) -> LoadedOpenVisits:
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
            rows = repo.parse_open_visits(
                store=self._store, texts=new, known={}, supporters=before.supporters
            )
            places = [bisect_right(keys, row["key"]) for row in rows]
            columns = columns.inserted(places, OpenVisitColumns.of(rows, like=columns))
            visits = _spliced(visits, places, rows)
            keys = _spliced(keys, places, [row["key"] for row in rows])
            ids = _spliced(ids, places, [row["id"] for row in rows])
        by_id = dict(zip(ids, range(len(ids)), strict=True))
        return LoadedOpenVisits(
            before.week_start,
            started,
            before.full_at,
            visits,
            keys,
            by_id,
            columns,
            before.area_names,
            before.supporters,
        )

    def claimed(self, visit_id: str, start: str) -> None:
        """A claim of ``visit_id`` at ``start`` was won in this process (a visit needing
        several volunteers is now at that start for the others too)."""
        with self._lock:
            self._claims.append((time.monotonic(), visit_id, start))
            if self._snapshot is not None:
                _count_claim(self._snapshot, visit_id, start)


def _indexed(
    week_start: str,
    loaded_at: float,
    full_at: float,
    visits: list[dict[str, Any]],
    columns: OpenVisitColumns,
    area_names: dict[str, str],
    supporters: dict[str, frozenset[str]],
) -> LoadedOpenVisits:
    keys = [visit["key"] for visit in visits]
    by_id = {visit["id"]: position for position, visit in enumerate(visits)}
    return LoadedOpenVisits(
        week_start, loaded_at, full_at, visits, keys, by_id, columns, area_names, supporters
    )


def _spliced(items: list[Any], places: list[int], added: list[Any]) -> list[Any]:
    """``items`` with each of ``added`` put before the item at its place (places ascending)."""
    result: list[Any] = []
    previous = 0
    for place, item in zip(places, added, strict=True):
        result += items[previous:place]
        result.append(item)
        previous = place
    return result + items[previous:]


def _with_holders(snapshot: LoadedOpenVisits, holders: dict[str, repo.Holding]) -> None:
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


def _count_claim(snapshot: LoadedOpenVisits, visit_id: str, start: str) -> None:
    position = snapshot.by_id.get(visit_id)
    if position is None:
        return
    snapshot.columns.taken[position] += 1
    if snapshot.visits[position]["start"] != start:  # copied, not changed (see _with_holders)
        visits = list(snapshot.visits)
        visits[position] = repo.with_start(visits[position], start)
        snapshot.visits = visits


def open_visits_changed(*, store: GraphStore) -> None:
    """Forget this process's snapshot of open visits of ``store`` after a change it cannot
    follow by itself within ``max_age``: an erasure (the person's name and place must go at
    once), a change to a person (exclusions, languages, address...), a declined visit. Other
    processes' snapshots drop an erased person's visits at their next reload (at most about
    ``max_age`` seconds) and see a person's other changes at their next full one
    (``FULL_RELOAD_S``)."""
    OpenVisitsSnapshot.changed(store)
