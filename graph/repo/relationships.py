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
