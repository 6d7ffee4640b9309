"""A transient failure the Neo4j driver reports late, as ``ResultFailedError`` from the rollback of
a result that was streaming (CI saw it once on the claim race: a deadlock, not retried), is run
again; any other failure is not (graph/store/neo4j_store.py, ``retrying_late_transients``).

The driver's own exception types are raised the way its rollback raises them (the transient error
as the cause); no server is needed to decide what is retried."""

from __future__ import annotations

import asyncio

import pytest
from neo4j import exceptions as neo4j_errors

from graph.store.neo4j_store import (
    LATE_TRANSIENT_ATTEMPTS,
    aretrying_late_transients,
    retrying_late_transients,
)


class Attempts:
    """A managed transaction that fails ``failures`` times as the driver's rollback does."""

    def __init__(self, failures: int, cause: Exception) -> None:
        self.failures = failures
        self.cause = cause
        self.count = 0

    def __call__(self) -> str:
        self.count += 1
        if self.count <= self.failures:
            raise neo4j_errors.ResultFailedError(None, "The result has failed") from self.cause
        return "committed"

    async def awaited(self) -> str:
        return self()


def deadlock() -> neo4j_errors.TransientError:
    return neo4j_errors.TransientError("DeadlockDetected: can't acquire ExclusiveLock")


def test_a_deadlock_reported_late_is_run_again_until_it_commits() -> None:
    attempts = Attempts(failures=2, cause=deadlock())
    assert retrying_late_transients(attempts) == "committed"
    assert attempts.count == 3


def test_a_failure_that_is_not_transient_is_raised_at_once() -> None:
    attempts = Attempts(failures=1, cause=neo4j_errors.ClientError("syntax error"))
    with pytest.raises(neo4j_errors.ResultFailedError):
        retrying_late_transients(attempts)
    assert attempts.count == 1


def test_a_result_failure_without_a_cause_is_raised_at_once() -> None:
    def attempt() -> str:
        raise neo4j_errors.ResultFailedError(None, "The result has failed")

    with pytest.raises(neo4j_errors.ResultFailedError):
        retrying_late_transients(attempt)


def test_a_deadlock_that_keeps_coming_back_is_raised_after_the_last_attempt() -> None:
    attempts = Attempts(failures=LATE_TRANSIENT_ATTEMPTS + 5, cause=deadlock())
    with pytest.raises(neo4j_errors.ResultFailedError) as raised:
        retrying_late_transients(attempts)
    assert isinstance(raised.value.__cause__, neo4j_errors.TransientError)
    assert attempts.count == LATE_TRANSIENT_ATTEMPTS


def test_the_awaited_store_runs_a_late_deadlock_again_too() -> None:
    attempts = Attempts(failures=1, cause=deadlock())
    assert asyncio.run(aretrying_late_transients(attempts.awaited)) == "committed"
    assert attempts.count == 2
    refused = Attempts(failures=1, cause=neo4j_errors.ClientError("syntax error"))
    with pytest.raises(neo4j_errors.ResultFailedError):
        asyncio.run(aretrying_late_transients(refused.awaited))
    assert refused.count == 1
