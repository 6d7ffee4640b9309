"""``import-services`` as a user runs it: a subprocess on its own embedded data directory.

Until the lead wires ``import_services`` into ``service/cli.py``, the command function is run
through ``typer.run``, exactly the function the ``carecircles import-services`` entry will call.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.oruk.conftest import SAMPLE

RUN_COMMAND = (
    "import typer; from service.commands.import_services import import_services; "
    "typer.run(import_services)"
)
COUNT_ROW = re.compile(r"(organizations|interests|services)\s*│\s*(\d+)\s*│\s*(\d+)\s*│\s*(\d+)")


def _import(file: Path, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {
        key: value for key, value in os.environ.items() if not key.startswith("CARECIRCLES_")
    } | {
        "CARECIRCLES_GRAPH_URI": "embedded://",
        "CARECIRCLES_DATA_DIR": str(data_dir),
        "COLUMNS": "200",
    }
    return subprocess.run(
        [sys.executable, "-c", RUN_COMMAND, str(file)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _counts(output: str) -> dict[str, tuple[int, int, int]]:
    return {kind: (int(c), int(u), int(n)) for kind, c, u, n in COUNT_ROW.findall(output)}


def test_importing_the_sample_twice_prints_the_same_counts(tmp_path: Path) -> None:
    first = _import(SAMPLE, tmp_path / "data")
    second = _import(SAMPLE, tmp_path / "data")

    assert first.returncode == 0, first.stderr
    assert second.returncode == 0, second.stderr
    assert _counts(first.stdout) == {
        "organizations": (9, 0, 0),
        "interests": (14, 0, 0),
        "services": (14, 0, 0),
    }
    assert _counts(second.stdout) == {
        "organizations": (0, 0, 9),
        "interests": (0, 0, 14),
        "services": (0, 0, 14),
    }
    assert "37 created, 0 updated, 0 unchanged, 3 skipped" in first.stdout
    assert "0 created, 0 updated, 37 unchanged, 3 skipped" in second.stdout
    for output in (first.stdout, second.stdout):
        assert "contents[12].status" in output and "temporarily closed" in output


def test_a_file_that_is_not_json_exits_2_and_says_where(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"contents": [\n  {"id": "x",}\n]}\n')

    result = _import(broken, tmp_path / "data")

    assert result.returncode == 2
    assert "broken.json: not valid JSON at line 2" in result.stderr
    assert not (tmp_path / "data").exists()  # nothing started, nothing written


def test_json_that_is_not_an_oruk_document_exits_2(tmp_path: Path) -> None:
    other = tmp_path / "people.json"
    other.write_text('{"people": []}')

    result = _import(other, tmp_path / "data")

    assert result.returncode == 2
    assert "expected an ORUK service" in result.stderr and "keys people" in result.stderr


def test_json_nested_too_deep_exits_2_with_a_clear_reason(tmp_path: Path) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text('{"contents": ' + "[" * 50_000 + "]" * 50_000 + "}")

    result = _import(deep, tmp_path / "data")

    assert result.returncode == 2
    assert "deep.json: nested more than 32 levels deep" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "data").exists()
