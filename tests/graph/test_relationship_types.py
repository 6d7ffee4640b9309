"""Every relationship type exists before any statement uses it (graph/store/schema.py says why:
FalkorDB plans against the types that exist, and a claim planned before the first ASSIGNED edge
could miss a concurrent claim's edge and double-book a volunteer)."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

from graph.store import GraphStore, drop_graph
from graph.store.schema import RELATIONSHIP_TYPES
from tests.graph.test_cypher_neo4j import collect_statements
from tests.service.test_signup_statements import _claim, _world

TYPE_IN_PATTERN = re.compile(r"\[\s*\w*\s*:\s*([A-Z_]+)")
LIST_TYPES = (
    "CALL db.relationshipTypes() YIELD relationshipType RETURN collect(relationshipType) AS t"
)


def test_every_relationship_type_the_statements_use_is_listed() -> None:
    used = {
        match
        for statement in collect_statements()
        for match in TYPE_IN_PATTERN.findall(statement.query)
    }
    assert "ASSIGNED" in used and "KNOWS" in used  # the pattern finds types at all
    assert used <= set(RELATIONSHIP_TYPES), sorted(used - set(RELATIONSHIP_TYPES))


def test_a_fresh_graph_knows_every_relationship_type_and_holds_no_stray_node(
    store: GraphStore,
) -> None:
    if store.backend == "falkordb":  # Neo4j resolves types as it runs: nothing to register
        known = set(store.run(LIST_TYPES, {}, write=False)[0]["t"])
        assert set(RELATIONSHIP_TYPES) <= known
    assert store.run("MATCH (n) RETURN count(n) AS n", {}, write=False) == [{"n": 0}]
    store.ensure_schema()  # again: nothing changes, nothing is left behind
    assert store.run("MATCH (n) RETURN count(n) AS n", {}, write=False) == [{"n": 0}]


def test_racing_overlapping_claims_on_fresh_graphs_never_double_book(store: GraphStore) -> None:
    for _ in range(8):  # each round on a brand-new graph, where the race used to be lost
        drop_graph(store)
        store.ensure_schema()
        _world(store, volunteer_count=1, visit_count=12)
        with ThreadPoolExecutor(max_workers=12) as pool:
            outcomes = list(pool.map(lambda i: _claim(store, f"visit{i}", "v0"), range(12)))
        assert outcomes.count("won") == 1, outcomes
