"""Who knows whom: ``(Person|Volunteer)-[:KNOWS {kind, strength, visits, last_seen}]->(Person)``.

A KNOWS edge of kind ``volunteer`` starts at a Volunteer, any other kind at a Person. One edge
per ordered pair; reads look both ways.
"""

from __future__ import annotations

from typing import Any

from graph.models import Knows
from graph.repo.records import deleted, first_missing, to_properties
from graph.store.port import GraphStore, Row

_KNOWS_COLUMNS = "RETURN a.id AS from_id, b.id AS to_id, properties(k) AS k"

SAVE_PERSON_KNOWS = (
    "MATCH (a:Person {id: $from_id}), (b:Person {id: $to_id})\n"
    "MERGE (a)-[k:KNOWS]->(b) SET k = $props\n" + _KNOWS_COLUMNS
)
SAVE_VOLUNTEER_KNOWS = (
    "MATCH (a:Volunteer {id: $from_id}), (b:Person {id: $to_id})\n"
    "MERGE (a)-[k:KNOWS]->(b) SET k = $props\n" + _KNOWS_COLUMNS
)


def _knows(row: Row) -> Knows:
    return Knows.model_validate({"from_id": row["from_id"], "to_id": row["to_id"], **row["k"]})


def save_knows(*, store: GraphStore, knows: Knows) -> Knows:
    """Create or replace the edge; ``NotFound`` naming the end that is missing."""
    from_label = "Volunteer" if knows.kind == "volunteer" else "Person"
    statement = SAVE_VOLUNTEER_KNOWS if knows.kind == "volunteer" else SAVE_PERSON_KNOWS
    props = to_properties(knows)
    params: dict[str, Any] = {
        "from_id": props.pop("from_id"),
        "to_id": props.pop("to_id"),
        "props": props,
    }
    rows = store.run(statement, params)
    if not rows:
        raise first_missing(store, [(from_label, knows.from_id), ("Person", knows.to_id)])
    return _knows(rows[0])


LIST_KNOWS_OF_PERSON = """
MATCH (:Person {id: $id})-[k:KNOWS]-()
RETURN startNode(k).id AS from_id, endNode(k).id AS to_id, properties(k) AS k
ORDER BY from_id, to_id
"""


def list_knows_of_person(*, store: GraphStore, person_id: str) -> list[Knows]:
    """Every KNOWS edge that starts or ends at the person (family, neighbours, volunteers)."""
    return [_knows(row) for row in store.run(LIST_KNOWS_OF_PERSON, {"id": person_id}, write=False)]


KNOWN_BY = """
MATCH (other)-[k:KNOWS]-(:Person {id: $person_id})
RETURN labels(other)[0] AS label, other.first_name AS first_name, k.kind AS kind,
       k.strength AS strength, k.visits AS visits, k.last_seen AS last_seen
ORDER BY other.first_name
"""


def list_known_by(*, store: GraphStore, person_id: str) -> list[Row]:
    """Who knows the person (``label``, ``first_name``) and how (``kind``, ``strength``...)."""
    return store.run(KNOWN_BY, {"person_id": person_id}, write=False)


DELETE_KNOWS = """
MATCH (a)-[k:KNOWS]->(:Person {id: $to_id}) WHERE a.id = $from_id
DELETE k
RETURN count(k) AS deleted
"""


def delete_knows(*, store: GraphStore, from_id: str, to_id: str) -> bool:
    """Remove the edge from ``from_id`` to ``to_id``; True if there was one."""
    return deleted(store, DELETE_KNOWS, {"from_id": from_id, "to_id": to_id})
