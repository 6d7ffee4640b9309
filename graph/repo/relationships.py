"""Who knows whom: ``(Person|Volunteer)-[:KNOWS {kind, strength, visits, last_seen}]->(Person)``.

A KNOWS edge of kind ``volunteer`` starts at a Volunteer, any other kind at a Person. One edge
per ordered pair; reads look both ways.
"""

from __future__ import annotations

from graph.store.port import GraphStore, Row

KNOWN_BY = """
MATCH (other)-[k:KNOWS]-(:Person {id: $person_id})
RETURN labels(other)[0] AS label, other.first_name AS first_name, k.kind AS kind,
       k.strength AS strength, k.visits AS visits, k.last_seen AS last_seen
ORDER BY other.first_name
"""


def list_known_by(*, store: GraphStore, person_id: str) -> list[Row]:
    """Who knows the person (``label``, ``first_name``) and how (``kind``, ``strength``...)."""
    return store.run(KNOWN_BY, {"person_id": person_id}, write=False)


INTERESTS_OF_PERSON = """
MATCH (:Person {id: $person_id})-[:INTERESTED_IN]->(i:Interest)
RETURN coalesce(i.name, i.id) AS name
ORDER BY name
"""


def list_interest_names(*, store: GraphStore, person_id: str) -> list[str]:
    """The names of the person's interests, sorted."""
    rows = store.run(INTERESTS_OF_PERSON, {"person_id": person_id}, write=False)
    return [r["name"] for r in rows]
