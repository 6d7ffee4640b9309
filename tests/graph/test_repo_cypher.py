"""Every statement of the repository modules, as the code runs it, is valid Neo4j Cypher.

``test_cypher_neo4j.py`` reads constants without importing, so it sees only statements written
as one literal. Repository statements are often composed from shared pieces (``_LINK_AREA``,
``get_statement("Person")``); this test imports ``graph.repo`` and lints the composed text, with
the same linter and rules.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

import graph.repo
from tests.graph.test_cypher_neo4j import CLAUSE, CONSTANT_NAME, Statement, _problems, lint


def repository_statements() -> list[Statement]:
    statements = []
    for module_info in pkgutil.iter_modules(graph.repo.__path__):
        module = importlib.import_module(f"graph.repo.{module_info.name}")
        for name, value in vars(module).items():
            if (
                CONSTANT_NAME.fullmatch(name)
                and isinstance(value, str)
                and not name.endswith("_FALKOR")
                and CLAUSE.match(value)
            ):
                statements.append(Statement(name=f"{module.__name__}.{name}", query=value))
    return statements


def test_every_composed_repository_statement_is_valid_neo4j_cypher() -> None:
    statements = repository_statements()
    names = {s.name for s in statements}
    assert {
        "graph.repo.people.CREATE_PERSON",
        "graph.repo.people.UPDATE_PERSON",
        "graph.repo.areas.GET_AREA",
        "graph.repo.erasure.ERASE_PERSON",
    } <= names
    diagnostics: dict[str, list[dict[str, Any]]] = lint(statements)
    report = [
        f"{s.name} line {d['line']} col {d['column']}: {d['message']}\n    {s.query.strip()[:300]}"
        for s in statements
        for d in _problems(diagnostics[s.name])
    ]
    assert not report, "\n".join(report)
