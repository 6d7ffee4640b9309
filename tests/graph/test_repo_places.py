"""Volunteers, services and organisations: round trips, paging, updates, and the IN /
INTERESTED_IN / OFFERS edges mirrored from the nodes' fields."""

from __future__ import annotations

import pytest

from graph.models import Area, Interest, Organization, Service
from graph.repo.errors import NotFound
from graph.repo.people import create_person
from graph.repo.services import list_services
from graph.repo.volunteers import (
    create_volunteer,
    get_volunteer,
    list_volunteers,
    update_volunteer,
)
from graph.store import GraphStore
from tests.factories import (
    make_area,
    make_interest,
    make_organization,
    make_person,
    make_service,
    make_volunteer,
)
from tests.world import save, stored


def edges_from(store: GraphStore, node_id: str) -> list[tuple[str, str]]:
    rows = store.run(
        "MATCH (n {id: $id})-[r]->(x) RETURN type(r) AS type, x.id AS target",
        {"id": node_id},
        write=False,
    )
    return sorted((row["type"], row["target"]) for row in rows)


def test_volunteer_round_trip_and_update(store: GraphStore) -> None:
    volunteer = make_volunteer(
        languages=["en", "so"],
        gender="male",
        availability=[
            {"day": 0, "start": "18:00", "end": "21:00"},
            {"day": 5, "start": "09:00", "end": "13:00"},
        ],
    )
    assert create_volunteer(store=store, volunteer=volunteer) == volunteer
    assert get_volunteer(store=store, volunteer_id=volunteer.id) == volunteer
    changed = volunteer.model_copy(update={"max_km": 2.5, "checked": False})
    assert update_volunteer(store=store, volunteer=changed) == changed
    assert get_volunteer(store=store, volunteer_id=volunteer.id) == changed
    missing = make_volunteer()
    with pytest.raises(NotFound, match=missing.id):
        update_volunteer(store=store, volunteer=missing)


def test_volunteers_page(store: GraphStore) -> None:
    for n in range(5):
        create_volunteer(store=store, volunteer=make_volunteer(id=f"v-{n}"))
    first = list_volunteers(store=store, first=4)
    assert [v.id for v in first.items] == ["v-0", "v-1", "v-2", "v-3"] and first.has_next
    rest = list_volunteers(store=store, first=4, after=first.end_cursor)
    assert [v.id for v in rest.items] == ["v-4"] and not rest.has_next


def test_service_round_trip_with_schedules_and_organisation(store: GraphStore) -> None:
    organization = make_organization()
    service = make_service(
        organization_id=organization.id,
        schedules=[
            {"day": 1, "start": "12:00", "end": "14:00", "frequency": "weekly"},
            {"day": 3, "start": "10:00", "end": "11:30", "frequency": "fortnightly"},
        ],
        accessibility=["step_free", "hearing_loop"],
    )
    phone_line = make_service(category="befriending_line", lat=None, lon=None, schedules=[])
    save(store, organization, service, phone_line)
    assert stored(store, Organization, organization.id) == organization
    assert stored(store, Service, service.id) == service
    assert stored(store, Service, phone_line.id) == phone_line
    assert [s.id for s in list_services(store=store).items] == sorted([service.id, phone_line.id])


def test_area_and_interest_round_trip(store: GraphStore) -> None:
    area, interest = make_area(), make_interest()
    save(store, area, interest)
    assert stored(store, Area, area.id) == area
    assert stored(store, Interest, interest.id) == interest


def test_edges_follow_fields(store: GraphStore) -> None:
    area, walking, chess = make_area(), make_interest(name="Walking"), make_interest(name="Chess")
    service = make_service(area_id=area.id, interests=[walking.id, chess.id])
    save(store, area, walking, chess, service)
    person = create_person(
        store=store, person=make_person(area_id=area.id, interests=[walking.id, chess.id])
    )
    volunteer = create_volunteer(
        store=store, volunteer=make_volunteer(area_id=area.id, interests=[chess.id])
    )
    assert edges_from(store, person.id) == sorted(
        [("IN", area.id), ("INTERESTED_IN", chess.id), ("INTERESTED_IN", walking.id)]
    )
    assert edges_from(store, volunteer.id) == [("IN", area.id), ("INTERESTED_IN", chess.id)]
    assert edges_from(store, service.id) == sorted(
        [("IN", area.id), ("OFFERS", chess.id), ("OFFERS", walking.id)]
    )
