"""People: round trip, paging, update, need, duplicates and links to areas and interests."""

from __future__ import annotations

import pytest

from graph.repo.errors import AlreadyExists, NotFound
from graph.repo.people import (
    create_person,
    get_person,
    list_people,
    update_person,
)
from graph.store import GraphStore
from tests.factories import make_area, make_interest, make_person
from tests.world import saved


def test_person_round_trips_every_field(store: GraphStore) -> None:
    person = make_person(
        languages=["en", "pl"],
        gender="female",
        gender_preference="female",
        access_needs=["step_free", "hearing_loop"],
        excluded_volunteers=["v-9"],
    )
    assert create_person(store=store, person=person) == person
    assert get_person(store=store, person_id=person.id) == person


def test_missing_person_is_none_or_not_found(store: GraphStore) -> None:
    assert get_person(store=store, person_id="p-nobody") is None


def test_duplicate_id_is_rejected_and_the_first_person_kept(store: GraphStore) -> None:
    first = create_person(store=store, person=make_person(id="p-dup", first_name="Ada"))
    with pytest.raises(AlreadyExists, match="p-dup"):
        create_person(store=store, person=make_person(id="p-dup", first_name="Bea"))
    assert get_person(store=store, person_id="p-dup") == first
    count = store.run("MATCH (n:Person) RETURN count(n) AS c", write=False)
    assert count == [{"c": 1}]


def test_people_page_in_id_order(store: GraphStore) -> None:
    ids = [f"p-{n:02d}" for n in range(7)]
    for person_id in reversed(ids):
        create_person(store=store, person=make_person(id=person_id))
    seen: list[str] = []
    after = None
    while True:
        page = list_people(store=store, first=3, after=after)
        seen += [p.id for p in page.items]
        if not page.has_next:
            break
        after = page.end_cursor
    assert seen == ids
    assert list_people(store=store, first=3, after="p-06").items == []


def test_page_size_must_be_sensible(store: GraphStore) -> None:
    with pytest.raises(ValueError, match="first"):
        list_people(store=store, first=0)


def test_update_replaces_fields_and_relinks_area_and_interests(store: GraphStore) -> None:
    dalston, hoxton = make_area(name="Dalston"), make_area(name="Hoxton")
    chess, choir = make_interest(name="Chess"), make_interest(name="Choir")
    for area in (dalston, hoxton):
        saved(store, area)
    for interest in (chess, choir):
        saved(store, interest)
    person = create_person(
        store=store,
        person=make_person(area_id=dalston.id, interests=[chess.id], phone="020 7946 0001"),
    )
    changed = person.model_copy(update={"area_id": hoxton.id, "interests": [choir.id]})
    changed.phone = None
    assert update_person(store=store, person=changed) == changed
    assert get_person(store=store, person_id=person.id) == changed
    rows = store.run(
        "MATCH (p:Person {id: $id})-[r]->(x) RETURN type(r) AS type, x.id AS target",
        {"id": person.id},
        write=False,
    )
    assert sorted((r["type"], r["target"]) for r in rows) == [
        ("IN", hoxton.id),
        ("INTERESTED_IN", choir.id),
    ]


def test_update_of_missing_person_writes_nothing(store: GraphStore) -> None:
    with pytest.raises(NotFound):
        update_person(store=store, person=make_person(id="p-ghost"))
    assert store.run("MATCH (n) RETURN count(n) AS c", write=False) == [{"c": 0}]
