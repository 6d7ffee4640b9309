"""The process a rota is solved in (``service.rota.jobs`` starts it with ``spawn``).

It imports only the solver and answers through one pipe: ``("progress", words)`` as the solver
says what it is doing, then ``("solution", json)`` or ``("error", words)``. It never touches the
graph store: the server process that started it writes the result (``service.rota.jobs`` says
why).

It leads a process group of its own, so stopping the group stops any worker processes the
solver starts too; and it stops that group when the process that started it dies, however it
died (a ``SIGKILL``ed server leaves no solver behind).
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import signal
import threading
from collections.abc import Sequence
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess

from pydantic import TypeAdapter

from solver.models import Assignment, Problem

# Last week's rota down the pipe: a JSON list of assignments in the problem's ids.
ASSIGNMENTS = TypeAdapter(list[Assignment])
STOP_GRACE_S = 3.0  # after SIGTERM, the solving process's group gets SIGKILL


def solving_process(
    *,
    problem: Problem,
    previous: Sequence[Assignment],
    time_limit: float,
    workers: int,
    name: str,
) -> tuple[BaseProcess, Connection, Connection]:
    """A process solving ``problem`` told the ``previous`` rota, not started yet (``spawn``:
    never a fork of the threaded server), with the receiving and the sending end of its pipe;
    see ``solve_in_process``. The caller closes its copy of the sending end once the process
    has started."""
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(
        target=solve_in_process,
        args=(
            problem.model_dump_json(),
            ASSIGNMENTS.dump_json(list(previous)).decode(),
            time_limit,
            workers,
            sender,
        ),
        name=name,
    )
    return process, receiver, sender


def stop_group(process: BaseProcess, *, grace: float = STOP_GRACE_S) -> None:
    """Stop a started solving process and every process in its group: SIGTERM, then SIGKILL
    for whatever is left after ``grace`` seconds; reaps the solving process."""
    pid = process.pid
    assert pid is not None
    if process.exitcode is None:
        _signal_group(pid, signal.SIGTERM, process)
        process.join(grace)
    # The group outlives its leader while any member lives (a solver's worker process).
    _signal_group(pid, signal.SIGKILL, process)
    process.join()


def _signal_group(pid: int, signum: int, process: BaseProcess) -> None:
    try:
        os.killpg(pid, signum)
    except ProcessLookupError:  # no such group: it is gone, or has not made itself one yet
        if process.exitcode is None:
            try:
                os.kill(pid, signum)
            except ProcessLookupError:
                pass


def solve_in_process(
    problem_json: str, previous_json: str, time_limit: float, workers: int, answer: Connection
) -> None:
    """Solve the ROTA_FORMAT problem ``problem_json``, told last week's rota (``previous_json``,
    a JSON list of assignments in the problem's ids), sending progress and the outcome down
    ``answer``. The target of the solving process."""
    os.setpgid(0, 0)
    _stop_with_parent()
    from solver.solve import solve

    try:
        problem = Problem.model_validate_json(problem_json)
        previous = ASSIGNMENTS.validate_json(previous_json)
        solution = solve(
            problem,
            time_limit=time_limit,
            workers=workers,
            seed=0,
            progress=lambda words: answer.send(("progress", words)),
            previous=previous,
        )
        answer.send(("solution", solution.model_dump_json()))
    except Exception as error:  # whatever it was, the run must say so rather than hang
        answer.send(("error", f"{type(error).__name__}: {error}"))
    finally:
        answer.close()


def _stop_with_parent() -> None:
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        multiprocessing.connection.wait([parent.sentinel])
        os.killpg(0, signal.SIGKILL)

    threading.Thread(target=watch, name="stop-with-parent", daemon=True).start()
