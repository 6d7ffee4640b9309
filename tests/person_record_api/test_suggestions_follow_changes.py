"""A link worker's suggestions follow what changed at once: the use cases that change a person
tell the cached projection (connections.suggestions.connections_changed with the ids), so nobody
waits for the cache to expire or for a full re-read."""

from __future__ import annotations

from graph.repo import people
from graph.store import GraphStore
from service.connections.suggestions import suggest_connections
from service.people import registry
from tests.factories import make_interest, make_person, make_service
from tests.world import saved


def test_a_new_interest_shows_in_the_next_suggestions(store: GraphStore) -> None:
    chess = saved(store, make_interest(id="chess", name="chess"))
    garden = saved(store, make_interest(id="gardening", name="gardening"))
    for interest in (chess, garden):
        saved(
            store,
            make_service(
                id=f"svc-{interest.id}", name=f"{interest.name} club", interests=[interest.id]
            ),
        )
    maud = people.create_person(store=store, person=make_person(interests=[garden.id]))
    first = suggest_connections(store=store, person_id=maud.id, first=1)  # the cache is built
    assert first[0].service_id == "svc-gardening"

    registry.update_person(store=store, person_id=maud.id, changes={"interests": [chess.id]})
    after = suggest_connections(store=store, person_id=maud.id, first=1)
    assert after[0].service_id == "svc-chess"
    assert "matches their interest in chess" in after[0].reasons


def test_a_person_registered_after_the_cache_was_built_gets_suggestions(
    store: GraphStore,
) -> None:
    garden = saved(store, make_interest(id="gardening", name="gardening"))
    saved(store, make_service(id="svc-garden", interests=[garden.id]))
    someone = people.create_person(store=store, person=make_person())
    suggest_connections(store=store, person_id=someone.id, first=1)  # the cache is built
    values = {"first_name": "Ida", "last_name": "Bell", "lat": 51.545, "lon": -0.062}
    values["interests"] = [garden.id]
    newcomer = registry.register_person(store=store, values=values, organization_id="org-x")
    found = suggest_connections(store=store, person_id=newcomer.id, first=1)
    assert found[0].service_id == "svc-garden"
    assert "matches their interest in gardening" in found[0].reasons
