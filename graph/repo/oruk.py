"""Bulk writes and reads for the Open Referral UK import and export (``seed/oruk.py``).

Each write is one statement over an ``UNWIND`` batch of rows ``{id, created_at, props}``. It
says per row whether the node was ``created``, ``updated`` (a property in ``props`` differed) or
``unchanged``, comparing before it writes, so a second import of the same file reports nothing
created or updated. ``created_at`` is set only when the node is created. A ``None`` in ``props``
removes that property (both engines drop a property set to null).

The statements repeat their comparison rather than share a fragment: each stays one literal, so
the Neo4j lint (tests/graph/test_cypher_neo4j.py) reads and checks it whole.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

from graph.store.port import GraphStore, Row

BATCH_SIZE = 500
OUTCOMES = ("created", "updated", "unchanged")

UPSERT_ORGANIZATIONS = """
UNWIND $rows AS row
OPTIONAL MATCH (old:Organization {id: row.id})
WITH row, CASE
    WHEN old IS NULL THEN 'created'
    WHEN all(key IN keys(row.props) WHERE old[key] = row.props[key]
             OR (old[key] IS NULL AND row.props[key] IS NULL)) THEN 'unchanged'
    ELSE 'updated'
  END AS outcome
MERGE (o:Organization {id: row.id})
ON CREATE SET o.created_at = row.created_at
SET o += row.props
RETURN outcome, count(*) AS n
"""

# Interests are CareCircles' own vocabulary: an import adds missing ones and never renames one.
UPSERT_INTERESTS = """
UNWIND $rows AS row
OPTIONAL MATCH (old:Interest {id: row.id})
WITH row, CASE WHEN old IS NULL THEN 'created' ELSE 'unchanged' END AS outcome
MERGE (i:Interest {id: row.id})
ON CREATE SET i += row.props
RETURN outcome, count(*) AS n
"""

# The OFFERS and IN relationships follow the ``interests`` and ``area_id`` properties: stale
# ones are deleted, missing ones merged, so the comparison of properties covers them too.
UPSERT_SERVICES = """
UNWIND $rows AS row
OPTIONAL MATCH (old:Service {id: row.id})
WITH row, CASE
    WHEN old IS NULL THEN 'created'
    WHEN all(key IN keys(row.props) WHERE old[key] = row.props[key]
             OR (old[key] IS NULL AND row.props[key] IS NULL)) THEN 'unchanged'
    ELSE 'updated'
  END AS outcome
MERGE (s:Service {id: row.id})
ON CREATE SET s.created_at = row.created_at
SET s += row.props
WITH row, s, outcome
OPTIONAL MATCH (s)-[stale:OFFERS]->(dropped:Interest)
WHERE NOT dropped.id IN row.props.interests
DELETE stale
WITH DISTINCT row, s, outcome
OPTIONAL MATCH (wanted:Interest)
WHERE wanted.id IN row.props.interests
WITH row, s, outcome, collect(wanted) AS wanted
FOREACH (interest IN wanted | MERGE (s)-[:OFFERS]->(interest))
WITH row, s, outcome
OPTIONAL MATCH (s)-[moved:IN]->(previous:Area)
WHERE row.props.area_id IS NULL OR previous.id <> row.props.area_id
DELETE moved
WITH DISTINCT row, s, outcome
OPTIONAL MATCH (area:Area {id: row.props.area_id})
FOREACH (place IN CASE WHEN area IS NULL THEN [] ELSE [area] END | MERGE (s)-[:IN]->(place))
RETURN outcome, count(*) AS n
"""

LIST_AREA_CENTRES = """
MATCH (a:Area)
WHERE a.lat IS NOT NULL AND a.lon IS NOT NULL
RETURN a.id AS id, a.lat AS lat, a.lon AS lon
ORDER BY id
"""

LIST_SERVICES_WITH_ORGANIZATION = """
MATCH (s:Service)
OPTIONAL MATCH (o:Organization {id: s.organization_id})
OPTIONAL MATCH (s)-[:OFFERS]->(i:Interest)
WITH s, o, collect(properties(i)) AS interests
RETURN properties(s) AS service,
       CASE WHEN o IS NULL THEN null ELSE properties(o) END AS organization,
       interests
ORDER BY service.id
"""


def _batches(rows: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(rows), BATCH_SIZE):
        yield rows[start : start + BATCH_SIZE]


def _upsert(store: GraphStore, query: str, rows: list[dict[str, Any]]) -> dict[str, int]:
    counts: Counter[str] = Counter(dict.fromkeys(OUTCOMES, 0))
    for batch in _batches(rows):
        for row in store.run(query, {"rows": batch}):
            counts[str(row["outcome"])] += int(row["n"])
    return dict(counts)


def upsert_organizations(*, store: GraphStore, rows: list[dict[str, Any]]) -> dict[str, int]:
    """Create or update organizations; counts per outcome (created, updated, unchanged)."""
    return _upsert(store, UPSERT_ORGANIZATIONS, rows)


def upsert_interests(*, store: GraphStore, rows: list[dict[str, Any]]) -> dict[str, int]:
    """Create the interests that are missing; counts per outcome (never ``updated``)."""
    return _upsert(store, UPSERT_INTERESTS, rows)


def upsert_services(*, store: GraphStore, rows: list[dict[str, Any]]) -> dict[str, int]:
    """Create or update services with their OFFERS and IN relationships; counts per outcome."""
    return _upsert(store, UPSERT_SERVICES, rows)


def list_area_centres(*, store: GraphStore) -> list[tuple[str, float, float]]:
    """``(id, lat, lon)`` of every area whose centre is known."""
    rows = store.run(LIST_AREA_CENTRES, write=False)
    return [(str(row["id"]), float(row["lat"]), float(row["lon"])) for row in rows]


def list_services_with_organization(*, store: GraphStore) -> list[Row]:
    """Every service's properties with its organization's (or None) and its interests'."""
    return store.run(LIST_SERVICES_WITH_ORGANIZATION, write=False)
