"""Volunteers, services, organisations, areas and interests: round trips, paging, updates,
deletes, and the IN / INTERESTED_IN / OFFERS edges mirrored from the nodes' fields."""

from __future__ import annotations

import pytest

from graph.repo.areas import (
    create_area,
    create_interest,
    delete_area,
    delete_interest,
    get_area,
    get_area_or_raise,
    get_interest,
    get_interest_or_raise,
    list_areas,
    list_interests,
    update_area,
    update_interest,
)
from graph.repo.errors import AlreadyExists, NotFound
from graph.repo.people import create_person
from graph.repo.services import (
    create_organization,
    create_service,
    delete_organization,
    delete_service,
    get_organization,
    get_organization_or_raise,
    get_service,
    get_service_or_raise,
    list_organizations,
    list_services,
    list_services_of_organization,
    update_organization,
    update_service,
)
from graph.repo.volunteers import (
    create_volunteer,
    delete_volunteer,
    get_volunteer,
    get_volunteer_or_raise,
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


def edges_from(store: GraphStore, node_id: str) -> list[tuple[str, str]]:
    rows = store.run(
        "MATCH (n {id: $id})-[r]->(x) RETURN type(r) AS type, x.id AS target",
        {"id": node_id},
        write=False,
    )
    return sorted((row["type"], row["target"]) for row in rows)


def test_volunteer_round_trip_update_and_delete(store: GraphStore) -> None:
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
    assert get_volunteer_or_raise(store=store, volunteer_id=volunteer.id) == changed
    assert delete_volunteer(store=store, volunteer_id=volunteer.id)
    assert not delete_volunteer(store=store, volunteer_id=volunteer.id)
    with pytest.raises(NotFound, match=volunteer.id):
        get_volunteer_or_raise(store=store, volunteer_id=volunteer.id)
    with pytest.raises(NotFound):
        update_volunteer(store=store, volunteer=changed)


def test_volunteers_page(store: GraphStore) -> None:
    for n in range(5):
        create_volunteer(store=store, volunteer=make_volunteer(id=f"v-{n}"))
    first = list_volunteers(store=store, first=4)
    assert [v.id for v in first.items] == ["v-0", "v-1", "v-2", "v-3"] and first.has_next
    rest = list_volunteers(store=store, first=4, after=first.end_cursor)
    assert [v.id for v in rest.items] == ["v-4"] and not rest.has_next


def test_service_round_trip_with_schedules_and_organisation(store: GraphStore) -> None:
    organization = create_organization(store=store, organization=make_organization())
    service = make_service(
        organization_id=organization.id,
        schedules=[
            {"day": 1, "start": "12:00", "end": "14:00", "frequency": "weekly"},
            {"day": 3, "start": "10:00", "end": "11:30", "frequency": "fortnightly"},
        ],
        accessibility=["step_free", "hearing_loop"],
    )
    phone_line = make_service(category="befriending_line", lat=None, lon=None, schedules=[])
    assert create_service(store=store, service=service) == service
    assert create_service(store=store, service=phone_line) == phone_line
    assert get_service(store=store, service_id=service.id) == service
    assert get_service_or_raise(store=store, service_id=phone_line.id) == phone_line
    assert list_services_of_organization(store=store, organization_id=organization.id) == [service]
    assert [s.id for s in list_services(store=store).items] == sorted([service.id, phone_line.id])
    cheaper = service.model_copy(update={"cost": "free", "schedules": []})
    assert update_service(store=store, service=cheaper) == cheaper
    assert delete_service(store=store, service_id=phone_line.id)
    assert get_service(store=store, service_id=phone_line.id) is None


def test_organisation_round_trip_update_and_delete(store: GraphStore) -> None:
    organization = create_organization(store=store, organization=make_organization())
    assert get_organization(store=store, organization_id=organization.id) == organization
    renamed = organization.model_copy(update={"name": "Hackney Neighbours"})
    assert update_organization(store=store, organization=renamed) == renamed
    assert get_organization_or_raise(store=store, organization_id=organization.id) == renamed
    assert list_organizations(store=store).items == [renamed]
    with pytest.raises(AlreadyExists):
        create_organization(store=store, organization=organization)
    assert delete_organization(store=store, organization_id=organization.id)
    assert list_organizations(store=store).items == []


def test_area_and_interest_crud(store: GraphStore) -> None:
    area, interest = make_area(), make_interest()
    assert create_area(store=store, area=area) == area
    assert create_interest(store=store, interest=interest) == interest
    assert get_area_or_raise(store=store, area_id=area.id) == area
    assert get_interest_or_raise(store=store, interest_id=interest.id) == interest
    area2 = area.model_copy(update={"name": "Dalston Ward", "lat": None, "lon": None})
    interest2 = interest.model_copy(update={"name": "Allotments"})
    assert update_area(store=store, area=area2) == area2
    assert update_interest(store=store, interest=interest2) == interest2
    assert list_areas(store=store).items == [area2]
    assert list_interests(store=store).items == [interest2]
    assert delete_area(store=store, area_id=area.id)
    assert delete_interest(store=store, interest_id=interest.id)
    assert get_area(store=store, area_id=area.id) is None
    assert get_interest(store=store, interest_id=interest.id) is None


def test_edges_follow_fields_whichever_is_created_first(store: GraphStore) -> None:
    early_area = create_area(store=store, area=make_area())
    walking = create_interest(store=store, interest=make_interest(name="Walking"))
    late_area, chess = make_area(), make_interest(name="Chess")
    person = create_person(
        store=store,
        person=make_person(area_id=late_area.id, interests=[walking.id, chess.id]),
    )
    volunteer = create_volunteer(
        store=store, volunteer=make_volunteer(area_id=early_area.id, interests=[chess.id])
    )
    service = create_service(
        store=store, service=make_service(area_id=late_area.id, interests=[walking.id, chess.id])
    )
    assert edges_from(store, person.id) == [("INTERESTED_IN", walking.id)]
    create_area(store=store, area=late_area)
    create_interest(store=store, interest=chess)
    assert edges_from(store, person.id) == sorted(
        [("IN", late_area.id), ("INTERESTED_IN", chess.id), ("INTERESTED_IN", walking.id)]
    )
    assert edges_from(store, volunteer.id) == [("IN", early_area.id), ("INTERESTED_IN", chess.id)]
    assert edges_from(store, service.id) == sorted(
        [("IN", late_area.id), ("OFFERS", chess.id), ("OFFERS", walking.id)]
    )
