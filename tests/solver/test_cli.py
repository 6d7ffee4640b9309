"""``carecircles solve`` as a user runs it: files in, files out, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from solver.check import check_solution
from solver.models import Problem, Solution
from tests.solver.factories import problem


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "service.cli", "solve", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_solution_file_is_written_and_valid(tmp_path: Path) -> None:
    source = tmp_path / "problem.json"
    source.write_text(json.dumps(problem()))
    target = tmp_path / "solution.json"
    done = _run(str(source), "-o", str(target), "--time-limit", "60", "--seed", "1")
    assert done.returncode == 0, done.stderr
    solution = Solution.model_validate_json(target.read_text())
    assert solution.status == "OPTIMAL"
    assert check_solution(Problem.model_validate(problem()), solution) == []
    assert "1 of 1 visits covered" in done.stderr


def test_without_output_prints_the_solution(tmp_path: Path) -> None:
    source = tmp_path / "problem.json"
    source.write_text(json.dumps(problem()))
    done = _run(str(source), "--time-limit", "5")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["format"] == "carecircles.rota-solution/1"


def test_unknown_field_exits_2_naming_it_and_writes_nothing(tmp_path: Path) -> None:
    raw = problem()
    raw["people"][0]["nickname"] = "Bo"
    source = tmp_path / "problem.json"
    source.write_text(json.dumps(raw))
    target = tmp_path / "solution.json"
    done = _run(str(source), "-o", str(target))
    assert done.returncode == 2
    assert "people.0.nickname: unknown field" in done.stderr
    assert not target.exists()


def test_unparsable_json_exits_2(tmp_path: Path) -> None:
    source = tmp_path / "problem.json"
    source.write_text("{")
    done = _run(str(source))
    assert done.returncode == 2
    assert "not valid JSON" in done.stderr


def test_previous_week_is_kept_and_a_bad_previous_file_exits_2(tmp_path: Path) -> None:
    from seed.rota_weeks import generate, kept_volunteer_share, next_week

    week1 = generate("S", "plentiful", 3)
    first = tmp_path / "week1.json"
    first.write_text(json.dumps(week1))
    first_out = tmp_path / "week1-solution.json"
    done = _run(str(first), "-o", str(first_out), "--time-limit", "5", "--seed", "1")
    assert done.returncode == 0, done.stderr
    solution1 = json.loads(first_out.read_text())
    week2 = next_week(week1, solution1, drop_fraction=0.05, seed=2)
    second = tmp_path / "week2.json"
    second.write_text(json.dumps(week2))
    second_out = tmp_path / "week2-solution.json"
    done = _run(
        str(second), "-o", str(second_out), "--time-limit", "5", "--previous", str(first_out)
    )
    assert done.returncode == 0, done.stderr
    solution2 = Solution.model_validate_json(second_out.read_text())
    assert check_solution(Problem.model_validate(week2), solution2) == []
    kept, comparable = kept_volunteer_share(solution1, solution2.model_dump(mode="json"), week2)
    assert comparable > 50 and kept >= 0.85
    # a problem file given as last week's solution: exit 2, naming the option
    done = _run(str(second), "--time-limit", "5", "--previous", str(first))
    assert done.returncode == 2
    assert "--previous: expected a solution file" in done.stderr
