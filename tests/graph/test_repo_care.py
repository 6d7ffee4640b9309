"""KNOWS edges, care circles, visits and assignments."""

from __future__ import annotations

from datetime import timedelta

import pytest

from graph.models import Knows
from graph.repo.circles import (
    add_circle_member,
    create_circle,
    delete_circle,
    get_circle,
    get_circle_of_person,
    get_circle_or_raise,
    list_circle_members,
    list_circles,
    list_circles_of_volunteer,
    remove_circle_member,
)
from graph.repo.errors import AlreadyExists, NotFound
from graph.repo.people import create_person
from graph.repo.relationships import (
    delete_knows,
    list_knows_of_person,
    save_knows,
)
from graph.repo.visits import (
    assign_volunteer,
    create_visit,
    create_visits,
    delete_visit,
    get_visit,
    get_visit_or_raise,
    list_assignments,
    list_visits,
    list_visits_of_person,
    list_visits_of_volunteer,
    set_visit_status,
    unassign_volunteer,
    update_visit,
)
from graph.repo.volunteers import create_volunteer
from graph.store import GraphStore
from tests.factories import NOW, WEEK, make_circle, make_person, make_visit, make_volunteer


def count(store: GraphStore, pattern: str) -> int:
    rows = store.run(f"MATCH {pattern} RETURN count(*) AS c", write=False)
    return int(rows[0]["c"])


def test_knows_between_people_and_from_volunteers(store: GraphStore) -> None:
    maud, her_son = (create_person(store=store, person=make_person()) for _ in range(2))
    sam = create_volunteer(store=store, volunteer=make_volunteer())
    family = Knows(from_id=her_son.id, to_id=maud.id, kind="family", strength=0.9)
    visiting = Knows(from_id=sam.id, to_id=maud.id, kind="volunteer", strength=0.3, visits=2)
    assert save_knows(store=store, knows=family) == family
    assert save_knows(store=store, knows=visiting) == visiting
    assert list_knows_of_person(store=store, person_id=maud.id) == sorted(
        [family, visiting], key=lambda k: (k.from_id, k.to_id)
    )
    assert list_knows_of_person(store=store, person_id=her_son.id) == [family]
    stronger = family.model_copy(update={"strength": 1.0})
    save_knows(store=store, knows=stronger)
    assert count(store, "()-[:KNOWS]->()") == 2
    assert delete_knows(store=store, from_id=her_son.id, to_id=maud.id)
    assert list_knows_of_person(store=store, person_id=maud.id) == [visiting]


def test_knows_needs_both_ends_and_the_right_kind_of_start(store: GraphStore) -> None:
    maud = create_person(store=store, person=make_person())
    sam = create_volunteer(store=store, volunteer=make_volunteer())
    with pytest.raises(NotFound, match="Person"):  # a volunteer is not a Person start
        save_knows(store=store, knows=Knows(from_id=sam.id, to_id=maud.id, kind="friend"))
    with pytest.raises(NotFound, match="p-nobody"):
        save_knows(store=store, knows=Knows(from_id=sam.id, to_id="p-nobody", kind="volunteer"))
    assert count(store, "()-[:KNOWS]->()") == 0


def test_circle_lifecycle(store: GraphStore) -> None:
    maud = create_person(store=store, person=make_person())
    sam, ada = (create_volunteer(store=store, volunteer=make_volunteer()) for _ in range(2))
    circle = create_circle(store=store, circle=make_circle(person_id=maud.id))
    assert get_circle(store=store, circle_id=circle.id) == circle
    assert get_circle_or_raise(store=store, circle_id=circle.id) == circle
    assert get_circle_of_person(store=store, person_id=maud.id) == circle
    with pytest.raises(AlreadyExists, match=maud.id):
        create_circle(store=store, circle=make_circle(person_id=maud.id))
    with pytest.raises(NotFound, match="p-nobody"):
        create_circle(store=store, circle=make_circle(person_id="p-nobody"))
    assert list_circles(store=store).items == [circle]

    joined = add_circle_member(store=store, circle_id=circle.id, volunteer_id=sam.id, since=NOW)
    again = add_circle_member(
        store=store, circle_id=circle.id, volunteer_id=sam.id, since=NOW + timedelta(days=3)
    )
    assert joined == again and joined.since == NOW
    add_circle_member(store=store, circle_id=circle.id, volunteer_id=ada.id, since=NOW)
    assert [
        m.volunteer_id for m in list_circle_members(store=store, circle_id=circle.id)
    ] == sorted([sam.id, ada.id])
    assert list_circles_of_volunteer(store=store, volunteer_id=sam.id) == [circle]
    with pytest.raises(NotFound, match="v-nobody"):
        add_circle_member(store=store, circle_id=circle.id, volunteer_id="v-nobody", since=NOW)
    assert remove_circle_member(store=store, circle_id=circle.id, volunteer_id=sam.id)
    assert not remove_circle_member(store=store, circle_id=circle.id, volunteer_id=sam.id)
    assert delete_circle(store=store, circle_id=circle.id)
    assert count(store, "()-[:MEMBER_OF]->()") == 0
    assert count(store, "(:CareCircle)") == 0


def test_visit_round_trip_update_status_and_delete(store: GraphStore) -> None:
    maud = create_person(store=store, person=make_person())
    visit = make_visit(person_id=maud.id, notes="Prefers tea to coffee")
    assert create_visit(store=store, visit=visit) == visit
    assert get_visit(store=store, visit_id=visit.id) == visit
    scheduled = visit.model_copy(update={"start": "10:30", "status": "proposed"})
    assert update_visit(store=store, visit=scheduled) == scheduled
    assert set_visit_status(store=store, visit_id=visit.id, status="accepted").status == "accepted"
    with pytest.raises(ValueError, match="open"):
        set_visit_status(store=store, visit_id=visit.id, status="maybe")  # type: ignore[arg-type]
    with pytest.raises(NotFound):
        update_visit(store=store, visit=scheduled.model_copy(update={"person_id": "p-other"}))
    assert get_visit_or_raise(store=store, visit_id=visit.id).status == "accepted"
    assert delete_visit(store=store, visit_id=visit.id)
    assert get_visit(store=store, visit_id=visit.id) is None


def test_visit_for_a_missing_person_writes_nothing(store: GraphStore) -> None:
    with pytest.raises(NotFound, match="p-nobody"):
        create_visit(store=store, visit=make_visit(person_id="p-nobody"))
    assert count(store, "(n)") == 0


def test_week_of_visits_in_one_statement_skips_missing_people(store: GraphStore) -> None:
    maud = create_person(store=store, person=make_person())
    visits = [make_visit(person_id=maud.id, day=day) for day in range(3)]
    stray = make_visit(person_id="p-nobody")
    created = create_visits(store=store, visits=[*visits, stray])
    assert sorted(v.id for v in created) == sorted(v.id for v in visits)
    assert list_visits_of_person(store=store, person_id=maud.id) == visits
    assert list_visits_of_person(store=store, person_id=maud.id, week_start=WEEK) == visits
    assert (
        list_visits_of_person(store=store, person_id=maud.id, week_start=WEEK + timedelta(7)) == []
    )
    with pytest.raises(AlreadyExists):
        create_visits(store=store, visits=[make_visit(person_id=maud.id), visits[0]])
    assert count(store, "(:Visit)") == 3
    assert create_visits(store=store, visits=[]) == []


def test_visits_page_by_week_and_status(store: GraphStore) -> None:
    maud = create_person(store=store, person=make_person())
    for n in range(4):
        status = "open" if n % 2 else "proposed"
        create_visit(
            store=store, visit=make_visit(id=f"visit-{n}", person_id=maud.id, status=status)
        )
    create_visit(
        store=store,
        visit=make_visit(id="visit-next", person_id=maud.id, week_start=WEEK + timedelta(7)),
    )
    page = list_visits(store=store, week_start=WEEK, first=3)
    assert [v.id for v in page.items] == ["visit-0", "visit-1", "visit-2"] and page.has_next
    assert [v.id for v in list_visits(store=store, week_start=WEEK, status="open").items] == [
        "visit-1",
        "visit-3",
    ]
    assert len(list_visits(store=store).items) == 5


def test_assignments(store: GraphStore) -> None:
    maud = create_person(store=store, person=make_person())
    sam, ada = (create_volunteer(store=store, volunteer=make_volunteer()) for _ in range(2))
    visit = create_visit(store=store, visit=make_visit(person_id=maud.id, volunteers_needed=2))
    proposed = assign_volunteer(store=store, visit_id=visit.id, volunteer_id=sam.id, at=NOW)
    assert (proposed.status, proposed.at) == ("proposed", NOW)
    assign_volunteer(store=store, visit_id=visit.id, volunteer_id=ada.id, at=NOW)
    accepted = assign_volunteer(
        store=store, visit_id=visit.id, volunteer_id=sam.id, status="accepted", at=NOW
    )
    assert accepted.status == "accepted"
    assignments = list_assignments(store=store, visit_id=visit.id)
    assert {(a.volunteer_id, a.status) for a in assignments} == {
        (sam.id, "accepted"),
        (ada.id, "proposed"),
    }
    [(held, assignment)] = list_visits_of_volunteer(
        store=store, volunteer_id=sam.id, week_start=WEEK
    )
    assert held == visit and assignment == accepted
    with pytest.raises(NotFound, match="visit-nope"):
        assign_volunteer(store=store, visit_id="visit-nope", volunteer_id=sam.id, at=NOW)
    with pytest.raises(NotFound, match="v-nope"):
        assign_volunteer(store=store, visit_id=visit.id, volunteer_id="v-nope", at=NOW)
    assert unassign_volunteer(store=store, visit_id=visit.id, volunteer_id=ada.id)
    assert not unassign_volunteer(store=store, visit_id=visit.id, volunteer_id=ada.id)
    assert [a.volunteer_id for a in list_assignments(store=store, visit_id=visit.id)] == [sam.id]
