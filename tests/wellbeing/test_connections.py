"""The ``suggest_connections`` use-case: cached projection, invalidation, bad input."""

from __future__ import annotations

import pytest

from graph.analytics import SuggestionFilters, connection_graph
from graph.repo.areas import create_interest
from graph.repo.errors import NotFound
from graph.repo.people import create_person
from graph.repo.services import create_service
from graph.store.port import GraphStore
from service.connections import connections_changed, suggest_connections
from tests.factories import make_interest, make_person, make_service

REFER = """
MATCH (p:Person {id: $person_id}), (s:Service {id: $service_id})
MERGE (p)-[r:REFERRED_TO]->(s) SET r.status = $status
"""


@pytest.fixture
def world(store: GraphStore) -> GraphStore:
    create_interest(store=store, interest=make_interest(id="singing", name="Singing"))
    create_person(store=store, person=make_person(id="ivy", interests=["singing"]))
    create_service(
        store=store,
        service=make_service(id="choir", name="Community choir", interests=["singing"]),
    )
    create_service(store=store, service=make_service(id="lunch", name="Lunch club"))
    return store


def test_suggests_the_matching_service_first(world: GraphStore) -> None:
    found = suggest_connections(store=world, person_id="ivy")
    assert [s.service_id for s in found] == ["choir", "lunch"]
    assert "matches your interest in singing" in found[0].reasons


def test_projection_is_reused_until_connections_change(world: GraphStore) -> None:
    suggest_connections(store=world, person_id="ivy")
    cached = connection_graph(store=world)
    world.run(REFER, {"person_id": "ivy", "service_id": "choir", "status": "not_suitable"})
    assert connection_graph(store=world) is cached
    assert suggest_connections(store=world, person_id="ivy")[0].service_id == "choir"
    connections_changed(store=world)
    assert [s.service_id for s in suggest_connections(store=world, person_id="ivy")] == ["lunch"]
    assert connection_graph(store=world) is not cached


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
