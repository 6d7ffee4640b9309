"""Support plans: ``(Plan)-[:FOR]->(Person)``, ``(Goal)-[:PART_OF]->(Plan)``,
``(Review)-[:OF]->(Plan)``.

A plan holds what matters to the person in their own words, one to five goals and the dates it
is to be reviewed on. A goal holds its wording, the outcome expected when it was set (the "0" of
Goal Attainment Scaling), its steps, a target date and the activities that serve it (nested: an
activity belongs to one goal and is never looked up on its own). A review keeps the raw answers
(attainment per goal, the four ONS4 answers) beside the GAS T-score computed from them.
Scoring lives in ``service.plans.scoring``.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import Field, model_validator

from graph.models.base import GraphModel, Id, UtcDateTime, utc_now

PlanStatus = Literal["active", "paused", "completed", "ended"]
GoalStatus = Literal["open", "achieved", "dropped"]
ActivityKind = Literal["service", "circle_visit", "reconnect"]

PlanText = Annotated[str, Field(min_length=1, max_length=500)]
GoalText = Annotated[str, Field(min_length=1, max_length=300)]
Step = Annotated[str, Field(min_length=1, max_length=300)]
Attainment = Annotated[int, Field(ge=-2, le=2)]
Ons4Answer = Annotated[int, Field(ge=0, le=10)]

GOALS_MAX = 5
STEPS_MAX = 10
ACTIVITIES_MAX = 5
ACCOMPANIED_MAX = 3


class Activity(GraphModel):
    """Something the person will do towards a goal: go to a service or group (``service_id``,
    with a volunteer going along the first ``accompanied_visits`` times), have a circle visit,
    or get back in touch with someone (``who``, in the person's words)."""

    kind: ActivityKind
    service_id: Id | None = None
    who: Annotated[str, Field(max_length=100)] | None = None
    accompanied_visits: int = Field(default=0, ge=0, le=ACCOMPANIED_MAX)
    note: Annotated[str, Field(max_length=300)] | None = None

    @model_validator(mode="after")
    def _fits_its_kind(self) -> Activity:
        if self.kind == "service" and self.service_id is None:
            raise ValueError("expected a service_id for an activity at a service")
        if self.kind != "service" and (self.service_id is not None or self.accompanied_visits):
            raise ValueError("only an activity at a service has a service and accompanied visits")
        if self.kind == "reconnect" and not self.who:
            raise ValueError("expected who to reconnect with")
        return self


class Plan(GraphModel):
    """A person's support plan; at most one is current (active or paused) per person."""

    id: Id
    person_id: Id
    what_matters: PlanText
    status: PlanStatus = "active"
    end_reason: Annotated[str, Field(max_length=300)] | None = None
    review_dates: list[date] = Field(default_factory=list, max_length=12)
    created_by: Id = Field(description="the user id of the link worker")
    created_at: UtcDateTime = Field(default_factory=utc_now)
    updated_at: UtcDateTime | None = None


class Goal(GraphModel):
    """One small, concrete goal of a plan, in the person's words."""

    json_fields = ("activities",)

    id: Id
    plan_id: Id
    position: int = Field(ge=0, lt=GOALS_MAX)
    text: GoalText
    expected: GoalText = Field(description="the outcome expected when the goal was set")
    steps: list[Step] = Field(default_factory=list, max_length=STEPS_MAX)
    target_date: date
    status: GoalStatus = "open"
    status_reason: Annotated[str, Field(max_length=300)] | None = Field(
        default=None, description="why it was dropped (or achieved), in the person's words"
    )
    activities: list[Activity] = Field(default_factory=list, max_length=ACTIVITIES_MAX)
    updated_at: UtcDateTime | None = None


class GoalAttainment(GraphModel):
    goal_id: Id
    attainment: Attainment


class Review(GraphModel):
    """One review of a plan: the raw answers and the GAS T-score over the goals scored."""

    json_fields = ("goals",)

    id: Id
    plan_id: Id
    at: UtcDateTime = Field(default_factory=utc_now)
    goals: list[GoalAttainment] = Field(min_length=1, max_length=GOALS_MAX)
    ons4: list[Ons4Answer] = Field(min_length=4, max_length=4)
    gas_t_score: float
    note: Annotated[str, Field(max_length=2000)] | None = None
    recorded_by: Id
