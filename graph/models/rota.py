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


class RotaRun(GraphModel):
    """A draft or published rota. ``problem`` and ``solution`` are the ROTA_FORMAT.md files as
    JSON text; ``metrics`` is the solution's metrics."""

    json_fields = ("metrics",)

    id: Id
    week_start: WeekStart
    status: Literal["draft", "published"] = "draft"
    created_at: UtcDateTime = Field(default_factory=utc_now)
    published_at: UtcDateTime | None = None
    metrics: dict[str, Metric] = {}
    problem: str | None = None
    solution: str | None = None

    _problem_is_json = field_validator("problem", "solution")(_check_json)
