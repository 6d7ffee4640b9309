"""A run of the rota scheduler for one week."""

from __future__ import annotations

import json
from typing import Literal

from pydantic import Field, field_validator

from graph.models.base import GraphModel, Id, UtcDateTime, WeekStart, utc_now

Metric = float | int | str | bool | None


def _check_json(value: str | None) -> str | None:
    if value is not None:
        try:
            json.loads(value)
        except ValueError as error:
            raise ValueError(f"expected JSON text: {error}") from None
    return value


RotaRunStatus = Literal[
    "queued", "running", "draft", "published", "superseded", "failed", "cancelled"
]

# A run waits (``queued``), is solved (``running``) and ends as a ``draft`` (later
# ``published``, then ``superseded`` once another run of its week is published), ``failed``
# (``error`` says why) or ``cancelled``.
UNFINISHED_STATUSES: tuple[RotaRunStatus, ...] = ("queued", "running")


class RotaRun(GraphModel):
    """A rota run of one week: queued, being solved, or its result. ``problem`` and
    ``solution`` are the ROTA_FORMAT.md files as JSON text (from the draft on); ``metrics`` is
    the solution's metrics.

    While it runs, ``progress`` is what the solver is doing, in its own words, and
    ``visits_covered`` the most visits a rota it has found so far covers, of ``visits_total``.
    ``error`` says in plain words why a run failed or was cancelled. ``heartbeat_at`` is when
    the server process that solves an unfinished run last said it still does."""

    json_fields = ("metrics",)

    id: Id
    week_start: WeekStart
    organization_id: Id | None = None  # whose rota: its people, its volunteers
    status: RotaRunStatus = "draft"
    created_at: UtcDateTime = Field(default_factory=utc_now)
    started_at: UtcDateTime | None = None
    finished_at: UtcDateTime | None = None
    heartbeat_at: UtcDateTime | None = None
    published_at: UtcDateTime | None = None
    superseded_at: UtcDateTime | None = None
    superseded_by: Id | None = None
    time_limit_s: float | None = None
    progress: str | None = None
    visits_total: int | None = None
    visits_covered: int | None = None
    error: str | None = None
    metrics: dict[str, Metric] = {}
    problem: str | None = None
    solution: str | None = None

    _problem_is_json = field_validator("problem", "solution")(_check_json)
