"""Every Cypher statement the project runs is accepted by Neo4j's own front end.

FalkorDB runs our statements for real in the rest of the suite; this proves Neo4j would parse
and accept them too, without a Neo4j server: ``tools/cypher-lint/lint.mjs`` runs npm
``@neo4j-cypher/language-support`` (parser and semantic analysis, Cypher 5).

Collected statements: module-level ``UPPER_CASE`` string constants in graph/, service/ and seed/
whose text starts with a Cypher clause keyword written in upper case (MATCH, OPTIONAL MATCH,
MERGE, CREATE, UNWIND, WITH, CALL, RETURN, DELETE, DETACH). Every module is imported, so a
statement composed from pieces (``MATCH_PERSON + " SET ..."``) is checked as the code runs it; a
module that fails to import fails the test. FalkorDB-only statements are named ``*_FALKOR`` and
skipped. DDL templates with ``{label}``/``{prop}`` placeholders are checked with a sample label
and property filled in.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
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


def _modules(package: str) -> list[str]:
    root = importlib.import_module(package)
    names = [package]
    for info in pkgutil.walk_packages(root.__path__, prefix=f"{package}."):
        names.append(info.name)
    return sorted(names)


def collect_statements(packages: tuple[str, ...] = SCANNED_PACKAGES) -> list[Statement]:
    """Import every module of ``packages`` and collect its Cypher constants as the code sees
    them (composed ones included), each statement once, named where it is first found."""
    statements: dict[str, Statement] = {}
    for package in packages:
        for module_name in _modules(package):
            module = importlib.import_module(module_name)
            source = Path(module.__file__ or "").read_text() if module.__file__ else ""
            for name, value in sorted(vars(module).items()):
                if not (
                    CONSTANT_NAME.fullmatch(name) and isinstance(value, str) and CLAUSE.match(value)
                ):
                    continue
                if name.endswith("_FALKOR"):
                    continue
                query = TEMPLATE_FIELD.sub(lambda field: TEMPLATE_SAMPLE[field[1]], value)
                defined_here = re.search(rf"^{name}\s*[:=]", source, flags=re.MULTILINE)
                if query not in statements or defined_here:
                    statements[query] = Statement(name=f"{module_name}.{name}", query=query)
    return list(statements.values())


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
        timeout=900,  # a cold run on a busy 2-core machine takes minutes
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


# DESIGN.md, "Backends": queries are written in the subset both engines run.
NOT_PORTABLE = {
    "an EXISTS {} subquery": re.compile(r"\bEXISTS\s*\{", re.IGNORECASE),
    "datetime()": re.compile(r"\bdatetime\s*\(", re.IGNORECASE),
    "APOC": re.compile(r"\bapoc\.", re.IGNORECASE),
}


def test_statements_stay_in_the_subset_both_engines_run(
    project_statements: list[Statement],
) -> None:
    report = [
        f"{statement.name} uses {what}"
        for statement in project_statements
        for what, pattern in NOT_PORTABLE.items()
        if pattern.search(statement.query)
    ]
    assert not report, "\n".join(report)


def test_collector_finds_the_neo4j_ddl_and_skips_falkordb_only_statements(
    project_statements: list[Statement],
) -> None:
    names = {statement.name for statement in project_statements}

    assert "graph.store.neo4j_store.CREATE_ID_CONSTRAINT" in names
    assert "graph.store.neo4j_store.CREATE_PROPERTY_INDEX" in names
    assert not any(name.endswith("_FALKOR") for name in names)


def test_collector_sees_composed_constants_once_and_skips_the_rest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "cypher_lint_sample"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "visits.py").write_text(
        'GET_VISIT = """\n    MATCH (v:Visit {id: $visit_id}) RETURN v.id AS id\n"""\n'
        'COUNT_FALKOR = "MATCH (n) RETURN count(n)"\n'
        'HELP_TEXT = "Create a visit"\n'
        'lowercase_query = "MATCH (n) RETURN n"\n'
        '_MATCH_PERSON = "MATCH (p:Person {id: $`person id`}) "\n'
        'SET_NAME = _MATCH_PERSON + "SET p.name = $name"\n'
        'INDEX = "CREATE INDEX {label}_{prop} IF NOT EXISTS FOR (n:{label}) ON (n.{prop})"\n'
    )
    (package / "reuse.py").write_text("from cypher_lint_sample.visits import GET_VISIT\n")
    monkeypatch.syspath_prepend(str(tmp_path))

    statements = collect_statements(("cypher_lint_sample",))

    assert [(s.name, s.parameters) for s in statements] == [
        ("cypher_lint_sample.visits.GET_VISIT", ["visit_id"]),
        ("cypher_lint_sample.visits.INDEX", []),
        ("cypher_lint_sample.visits.SET_NAME", ["name", "person id"]),
    ]
    assert statements[1].query == (
        "CREATE INDEX Person_email IF NOT EXISTS FOR (n:Person) ON (n.email)"
    )


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
