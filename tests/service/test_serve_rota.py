"""A rota run through a real ``carecircles serve`` process: solved in a process of its own,
polled to the end over HTTP; and stopping the server mid-solve leaves no process behind."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest

from graph.repo.rota_runs import get_rota_run
from graph.settings import Settings
from graph.store import open_store
from seed.borough import generate_borough
from service.rota.jobs import SERVER_STOPPED
from service.weeks import monday_of, today, week_label
from tests.service.conftest import organisation_visits
from tests.service.rota_runs import START, UNFINISHED
from tests.service.test_serve_process import _port_of, _serve, _wait_until_serving

PROGRESS = """
query($id: ID!) {
  rotaRun(id: $id) { id state progress visitsTotal visitsCovered error solverStatus
                     metrics { visitsTotal visitsCovered } }
}
"""
# The solver's first words (solver/solve.py), said once its process has started.
SOLVER_WORDS = ("finding eligible volunteers", "bounding", "greedy rota", "optimising")
STOP_TIMEOUT_S = 60.0
GONE_TIMEOUT_S = 5.0
RUN_TIMEOUT_S = 120.0


@dataclass
class Served:
    process: subprocess.Popen[bytes]
    url: str
    token: str
    data_dir: Path

    def data(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        response = httpx.post(
            f"{self.url}/graphql",
            json={"query": query, "variables": variables},
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=30,
        )
        body: dict[str, Any] = response.json()
        assert response.status_code == 200 and "errors" not in body, body
        result: dict[str, Any] = body["data"]
        return result

    def wait_for(self, run_id: str, ready: Any, what: str) -> dict[str, Any]:
        """The run once ``ready(run)`` holds (asserting the server stays up meanwhile)."""
        deadline = time.monotonic() + RUN_TIMEOUT_S
        while True:  # polling the run over HTTP, as the coordinator's page does
            run: dict[str, Any] = self.data(PROGRESS, {"id": run_id})["rotaRun"]
            if ready(run):
                return run
            assert self.process.poll() is None, "carecircles serve exited"
            assert time.monotonic() < deadline, f"timed out waiting for {what}: {run}"
            time.sleep(0.1)


def _carecircles(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "service.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    """``carecircles serve`` on a store seeded with the demo borough (the week's visits
    keep the solver busy as long as it is given), and a coordinator's token."""
    data_dir = tmp_path / "data"
    env = {**os.environ, "CARECIRCLES_GRAPH_URI": "embedded://"}
    env["CARECIRCLES_DATA_DIR"] = str(data_dir)
    _carecircles(env, "seed", "--size", "demo")
    out = _carecircles(env, "users", "add", "--role", "coordinator", "--email", "co@example.org")
    token = out.strip().splitlines()[-1]
    process, log = _serve(tmp_path, env)
    try:
        port = _port_of(process, log)
        _wait_until_serving(process, port)
        yield Served(process, f"http://127.0.0.1:{port}", token, data_dir)
    finally:
        if process.poll() is None:  # a failed assertion: still stop it, not orphan it
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _descendants(pid: int) -> list[psutil.Process]:
    return psutil.Process(pid).children(recursive=True)


def _stop_and_check_nothing_is_left(served: Served) -> None:
    """SIGTERM the server; it and every process it started (collected just before) end."""
    started = _descendants(served.process.pid)
    served.process.send_signal(signal.SIGTERM)
    assert served.process.wait(timeout=STOP_TIMEOUT_S) == 0
    _, alive = psutil.wait_procs(started, timeout=GONE_TIMEOUT_S)
    left = [f"{p.pid} {' '.join(p.cmdline())[:120]}" for p in alive if _running(p)]
    assert not left, f"processes of carecircles serve outlived it: {left}"


def _running(process: psutil.Process) -> bool:
    try:
        return process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def test_a_rota_run_through_http_is_solved_in_another_process_and_polled_to_a_draft(
    served: Served,
) -> None:
    week = week_label(monday_of(today()))
    started = served.data(START, {"week": week, "limit": 3.0})["runRota"]
    assert started["state"] in UNFINISHED and started["week"] == week
    solving = served.wait_for(
        started["id"],
        lambda run: run["state"] not in UNFINISHED or run["progress"] in SOLVER_WORDS,
        "the solver to say what it does",
    )
    solvers = [
        p
        for p in _descendants(served.process.pid)
        if "spawn_main" in " ".join(p.cmdline()) and "resource_tracker" not in " ".join(p.cmdline())
    ]
    if solving["state"] == "RUNNING":
        assert solvers, "the rota is solved in a spawned process"

    run = served.wait_for(
        started["id"], lambda run: run["state"] not in UNFINISHED, "the run to end"
    )
    assert run["state"] == "DRAFT" and run["error"] is None, run
    assert run["solverStatus"] in ("OPTIMAL", "FEASIBLE")
    # The coordinator's organisation's rota: the visits of the people it supports.
    demo = generate_borough("demo", 0)
    total = organisation_visits(demo, demo.coordinating_organization.id)
    assert run["visitsTotal"] == run["metrics"]["visitsTotal"] == total
    assert run["visitsCovered"] == run["metrics"]["visitsCovered"] > 0
    _, alive = psutil.wait_procs(solvers, timeout=GONE_TIMEOUT_S)
    assert not [p for p in alive if _running(p)], "a finished run's solver is left"

    _stop_and_check_nothing_is_left(served)


def test_stopping_serve_mid_solve_stops_the_solver_and_cancels_the_run(served: Served) -> None:
    week = week_label(monday_of(today()))
    started = served.data(START, {"week": week, "limit": 120.0})["runRota"]
    run = served.wait_for(
        started["id"],
        lambda run: run["state"] == "RUNNING" and run["visitsCovered"],
        "the neighbourhood search (the solver's own worker processes started)",
    )
    assert "visits covered" in run["progress"]

    _stop_and_check_nothing_is_left(served)

    store = open_store(Settings(graph_uri="embedded://", data_dir=served.data_dir))
    try:
        stored = get_rota_run(store=store, run_id=started["id"])
    finally:
        store.close()
    assert stored is not None and stored.status == "cancelled"
    assert stored.error == SERVER_STOPPED and stored.solution is None


def test_a_killed_server_leaves_no_solver_behind(served: Served) -> None:
    """``SIGKILL`` gives the server no chance to stop anything: the solving process sees its
    parent die and stops its whole process group itself."""
    week = week_label(monday_of(today()))
    started = served.data(START, {"week": week, "limit": 120.0})["runRota"]
    served.wait_for(
        started["id"],
        lambda run: run["state"] == "RUNNING" and run["visitsCovered"],
        "the neighbourhood search (the solver's own worker processes started)",
    )
    graph_server = json.loads((served.data_dir / "falkordb.json").read_text())["pid"]
    solvers = [p for p in _descendants(served.process.pid) if p.pid != graph_server]
    assert solvers
    try:
        served.process.kill()
        served.process.wait()
        _, alive = psutil.wait_procs(solvers, timeout=GONE_TIMEOUT_S)
        left = [f"{p.pid} {' '.join(p.cmdline())[:120]}" for p in alive if _running(p)]
        assert not left, f"solver processes outlived the killed server: {left}"
    finally:  # the embedded graph server outlives a killed serve (not this test's subject)
        psutil.Process(graph_server).terminate()
