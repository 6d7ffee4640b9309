"""The structure rules of the design, checked from the source: Cypher only in graph/, graph/ and
solver/ importing neither each other nor service/, and no private name of a third-party package
imported anywhere (the frameworks and database clients are used through their public API)."""

from __future__ import annotations

import ast
import io
import re
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("clock", "words", "graph", "solver", "service", "seed")
CYPHER = re.compile(r"\b(MATCH|MERGE|OPTIONAL MATCH)\s*\(|\bUNWIND\s+\$|\bDETACH DELETE\b")
THIRD_PARTY = {"strawberry", "graphql", "uvicorn", "starlette", "fastapi", "falkordb", "redis"}
THIRD_PARTY |= {"neo4j", "ortools", "networkx", "pydantic", "pydantic_settings", "typer"}
MAY_NOT_IMPORT = {"graph": {"solver", "service", "seed"}, "solver": {"graph", "service", "seed"}}
MAY_NOT_IMPORT["clock"] = {"graph", "solver", "service", "seed"}
MAY_NOT_IMPORT["words"] = {"clock", "graph", "solver", "service", "seed"}


def _sources() -> list[Path]:
    return sorted(f for package in PACKAGES for f in (ROOT / package).rglob("*.py"))


def _imported_modules(tree: ast.AST) -> list[tuple[int, str, list[str]]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module, [a.name for a in node.names]))
        elif isinstance(node, ast.Import):
            found.extend((node.lineno, a.name, []) for a in node.names)
    return found


def test_cypher_is_written_only_in_graph() -> None:
    outside = []
    for path in _sources():
        if path.relative_to(ROOT).parts[0] == "graph":
            continue
        for token in tokenize.generate_tokens(io.StringIO(path.read_text()).readline):
            if token.type == tokenize.STRING and CYPHER.search(token.string):
                outside.append(f"{path.relative_to(ROOT)}:{token.start[0]}")
    assert outside == []


def test_dependencies_point_one_way() -> None:
    wrong = []
    for path in _sources():
        package = path.relative_to(ROOT).parts[0]
        for line, module, _ in _imported_modules(ast.parse(path.read_text())):
            if module.split(".")[0] in MAY_NOT_IMPORT.get(package, set()):
                wrong.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    assert wrong == []


def test_no_private_name_of_a_third_party_package_is_imported() -> None:
    private = []
    for path in _sources():
        for line, module, names in _imported_modules(ast.parse(path.read_text())):
            if module.split(".")[0] not in THIRD_PARTY:
                continue
            parts = module.split(".") + names
            if any(part.startswith("_") for part in parts):
                private.append(f"{path.relative_to(ROOT)}:{line} {module} {names}")
    assert private == []


def test_the_checks_see_what_they_look_for() -> None:
    """The scanners are not blind: a private import, an upward import and Cypher are found."""
    sample = ast.parse("from strawberry.types._private import x\nimport service.app\n")
    modules = _imported_modules(sample)
    assert modules[0][1].split(".")[2].startswith("_")
    assert modules[1][1].split(".")[0] in MAY_NOT_IMPORT["graph"]
    assert CYPHER.search("'MATCH (n:Person) RETURN n'")
