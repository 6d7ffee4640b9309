"""How much a graph holds: nodes per label, relationships per type (seeding, ``carecircles db``)."""

from __future__ import annotations

from graph.store.port import GraphStore

# Every label of a node counts (a node with two labels counts under both).
COUNT_NODES_BY_LABEL = """
MATCH (n)
UNWIND labels(n) AS label
RETURN label, count(*) AS count
"""

# A node counts under its first label only (what a load writes: one label per node).
COUNT_NODES_BY_FIRST_LABEL = (
    "MATCH (n) RETURN labels(n)[0] AS label, count(*) AS count ORDER BY label"
)

COUNT_RELATIONSHIPS_BY_TYPE = (
    "MATCH ()-[r]->() RETURN type(r) AS type, count(*) AS count ORDER BY type"
)


def count_nodes_by_label(*, store: GraphStore) -> dict[str, int]:
    """How many nodes carry each label."""
    rows = store.run(COUNT_NODES_BY_LABEL, write=False)
    return {str(row["label"]): int(row["count"]) for row in rows}


def count_nodes_by_first_label(*, store: GraphStore) -> dict[str, int]:
    """How many nodes have each label as their first, in label order."""
    rows = store.run(COUNT_NODES_BY_FIRST_LABEL, write=False)
    return {str(row["label"]): int(row["count"]) for row in rows}


def count_relationships_by_type(*, store: GraphStore) -> dict[str, int]:
    """How many relationships there are of each type, in type order."""
    rows = store.run(COUNT_RELATIONSHIPS_BY_TYPE, write=False)
    return {str(row["type"]): int(row["count"]) for row in rows}
