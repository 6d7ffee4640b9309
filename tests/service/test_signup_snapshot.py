"""openVisits from the per-process snapshot of open visits gives what the statement gives, and a
claim won in this process shows at once; the claim itself never trusts the snapshot."""

from __future__ import annotations

import gc
import random
from datetime import timedelta
from typing import Any

import pytest

from graph.models import Person, Visit, Volunteer, Window
from graph.repo import people, volunteers
from graph.repo import volunteer_visits as repo
from graph.store import GraphStore
from service.app import load_open_visits
from service.visits import claims, open_visits
from service.visits.open_visits_snapshot import OpenVisitsSnapshot
from service.weeks import monday_of, today
from tests.loops import in_own_loop
from tests.service.conftest import next_monday
from tests.world import in_organisation, saved, stored

NOW = "2026-11-23T09:00:00Z"


def _varied_world(store: GraphStore, rng: random.Random) -> list[str]:
    """People, volunteers and visits that trip every rule somewhere; returns volunteer ids."""
    for index in range(12):
        people.create_person(
            store=store,
            person=Person(
                id=f"p{index}",
                first_name=f"Ann|{index}",  # a '|' in a name must survive the snapshot
                last_name="Lee",
                lat=51.55 + rng.uniform(-0.04, 0.04),
                lon=-0.06 + rng.uniform(-0.06, 0.06),
                area_id=f"area{index % 3}",
                languages=rng.choice([[], ["en"], ["tr"], ["en", "pl"]]),
                gender_preference=rng.choice([None, None, "female", "male"]),
                excluded_volunteers=["v1"] if index % 5 == 0 else [],
            ),
        )
    ids = []
    for index in range(8):
        days = rng.sample(range(7), 3)
        volunteers.create_volunteer(
            store=store,
            volunteer=Volunteer(
                id=f"v{index}",
                first_name="Val",
                last_name="Ng",
                email=f"v{index}@example.org",
                lat=51.55 + rng.uniform(-0.02, 0.02),
                lon=-0.06 + rng.uniform(-0.03, 0.03),
                max_km=rng.choice([1.5, 3.0, 8.0]),
                max_minutes=rng.choice([60, 600]),
                checked=index % 4 != 0,
                gender=rng.choice(["female", "male"]),
                languages=rng.choice([["en"], ["tr"], ["en", "tr"]]),
                availability=[Window(day=d, start="09:00", end="15:00") for d in days]
                + [Window(day=days[0], start="00:00", end="23:59")],
            ),
        )
        ids.append(f"v{index}")
    # Two organisations: each volunteer is offered only the visits of their own people.
    for org, one in (("org-a", 0), ("org-b", 1)):  # people and volunteers: A, B or both
        in_organisation(
            store,
            org,
            people=[f"p{i}" for i in range(12) if i % 4 in (one, 2, 3)],
            volunteers=[f"v{i}" for i in range(8) if i != 1 - one],  # v0: A only, v1: B only
        )
    # This week too, so visits earlier today, later today and on days gone by are all there.
    for week in (monday_of(today()), next_monday(), next_monday() + timedelta(days=7)):
        for index in range(60):
            earliest = rng.choice(["00:00", "08:00", "10:00", "13:00", "14:30", "21:00"])
            saved(
                store,
                Visit(
                    id=f"visit-{week.isoformat()}-{index}",
                    person_id=f"p{index % 12}",
                    week_start=week,
                    day=rng.randrange(7),
                    earliest=earliest,
                    latest=f"{min(23, int(earliest[:2]) + 2):02d}:00",
                    duration_minutes=rng.choice([30, 60, 90]),
                    requires_check=index % 3 != 0,
                    volunteers_needed=2 if index % 7 == 0 else 1,
                    status="open" if index % 11 else "proposed",
                ),
            )
    # Some holders: half of the visits needing two, and one visit per volunteer.
    week = next_monday().isoformat()
    for index in range(0, 60, 14):
        repo.claim_visit(
            store=store,
            visit_id=f"visit-{week}-{index}",
            volunteer_id="v7",
            start="10:00",
            now=NOW,
            holding=None,
        )
    return ids


def _next_week_visit(store: GraphStore, visit_id: str, person_id: str, *, day: int) -> None:
    """An hour's visit next week on ``day``, to start between 10:00 and 11:00."""
    saved(
        store,
        Visit(
            id=visit_id,
            person_id=person_id,
            week_start=next_monday(),
            day=day,
            earliest="10:00",
            latest="12:00",
            duration_minutes=60,
        ),
    )


def _all_pages(
    store: GraphStore, volunteer_id: str, max_age: float, *, awaited: bool = False
) -> list[tuple[str, str]]:
    seen: list[tuple[str, str]] = []
    after = None
    while True:
        if awaited:  # as the API asks: the statement awaited, the rest on the event loop
            page, more = in_own_loop(
                open_visits.open_visits_awaited(
                    store=store, volunteer_id=volunteer_id, first=3, after=after, max_age=max_age
                )
            )
        else:
            page, more = open_visits.open_visits(
                store=store, volunteer_id=volunteer_id, first=3, after=after, max_age=max_age
            )
        seen += [(visit.id, visit.start) for visit in page]
        if not more:
            return seen
        assert page, "hasNextPage with an empty page"
        after = page[-1].key


@pytest.mark.parametrize("seed", [3, 4, 5])
def test_snapshot_lists_what_the_statement_lists(store: GraphStore, seed: int) -> None:
    volunteer_ids = _varied_world(store, random.Random(seed))
    listed = 0
    for volunteer_id in volunteer_ids:
        fresh = _all_pages(store, volunteer_id, max_age=0)
        from_snapshot = _all_pages(store, volunteer_id, max_age=60)
        awaited = _all_pages(store, volunteer_id, max_age=60, awaited=True)
        assert from_snapshot == fresh, volunteer_id
        assert awaited == fresh, volunteer_id
        listed += len(fresh)
    assert listed > 20  # the world is not so strict that both lists are empty


def ann_and_free_volunteers(store: GraphStore, count: int, **fields: Any) -> None:
    """Ann (``p0``) and ``count`` volunteers ``v0``... where she lives, checked, free every
    day 08:00-20:00: any visit of hers is theirs to take."""
    people.create_person(
        store=store, person=Person(id="p0", first_name="Ann", last_name="Lee", lat=51.55, lon=-0.06)
    )
    for index in range(count):
        volunteers.create_volunteer(
            store=store,
            volunteer=Volunteer(
                id=f"v{index}",
                first_name="Val",
                last_name="Ng",
                email=f"v{index}@example.org",
                lat=51.55,
                lon=-0.06,
                checked=True,
                availability=[Window(day=d, start="08:00", end="20:00") for d in range(7)],
                **fields,
            ),
        )
    in_organisation(store, people=["p0"], volunteers=[f"v{index}" for index in range(count)])


def test_a_claim_won_here_leaves_the_snapshot_at_once(store: GraphStore) -> None:
    ann_and_free_volunteers(store, 2)
    _next_week_visit(store, "visit0", "p0", day=2)

    def listed(volunteer_id: str) -> list[str]:
        page, _ = open_visits.open_visits(
            store=store, volunteer_id=volunteer_id, first=5, max_age=60
        )
        return [visit.id for visit in page]

    assert listed("v0") == ["visit0"] and listed("v1") == ["visit0"]
    assert claims.claim_visit(store=store, visit_id="visit0", volunteer_id="v0").outcome == (
        "claimed"
    )
    assert listed("v1") == []  # the same snapshot, counted at once
    # Taken behind the snapshot's back (no claim through this process): the snapshot may still
    # list it, and the claim reads fresh and refuses.
    _next_week_visit(store, "visit1", "p0", day=4)
    taken = repo.claim_visit(
        store=store,
        visit_id="visit1",
        volunteer_id="v0",
        start="10:00",
        now=NOW,
        holding=None,
    )
    assert taken == "won"
    result = claims.claim_visit(store=store, visit_id="visit1", volunteer_id="v1")
    assert result.outcome == "unavailable" and "taken" in result.message


def test_a_claim_won_here_on_a_shared_visit_fixes_its_start_for_the_others(
    store: GraphStore,
) -> None:
    """Val is free from 11:00 only, so he takes a visit needing two at 11:00; the snapshot
    then offers the second place at 11:00, not at 10:00 (which the claim would refuse)."""
    ann_and_free_volunteers(store, 2)
    volunteers.create_volunteer(
        store=store,
        volunteer=Volunteer(
            id="late",
            first_name="Val",
            last_name="Ng",
            email="late@example.org",
            lat=51.55,
            lon=-0.06,
            checked=True,
            availability=[Window(day=d, start="11:00", end="20:00") for d in range(7)],
        ),
    )
    in_organisation(store, volunteers=["late"])
    saved(
        store,
        Visit(
            id="pair",
            person_id="p0",
            week_start=next_monday(),
            day=2,
            earliest="10:00",
            latest="13:00",
            duration_minutes=60,
            volunteers_needed=2,
        ),
    )

    def offered(volunteer_id: str) -> list[tuple[str, str | None]]:
        page, _ = open_visits.open_visits(
            store=store, volunteer_id=volunteer_id, first=5, max_age=60
        )
        return [(visit.id, visit.start) for visit in page]

    assert offered("v1") == [("pair", "10:00")]  # loads the snapshot: nobody holds it yet
    won = claims.claim_visit(store=store, visit_id="pair", volunteer_id="late")
    assert (won.outcome, won.start) == ("claimed", "11:00")
    assert offered("v1") == [("pair", "11:00")]  # the same snapshot, at the winner's start
    second = claims.claim_visit(store=store, visit_id="pair", volunteer_id="v1")
    assert (second.outcome, second.start) == ("claimed", "11:00")


def test_a_reload_sees_every_change_and_reuses_what_did_not_change(store: GraphStore) -> None:
    volunteer_ids = _varied_world(store, random.Random(7))
    week = monday_of(today()).isoformat()
    snapshots = OpenVisitsSnapshot.of(store, max_age=60)
    first = snapshots._load(week)
    assert snapshots._load(week).visits is first.visits  # nothing changed: nothing re-parsed

    # Changes made elsewhere: a person moves (to the metre), a visit's window changes, a new
    # visit opens, a visit is taken without this process hearing of it.
    moved = people.get_person(store=store, person_id="p1")
    assert moved is not None
    people.update_person(
        store=store, person=moved.model_copy(update={"lat": moved.lat + 0.00001234567})
    )
    changed = stored(store, Visit, f"visit-{next_monday().isoformat()}-3")
    assert changed is not None
    saved(store, changed.model_copy(update={"earliest": "09:00"}))
    _next_week_visit(store, "visit-new", "p2", day=3)
    open_ids = [  # of A's people: v0 volunteers with A only
        v["id"]
        for v in first.visits
        if v["volunteers_needed"] == 1 and "org-a" in v["organizations"]
    ]
    assert repo.claim_visit(
        store=store,
        visit_id=open_ids[0],
        volunteer_id=volunteer_ids[0],
        start=first.visits[0]["earliest"],
        now=NOW,
        holding=None,
    ) in {"won", "overlap", "start"}

    second = snapshots._load(week, full=True)
    assert second.visits is not first.visits
    assert second.visits[second.by_id["visit-new"]]["earliest_minute"] == 600
    assert second.visits[second.by_id[changed.id]]["earliest_minute"] == 540
    unchanged = [
        v for v in second.visits if v["person_id"] not in {"p1", "p2"} and v["id"] != changed.id
    ]
    assert unchanged and all(  # rows whose text did not change are the same objects again
        v is first.visits[first.by_id[v["id"]]] for v in unchanged if v["id"] in first.by_id
    )
    assert {v["lat"] for v in second.visits if v["person_id"] == "p1"} == {
        moved.lat + 0.00001234567
    }
    # And what it lists is what the statement lists, for everyone.
    for volunteer_id in volunteer_ids:
        assert _all_pages(store, volunteer_id, max_age=60) == _all_pages(
            store, volunteer_id, max_age=0
        ), volunteer_id


def test_the_snapshot_loaded_at_start_up_is_out_of_the_collectors_sight(
    store: GraphStore,
) -> None:
    """Frozen (``gc.freeze``), so a full collection does not scan its thousands of rows."""
    _varied_world(store, random.Random(3))

    assert load_open_visits(store, max_age=60)

    snapshot = OpenVisitsSnapshot.of(store, max_age=60).current(monday_of(today()).isoformat())
    assert snapshot.visits
    tracked = {id(o) for o in gc.get_objects()}  # generations 0-2, not the frozen ones
    assert id(snapshot.visits) not in tracked
    assert id(snapshot.visits[0]) not in tracked
