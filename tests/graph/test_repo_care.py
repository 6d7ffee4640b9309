"""Care circles and visits, written as the seed writes them, read as the service reads them."""

from __future__ import annotations

from graph.models import MemberOf
from graph.repo.circles import list_members_of_circle_of_person
from graph.repo.visits import list_week_visits_with_person
from graph.store import GraphStore
from tests.factories import NOW, WEEK, make_circle, make_person, make_visit, make_volunteer
from tests.world import save


def test_members_of_a_persons_circle_longest_standing_first(store: GraphStore) -> None:
    maud = make_person()
    sam, ada = make_volunteer(first_name="Sam"), make_volunteer(first_name="Ada")
    circle = make_circle(person_id=maud.id)
    save(
        store,
        maud,
        sam,
        ada,
        circle,
        MemberOf(volunteer_id=sam.id, circle_id=circle.id, since=NOW.replace(year=2025)),
        MemberOf(volunteer_id=ada.id, circle_id=circle.id, since=NOW),
    )
    rows = list_members_of_circle_of_person(store=store, person_id=maud.id)
    assert [row["first_name"] for row in rows] == ["Sam", "Ada"]
    assert list_members_of_circle_of_person(store=store, person_id="p-nobody") == []


def test_week_visits_with_their_person_in_id_order(store: GraphStore) -> None:
    maud = make_person(first_name="Maud")
    visits = [make_visit(id=f"visit-{n}", person_id=maud.id, week_start=WEEK) for n in range(3)]
    save(store, maud, *visits)
    first = list_week_visits_with_person(store=store, week_start=WEEK, after=None, limit=2)
    assert [row["v"]["id"] for row in first] == ["visit-0", "visit-1"]
    assert {row["first_name"] for row in first} == {"Maud"}
    rest = list_week_visits_with_person(store=store, week_start=WEEK, after="visit-1", limit=2)
    assert [row["v"]["id"] for row in rest] == ["visit-2"]
