"""Rota runs solved outside the server's process, with their progress in the graph.

``RotaJobs.submit`` stores a ``queued`` RotaRun and returns it at once. A job thread of this
process then plans the week and builds its problem (reads of the graph), and solves it in a
process of its own, started with ``spawn`` (``service.rota.solving``): never a fork of this
threaded server, whose locks a forked child could inherit held. While it solves, the job
writes the run's ``progress`` and best ``visits_covered`` so far on the RotaRun node (at most
every ``PROGRESS_EVERY_S``), so any server process can answer ``rotaRun(id)``; when the solver
answers, it writes the draft (or the error, in plain words).

The solving process sends its result back and this process writes it, rather than the solving
process writing to the graph itself: it then needs no store client of its own (no second
connection to set up, no credentials passed to it, nothing half-written when it is killed), and
every change of a run's state goes through one guarded statement from one place
(``graph.repo.rota_runs.move_rota_run``), so a cancel and a result arriving together cannot
both win.

Cancelling: ``cancelRotaRun`` marks the run ``cancelled`` in the graph; the job that solves it
sees that within ``HEARTBEAT_S`` (whichever server process it runs in) and stops its process
group (``SIGTERM``, then ``SIGKILL`` after ``STOP_GRACE_S``). ``shutdown`` (the app's lifespan)
marks this process's unfinished runs cancelled and stops their solvers before the store closes.
"""

from __future__ import annotations

import atexit
import json
import logging
import re
import threading
import time
import weakref
from dataclasses import dataclass, field
from datetime import date
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from types import TracebackType

from graph.models import RotaRun, utc_now
from graph.repo import rota_runs
from graph.store.port import GraphStore
from service.rota.runs import (
    RotaError,
    get_rota_run,
    last_week_rota,
    queue_rota_run,
    week_problem,
)
from service.rota.solving import STOP_GRACE_S, solving_process, stop_group
from solver import models as rota

log = logging.getLogger("carecircles.rota")

MAX_SOLVING = 1  # runs solved at once by one server process; later ones wait, ``queued``
POLL_S = 0.2  # how often a job waiting on its solver looks for a stop
# How often a job says on its run that it is alive, and sees whether the run was cancelled by
# another server process (a progress write counts); a run unheard of for ``STALE_AFTER_S``
# (its server process killed) is failed by the next reader (``runs.get_rota_run``).
HEARTBEAT_S = 1.0
PROGRESS_EVERY_S = 0.5  # at most one progress write per run this often
JOIN_TIMEOUT_S = STOP_GRACE_S + 10.0  # a job thread stopping its solver (and writing) ends by then
SOLVER_WORKERS = 2

# The solver's large-neighbourhood search says "..., N visits covered" of its best rota so far.
VISITS_COVERED = re.compile(r"(\d+) visits covered")

SERVER_STOPPED = "the server stopped before the rota was solved"
STOPPING = "the server is stopping; run the rota again once it is back"


class SolveFailed(RuntimeError):
    """The solving process ended without a rota; the message says why in plain words."""


@dataclass
class _SolveJob:
    run_id: str
    week_start: date
    time_limit: float
    organization_id: str | None = None
    stop: threading.Event = field(default_factory=threading.Event)
    done: threading.Event = field(default_factory=threading.Event)
    process: BaseProcess | None = None
    thread: threading.Thread | None = None


class RotaJobs:
    """Solves rota runs in processes of their own, ``max_solving`` at a time; one per server
    process (``app.state.rota_jobs``), or one for a single run (``runs.run_rota``).

    Each job has a daemon thread of this process (not a thread pool's: the interpreter joins
    those at exit before anything can stop their solvers), and ``shutdown`` runs at exit for
    any instance not shut down before, so a process never waits at exit for a solve to end."""

    def __init__(
        self, *, store: GraphStore, workers: int = SOLVER_WORKERS, max_solving: int = MAX_SOLVING
    ) -> None:
        self._store = store
        self._workers = workers
        self._slots = threading.BoundedSemaphore(max_solving)
        self._lock = threading.Lock()
        self._jobs: dict[str, _SolveJob] = {}
        self._closed = False
        _unfinished.add(self)

    def __enter__(self) -> RotaJobs:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.shutdown(reason="stopped before the rota was solved")

    def submit(
        self, *, week_start: date, time_limit: float, organization_id: str | None = None
    ) -> RotaRun:
        """Store a queued run of the week (the organisation's rota, when given) and start
        solving it when a slot is free."""
        if self._closed:
            raise RotaError(STOPPING)
        run = queue_rota_run(
            store=self._store,
            week_start=week_start,
            time_limit=time_limit,
            organization_id=organization_id,
        )
        job = _SolveJob(
            run_id=run.id,
            week_start=week_start,
            time_limit=time_limit,
            organization_id=organization_id,
        )
        with self._lock:
            if not self._closed:
                self._jobs[run.id] = job
                job.thread = threading.Thread(
                    target=self._run, args=(job,), name=f"rota-job-{run.id}", daemon=True
                )
                job.thread.start()
                return run
        rota_runs.cancel_rota_run(
            store=self._store, run_id=run.id, at=utc_now(), reason=SERVER_STOPPED
        )
        raise RotaError(STOPPING)

    def stop(self, run_id: str, *, timeout: float = STOP_GRACE_S + 2) -> bool:
        """If this process solves ``run_id``, stop its solver now and wait (up to ``timeout``)
        until it is gone; False when the run is not this process's (its own process sees the
        cancel in the graph)."""
        with self._lock:
            job = self._jobs.get(run_id)
        if job is None:
            return False
        job.stop.set()
        job.done.wait(timeout)
        return True

    def wait(self, run_id: str, timeout: float | None = None) -> RotaRun:
        """The run once this process's job for it has ended (or after ``timeout``)."""
        with self._lock:
            job = self._jobs.get(run_id)
        if job is not None:
            job.done.wait(timeout)
        run = get_rota_run(store=self._store, run_id=run_id)
        if run is None:
            raise RotaError(f"runId: no rota run with id {run_id!r}")
        return run

    def shutdown(self, *, reason: str = SERVER_STOPPED) -> None:
        """Cancel every unfinished run of this process (``reason`` in its error), stop their
        solvers and wait for the job threads. Call it before the store closes."""
        with self._lock:
            self._closed = True
            jobs = list(self._jobs.values())
        for job in jobs:
            try:
                rota_runs.cancel_rota_run(
                    store=self._store, run_id=job.run_id, at=utc_now(), reason=reason
                )
            except Exception as error:  # the store may be down; the solver must stop anyway
                log.warning("could not mark rota run %s cancelled: %s", job.run_id, error)
            job.stop.set()
        for job in jobs:
            if job.thread is not None and job.thread is not threading.current_thread():
                job.thread.join(JOIN_TIMEOUT_S)
            job.done.set()
        _unfinished.discard(self)

    # --- one job ----------------------------------------------------------------------------

    def _run(self, job: _SolveJob) -> None:
        store = self._store
        slot = False
        try:
            last_beat = time.monotonic()
            while not slot:  # queued until one of the ``max_solving`` slots is free
                if job.stop.is_set():
                    return
                slot = self._slots.acquire(timeout=POLL_S)
                if not slot and time.monotonic() - last_beat >= HEARTBEAT_S:
                    if not rota_runs.beat_rota_run(
                        store=store, run_id=job.run_id, at=utc_now(), states=["queued"]
                    ):
                        return  # cancelled while it waited
                    last_beat = time.monotonic()
            if job.stop.is_set() or not rota_runs.start_rota_run(
                store=store, run_id=job.run_id, at=utc_now(), progress="planning the week"
            ):
                return  # cancelled while it waited
            problem = week_problem(
                store=store, week_start=job.week_start, organization_id=job.organization_id
            )
            previous = last_week_rota(
                store=store, problem=problem, organization_id=job.organization_id
            )
            if job.stop.is_set() or not rota_runs.note_rota_run_progress(
                store=store,
                run_id=job.run_id,
                at=utc_now(),
                progress="starting the solver",
                visits_total=len(problem.visits),
            ):
                return
            answer = self._solve(job, problem, previous)
            if answer is None:
                return  # stopped
            solution = rota.Solution.model_validate_json(answer)
            if solution.status == "INVALID":
                raise SolveFailed(
                    "the week's visits and volunteers do not make a valid problem: "
                    + "; ".join(solution.errors or [])
                )
            metrics = solution.metrics.model_dump() if solution.metrics is not None else {}
            rota_runs.finish_rota_run(
                store=store,
                run_id=job.run_id,
                at=utc_now(),
                problem=problem.model_dump_json(),
                solution=answer,
                metrics=json.dumps({"solver_status": solution.status, **metrics}, sort_keys=True),
                visits_total=len(problem.visits),
                visits_covered=len({a.visit for a in solution.assignments}),
            )
        except Exception as error:
            log.exception("rota run %s failed", job.run_id)
            words = str(error) if isinstance(error, SolveFailed) else _failure_message(error)
            try:
                rota_runs.fail_rota_run(store=store, run_id=job.run_id, at=utc_now(), error=words)
            except Exception as again:
                log.warning("could not mark rota run %s failed: %s", job.run_id, again)
        finally:
            if slot:
                self._slots.release()
            with self._lock:
                self._jobs.pop(job.run_id, None)
            job.done.set()

    def _solve(
        self, job: _SolveJob, problem: rota.Problem, previous: list[rota.Assignment]
    ) -> str | None:
        """The solution's JSON from a solving process of its own, told last week's rota
        (``previous``); None when stopped."""
        process, receiver, sender = solving_process(
            problem=problem,
            previous=previous,
            time_limit=job.time_limit,
            workers=self._workers,
            name=f"rota-solve-{job.run_id}",
        )
        try:
            with self._lock:
                if job.stop.is_set():
                    return None
                process.start()
                job.process = process
            sender.close()
            return self._await_solution(job, process, receiver)
        finally:
            receiver.close()
            sender.close()
            if process.pid is not None:
                stop_group(process)

    def _await_solution(
        self, job: _SolveJob, process: BaseProcess, receiver: Connection
    ) -> str | None:
        """Wait for the solver's answer, writing its progress; None when the run is stopped
        here or cancelled elsewhere."""
        store = self._store
        last_check = last_note = time.monotonic()
        words: str | None = None
        best: int | None = None
        while True:
            if job.stop.is_set():
                return None
            if receiver.poll(POLL_S):
                try:
                    kind, body = receiver.recv()
                except EOFError:
                    process.join(STOP_GRACE_S)
                    raise SolveFailed(
                        "the solving process stopped without an answer "
                        f"(exit code {process.exitcode})"
                    ) from None
                if kind == "solution":
                    return str(body)
                if kind == "error":
                    raise SolveFailed(f"the solver stopped with an error: {body}")
                words = str(body)
                covered = VISITS_COVERED.search(words)
                if covered:
                    best = max(best or 0, int(covered.group(1)))
            now = time.monotonic()
            if words is not None and now - last_note >= PROGRESS_EVERY_S:
                if not rota_runs.note_rota_run_progress(
                    store=store,
                    run_id=job.run_id,
                    at=utc_now(),
                    progress=words,
                    visits_covered=best,
                ):
                    return None  # no longer running: cancelled
                words = None
                last_note = last_check = now
            elif now - last_check >= HEARTBEAT_S:
                if not rota_runs.beat_rota_run(
                    store=store, run_id=job.run_id, at=utc_now(), states=["running"]
                ):
                    return None  # cancelled
                last_check = now


_unfinished: weakref.WeakSet[RotaJobs] = weakref.WeakSet()


@atexit.register
def _shutdown_at_exit() -> None:
    for jobs in list(_unfinished):
        jobs.shutdown(reason="stopped before the rota was solved")


def _failure_message(error: Exception) -> str:
    return f"the rota could not be made: {type(error).__name__}: {error}"
