"""Rota runs solved in processes of their own: progress while they run, cancelling them (from
this server process or, through the graph, from another), and the answers a cancel gives."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import psutil
import pytest

from graph.models import RotaRun, utc_now
from graph.repo import rota_runs
from seed.borough import generate_borough
from seed.load import load_borough
from service.rota.runs import STALE, STALE_AFTER_S
from tests.service.conftest import Api, World, next_monday, organisation_visits
from tests.service.rota_runs import START, wait_for_run

PROCESS_GONE_S = 20.0  # SIGTERM, up to 3 s of grace, SIGKILL, the job's own poll, a loaded machine
PROGRESS = """
query($id: ID!) {
  rotaRun(id: $id) {
    id state status progress visitsTotal visitsCovered startedAt timeLimitSeconds error
  }
}
"""
PUBLISH = """
mutation($id: ID!) { publishRota(runId: $id) { ... on RotaNotPublished { message } } }
"""
CANCEL = """
mutation($id: ID!) {
  cancelRotaRun(id: $id) {
    __typename
    ... on RotaRunCancelled { run { id state error finishedAt } }
    ... on RotaRunNotCancelled { message state }
  }
}
"""


def _week() -> str:
    year, week, _ = next_monday().isocalendar()
    return f"{year}-W{week:02d}"


DEMO = generate_borough("demo", 0, week_start=next_monday())
DEMO_ORG = DEMO.coordinating_organization.id
DEMO_VISITS = organisation_visits(DEMO, DEMO_ORG)  # its coordinating organisation's rota


@pytest.fixture(scope="module")
def demo_week(api: Api) -> str:
    """The demo borough (its coordinating organisation's rota: about 230 visits, 200
    volunteers) in this module's graph: its week keeps the solver busy for the whole time it
    is given, in a neighbourhood search that says how many visits its best rota covers. Its
    coordinators are users of ``DEMO_ORG``."""
    load_borough(store=api.store, borough=DEMO)
    return _week()


def _wait(
    condition: Callable[[], Any],
    what: str,
    timeout: float = 60.0,
    detail: Callable[[], str] = lambda: "",
) -> Any:
    deadline = time.monotonic() + timeout
    while True:  # polling a condition another process brings about
        value = condition()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}{detail()}"
        time.sleep(0.05)


def _solvers(before: set[int]) -> set[int]:
    """The processes of the solvers this test process started since ``before``: each solving
    process leads a process group of its own, and its worker processes are in that group.
    Other processes that appear below this one meanwhile are not the solver's (the graph
    server, in a session of its own, forks a child to rewrite its append-only file)."""
    me = os.getpid()
    groups: dict[int, int] = {}
    parents: dict[int, int] = {}
    for child in psutil.Process().children(recursive=True):
        if child.pid in before:
            continue
        try:
            groups[child.pid] = os.getpgid(child.pid)
            parents[child.pid] = child.ppid()
        except (psutil.NoSuchProcess, ProcessLookupError):
            continue
    leaders = {pid for pid, group in groups.items() if pid == group and parents[pid] == me}
    return {pid for pid, group in groups.items() if group in leaders}


def _alive(pids: set[int]) -> list[str]:
    """Those of ``pids`` still running (not ended, not a zombie), each described."""
    alive = []
    for pid in pids:
        try:
            process = psutil.Process(pid)
            with process.oneshot():
                status = process.status()
                if status != psutil.STATUS_ZOMBIE:
                    alive.append(
                        f"{pid} ({status}, parent {process.ppid()}, group {os.getpgid(pid)}): "
                        + " ".join(process.cmdline())[:200]
                    )
        except (psutil.NoSuchProcess, ProcessLookupError):
            continue
    return alive


def _wait_gone(pids: set[int]) -> None:
    _wait(
        lambda: not _alive(pids),
        "the solver's processes to end",
        PROCESS_GONE_S,
        detail=lambda: "; still running: " + "; ".join(_alive(pids)),
    )


def _start_long_run(api: Api, week: str, token: str) -> tuple[str, set[int]]:
    """A 120-second run, once its solver is in the neighbourhood search (its own worker
    processes started); the run's id and the solver's processes."""
    before = {child.pid for child in psutil.Process().children(recursive=True)}
    started = api.data(START, {"week": week, "limit": 120.0}, token=token)["runRota"]
    assert started["state"] in ("QUEUED", "RUNNING") and started["status"] in ("queued", "running")

    def searching() -> dict[str, Any] | None:
        run: dict[str, Any] = api.data(PROGRESS, {"id": started["id"]}, token=token)["rotaRun"]
        assert run["state"] in ("QUEUED", "RUNNING"), run
        return run if run["visitsCovered"] else None

    run = _wait(searching, "the solver's progress")
    assert run["state"] == "RUNNING" and "visits covered" in run["progress"]
    assert run["visitsTotal"] == DEMO_VISITS and 0 < run["visitsCovered"] <= DEMO_VISITS
    assert run["startedAt"] and run["timeLimitSeconds"] == 120.0
    solvers = _solvers(before)
    assert len(solvers) > 1, "the run is solved in a process group of its own, with its workers"
    return started["id"], solvers


def test_a_running_run_shows_progress_and_cancelling_it_stops_its_processes(
    api: Api, world: World, demo_week: str
) -> None:
    _, coordinator = world.user("coordinator", organization_id=DEMO_ORG)
    run_id, solvers = _start_long_run(api, demo_week, coordinator)

    cancelled = api.data(CANCEL, {"id": run_id}, token=coordinator)["cancelRotaRun"]
    assert cancelled["__typename"] == "RotaRunCancelled"
    assert cancelled["run"]["state"] == "CANCELLED" and cancelled["run"]["finishedAt"]
    _wait_gone(solvers)

    run = api.data(PROGRESS, {"id": run_id}, token=coordinator)["rotaRun"]
    assert run["state"] == "CANCELLED" and run["error"] == "cancelled by a coordinator"
    assert run["progress"] is None
    csv = api.client.get(f"/rota/{run_id}.csv", headers={"Authorization": f"Bearer {coordinator}"})
    assert csv.status_code == 409 and csv.json() == {
        "detail": "This run has no rota: it is cancelled."
    }
    again = api.data(CANCEL, {"id": run_id}, token=coordinator)["cancelRotaRun"]
    assert again["__typename"] == "RotaRunNotCancelled"
    assert again["message"] == f"id: rota run {run_id!r} has finished (cancelled)"


def test_a_cancel_written_by_another_server_process_stops_the_solver(
    api: Api, world: World, demo_week: str
) -> None:
    """Another server process cancels by writing the run's state; the process solving it reads
    that and stops its solver."""
    _, coordinator = world.user("coordinator", organization_id=DEMO_ORG)
    run_id, solvers = _start_long_run(api, demo_week, coordinator)
    moved = rota_runs.cancel_rota_run(
        store=api.store, run_id=run_id, at=utc_now(), reason="cancelled"
    )
    assert moved.ok
    _wait_gone(solvers)
    run = wait_for_run(api, run_id, coordinator, fields="solverStatus assignments { visitId }")
    assert run["state"] == "CANCELLED" and run["assignments"] == []


def test_cancelling_a_finished_or_unknown_run_says_so_and_bad_ids_name_the_field(
    api: Api, world: World
) -> None:
    _, coordinator = world.user("coordinator")
    world.volunteer("Val")
    world.person("Ann")
    started = api.data(START, {"week": _week(), "limit": 2.0}, token=coordinator)["runRota"]
    run = wait_for_run(api, started["id"], coordinator)
    assert run["state"] == "DRAFT"
    finished = api.data(CANCEL, {"id": run["id"]}, token=coordinator)["cancelRotaRun"]
    assert finished == {
        "__typename": "RotaRunNotCancelled",
        "message": f"id: rota run {run['id']!r} has finished (draft)",
        "state": "DRAFT",
    }
    unknown = api.data(CANCEL, {"id": "run-nobody"}, token=coordinator)["cancelRotaRun"]
    assert unknown == {
        "__typename": "RotaRunNotCancelled",
        "message": "id: no rota run with id 'run-nobody'",
        "state": None,
    }

    body = api.gql(CANCEL, {"id": "not an id!"}, token=coordinator)
    assert body["data"] is None and body["errors"][0]["message"].startswith("id:")
    body = api.gql(START, {"week": _week(), "limit": 500.0}, token=coordinator)
    assert body["data"] is None
    assert body["errors"][0]["message"].startswith("timeLimitSeconds:")


def test_a_run_that_cannot_be_solved_fails_and_says_why(api: Api, world: World) -> None:
    """A visit stored with a window shorter than the visit (the models refuse one; an older
    version or a hand edit could leave one) makes the week's problem invalid: the run fails with
    the solver's reason, and publishing it says it is not a draft."""
    _, coordinator = world.user("coordinator")
    ann = world.person("Ann", visits_per_week=0)
    week_start = next_monday() + timedelta(weeks=3)
    visit = world.visit(ann, week_start=week_start, earliest="10:00", latest="11:00")
    api.store.run("MATCH (v:Visit {id: $id}) SET v.latest = '10:30'", {"id": visit.id})
    year, number, _ = week_start.isocalendar()
    started = api.data(START, {"week": f"{year}-W{number:02d}", "limit": 2.0}, token=coordinator)
    run = wait_for_run(api, started["runRota"]["id"], coordinator, fields="finishedAt progress")
    assert run["state"] == "FAILED" and run["finishedAt"] and run["progress"] is None
    assert run["error"].startswith(
        "the week's visits and volunteers do not make a valid problem: rule 2 (visit window): "
        f"visit {visit.id} window 10:00-10:30 is shorter than its duration of 60 minutes"
    )
    published = api.data(PUBLISH, {"id": run["id"]}, token=coordinator)["publishRota"]
    assert published == {"message": f"runId: rota run {run['id']!r} is a failed run, not a draft"}


def test_a_run_its_server_process_stopped_answering_for_fails_when_read(
    api: Api, world: World
) -> None:
    """A run whose server process was killed mid-solve is not left running for ever: the next
    reader fails it, saying why."""
    _, coordinator = world.user("coordinator")
    long_ago = utc_now() - timedelta(seconds=STALE_AFTER_S + 5)
    run = RotaRun(
        id=f"run-stale-{uuid.uuid4().hex[:8]}",
        week_start=next_monday(),
        organization_id=world.organization_id,
        status="running",
        created_at=long_ago,
        started_at=long_ago,
        heartbeat_at=long_ago,
        progress="optimising",
    )
    rota_runs.create_rota_run(store=api.store, run=run)
    read = api.data(PROGRESS, {"id": run.id}, token=coordinator)["rotaRun"]
    assert read["state"] == "FAILED" and read["error"] == STALE and read["progress"] is None

    fresh = RotaRun(
        id=f"run-fresh-{uuid.uuid4().hex[:8]}",
        week_start=next_monday(),
        organization_id=world.organization_id,
    )
    fresh = fresh.model_copy(update={"status": "queued", "heartbeat_at": utc_now()})
    rota_runs.create_rota_run(store=api.store, run=fresh)
    assert api.data(PROGRESS, {"id": fresh.id}, token=coordinator)["rotaRun"]["state"] == "QUEUED"
    rota_runs.cancel_rota_run(store=api.store, run_id=fresh.id, at=utc_now(), reason="test over")


def test_only_coordinators_cancel(api: Api, world: World) -> None:
    _, link_worker = world.user("link_worker")
    volunteer = world.volunteer_token(world.volunteer("Val"))
    for who in (link_worker, volunteer, None):
        body = api.gql(CANCEL, {"id": "run-anything"}, token=who)
        assert body["data"] is None and body["errors"]
