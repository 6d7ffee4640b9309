"""The sign-up statements themselves (graph/repo/signup.py), straight on the store: the guard in
the claim statement alone decides races, whatever the service checked before."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest

from graph.models import Person, Visit, Volunteer
from graph.repo import people, volunteers
from graph.repo import signup as repo
from graph.store import GraphStore
from service.visits.start_times import TRAVEL_SPEED_KMH
from service.wellbeing.feedback import Acquaintance, after_visit, tie_update
from tests.service.conftest import next_monday
from tests.world import saved

NOW = "2026-11-23T09:00:00Z"


def _world(store: GraphStore, volunteer_count: int, visit_count: int) -> None:
    for index in range(2):
        people.create_person(
            store=store,
            person=Person(
                id=f"p{index}",
                first_name="Ann",
                last_name="Lee",
                lat=51.55 + index / 100,
                lon=-0.06,
            ),
        )
    for index in range(volunteer_count):
        volunteers.create_volunteer(
            store=store,
            volunteer=Volunteer(
                id=f"v{index}",
                first_name="Val",
                last_name="Ng",
                email=f"v{index}@example.org",
                lat=51.55,
                lon=-0.06,
                max_minutes=120,
            ),
        )
    for index in range(visit_count):
        saved(
            store,
            Visit(
                id=f"visit{index}",
                person_id=f"p{index % 2}",
                week_start=next_monday(),
                day=2,
                earliest="10:00",
                latest="12:00",
                duration_minutes=60,
            ),
        )


def _claim(store: GraphStore, visit_id: str, volunteer_id: str, start: str = "10:00") -> str:
    """The claim statement alone (as any process would send it)."""
    return repo.claim_visit(
        store=store,
        visit_id=visit_id,
        volunteer_id=volunteer_id,
        start=start,
        now=NOW,
        speed_kmh=TRAVEL_SPEED_KMH,
    )


def test_the_claim_statement_lets_exactly_one_of_many_win(store: GraphStore) -> None:
    _world(store, volunteer_count=30, visit_count=1)
    with ThreadPoolExecutor(max_workers=30) as pool:
        outcomes = list(pool.map(lambda i: _claim(store, "visit0", f"v{i}"), range(30)))
    assert outcomes.count("won") == 1
    assert set(outcomes) == {"won", "taken"}
    assert len(store.run("MATCH (:Volunteer)-[a:ASSIGNED]->(:Visit) RETURN a")) == 1


def test_one_volunteer_racing_for_overlapping_visits_holds_at_most_one(store: GraphStore) -> None:
    _world(store, volunteer_count=1, visit_count=12)
    with ThreadPoolExecutor(max_workers=12) as pool:
        outcomes = list(pool.map(lambda i: _claim(store, f"visit{i}", "v0"), range(12)))
    assert outcomes.count("won") == 1
    assert set(outcomes) == {"won", "overlap"}


def test_travel_time_and_weekly_limit_are_guarded_in_the_statement(store: GraphStore) -> None:
    _world(store, volunteer_count=1, visit_count=4)
    assert _claim(store, "visit0", "v0", "10:00") == "won"  # p0, ends 11:00
    # visit1 is p1, 1.1 km away: 6 minutes of travel, so 11:00 clashes and 11:15 does not.
    assert _claim(store, "visit1", "v0", "11:00") == "overlap"
    assert _claim(store, "visit1", "v0", "11:15") == "won"
    # 120 minutes a week: a third hour is refused.
    assert _claim(store, "visit2", "v0", "13:00") in ("load", "overlap")
    assert _claim(store, "visit0", "v0", "10:00") == "held"
    assert _claim(store, "nope", "v0", "10:00") == "missing"
    assert store.run("MATCH (n) WHERE n._lock IS NOT NULL RETURN count(n) AS n") == [{"n": 0}]


def test_decline_reopens_and_log_needs_an_accepted_visit(store: GraphStore) -> None:
    _world(store, volunteer_count=2, visit_count=1)
    assert _claim(store, "visit0", "v0") == "won"
    logged = repo.log_visit(
        store=store,
        visit_id="visit0",
        volunteer_id="v1",
        outcome="done",
        note=None,
        now=NOW,
        **tie_update("done")._asdict(),
    )
    assert logged is None
    declined = repo.decline_visit(store=store, visit_id="visit0", volunteer_id="v0", now=NOW)
    assert declined == repo.Change(ok=True, status="declined")
    assert store.run("MATCH (v:Visit {id: 'visit0'}) RETURN v.status AS s") == [{"s": "open"}]
    assert _claim(store, "visit0", "v1") == "won"
    logged = repo.log_visit(
        store=store,
        visit_id="visit0",
        volunteer_id="v1",
        outcome="done",
        note="tea",
        now=NOW,
        **tie_update("done")._asdict(),
    )
    assert logged == repo.Change(ok=True, status="done")
    knows = store.run("MATCH (:Volunteer {id: 'v1'})-[k:KNOWS]->(:Person) RETURN k.strength AS s")
    expected = after_visit(Acquaintance(), outcome="done", at=datetime.now(UTC)).strength
    assert knows == [{"s": pytest.approx(expected)}]
