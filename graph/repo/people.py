"""People being supported. There is no plain delete: ``graph.repo.erasure.erase_person`` is the
only way a person leaves the graph, so nothing personal is left behind."""

from __future__ import annotations

from datetime import datetime

from graph.models import Person, iso_utc
from graph.repo.links import _LINK_AREA, _LINK_INTERESTS, _LINK_SUPPORTED_BY, _RETURN_NODE
from graph.repo.records import (
    Page,
    create_one,
    get_statement,
    list_statement,
    page_params,
    read_many,
    read_one,
    read_page,
    update_one,
    update_statement,
)
from graph.store.port import GraphStore, Row

CREATE_PERSON = "CREATE (n:Person) SET n = $props" + _LINK_AREA + _LINK_INTERESTS + _RETURN_NODE


def create_person(*, store: GraphStore, person: Person) -> Person:
    """Add a person; ``AlreadyExists`` if the id is taken."""
    return create_one(store, CREATE_PERSON, person, label="Person")


CREATE_SUPPORTED_PERSON = (
    "CREATE (n:Person) SET n = $props"
    + _LINK_AREA
    + _LINK_INTERESTS
    + _LINK_SUPPORTED_BY
    + _RETURN_NODE
)


def create_supported_person(
    *, store: GraphStore, person: Person, organization_id: str, since: datetime, basis: str
) -> Person:
    """Add a person whom ``organization_id`` supports from ``since`` on ``basis``, in one
    statement; ``AlreadyExists`` if the id is taken."""
    return create_one(
        store,
        CREATE_SUPPORTED_PERSON,
        person,
        label="Person",
        organization_id=organization_id,
        since=iso_utc(since),
        basis=basis,
    )


GET_PERSON = get_statement("Person")


def get_person(*, store: GraphStore, person_id: str) -> Person | None:
    """The person with this id, or None."""
    return read_one(store, GET_PERSON, {"id": person_id}, Person)


LIST_PEOPLE = list_statement("Person")


def list_people(*, store: GraphStore, first: int = 50, after: str | None = None) -> Page[Person]:
    """People in id order, ``first`` at a time after the cursor ``after``."""
    return read_page(store, LIST_PEOPLE, page_params(first=first, after=after), Person, first=first)


# People whose first or last name holds every word of the search (words already lower case), in
# id order like the unfiltered list, so the same cursors page both.
SEARCH_PEOPLE = """
MATCH (n:Person)
WHERE ($after IS NULL OR n.id > $after)
  AND all(word IN $words WHERE toLower(n.first_name) CONTAINS word
                            OR toLower(n.last_name) CONTAINS word)
RETURN properties(n) AS n ORDER BY n.id LIMIT $limit
"""


def search_people(
    *, store: GraphStore, words: list[str], after: str | None, limit: int
) -> list[Person]:
    """Up to ``limit`` people after ``after`` whose names contain every (lower-case) word."""
    params = {"words": words, "after": after, "limit": limit}
    return read_many(store, SEARCH_PEOPLE, params, Person)


PEOPLE_BY_ID = "MATCH (n:Person) WHERE n.id IN $ids RETURN properties(n) AS n"


async def people_by_id_awaited(*, store: GraphStore, person_ids: list[str]) -> dict[str, Row]:
    """The stored properties of those of these people that exist, by id, awaited."""
    rows = await store.arun(PEOPLE_BY_ID, {"ids": person_ids}, write=False)
    return {row["n"]["id"]: row["n"] for row in rows}


UPDATE_PERSON = update_statement("Person", _LINK_AREA, _LINK_INTERESTS)


def update_person(*, store: GraphStore, person: Person) -> Person:
    """Replace the stored person with ``person`` (same id); ``NotFound`` if absent."""
    return update_one(store, UPDATE_PERSON, person, label="Person")
