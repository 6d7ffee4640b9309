"""The store port on the configured backend: schema, constraints, atomicity, errors, plain rows."""

from __future__ import annotations

import asyncio

import pytest

from graph.store import GraphConstraintError, GraphError, GraphStore
from graph.store.falkor import ASYNC_CONNECTIONS
from graph.store.schema import NODE_LABELS
from tests.loops import in_own_loop

COUNT_IDS = "MATCH (n) RETURN n.id AS id ORDER BY id"


def _ids(store: GraphStore) -> list[str]:
    return [row["id"] for row in store.run(COUNT_IDS, write=False)]


def test_schema_setup_is_idempotent_and_the_constraint_holds_on_every_label(
    store: GraphStore,
) -> None:
    store.ensure_schema()
    store.ensure_schema()

    for label in NODE_LABELS:
        store.run(f"CREATE (:{label} {{id: $id, marker: 'first'}})", {"id": f"{label}-1"})
        with pytest.raises(GraphConstraintError):
            store.run(f"CREATE (:{label} {{id: $id, marker: 'second'}})", {"id": f"{label}-1"})
        rows = store.run(
            f"MATCH (n:{label} {{id: $id}}) RETURN n.marker AS marker", {"id": f"{label}-1"}
        )
        assert rows == [{"marker": "first"}], label


def test_the_same_id_under_two_labels_is_allowed(store: GraphStore) -> None:
    store.run("CREATE (:Person {id: 'x1'}), (:Volunteer {id: 'x1'})")

    assert _ids(store) == ["x1", "x1"]


def test_a_statement_failing_halfway_leaves_nothing_behind(store: GraphStore) -> None:
    store.run("CREATE (:Person {id: 'p3'})")

    with pytest.raises(GraphConstraintError):
        store.run(
            "UNWIND $ids AS id CREATE (p:Person {id: id}) "
            "CREATE (p)-[:REPORTED]->(:CheckIn {id: 'c-' + id})",
            {"ids": ["p1", "p2", "p3", "p4"]},
        )

    assert _ids(store) == ["p3"]
    assert store.run("MATCH ()-[r]->() RETURN count(r) AS n", write=False) == [{"n": 0}]


def test_a_runtime_error_after_writes_rolls_them_back(store: GraphStore) -> None:
    with pytest.raises(GraphError):
        store.run("CREATE (:Person {id: 'p1'}) WITH 1 AS one UNWIND [1, 0] AS d RETURN one / d")

    assert _ids(store) == []


def test_bad_cypher_is_a_graph_error_naming_the_problem(store: GraphStore) -> None:
    with pytest.raises(GraphError) as raised:
        store.run("MATCH (p:Person) RETURN q")

    assert not isinstance(raised.value, GraphConstraintError)
    assert "q" in str(raised.value)


def test_a_read_refuses_to_write(store: GraphStore) -> None:
    with pytest.raises(GraphError):
        store.run("CREATE (:Person {id: 'p1'})", write=False)

    assert _ids(store) == []


def test_rows_are_plain_dicts_keyed_by_column(store: GraphStore) -> None:
    store.run(
        "CREATE (:Person {id: $id, languages: $languages, need: $need, active: true})",
        {"id": "p1", "languages": ["en", "pl"], "need": 0.5},
    )

    rows = store.run(
        "MATCH (p:Person) RETURN p.id AS id, p {.languages, .need} AS detail, p AS node, "
        "[1, 2] AS numbers",
        write=False,
    )

    assert rows == [
        {
            "id": "p1",
            "detail": {"languages": ["en", "pl"], "need": 0.5},
            "node": {"id": "p1", "languages": ["en", "pl"], "need": 0.5, "active": True},
            "numbers": [1, 2],
        }
    ]
    assert type(rows[0]["detail"]) is dict
    assert type(rows[0]["node"]) is dict


def test_parameters_round_trip_unicode_quotes_and_nulls(store: GraphStore) -> None:
    name = 'Zoë "Zo" O\'Brien\\ — 日本'
    store.run(
        "CREATE (:Person {id: $id, name: $name, note: $note})",
        {"id": "p1", "name": name, "note": None},
    )

    assert store.run("MATCH (p:Person) RETURN p.name AS name, p.note AS note") == [
        {"name": name, "note": None}
    ]


def test_each_test_gets_an_empty_graph(store: GraphStore) -> None:
    assert _ids(store) == []


# ``arun``: the same statement awaited on an event loop (the API's hot paths use it).


def test_arun_gives_the_rows_run_gives(store: GraphStore) -> None:
    async def both() -> tuple[list[dict[str, object]], list[dict[str, object]]]:
        written = await store.arun(
            "CREATE (p:Person {id: $id, languages: $languages}) RETURN p.id AS id",
            {"id": "p1", "languages": ["en", "pl"]},
        )
        read = await store.arun(
            "MATCH (p:Person) RETURN p.id AS id, p {.languages} AS detail, p AS node",
            write=False,
        )
        await store.aclose()
        return written, read

    written, read = in_own_loop(both())

    assert written == [{"id": "p1"}]
    assert read == store.run(
        "MATCH (p:Person) RETURN p.id AS id, p {.languages} AS detail, p AS node", write=False
    )
    assert read == [
        {
            "id": "p1",
            "detail": {"languages": ["en", "pl"]},
            "node": {"id": "p1", "languages": ["en", "pl"]},
        }
    ]


def test_arun_read_refuses_to_write_and_errors_are_graph_errors(store: GraphStore) -> None:
    async def attempts() -> list[Exception]:
        errors: list[Exception] = []
        for query, write in (("CREATE (:Person {id: 'p1'})", False), ("MATCH (p) RETURN q", True)):
            try:
                await store.arun(query, write=write)
            except GraphError as error:
                errors.append(error)
        await store.aclose()
        return errors

    errors = in_own_loop(attempts())

    assert len(errors) == 2
    assert "q" in str(errors[1])
    assert _ids(store) == []


def test_arun_works_on_each_new_event_loop(store: GraphStore) -> None:
    """Connections belong to the loop that opened them: a later loop (the last one closed
    without ``aclose``) gets its own and is answered."""

    async def count(close: bool) -> int:
        rows = await store.arun("MATCH (p:Person) RETURN count(p) AS n", write=False)
        if close:
            await store.aclose()
        return int(rows[0]["n"])

    store.run("CREATE (:Person {id: 'p1'})")

    assert in_own_loop(count(close=False)) == 1
    assert in_own_loop(count(close=True)) == 1
    assert in_own_loop(count(close=True)) == 1


def test_arun_statements_beyond_the_connections_wait_for_one(store: GraphStore) -> None:
    """More statements at once than ``arun`` has connections all get their answer: the rest
    wait for a connection (none fails), and on FalkorDB no more than ASYNC_CONNECTIONS open."""
    store.run("CREATE (:Person {id: 'p1'})")

    def clients() -> int:
        if store.backend != "falkordb":
            return 0
        return int(store._db.connection.info("clients")["connected_clients"])  # type: ignore[attr-defined]

    async def many() -> tuple[list[int], int]:
        rows = await asyncio.gather(
            *(
                store.arun("MATCH (p:Person) RETURN count(p) + $i AS n", {"i": i}, write=False)
                for i in range(200)
            )
        )
        opened = clients()
        await store.aclose()
        return [int(r[0]["n"]) for r in rows], opened

    before = clients()
    answers, opened = in_own_loop(many())

    assert answers == [1 + i for i in range(200)]
    if store.backend == "falkordb":
        assert opened - before <= ASYNC_CONNECTIONS
