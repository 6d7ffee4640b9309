"""Care circles: ``(Volunteer)-[:MEMBER_OF {since}]->(CareCircle)-[:SUPPORTS]->(Person)``.

A person has at most one circle.
"""

from __future__ import annotations

from datetime import datetime

from graph.models import CareCircle, MemberOf, iso_utc
from graph.repo.errors import AlreadyExists, NotFound
from graph.repo.records import (
    Page,
    create_one,
    delete_statement,
    deleted,
    first_missing,
    found,
    get_statement,
    list_statement,
    page_params,
    read_many,
    read_one,
    read_page,
)
from graph.store.port import GraphStore, Row

CREATE_CIRCLE = """
MATCH (p:Person {id: $person_id})
OPTIONAL MATCH (p)<-[:SUPPORTS]-(existing:CareCircle)
WITH p, count(existing) AS circles WHERE circles = 0
CREATE (n:CareCircle) SET n = $props
CREATE (n)-[:SUPPORTS]->(p)
RETURN properties(n) AS n
"""


def create_circle(*, store: GraphStore, circle: CareCircle) -> CareCircle:
    """Start the person's circle; ``NotFound`` without the person, ``AlreadyExists`` if they
    have one."""
    try:
        return create_one(
            store,
            CREATE_CIRCLE,
            circle,
            label="CareCircle",
            missing=NotFound("Person", circle.person_id),
            person_id=circle.person_id,
        )
    except NotFound:
        if get_circle_of_person(store=store, person_id=circle.person_id) is not None:
            raise AlreadyExists("CareCircle", "person_id", circle.person_id) from None
        raise


GET_CIRCLE = get_statement("CareCircle")


def get_circle(*, store: GraphStore, circle_id: str) -> CareCircle | None:
    """The circle with this id, or None."""
    return read_one(store, GET_CIRCLE, {"id": circle_id}, CareCircle)


def get_circle_or_raise(*, store: GraphStore, circle_id: str) -> CareCircle:
    """The circle with this id; ``NotFound`` if there is none."""
    circle = get_circle(store=store, circle_id=circle_id)
    return found(circle, label="CareCircle", node_id=circle_id)


MEMBERS_OF_CIRCLE_OF_PERSON = """
MATCH (vol:Volunteer)-[m:MEMBER_OF]->(:CareCircle)-[:SUPPORTS]->(:Person {id: $person_id})
RETURN vol.first_name AS first_name, m.since AS since
ORDER BY m.since, vol.first_name
"""


def list_members_of_circle_of_person(*, store: GraphStore, person_id: str) -> list[Row]:
    """Rows ``first_name``, ``since`` of the person's circle, longest-standing first."""
    return store.run(MEMBERS_OF_CIRCLE_OF_PERSON, {"person_id": person_id}, write=False)


CIRCLES_OF_PEOPLE = """
MATCH (vol:Volunteer)-[m:MEMBER_OF]->(:CareCircle)-[:SUPPORTS]->(p:Person)
WHERE p.id IN $ids
RETURN p.id AS person_id, vol.id AS volunteer_id, vol.first_name AS first_name, m.since AS since
ORDER BY person_id, since
"""


async def circles_of_people_awaited(*, store: GraphStore, person_ids: list[str]) -> list[Row]:
    """Rows ``person_id``, ``volunteer_id``, ``first_name``, ``since``, awaited."""
    return await store.arun(CIRCLES_OF_PEOPLE, {"ids": person_ids}, write=False)


GET_CIRCLE_OF_PERSON = """
MATCH (n:CareCircle)-[:SUPPORTS]->(:Person {id: $person_id})
RETURN properties(n) AS n
"""


def get_circle_of_person(*, store: GraphStore, person_id: str) -> CareCircle | None:
    """The circle supporting this person, or None."""
    return read_one(store, GET_CIRCLE_OF_PERSON, {"person_id": person_id}, CareCircle)


LIST_CIRCLES = list_statement("CareCircle")


def list_circles(
    *, store: GraphStore, first: int = 50, after: str | None = None
) -> Page[CareCircle]:
    """Circles in id order."""
    params = page_params(first=first, after=after)
    return read_page(store, LIST_CIRCLES, params, CareCircle, first=first)


DELETE_CIRCLE = delete_statement("CareCircle")


def delete_circle(*, store: GraphStore, circle_id: str) -> bool:
    """Remove the circle and its memberships; True if it existed."""
    return deleted(store, DELETE_CIRCLE, {"id": circle_id})


_MEMBER_COLUMNS = "RETURN v.id AS volunteer_id, c.id AS circle_id, m.since AS since"

ADD_CIRCLE_MEMBER = (
    "MATCH (v:Volunteer {id: $volunteer_id}), (c:CareCircle {id: $circle_id})\n"
    "MERGE (v)-[m:MEMBER_OF]->(c) ON CREATE SET m.since = $since\n" + _MEMBER_COLUMNS
)


def _member(row: Row) -> MemberOf:
    return MemberOf.model_validate(row)


def add_circle_member(
    *, store: GraphStore, circle_id: str, volunteer_id: str, since: datetime
) -> MemberOf:
    """Add the volunteer to the circle (a member already keeps their ``since``)."""
    params = {"volunteer_id": volunteer_id, "circle_id": circle_id, "since": iso_utc(since)}
    rows = store.run(ADD_CIRCLE_MEMBER, params)
    if not rows:
        raise first_missing(store, [("CareCircle", circle_id), ("Volunteer", volunteer_id)])
    return _member(rows[0])


REMOVE_CIRCLE_MEMBER = """
MATCH (:Volunteer {id: $volunteer_id})-[m:MEMBER_OF]->(:CareCircle {id: $circle_id})
DELETE m
RETURN count(m) AS deleted
"""


def remove_circle_member(*, store: GraphStore, circle_id: str, volunteer_id: str) -> bool:
    """Take the volunteer out of the circle; True if they were in it."""
    params = {"volunteer_id": volunteer_id, "circle_id": circle_id}
    return deleted(store, REMOVE_CIRCLE_MEMBER, params)


LIST_CIRCLE_MEMBERS = (
    "MATCH (v:Volunteer)-[m:MEMBER_OF]->(c:CareCircle {id: $circle_id})\n"
    + _MEMBER_COLUMNS
    + " ORDER BY volunteer_id"
)


def list_circle_members(*, store: GraphStore, circle_id: str) -> list[MemberOf]:
    """The circle's memberships, in volunteer id order."""
    rows = store.run(LIST_CIRCLE_MEMBERS, {"circle_id": circle_id}, write=False)
    return [_member(row) for row in rows]


LIST_CIRCLES_OF_VOLUNTEER = """
MATCH (:Volunteer {id: $volunteer_id})-[:MEMBER_OF]->(n:CareCircle)
RETURN properties(n) AS n ORDER BY n.id
"""


def list_circles_of_volunteer(*, store: GraphStore, volunteer_id: str) -> list[CareCircle]:
    """The circles the volunteer belongs to, in id order."""
    params = {"volunteer_id": volunteer_id}
    return read_many(store, LIST_CIRCLES_OF_VOLUNTEER, params, CareCircle)
