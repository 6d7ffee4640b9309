"""How many nodes of each label and relationships of each type a graph holds."""

from __future__ import annotations

from graph.store.port import GraphStore

COUNT_NODES = "MATCH (n) RETURN labels(n)[0] AS label, count(*) AS count ORDER BY label"
COUNT_RELATIONSHIPS = "MATCH ()-[r]->() RETURN type(r) AS type, count(*) AS count ORDER BY type"


def nodes_per_label(*, store: GraphStore) -> dict[str, int]:
    """Node count by (first) label, in label order."""
    rows = store.run(COUNT_NODES, write=False)
    return {str(row["label"]): int(row["count"]) for row in rows}


def relationships_per_type(*, store: GraphStore) -> dict[str, int]:
    """Relationship count by type, in type order."""
    rows = store.run(COUNT_RELATIONSHIPS, write=False)
    return {str(row["type"]): int(row["count"]) for row in rows}
