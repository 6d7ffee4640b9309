"""Pydantic models of the rota problem and solution files (shared/ROTA_FORMAT.md, version 1).

These are the edges of the solver: they parse and check the files. Inside the solver's hot loops
the problem is compiled to plain dataclasses (solver/compiled.py).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Final, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from clock import minutes_of

PROBLEM_FORMAT: Final = "carecircles.rota/1"
SOLUTION_FORMAT: Final = "carecircles.rota-solution/1"

_CLOCK = re.compile(r"^(?:([01]\d|2[0-3]):([0-5]\d)|24:00)$")

Status = Literal["OPTIMAL", "FEASIBLE", "INFEASIBLE", "INVALID"]


def _check_clock(value: str) -> str:
    if not _CLOCK.match(value):
        raise ValueError(f"expected a 24-hour time 'HH:MM' (00:00 to 24:00), got {value!r}")
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Availability(_Strict):
    """A window on one day in which a volunteer can visit."""

    day: int = Field(ge=0, le=6)
    start: str
    end: str

    _clock = field_validator("start", "end")(_check_clock)

    @model_validator(mode="after")
    def _end_after_start(self) -> Availability:
        if minutes_of(self.end) <= minutes_of(self.start):
            raise ValueError(f"end {self.end} must be after start {self.start}")
        return self

    @property
    def start_minutes(self) -> int:
        return minutes_of(self.start)

    @property
    def end_minutes(self) -> int:
        return minutes_of(self.end)


class Person(_Strict):
    """A person who is visited."""

    id: str = Field(min_length=1)
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    need: float = Field(default=0.5, ge=0)
    languages: list[str] = Field(default_factory=list)
    gender_preference: str | None = None
    excluded_volunteers: list[str] = Field(default_factory=list)
    current_circle: list[str] = Field(default_factory=list)
    circle_max: int = Field(default=4, ge=0)


class Visit(_Strict):
    """A visit request: one person, one day, a window, a duration."""

    id: str = Field(min_length=1)
    person: str = Field(min_length=1)
    day: int = Field(ge=0, le=6)
    earliest: str
    latest: str
    duration_minutes: int = Field(gt=0)
    requires_check: bool = True
    volunteers_needed: int = Field(default=1, ge=1)
    pinned_volunteers: list[str] = Field(default_factory=list)

    _clock = field_validator("earliest", "latest")(_check_clock)

    @property
    def earliest_minutes(self) -> int:
        return minutes_of(self.earliest)

    @property
    def latest_minutes(self) -> int:
        return minutes_of(self.latest)


class Volunteer(_Strict):
    """A volunteer. ``gender`` and ``checked`` are optional (null, false) where unstated."""

    id: str = Field(min_length=1)
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    max_km: float = Field(ge=0)
    max_minutes: int = Field(ge=0)
    availability: list[Availability] = Field(default_factory=list)
    languages: list[str] = Field(default_factory=list)
    gender: str | None = None
    checked: bool = False


class Weights(_Strict):
    """Objective weights (integers)."""

    coverage: int = Field(default=1000, ge=0)
    continuity: int = Field(default=50, ge=0)
    new_member: int = Field(default=20, ge=0)
    travel_km: int = Field(default=2, ge=0)
    fairness: int = Field(default=1, ge=0)


class Problem(_Strict):
    """A week's rota problem."""

    format: Literal["carecircles.rota/1"]
    week_start: dt.date
    grid_minutes: int = Field(default=15, ge=1, le=1440)
    travel_speed_kmh: float = Field(default=12, gt=0)
    people: list[Person] = Field(default_factory=list)
    visits: list[Visit] = Field(default_factory=list)
    volunteers: list[Volunteer] = Field(default_factory=list)
    weights: Weights = Field(default_factory=Weights)


class Assignment(_Strict):
    """One volunteer on one visit (a visit needing two volunteers has two assignments)."""

    visit: str
    volunteer: str
    start: str
    reasons: list[str] = Field(default_factory=list)

    _clock = field_validator("start")(_check_clock)


class Unassigned(_Strict):
    """A visit left open, with the reasons."""

    visit: str
    reasons: list[str] = Field(default_factory=list)


class Metrics(_Strict):
    """Quality of a rota (definitions in solver/check.py, ``compute_metrics``)."""

    visits_total: int
    visits_covered: int
    coverage: float
    need_weighted_coverage: float
    need_weighted_upper_bound: float
    continuity_share: float
    new_circle_members: int
    travel_km: float
    solve_seconds: float


class Solution(_Strict):
    """A solved (or rejected) rota."""

    format: Literal["carecircles.rota-solution/1"] = SOLUTION_FORMAT
    status: Status
    assignments: list[Assignment] = Field(default_factory=list)
    unassigned: list[Unassigned] = Field(default_factory=list)
    metrics: Metrics | None = None
    errors: list[str] | None = None
