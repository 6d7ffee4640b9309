"""The open-visits snapshot is on by default, and forgets at once in this process what must not
wait for its next reload: an erasure, a change to a person (exclusions here), a claim won."""

from __future__ import annotations

import pytest

from graph.models import utc_now
from graph.repo import erasure
from graph.store import GraphStore
from service.config import OPEN_VISITS_MAX_AGE_DEFAULT_S, read_settings
from service.consent import my_data
from service.people import registry
from service.visits import claims
from service.visits.open_visits import open_visits
from service.visits.open_visits_snapshot import OpenVisitsSnapshot
from service.weeks import monday_of, today
from tests.service.test_signup_snapshot import _next_week_visit, ann_and_free_volunteers

AGE = 60.0  # long enough that no reload happens during a test: only invalidation can help


def _listed(store: GraphStore, volunteer_id: str) -> list[tuple[str, str]]:
    page, _ = open_visits(store=store, volunteer_id=volunteer_id, first=5, max_age=AGE)
    return [(visit.id, visit.person_first_name) for visit in page]


def test_the_snapshot_is_on_when_nothing_is_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CARECIRCLES_OPEN_VISITS_MAX_AGE_S", raising=False)
    assert read_settings().open_visits_max_age_s == OPEN_VISITS_MAX_AGE_DEFAULT_S > 0


def test_an_erasure_takes_the_persons_visits_out_of_the_snapshot_at_once(
    store: GraphStore,
) -> None:
    ann_and_free_volunteers(store, 1)
    _next_week_visit(store, "visit0", "p0", day=2)
    assert _listed(store, "v0") == [("visit0", "Ann")]

    my_data.erase(store=store, person_id="p0", requested_by="u-coordinator")

    assert _listed(store, "v0") == []


def test_an_exclusion_shows_in_the_snapshot_at_once(store: GraphStore) -> None:
    ann_and_free_volunteers(store, 2)
    _next_week_visit(store, "visit0", "p0", day=2)
    assert _listed(store, "v0") == [("visit0", "Ann")] == _listed(store, "v1")

    registry.update_person(store=store, person_id="p0", changes={"excluded_volunteers": ["v0"]})

    assert _listed(store, "v0") == []
    assert _listed(store, "v1") == [("visit0", "Ann")]


def test_a_claim_shows_in_the_snapshot_at_once(store: GraphStore) -> None:
    ann_and_free_volunteers(store, 2)
    _next_week_visit(store, "visit0", "p0", day=2)
    assert _listed(store, "v1") == [("visit0", "Ann")]

    assert claims.claim_visit(store=store, visit_id="visit0", volunteer_id="v0").outcome == (
        "claimed"
    )

    assert _listed(store, "v1") == []


def test_a_decline_shows_in_the_snapshot_at_once(store: GraphStore) -> None:
    ann_and_free_volunteers(store, 2)
    _next_week_visit(store, "visit0", "p0", day=2)
    assert claims.claim_visit(store=store, visit_id="visit0", volunteer_id="v0").outcome == (
        "claimed"
    )
    assert _listed(store, "v1") == []

    assert claims.decline_visit(store=store, visit_id="visit0", volunteer_id="v0") is not None

    assert _listed(store, "v1") == [("visit0", "Ann")]


def test_an_erasure_in_another_process_drops_the_visits_at_the_next_light_reload(
    store: GraphStore,
) -> None:
    """Erased behind this process's back (the graph statement alone, as another worker's
    erasure looks from here): the next light reload, at most ``max_age`` later, drops them."""
    ann_and_free_volunteers(store, 1)
    _next_week_visit(store, "visit0", "p0", day=2)
    assert _listed(store, "v0") == [("visit0", "Ann")]
    week = monday_of(today()).isoformat()

    erasure.erase_person(store=store, person_id="p0", requested_by="u-other", at=utc_now())
    reloaded = OpenVisitsSnapshot.of(store, max_age=AGE)._load(week, full=False)

    assert "visit0" not in reloaded.by_id
    assert _listed(store, "v0") == []
