"""A rota run's states, on whichever backend is configured: each move happens only from the
states it names, so a cancel and a result arriving together cannot both win."""

from __future__ import annotations

from datetime import timedelta

from graph.repo.rota_runs import (
    beat_rota_run,
    cancel_rota_run,
    create_rota_run,
    fail_rota_run,
    finish_rota_run,
    get_rota_run,
    note_rota_run_progress,
    start_rota_run,
)
from graph.store import GraphStore
from tests.factories import NOW, make_rota_run


def _queued(store: GraphStore) -> str:
    run = make_rota_run(status="queued", problem=None, solution=None, metrics={}, time_limit_s=5)
    return create_rota_run(store=store, run=run).id


def _finish(store: GraphStore, run_id: str) -> bool:
    return finish_rota_run(
        store=store,
        run_id=run_id,
        at=NOW + timedelta(seconds=9),
        problem='{"format": "carecircles.rota/1"}',
        solution='{"status": "OPTIMAL"}',
        metrics='{"solver_status": "OPTIMAL"}',
        visits_total=3,
        visits_covered=2,
    )


def test_a_run_goes_from_queued_to_running_to_draft(store: GraphStore) -> None:
    run_id = _queued(store)
    assert beat_rota_run(store=store, run_id=run_id, at=NOW, states=["queued"])
    assert not beat_rota_run(store=store, run_id=run_id, at=NOW, states=["running"])
    assert not note_rota_run_progress(store=store, run_id=run_id, at=NOW, progress="bounding")
    assert not _finish(store, run_id)  # not running yet

    assert start_rota_run(store=store, run_id=run_id, at=NOW, progress="planning the week")
    assert not start_rota_run(store=store, run_id=run_id, at=NOW, progress="again")
    assert note_rota_run_progress(
        store=store, run_id=run_id, at=NOW, progress="bounding", visits_total=3
    )
    later = NOW + timedelta(seconds=4)
    assert note_rota_run_progress(
        store=store, run_id=run_id, at=later, progress="search, 2 visits covered", visits_covered=2
    )
    running = get_rota_run(store=store, run_id=run_id)
    assert running is not None and running.status == "running" and running.started_at == NOW
    assert running.heartbeat_at == later
    assert (running.progress, running.visits_total, running.visits_covered) == (
        "search, 2 visits covered",
        3,
        2,
    )

    assert _finish(store, run_id)
    draft = get_rota_run(store=store, run_id=run_id)
    assert draft is not None and draft.status == "draft" and draft.progress is None
    assert (
        draft.metrics == {"solver_status": "OPTIMAL"} and draft.solution == '{"status": "OPTIMAL"}'
    )
    assert draft.finished_at == NOW + timedelta(seconds=9)
    assert not cancel_rota_run(store=store, run_id=run_id, at=NOW, reason="late").ok
    assert not fail_rota_run(store=store, run_id=run_id, at=NOW, error="late")
    again = get_rota_run(store=store, run_id=run_id)
    assert again is not None and again.status == "draft" and again.error is None


def test_a_cancelled_run_takes_no_result_and_no_progress(store: GraphStore) -> None:
    run_id = _queued(store)
    assert start_rota_run(store=store, run_id=run_id, at=NOW, progress="planning the week")
    moved = cancel_rota_run(store=store, run_id=run_id, at=NOW, reason="cancelled by a coordinator")
    assert moved.ok and moved.run is not None and moved.run.status == "cancelled"
    assert moved.run.progress is None and moved.run.error == "cancelled by a coordinator"
    assert not note_rota_run_progress(store=store, run_id=run_id, at=NOW, progress="bounding")
    assert not beat_rota_run(store=store, run_id=run_id, at=NOW, states=["running"])
    assert not _finish(store, run_id)
    assert not fail_rota_run(store=store, run_id=run_id, at=NOW, error="late")
    run = get_rota_run(store=store, run_id=run_id)
    assert run is not None and run.status == "cancelled" and run.solution is None


def test_a_queued_run_can_be_cancelled_or_fail_and_a_missing_one_is_none(
    store: GraphStore,
) -> None:
    cancelled, failed = _queued(store), _queued(store)
    assert cancel_rota_run(store=store, run_id=cancelled, at=NOW, reason="stop").ok
    assert not start_rota_run(store=store, run_id=cancelled, at=NOW, progress="planning")
    assert fail_rota_run(store=store, run_id=failed, at=NOW, error="the solver stopped")
    run = get_rota_run(store=store, run_id=failed)
    assert run is not None and (run.status, run.error) == ("failed", "the solver stopped")
    missing = cancel_rota_run(store=store, run_id="run-nobody", at=NOW, reason="stop")
    assert not missing.ok and missing.run is None
    assert not beat_rota_run(store=store, run_id="run-nobody", at=NOW, states=["queued"])
