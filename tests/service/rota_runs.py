"""Running a rota through GraphQL: ``runRota`` answers at once with a queued run, and the run
is polled with ``rotaRun(id)`` until it has finished."""

from __future__ import annotations

import time
from typing import Any

from tests.service.conftest import Api

START = """
mutation($week: String!, $limit: Float!) {
  runRota(week: $week, timeLimitSeconds: $limit) { id state status week }
}
"""
UNFINISHED = ("QUEUED", "RUNNING")
RUN_TIMEOUT_S = 120.0


def wait_for_run(
    api: Api, run_id: str, token: str, *, fields: str = "", timeout: float = RUN_TIMEOUT_S
) -> dict[str, Any]:
    """The run once it is no longer queued or running, with ``fields`` besides its state."""
    query = f"query($id: ID!) {{ rotaRun(id: $id) {{ id state error {fields} }} }}"
    deadline = time.monotonic() + timeout
    while True:  # polling, as the coordinator's page does
        run: dict[str, Any] = api.data(query, {"id": run_id}, token=token)["rotaRun"]
        if run["state"] not in UNFINISHED:
            return run
        assert time.monotonic() < deadline, f"rota run {run_id} still {run['state']}"
        time.sleep(0.1)


def run_rota(
    api: Api, week: str, token: str, *, fields: str = "", time_limit: float = 5
) -> dict[str, Any]:
    """Start a run of ``week`` and wait for it; the finished run with ``fields``."""
    started = api.data(START, {"week": week, "limit": time_limit}, token=token)["runRota"]
    assert started["state"] in UNFINISHED and started["week"] == week
    return wait_for_run(api, started["id"], token, fields=fields)
