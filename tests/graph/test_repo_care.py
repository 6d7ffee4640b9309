"""Care circles and visits, written as the seed writes them, read back by the repository."""

from __future__ import annotations

from graph.models import MemberOf
from graph.repo.circles import get_circle, get_circle_of_person, list_members_of_circle_of_person
from graph.repo.visits import get_visit
from graph.store import GraphStore
from tests.factories import NOW, make_circle, make_person, make_visit, make_volunteer
from tests.world import save


def test_circle_of_a_person_and_its_members(store: GraphStore) -> None:
    maud = make_person()
    sam, ada = make_volunteer(), make_volunteer()
    circle = make_circle(person_id=maud.id)
    members = [MemberOf(volunteer_id=v.id, circle_id=circle.id, since=NOW) for v in (sam, ada)]
    save(store, maud, sam, ada, circle, *members)
    assert get_circle(store=store, circle_id=circle.id) == circle
    assert get_circle_of_person(store=store, person_id=maud.id) == circle
    assert get_circle_of_person(store=store, person_id="p-nobody") is None
    rows = list_members_of_circle_of_person(store=store, person_id=maud.id)
    assert len(rows) == 2


def test_visit_round_trip(store: GraphStore) -> None:
    maud = make_person()
    visit = make_visit(person_id=maud.id, notes="Prefers tea to coffee")
    save(store, maud, visit)
    assert get_visit(store=store, visit_id=visit.id) == visit
    assert get_visit(store=store, visit_id="visit-nope") is None
