"""The open-visits snapshot's two reloads: a light one (which visits are open, who holds them
at what start) every max age, a full one (every detail) at least every FULL_RELOAD_S; after
either, openVisits from the snapshot lists what the statement lists."""

from __future__ import annotations

import random
from dataclasses import replace
from typing import Any

from graph.models import Visit
from graph.repo import people
from graph.repo import volunteer_visits as repo
from graph.store import GraphStore
from service.visits import claims
from service.visits.open_visits_snapshot import FULL_RELOAD_S, OpenVisitsSnapshot
from service.visits.start_times import visit_table_of_rows
from service.weeks import monday_of, today
from tests.service.conftest import next_monday
from tests.service.test_signup_snapshot import (
    NOW,
    _all_pages,
    _varied_world,
    ann_and_free_volunteers,
)
from tests.service.test_signup_statements import _claim
from tests.world import saved


class Recording:
    """The test's store, noting which statements ran (every call goes to the real store)."""

    def __init__(self, store: GraphStore) -> None:
        self._inner = store
        self.backend = store.backend
        self.queries: list[str] = []

    def run(self, query: str, params: dict[str, Any] | None = None, *, write: bool = True) -> Any:
        self.queries.append(query)
        return self._inner.run(query, params, write=write)


def _snapshots(store: GraphStore) -> tuple[OpenVisitsSnapshot, Recording]:
    """This process's snapshot of ``store`` (what openVisits uses), its statements noted."""
    snapshots = OpenVisitsSnapshot.of(store, max_age=60)
    recording = Recording(store)
    snapshots._store = recording  # type: ignore[assignment]
    return snapshots, recording


def _listed(store: GraphStore, volunteer_id: str) -> dict[str, str]:
    """Visit id -> start of what openVisits lists from the snapshot for the volunteer."""
    return dict(_all_pages(store, volunteer_id, max_age=60))


def _same_as_statement(store: GraphStore, volunteer_ids: list[str]) -> None:
    for volunteer_id in volunteer_ids:
        assert _all_pages(store, volunteer_id, max_age=60) == _all_pages(
            store, volunteer_id, max_age=0
        ), volunteer_id


def _well_formed(snapshot: Any) -> None:
    """Rows in key order, the index and every column entry matching its row."""
    visits_ = snapshot.visits
    assert snapshot.keys == [v["key"] for v in visits_] == sorted(v["key"] for v in visits_)
    assert snapshot.by_id == {v["id"]: i for i, v in enumerate(visits_)}
    columns = snapshot.columns
    assert columns.needed.tolist() == [v["volunteers_needed"] for v in visits_]
    # The solver's table, kept and spliced on reloads, is the table made afresh from the rows.
    table, fresh = columns.rules, visit_table_of_rows(visits_)
    assert table.lat.tolist() == [v["lat"] for v in visits_]
    assert table.earliest.tolist() == [v["earliest_minute"] for v in visits_]
    for name in ("lat", "lon", "day", "earliest", "latest", "duration", "requires_check"):
        assert getattr(table, name).tolist() == getattr(fresh, name).tolist(), name
    assert table.languages == fresh.languages and table.excluded == fresh.excluded
    assert table.has_exclusions.tolist() == fresh.has_exclusions.tolist()
    organisations = {org for v in visits_ for org in v["organizations"]}
    assert set(columns.supported) >= organisations
    for org, supported in columns.supported.items():
        assert supported.tolist() == [org in v["organizations"] for v in visits_], org
    for position, visit in enumerate(visits_):
        mask = 0
        for language in visit["languages"]:
            mask |= 1 << table.language_bits[language]
        assert int(table.language_masks[position]) == mask, visit["id"]
        gender = visit["gender_preference"]
        code = table.gender_codes[gender] if gender else -1
        assert table.gender_preference[position] == code


def _small_world(store: GraphStore) -> None:
    """One person, three volunteers free all week, who could go to any visit of hers."""
    ann_and_free_volunteers(store, 3, languages=["en"])


def _visit(store: GraphStore, visit_id: str, *, day: int, needed: int = 1) -> Visit:
    return saved(
        store,
        Visit(
            id=visit_id,
            person_id="p0",
            week_start=next_monday(),
            day=day,
            earliest="10:00",
            latest="13:00",
            duration_minutes=60,
            volunteers_needed=needed,
        ),
    )


def test_a_light_reload_follows_claims_new_visits_and_starts(store: GraphStore) -> None:
    _small_world(store)
    _visit(store, "a", day=1)
    _visit(store, "b", day=2)
    _visit(store, "pair", day=3, needed=2)
    week = monday_of(today()).isoformat()
    snapshots, recording = _snapshots(store)
    first = snapshots._load(week)
    assert _listed(store, "v1") == {"a": "10:00", "b": "10:00", "pair": "10:00"}

    # Elsewhere: "a" is taken, "c" opens, "pair" gets its first volunteer at 11:00.
    assert _claim(store, "a", "v0") == "won"
    _visit(store, "c", day=4)
    assert _claim(store, "pair", "v2", start="11:00") == "won"
    recording.queries.clear()
    second = snapshots._load(week)
    assert repo.OPEN_VISITS_ALL not in recording.queries  # light: no statement reads them all
    assert repo.OPEN_VISITS_BY_ID in recording.queries  # only "c" was read in full
    assert second.full_at == first.full_at
    assert set(second.by_id) == {"b", "c", "pair"}
    assert second.visits[second.by_id["b"]] is first.visits[first.by_id["b"]]  # not re-parsed
    assert _listed(store, "v1") == {"b": "10:00", "c": "10:00", "pair": "11:00"}
    _well_formed(second)
    _same_as_statement(store, ["v0", "v1", "v2"])

    # "pair"'s volunteer withdraws and another takes it at 12:00: the new start is the one used.
    assert repo.decline_visit(store=store, visit_id="pair", volunteer_id="v2", now=NOW) == (
        repo.Change(ok=True, status="declined")
    )
    assert _claim(store, "pair", "v0", start="12:00") == "won"
    third = snapshots._load(week)
    assert third.visits[third.by_id["pair"]]["start"] == "12:00"
    assert _listed(store, "v1") == {"b": "10:00", "c": "10:00", "pair": "12:00"}
    _same_as_statement(store, ["v0", "v1", "v2"])

    # Nothing changed: nothing read in full, the same rows, columns and index.
    recording.queries.clear()
    fourth = snapshots._load(week)
    assert repo.OPEN_VISITS_BY_ID not in recording.queries
    assert repo.OPEN_VISITS_ALL not in recording.queries
    assert fourth.visits is third.visits and fourth.by_id is third.by_id
    assert fourth.columns.rules is third.columns.rules
    # A full reload finds the rows the light ones made (new start included) unchanged.
    fifth = snapshots._load(week, full=True)
    assert repo.OPEN_VISITS_ALL in recording.queries
    assert fifth.visits is third.visits


def test_details_change_with_the_full_reload_only(store: GraphStore) -> None:
    _small_world(store)
    _visit(store, "a", day=1)
    changed = _visit(store, "b", day=2)
    week = monday_of(today()).isoformat()
    snapshots, recording = _snapshots(store)
    snapshots._load(week)
    assert set(_listed(store, "v1")) == {"a", "b"}

    # Ann now speaks only Turkish (none of the volunteers do); "b" moves to the evening.
    person = people.get_person(store=store, person_id="p0")
    assert person is not None
    people.update_person(store=store, person=person.model_copy(update={"languages": ["tr"]}))
    saved(
        store,
        changed.model_copy(update={"earliest": "21:00", "latest": "23:00"}),
    )
    recording.queries.clear()
    light = snapshots._load(week)
    # The light reload need not see details: this one has not (it read no visit in full).
    assert repo.OPEN_VISITS_ALL not in recording.queries
    assert light.visits[light.by_id["a"]]["languages"] == []
    assert light.visits[light.by_id["b"]]["earliest"] == "10:00"

    full = snapshots._load(week, full=True)
    assert full.full_at > light.full_at
    assert {v["id"]: v["languages"] for v in full.visits} == {"a": ["tr"], "b": ["tr"]}
    assert full.visits[full.by_id["b"]]["earliest_minute"] == 21 * 60
    _well_formed(full)
    assert _listed(store, "v1") == {}
    _same_as_statement(store, ["v0", "v1", "v2"])


def test_a_reload_is_full_once_the_last_full_one_is_full_reload_s_old(store: GraphStore) -> None:
    _small_world(store)
    _visit(store, "a", day=1)
    week = monday_of(today()).isoformat()
    snapshots, recording = _snapshots(store)
    first = snapshots._load(week)
    assert repo.OPEN_VISITS_ALL in recording.queries  # the first load reads everything
    recording.queries.clear()
    snapshots._load(week)
    assert repo.OPEN_VISITS_ALL not in recording.queries
    # As if FULL_RELOAD_S had gone by since the last full reload (no sleeping in tests).
    current = snapshots._snapshot
    assert current is not None
    snapshots._snapshot = replace(current, full_at=current.full_at - FULL_RELOAD_S)
    recording.queries.clear()
    again = snapshots._load(week)
    assert repo.OPEN_VISITS_ALL in recording.queries
    assert again.full_at > first.full_at
    # Another week is always read in full.
    recording.queries.clear()
    snapshots._load(next_monday().isoformat())
    assert repo.OPEN_VISITS_ALL in recording.queries


def test_light_reloads_agree_with_the_statement_as_visits_come_and_go(store: GraphStore) -> None:
    rng = random.Random(11)
    volunteer_ids = _varied_world(store, rng)
    week = monday_of(today()).isoformat()
    snapshots, recording = _snapshots(store)
    snapshots._load(week)
    created = 0
    for _ in range(4):
        current = snapshots._snapshot
        assert current is not None
        # Some visits taken, some declined (open again), some new ones, and a local claim.
        for visit in rng.sample(current.visits, 6):
            _claim(store, visit["id"], rng.choice(volunteer_ids), start=visit["earliest"])
        for visit_id in rng.sample(sorted(current.by_id), 2):
            for volunteer_id in volunteer_ids:
                repo.decline_visit(
                    store=store, visit_id=visit_id, volunteer_id=volunteer_id, now=NOW
                )
        for _ in range(3):
            created += 1
            saved(
                store,
                Visit(
                    id=f"new-{created}",
                    person_id=f"p{rng.randrange(12)}",
                    week_start=next_monday(),
                    day=rng.randrange(7),
                    earliest=rng.choice(["08:00", "10:00", "13:00"]),
                    latest="15:00",
                    duration_minutes=60,
                    volunteers_needed=rng.choice([1, 2]),
                ),
            )
        recording.queries.clear()
        reloaded = snapshots._load(week)
        assert repo.OPEN_VISITS_ALL not in recording.queries
        assert {f"new-{index}" for index in range(1, created + 1)} <= set(reloaded.by_id)
        _well_formed(reloaded)
        _same_as_statement(store, volunteer_ids)
        # And a claim won here counts at once, between reloads as before. (Of a visit needing
        # one: the start a claim here fixes on a visit needing two is known from the next
        # reload on, as before.)
        listed = [
            (volunteer_id, visit_id)
            for volunteer_id in volunteer_ids
            for visit_id in _listed(store, volunteer_id)
            if reloaded.visits[reloaded.by_id[visit_id]]["volunteers_needed"] == 1
        ]
        volunteer_id, visit_id = listed[0]
        result = claims.claim_visit(store=store, visit_id=visit_id, volunteer_id=volunteer_id)
        assert result.outcome == "claimed"
        taken = snapshots._snapshot
        assert taken is not None and taken.columns.taken[taken.by_id[visit_id]] >= 1
        _same_as_statement(store, volunteer_ids)


def test_open_visit_ids_neo4j_form_gives_the_same_ids(store: GraphStore) -> None:
    week = monday_of(today()).isoformat()
    assert repo.open_visit_ids(store=store, week_start=week) == []
    _small_world(store)
    for index in range(5):
        _visit(store, f"visit-{index}", day=index)
    assert _claim(store, "visit-2", "v0") == "won"
    portable = store.run(repo.OPEN_VISIT_IDS, {"week_start": week}, write=False)[0]["ids"]
    ids = repo.open_visit_ids(store=store, week_start=week)
    assert sorted(ids) == sorted(portable) == ["visit-0", "visit-1", "visit-3", "visit-4"]
    texts = repo.open_visit_texts(store=store, week_start=week, ids=["visit-1", "visit-2", "x"])
    assert [text.split("|")[0] for text in texts] == ["visit-1"]  # open ones only
    assert sorted(repo.open_visit_texts(store=store, week_start=week)) == sorted(
        repo.open_visit_texts(store=store, week_start=week, ids=ids)
    )
