"""The ``suggest_connections`` use-case: cached projection, invalidation, bad input."""

from __future__ import annotations

import pytest

from graph.analytics import connection_graph
from graph.repo.errors import NotFound
from graph.repo.people import create_person
from graph.repo.referrals import create_referral, update_referral_status
from graph.store.port import GraphStore
from service.connections.reasons import SuggestionFilters
from service.connections.suggestions import (
    connections_changed,
    record_referral_outcome,
    refer_to_service,
    suggest_connections,
)
from tests.factories import NOW, make_interest, make_person, make_referral, make_service
from tests.world import saved


@pytest.fixture
def world(store: GraphStore) -> GraphStore:
    for interest in ("singing", "cooking"):
        saved(store, make_interest(id=interest, name=interest.title()))
    create_person(store=store, person=make_person(id="ivy", interests=["singing", "cooking"]))
    choir = make_service(id="choir", name="Community choir", interests=["singing"])
    saved(store, choir)
    # As good a match as the choir in the graph, a little farther away.
    lunch = make_service(id="lunch", name="Lunch club", interests=["cooking"], lat=51.548)
    saved(store, lunch)
    return store


def test_suggests_the_matching_service_first(world: GraphStore) -> None:
    found = suggest_connections(store=world, person_id="ivy")
    assert [s.service_id for s in found] == ["choir", "lunch"]
    assert "matches their interest in singing" in found[0].reasons


def test_projection_is_reused_until_connections_change(world: GraphStore) -> None:
    suggest_connections(store=world, person_id="ivy")
    cached = connection_graph(store=world)
    # Written behind the use-case's back: the cached projection does not know yet.
    create_referral(
        store=world, referral=make_referral(id="r1", person_id="ivy", service_id="choir")
    )
    update_referral_status(store=world, referral_id="r1", status="not_suitable", at=NOW)
    assert connection_graph(store=world) is cached
    assert suggest_connections(store=world, person_id="ivy")[0].service_id == "choir"
    connections_changed(store=world)
    assert [s.service_id for s in suggest_connections(store=world, person_id="ivy")] == ["lunch"]
    assert connection_graph(store=world) is not cached


def test_referral_and_its_outcome_change_the_ranking_at_once(world: GraphStore) -> None:
    def ids() -> list[str]:
        return [s.service_id for s in suggest_connections(store=world, person_id="ivy")]

    assert ids() == ["choir", "lunch"]
    refer_to_service(
        store=world, referral=make_referral(id="r1", person_id="ivy", service_id="choir")
    )
    assert ids() == ["lunch"]  # waiting to hear back
    record_referral_outcome(store=world, referral_id="r1", status="declined", at=NOW)
    found = suggest_connections(store=world, person_id="ivy")
    assert [s.service_id for s in found] == ["lunch", "choir"]
    assert found[1].reasons[-1] == "they declined a referral here before"
    record_referral_outcome(store=world, referral_id="r1", status="not_suitable", at=NOW)
    assert ids() == ["lunch"]


def test_a_person_added_after_the_projection_is_found(world: GraphStore) -> None:
    suggest_connections(store=world, person_id="ivy")
    create_person(store=world, person=make_person(id="june", interests=["singing"]))
    assert suggest_connections(store=world, person_id="june", first=1)[0].service_id == "choir"


def test_unknown_person_is_not_found(world: GraphStore) -> None:
    with pytest.raises(NotFound, match="nobody"):
        suggest_connections(store=world, person_id="nobody")


@pytest.mark.parametrize("first", [0, -1, 51])
def test_first_out_of_range_names_the_field(world: GraphStore, first: int) -> None:
    with pytest.raises(ValueError, match=r"^first: expected 1\.\.50, got"):
        suggest_connections(store=world, person_id="ivy", first=first)


def test_non_positive_distance_names_the_field(world: GraphStore) -> None:
    with pytest.raises(ValueError, match="^max_km: "):
        suggest_connections(store=world, person_id="ivy", filters=SuggestionFilters(max_km=0))
