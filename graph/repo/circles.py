"""Care circles: ``(Volunteer)-[:MEMBER_OF {since}]->(CareCircle)-[:SUPPORTS]->(Person)``.

A person has at most one circle.
"""

from __future__ import annotations

from graph.store.port import GraphStore, Row

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
