"""People being supported. There is no plain delete: ``graph.repo.erasure.erase_person`` is the
only way a person leaves the graph, so nothing personal is left behind."""

from __future__ import annotations

from graph.models import NeedUpdate, Person
from graph.repo.errors import NotFound
from graph.repo.links import _LINK_AREA, _LINK_INTERESTS, _RETURN_NODE
from graph.repo.records import (
    Page,
    create_one,
    found,
    get_statement,
    list_statement,
    page_params,
    read_one,
    read_page,
    update_one,
    update_statement,
    write_one,
)
from graph.store.port import GraphStore

CREATE_PERSON = "CREATE (n:Person) SET n = $props" + _LINK_AREA + _LINK_INTERESTS + _RETURN_NODE


def create_person(*, store: GraphStore, person: Person) -> Person:
    """Add a person; ``AlreadyExists`` if the id is taken."""
    return create_one(store, CREATE_PERSON, person, label="Person")


GET_PERSON = get_statement("Person")


def get_person(*, store: GraphStore, person_id: str) -> Person | None:
    """The person with this id, or None."""
    return read_one(store, GET_PERSON, {"id": person_id}, Person)


def get_person_or_raise(*, store: GraphStore, person_id: str) -> Person:
    """The person with this id; ``NotFound`` if there is none."""
    return found(get_person(store=store, person_id=person_id), label="Person", node_id=person_id)


LIST_PEOPLE = list_statement("Person")


def list_people(*, store: GraphStore, first: int = 50, after: str | None = None) -> Page[Person]:
    """People in id order, ``first`` at a time after the cursor ``after``."""
    return read_page(store, LIST_PEOPLE, page_params(first=first, after=after), Person, first=first)


UPDATE_PERSON = update_statement("Person", _LINK_AREA, _LINK_INTERESTS)


def update_person(*, store: GraphStore, person: Person) -> Person:
    """Replace the stored person with ``person`` (same id); ``NotFound`` if absent."""
    return update_one(store, UPDATE_PERSON, person, label="Person")


SET_PERSON_NEED = """
MATCH (n:Person {id: $id})
SET n.need = $need, n.need_trend = $need_trend
RETURN properties(n) AS n
"""


def set_person_need(*, store: GraphStore, person_id: str, need: float, need_trend: float) -> Person:
    """Set need (0..1) and its trend (-1..1) after a check-in; ``NotFound`` if absent."""
    change = NeedUpdate(need=need, need_trend=need_trend)
    params = {"id": person_id, **change.model_dump()}
    return write_one(store, SET_PERSON_NEED, params, Person, missing=NotFound("Person", person_id))
