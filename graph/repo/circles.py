"""Care circles: ``(Volunteer)-[:MEMBER_OF {since}]->(CareCircle)-[:SUPPORTS]->(Person)``.

A person has at most one circle.
"""

from __future__ import annotations

from graph.models import CareCircle, MemberOf
from graph.repo.records import (
    get_statement,
    read_one,
)
from graph.store.port import GraphStore, Row

GET_CIRCLE = get_statement("CareCircle")


def get_circle(*, store: GraphStore, circle_id: str) -> CareCircle | None:
    """The circle with this id, or None."""
    return read_one(store, GET_CIRCLE, {"id": circle_id}, CareCircle)


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


_MEMBER_COLUMNS = "RETURN v.id AS volunteer_id, c.id AS circle_id, m.since AS since"


def _member(row: Row) -> MemberOf:
    return MemberOf.model_validate(row)
