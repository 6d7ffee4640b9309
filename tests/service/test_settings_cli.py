"""Settings are read once, at start: a bad CARECIRCLES_* value stops any command at once with
one line naming the variable and what it expects (exit code 2), before anything starts."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

CASES = [
    (["serve", "--port", "0"], "CARECIRCLES_OPEN_VISITS_MAX_AGE_S", "soon", "a valid number"),
    (["seed", "--size", "tiny"], "CARECIRCLES_OPEN_VISITS_MAX_AGE_S", "61", "less than or equal"),
    (["db", "status"], "CARECIRCLES_NEO4J_MAX_CONNECTION_POOL_SIZE", "0", "greater than or"),
]


@pytest.mark.parametrize(("command", "variable", "value", "expected"), CASES)
def test_a_bad_value_stops_the_command_naming_the_variable(
    tmp_path: Path, variable: str, value: str, expected: str, command: list[str]
) -> None:
    data_dir = tmp_path / "data"
    env = {**os.environ, "CARECIRCLES_GRAPH_URI": "embedded://", variable: value}
    env["CARECIRCLES_DATA_DIR"] = str(data_dir)
    done = subprocess.run(
        [sys.executable, "-m", "service.cli", *command],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    [line] = done.stderr.strip().splitlines()
    assert line.startswith(f"error: {variable}: expected {expected}"), line
    assert line.endswith(f"got {value!r}"), line
    assert not data_dir.exists()  # no graph server was started, nothing written
