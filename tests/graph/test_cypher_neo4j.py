"""Every Cypher statement the project runs is accepted by Neo4j's own front end.

FalkorDB runs our statements for real in the rest of the suite; this proves Neo4j would parse
and accept them too, without a Neo4j server: ``tools/cypher-lint/lint.mjs`` runs npm
``@neo4j-cypher/language-support`` (parser and semantic analysis, Cypher 5).

Collected statements: module-level ``UPPER_CASE`` string constants in graph/, service/ and seed/
whose text starts with a Cypher clause keyword written in upper case (MATCH, OPTIONAL MATCH,
MERGE, CREATE, UNWIND, WITH, CALL, RETURN, DELETE, DETACH). Constants are read with ``ast``
(nothing is imported). FalkorDB-only statements are named ``*_FALKOR`` and skipped. DDL templates
with ``{label}``/``{prop}`` placeholders are checked with a sample label and property filled in.
"""

from __future__ import annotations

import ast
import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_DIR = ROOT / "tools" / "cypher-lint"
SCANNED_PACKAGES = ("graph", "service", "seed")
CLAUSE = re.compile(
    r"\s*(OPTIONAL\s+MATCH|MATCH|MERGE|CREATE|UNWIND|WITH|CALL|RETURN|DELETE|DETACH)\b"
)
CONSTANT_NAME = re.compile(r"[A-Z][A-Z0-9_]*")
PARAMETER = re.compile(r"\$(?:`([^`]+)`|([A-Za-z_][A-Za-z0-9_]*))")
TEMPLATE_FIELD = re.compile(r"\{(label|prop)\}")
TEMPLATE_SAMPLE = {"label": "Person", "prop": "email"}


@dataclass(frozen=True)
class Statement:
    name: str  # module.CONSTANT
    query: str

    @property
    def parameters(self) -> list[str]:
        return sorted({quoted or plain for quoted, plain in PARAMETER.findall(self.query)})


def _string_value(node: ast.expr) -> str | None:
    """The text of a string literal, also one built with ``+`` from literals; else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _string_value(node.left), _string_value(node.right)
        if left is not None and right is not None:
            return left + right
    return None


def _module_constants(path: Path) -> list[tuple[str, str]]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found: list[tuple[str, str]] = []
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        else:
            continue
        if isinstance(target, ast.Name) and CONSTANT_NAME.fullmatch(target.id):
            text = _string_value(value)
            if text is not None:
                found.append((target.id, text))
    return found


def collect_statements(root: Path = ROOT) -> list[Statement]:
    statements: list[Statement] = []
    for package in SCANNED_PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            module = ".".join(path.relative_to(root).with_suffix("").parts)
            for name, text in _module_constants(path):
                if name.endswith("_FALKOR") or not CLAUSE.match(text):
                    continue
                query = TEMPLATE_FIELD.sub(lambda field: TEMPLATE_SAMPLE[field[1]], text)
                statements.append(Statement(name=f"{module}.{name}", query=query))
    return statements


def lint(statements: list[Statement]) -> dict[str, list[dict[str, Any]]]:
    """Diagnostics per statement name, from one run of the Node linter."""
    if shutil.which("node") is None:
        pytest.fail("node is not installed: the Cypher lint needs Node 20 (see tools/cypher-lint)")
    if not (LINT_DIR / "node_modules" / "@neo4j-cypher" / "language-support").is_dir():
        pytest.fail(
            "tools/cypher-lint/node_modules is missing: run `npm ci` in tools/cypher-lint "
            "(.ci/run does this)"
        )
    payload = [{"name": s.name, "query": s.query, "parameters": s.parameters} for s in statements]
    completed = subprocess.run(
        ["node", "lint.mjs"],
        cwd=LINT_DIR,
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, f"lint.mjs failed:\n{completed.stderr}"
    return {result["name"]: result["diagnostics"] for result in json.loads(completed.stdout)}


class _UndeclaredParameters(Statement):
    """A statement that declares none of its parameters, to prove the linter checks them."""

    @property
    def parameters(self) -> list[str]:
        return []


# Known-bad statements linted in the same Node run as the project's, so a linter that silently
# passes everything (wrong API, wrong options) fails the canary tests below.
CANARIES = [
    Statement("canary.ok", "MATCH (p:Person {id: $id}) RETURN p.id AS id"),
    Statement("canary.typo", "MATCH (p:Person) RETRN p"),
    Statement("canary.unbound_variable", "MATCH (p:Person) RETURN q"),
    Statement("canary.deprecated_id_function", "MATCH (p:Person) WHERE id(p) = 0 RETURN p"),
    _UndeclaredParameters("canary.undeclared_parameter", "RETURN $id AS id"),
]


@pytest.fixture(scope="module")
def project_statements() -> list[Statement]:
    return collect_statements()


@pytest.fixture(scope="module")
def diagnostics(project_statements: list[Statement]) -> dict[str, list[dict[str, Any]]]:
    return lint(project_statements + CANARIES)


def _problems(diagnostics: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [d for d in diagnostics if d["severity"] == "error" or d["deprecated"]]


def test_every_project_statement_is_valid_neo4j_cypher(
    project_statements: list[Statement], diagnostics: dict[str, list[dict[str, Any]]]
) -> None:
    report = [
        f"{statement.name} line {d['line']} col {d['column']}: {d['severity']}: {d['message']}\n"
        f"    {statement.query.strip()[:300]}"
        for statement in project_statements
        for d in _problems(diagnostics[statement.name])
    ]
    assert not report, f"{len(report)} Cypher problem(s) Neo4j would reject:\n" + "\n".join(report)


def test_collector_finds_the_neo4j_ddl_and_skips_falkordb_only_statements(
    project_statements: list[Statement],
) -> None:
    names = {statement.name for statement in project_statements}

    assert "graph.store.neo4j_store.CREATE_ID_CONSTRAINT" in names
    assert "graph.store.neo4j_store.CREATE_PROPERTY_INDEX" in names
    assert not any(name.endswith("_FALKOR") for name in names)


def test_collector_reads_constants_without_importing(tmp_path: Path) -> None:
    package = tmp_path / "graph"
    package.mkdir()
    (package / "visits.py").write_text(
        'GET_VISIT = """\n    MATCH (v:Visit {id: $visit_id}) RETURN v.id AS id\n"""\n'
        'COUNT_FALKOR = "MATCH (n) RETURN count(n)"\n'
        'HELP_TEXT = "Create a visit"\n'
        'lowercase_query = "MATCH (n) RETURN n"\n'
        'JOINED = "MATCH (p:Person) " + "WHERE p.id = $`person id` RETURN p"\n'
        "raise SystemExit('importing this module would fail')\n"
    )

    statements = collect_statements(tmp_path)

    assert [(s.name, s.parameters) for s in statements] == [
        ("graph.visits.GET_VISIT", ["visit_id"]),
        ("graph.visits.JOINED", ["person id"]),
    ]


def test_lint_passes_a_valid_statement(diagnostics: dict[str, list[dict[str, Any]]]) -> None:
    assert diagnostics["canary.ok"] == []


def test_lint_reports_broken_and_deprecated_statements(
    diagnostics: dict[str, list[dict[str, Any]]],
) -> None:
    assert any("RETRN" in d["message"] for d in _problems(diagnostics["canary.typo"]))
    unbound = _problems(diagnostics["canary.unbound_variable"])
    assert any("`q` not defined" in d["message"] for d in unbound)
    assert any(d["deprecated"] for d in _problems(diagnostics["canary.deprecated_id_function"]))
    missing = _problems(diagnostics["canary.undeclared_parameter"])
    assert any("$id is not defined" in d["message"] for d in missing)
