"""The statements of a volunteer's visits (graph/repo/volunteer_visits.py), straight on the
store: the guard in the claim statement alone decides races, whatever the service checked
before."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest

from graph.models import Person, Visit, Volunteer, Window
from graph.repo import people, volunteers
from graph.repo import volunteer_visits as repo
from graph.store import GraphStore
from service.visits import claims
from service.visits.claims import ClaimResult
from service.wellbeing.feedback import Acquaintance, after_visit, tie_update
from tests.service.conftest import next_monday
from tests.world import in_organisation, saved

NOW = "2026-11-23T09:00:00Z"
# "Now" for logging, after every visit these tests make (a visit is logged once it has started).
AFTER_EVERY_VISIT = {"this_monday": "2100-01-04", "weekday": 0, "now_clock": "00:00"}


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
    in_organisation(
        store, people=["p0", "p1"], volunteers=[f"v{index}" for index in range(volunteer_count)]
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


def _claim(
    store: GraphStore,
    visit_id: str,
    volunteer_id: str,
    start: str = "10:00",
    holding: list[str] | None = None,
) -> str:
    """The claim statement alone (as any process would send it)."""
    return repo.claim_visit(
        store=store,
        visit_id=visit_id,
        volunteer_id=volunteer_id,
        start=start,
        now=NOW,
        holding=holding,
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


def test_the_statement_guards_only_what_must_be_atomic(store: GraphStore) -> None:
    """A double booking and a change of what the volunteer holds since the caller judged rules
    8 and 9 are refused; travel and the weekly limit are the caller's (solver.eligibility)."""
    _world(store, volunteer_count=1, visit_count=4)
    assert _claim(store, "visit0", "v0", "10:00", holding=[]) == "won"  # p0, ends 11:00
    assert _claim(store, "visit1", "v0", "10:30", holding=["visit0"]) == "overlap"
    # Judged beside nothing, but visit0 is held now: the caller must judge again.
    assert _claim(store, "visit1", "v0", "11:00", holding=[]) == "changed"
    # p1 is 1.1 km away (6 minutes of travel): 11:00 breaks rule 8, which is not the
    # statement's to decide.
    assert _claim(store, "visit1", "v0", "11:00", holding=["visit0"]) == "won"
    assert _claim(store, "visit0", "v0", "10:00") == "held"
    assert _claim(store, "nope", "v0", "10:00") == "missing"
    assert store.run("MATCH (n) WHERE n._lock IS NOT NULL RETURN count(n) AS n") == [{"n": 0}]


def test_travel_time_and_weekly_limit_are_judged_before_the_claim(store: GraphStore) -> None:
    _world(store, volunteer_count=0, visit_count=4)
    for volunteer_id, max_minutes in (("v0", 120), ("v1", 60)):
        volunteers.create_volunteer(
            store=store,
            volunteer=Volunteer(
                id=volunteer_id,
                first_name="Val",
                last_name="Ng",
                email=f"{volunteer_id}@example.org",
                lat=51.55,
                lon=-0.06,
                max_minutes=max_minutes,
                checked=True,
                availability=[Window(day=2, start="08:00", end="20:00")],
            ),
        )
    in_organisation(store, volunteers=["v0", "v1"])

    def claim(visit_id: str, volunteer_id: str) -> ClaimResult:
        return claims.claim_visit(store=store, visit_id=visit_id, volunteer_id=volunteer_id)

    # Visits 10:00-12:00, an hour long; even ones are p0's, odd ones p1's, 1.1 km away.
    assert claim("visit0", "v0").start == "10:00"  # ends 11:00
    # 6 minutes of travel to p1: 11:00, the last start, is too soon.
    assert claim("visit1", "v0").reasons == [
        "no free time in the visit window once travel to your other visits is allowed"
    ]
    assert claim("visit2", "v1").start == "10:00"
    # 60 minutes a week: a second hour is refused.
    assert claim("visit3", "v1").reasons == [
        "would take the week to 120 minutes, beyond the volunteer's limit of 60"
    ]


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
        **AFTER_EVERY_VISIT,
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
        **AFTER_EVERY_VISIT,
        **tie_update("done")._asdict(),
    )
    assert logged == repo.Change(ok=True, status="done")
    early = repo.log_visit(
        store=store,
        visit_id="visit0",
        volunteer_id="v1",
        outcome="done",
        note=None,
        now=NOW,
        this_monday="2000-01-03",
        weekday=0,
        now_clock="00:00",
        **tie_update("done")._asdict(),
    )
    assert early is not None and not early.started
    knows = store.run("MATCH (:Volunteer {id: 'v1'})-[k:KNOWS]->(:Person) RETURN k.strength AS s")
    expected = after_visit(Acquaintance(), outcome="done", at=datetime.now(UTC)).strength
    assert knows == [{"s": pytest.approx(expected)}]
