"""Neo4j plans every project statement with the indexes wherever an index lookup is possible.

On a database holding the demo borough (plus users and claims, so the planner has real counts),
``EXPLAIN`` (planned afresh, ``replan=force``) runs for every Cypher statement the project has
(the same collection as the Cypher lint, tests/graph/test_cypher_neo4j.py), and a plan fails if

- it scans all nodes (``AllNodesScan``), unless the statement is one of ``WHOLE_GRAPH``, the
  few that are about every node and run by hand, never on a request; or
- it scans all nodes of a label (``NodeByLabelScan``, ``UnionNodeByLabelsScan``) or a whole
  index (``NodeIndexScan``) and then filters those nodes on a property that has an index (the
  ``id`` constraint or graph/store/schema.py ``INDEXED_PROPERTIES``) with a predicate an index
  can answer (``=``, ``<``, ``<=``, ``>``, ``>=``, ``IN``, ``STARTS WITH``) that must hold for
  every row (a top-level conjunct, not one side of an ``OR``).

Statements with no such predicate (the suggestions' whole-graph projections, plain listings
ordered by id, text search with ``CONTAINS``) may scan: there is no index to look up. The hot
paths the issue names are checked to be among the statements, so a rename cannot drop them.

Runs on Neo4j only (``CARECIRCLES_TEST_ENGINE=neo4j``, as CI's Neo4j run does): FalkorDB's
plans are another engine's, so tests/conftest.py collects this module in a Neo4j run only.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from graph.models import User
from graph.repo import users as users_repo
from graph.store import GraphStore
from graph.store.neo4j_store import Neo4jStore
from graph.store.schema import INDEXED_PROPERTIES, NODE_LABELS
from seed.borough import generate_borough
from seed.load import load_borough
from tests.graph.test_cypher_neo4j import Statement, collect_statements

# Statements about every node, run by hand (CLI counts, clean-up, the demo's first record), never
# on a request: an all-nodes scan is what they are.
WHOLE_GRAPH = {
    "graph.store.neo4j_store.DELETE_ALL_BATCHED": "empties the test database",
    "graph.repo.counts.COUNT_NODES_BY_LABEL": "`carecircles db status` counts every node",
    "graph.repo.counts.COUNT_NODES_BY_FIRST_LABEL": "the seed's check counts every node",
    "graph.repo.demo.FIRST_OF": "the demo picks a first record of a label it is given",
    # Known and not on a hot path: creating a user checks the linked record exists with the
    # label as a parameter (Neo4j cannot plan a label given as a parameter with an index).
    "graph.repo.records.NODE_EXISTS": "create_user only (tools/neo4j/CI.md)",
}

# The hot paths of issue 13 item 4: open visits, claim, sign-in, person record, suggestions'
# reads, rota reads. Each must be among the statements checked.
HOT_PATHS = (
    "graph.repo.volunteer_visits.OPEN_VISITS_NEAR",
    "graph.repo.volunteer_visits.OPEN_VISITS_ALL",
    "graph.repo.volunteer_visits.OPEN_VISITS_BY_ID",
    "graph.repo.volunteer_visits.OPEN_VISIT_IDS",
    "graph.repo.volunteer_visits.OPEN_VISITS_TAKEN",
    "graph.repo.volunteer_visits.HELD_VISITS",
    "graph.repo.volunteer_visits.VOLUNTEER_WITH_HELD",
    "graph.repo.volunteer_visits.CLAIM_CONTEXT",
    "graph.repo.volunteer_visits.CLAIM_VISIT",
    "graph.repo.volunteer_visits.ACCEPT_VISIT",
    "graph.repo.volunteer_visits.DECLINE_VISIT",
    "graph.repo.users.GET_USER_BY_EMAIL",
    "graph.repo.users.SIGNED_IN_USER",
    "graph.repo.people.GET_PERSON",
    "graph.repo.assignments.CIRCLE_VISITS",
    "graph.repo.people.PEOPLE_BY_ID",
    "graph.analytics.PEOPLE_NODES",
    "graph.analytics.PERSON_NEIGHBOURHOODS",
    "graph.repo.rota_runs.WEEK_VISIT_COUNT",
    "graph.repo.rota_runs.PEOPLE_PLANNED",
    "graph.repo.rota_runs.WEEK_VISITS",
    "graph.repo.rota_runs.PEOPLE_BY_ID",
    "graph.repo.visits.WEEK_VISITS_WITH_PERSON",
    "graph.repo.volunteer_visits.MY_VISITS",
)

SCANS_ALL = {"AllNodesScan"}
SCANS_LABEL = {"NodeByLabelScan", "UnionNodeByLabelsScan", "NodeIndexScan"}
SKIPPED_PREFIXES = re.compile(r"\s*(CREATE\s+(CONSTRAINT|INDEX)|CALL\s+db\.)", re.IGNORECASE)
INDEXED: dict[str, set[str]] = {label: {"id"} for label in NODE_LABELS}
for _label, _prop in INDEXED_PROPERTIES:
    INDEXED.setdefault(_label, set()).add(_prop)


def _operators(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("children", []):
        yield from _operators(child)


def _name(operator: dict[str, Any]) -> str:
    return str(operator["operatorType"]).split("@", 1)[0]


def _details(operator: dict[str, Any]) -> str:
    return str(operator.get("args", {}).get("Details", ""))


def _scanned(operator: dict[str, Any]) -> list[tuple[str, str]]:
    """(variable, label) pairs a label or index scan reads every node of."""
    details = _details(operator)
    found = re.search(r"(?:INDEX\s+)?`?(\w+)`?:([\w|]+)", details)
    if not found:
        return []
    variable, labels = found.groups()
    return [(variable, label) for label in labels.split("|")]


def _top_level_conjuncts(predicate: str) -> list[str]:
    """Split ``a AND (b OR c) AND d`` at the ANDs outside parentheses."""
    parts, depth, start = [], 0, 0
    for match in re.finditer(r"\(|\)|\bAND\b", predicate):
        token = match.group()
        if token == "(":
            depth += 1
        elif token == ")":
            depth -= 1
        elif depth == 0:
            parts.append(predicate[start : match.start()])
            start = match.end()
    parts.append(predicate[start:])
    return [part.strip() for part in parts if part.strip()]


def _sargable(conjunct: str, variable: str, prop: str) -> bool:
    if re.search(r"\bOR\b", conjunct) or re.match(r"NOT\b", conjunct):
        return False
    ref = rf"(?:cache\[)?\b{re.escape(variable)}\.{re.escape(prop)}\b\]?"
    after = rf"{ref}\s*(?:=|<=|>=|<(?!>)|>|IN\b|STARTS WITH\b)"
    before = rf"(?:(?<![<>!])=|<=|>=|(?<!<)>|<(?!>))\s*{ref}"
    return bool(re.search(after, conjunct) or re.search(before, conjunct))


def plan_problems(statement: Statement, plan: dict[str, Any]) -> list[str]:
    operators = list(_operators(plan))
    filters = [
        conjunct
        for operator in operators
        if _name(operator) == "Filter"
        for conjunct in _top_level_conjuncts(_details(operator))
    ]
    problems = []
    for operator in operators:
        name = _name(operator)
        if name in SCANS_ALL and statement.name not in WHOLE_GRAPH:
            problems.append(f"{name} {_details(operator)}")
        if name in SCANS_LABEL:
            for variable, label in _scanned(operator):
                usable = sorted(
                    f"{variable}.{prop}"
                    for prop in INDEXED.get(label, set())
                    if any(_sargable(conjunct, variable, prop) for conjunct in filters)
                )
                if usable:
                    problems.append(
                        f"{name} {_details(operator)!r} then filters on indexed {usable}"
                    )
    return problems


@pytest.fixture(scope="module")
def neo4j_store(store_module: GraphStore) -> Neo4jStore:
    assert isinstance(store_module, Neo4jStore)
    # Index statistics sampled while earlier tests' data was there would make the planner
    # misjudge an id lookup; plan on statistics of the borough as it is now.
    store_module.prepare_for_replanning()
    return store_module


@pytest.fixture(scope="module")
def store_module(graph_server: Any) -> Iterator[GraphStore]:
    """One database for the module: the demo borough, users and claims."""
    from graph.store import drop_graph, open_store

    assert graph_server.settings.is_neo4j, "collected in a Neo4j run only (tests/conftest.py)"
    store = open_store(graph_server.settings, ensure_schema=False)
    try:
        drop_graph(store)
        store.ensure_schema()
        borough = generate_borough("demo", seed=3)
        load_borough(store=store, borough=borough)
        for index, volunteer in enumerate(borough.volunteers):
            users_repo.create_user(
                store=store,
                user=User(
                    id=f"u-{index}-{uuid.uuid4().hex[:6]}",
                    email=f"vol{index}@example.org",
                    role="volunteer",
                    password_hash="x",
                    volunteer_id=volunteer.id,
                ),
            )
        yield store
    finally:
        drop_graph(store)
        store.close()


def _checked_statements() -> list[Statement]:
    return [
        statement
        for statement in collect_statements()
        if not SKIPPED_PREFIXES.match(statement.query)
    ]


def test_the_hot_paths_are_among_the_statements_checked() -> None:
    names = {statement.name for statement in _checked_statements()}
    assert sorted(set(HOT_PATHS) - names) == []


def test_every_statement_uses_an_index_where_one_can_be_used(neo4j_store: Neo4jStore) -> None:
    problems: dict[str, list[str]] = {}
    for statement in _checked_statements():
        found = plan_problems(statement, neo4j_store.plan(statement.query))
        if found:
            problems[statement.name] = found
    assert problems == {}, "\n".join(f"{k}: {v}" for k, v in problems.items())


def test_the_check_catches_a_scan_where_an_index_would_do(neo4j_store: Neo4jStore) -> None:
    """The canaries: a scan of every visit filtered on an indexed property (an index hint the
    planner must obey is not needed: ``USING SCAN`` forces the scan) and an all-nodes scan."""
    forced = Statement(
        name="canary.FORCED_SCAN",
        query="MATCH (v:Visit) USING SCAN v:Visit WHERE v.week_start = $w RETURN v.id AS id",
    )
    unlabelled = Statement(
        name="canary.ALL_NODES", query="MATCH (n) WHERE n.id = $id RETURN n.id AS id"
    )
    seek = Statement(
        name="canary.SEEK", query="MATCH (v:Visit) WHERE v.week_start = $w RETURN v.id AS id"
    )
    assert plan_problems(forced, neo4j_store.plan(forced.query)) != []
    assert plan_problems(unlabelled, neo4j_store.plan(unlabelled.query)) != []
    assert plan_problems(seek, neo4j_store.plan(seek.query)) == []
