"""Support plans a person writes with their link worker: create, review, reword a goal, move the
review dates, pause, complete or end.

Rules:

- one current plan (active or paused) per person; completed and ended plans are kept;
- what matters in the person's words, one to ``GOALS_MAX`` goals, each with the outcome expected
  (GAS "0"), up to ``STEPS_MAX`` steps, a target date from today on and up to
  ``ACTIVITIES_MAX`` activities (a service from the directory, a circle visit, someone to
  reconnect with); a volunteer can go along to a service the first 1-3 times;
- reviews at 4, 8 and 12 weeks unless other dates are given; the dates can be moved later;
- a review scores every goal of the plan once (GAS) and the four ONS4 answers
  (``service.plans.scoring``); only an active plan is reviewed;
- status moves: active -> paused | completed | ended; paused -> active | completed | ended;
  ending needs a reason.

Bad input comes back as ``PlanInvalid`` (the field as the API names it, and what was expected),
with nothing written. Who may do what is decided by the GraphQL layer with the consent scope
``plan`` (``service.consent``).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from graph.models import Activity, Goal, GoalAttainment, Plan, Review, utc_now
from graph.models.plans import ACCOMPANIED_MAX, ACTIVITIES_MAX, GOALS_MAX, STEPS_MAX
from graph.repo import plans as plans_repo
from graph.repo import services as services_repo
from graph.repo.plans import PlanRecord
from graph.store.port import GraphStore
from service.plans.scoring import ScoreError, check_attainments, check_ons4, gas_t_score

WHAT_MATTERS_MAX = 500
GOAL_TEXT_MAX = 300
STEP_MAX = 300
WHO_MAX = 100
NOTE_MAX = 300
REVIEW_NOTE_MAX = 2000
REASON_MAX = 300
REVIEW_WEEKS = (4, 8, 12)
REVIEW_DATES_MAX = 12
TARGET_YEARS_MAX = 2
ACTIVITY_KINDS = ("service", "circle_visit", "reconnect")

# status -> the statuses a plan may be in to move to it
STATUS_FROM = {
    "active": ["paused"],
    "paused": ["active"],
    "completed": ["active", "paused"],
    "ended": ["active", "paused"],
}


@dataclass(frozen=True)
class PlanInvalid:
    """Bad input: ``field`` as the API names it and what was expected; nothing was written."""

    field: str
    message: str


@dataclass(frozen=True)
class PlanAlreadyOpen:
    """The person has a current plan already (``plan_id``): review, pause or finish it first."""

    plan_id: str


@dataclass(frozen=True)
class PlanNotOpen:
    """The plan is not in a state that allows this (``status``), or does not exist."""

    status: str | None


@dataclass(frozen=True)
class ActivityDraft:
    kind: str
    service_id: str | None = None
    who: str | None = None
    accompanied_visits: int = 0
    note: str | None = None


@dataclass(frozen=True)
class GoalDraft:
    text: str
    expected: str
    target_date: date
    steps: Sequence[str] = ()
    activities: Sequence[ActivityDraft] = field(default_factory=tuple)


def _text(value: str, name: str, most: int, *, required: bool = True) -> str | PlanInvalid:
    said = value.strip()
    if (required and not said) or len(said) > most:
        low = 1 if required else 0
        return PlanInvalid(name, f"expected {low}..{most} characters, got {len(said)}")
    return said


def default_review_dates(start: date) -> list[date]:
    """4, 8 and 12 weeks after ``start``."""
    return [start + timedelta(weeks=w) for w in REVIEW_WEEKS]


def check_review_dates(dates: Sequence[date], today: date, name: str) -> PlanInvalid | None:
    if not 1 <= len(dates) <= REVIEW_DATES_MAX:
        return PlanInvalid(name, f"expected 1..{REVIEW_DATES_MAX} dates, got {len(dates)}")
    for index, when in enumerate(dates):
        if when < today:
            return PlanInvalid(f"{name}[{index}]", f"expected today or later, got {when}")
        if index and when <= dates[index - 1]:
            return PlanInvalid(f"{name}[{index}]", "expected dates in order, each once")
    return None


def _activity(draft: ActivityDraft, name: str, services: set[str]) -> Activity | PlanInvalid:
    if draft.kind not in ACTIVITY_KINDS:
        return PlanInvalid(f"{name}.kind", f"expected one of {', '.join(ACTIVITY_KINDS)}")
    if draft.kind == "service":
        if draft.service_id not in services:
            return PlanInvalid(f"{name}.serviceId", "expected a service from the directory")
        if not 0 <= draft.accompanied_visits <= ACCOMPANIED_MAX:
            return PlanInvalid(
                f"{name}.accompaniedVisits",
                f"expected 0..{ACCOMPANIED_MAX}, got {draft.accompanied_visits}",
            )
    elif draft.service_id or draft.accompanied_visits:
        return PlanInvalid(
            f"{name}.serviceId", "expected a service and accompanied visits only at a service"
        )
    who = _text(draft.who or "", f"{name}.who", WHO_MAX, required=draft.kind == "reconnect")
    if isinstance(who, PlanInvalid):
        return who
    note = _text(draft.note or "", f"{name}.note", NOTE_MAX, required=False)
    if isinstance(note, PlanInvalid):
        return note
    return Activity(
        kind=draft.kind,
        service_id=draft.service_id if draft.kind == "service" else None,
        who=who or None,
        accompanied_visits=draft.accompanied_visits,
        note=note or None,
    )


def _goal(
    draft: GoalDraft, *, plan_id: str, index: int, today: date, services: set[str]
) -> Goal | PlanInvalid:
    name = f"goals[{index}]"
    text = _text(draft.text, f"{name}.text", GOAL_TEXT_MAX)
    if isinstance(text, PlanInvalid):
        return text
    expected = _text(draft.expected, f"{name}.expected", GOAL_TEXT_MAX)
    if isinstance(expected, PlanInvalid):
        return expected
    if len(draft.steps) > STEPS_MAX:
        return PlanInvalid(f"{name}.steps", f"expected at most {STEPS_MAX} steps")
    steps = []
    for number, step in enumerate(draft.steps):
        said = _text(step, f"{name}.steps[{number}]", STEP_MAX)
        if isinstance(said, PlanInvalid):
            return said
        steps.append(said)
    latest = today.replace(year=today.year + TARGET_YEARS_MAX)
    if not today <= draft.target_date <= latest:
        return PlanInvalid(
            f"{name}.targetDate", f"expected a date from today to {latest}, got {draft.target_date}"
        )
    if len(draft.activities) > ACTIVITIES_MAX:
        return PlanInvalid(f"{name}.activities", f"expected at most {ACTIVITIES_MAX} activities")
    activities = []
    for number, given in enumerate(draft.activities):
        made = _activity(given, f"{name}.activities[{number}]", services)
        if isinstance(made, PlanInvalid):
            return made
        activities.append(made)
    return Goal(
        id=f"goal-{uuid.uuid4().hex[:16]}",
        plan_id=plan_id,
        position=index,
        text=text,
        expected=expected,
        steps=steps,
        target_date=draft.target_date,
        activities=activities,
    )


def create_plan(
    *,
    store: GraphStore,
    person_id: str,
    what_matters: str,
    goals: Sequence[GoalDraft],
    created_by: str,
    review_dates: Sequence[date] | None = None,
    at: datetime | None = None,
) -> PlanRecord | PlanInvalid | PlanAlreadyOpen:
    """Check and store a new plan for the person; ``NotFound`` when there is no such person."""
    now = at or utc_now()
    today = now.date()
    plan_id = f"plan-{uuid.uuid4().hex[:16]}"
    matters = _text(what_matters, "whatMatters", WHAT_MATTERS_MAX)
    if isinstance(matters, PlanInvalid):
        return matters
    if not 1 <= len(goals) <= GOALS_MAX:
        return PlanInvalid("goals", f"expected 1..{GOALS_MAX} goals, got {len(goals)}")
    asked = sorted({a.service_id for g in goals for a in g.activities if a.service_id})
    services = {s.id for s in services_repo.list_services_by_id(store=store, service_ids=asked)}
    made: list[Goal] = []
    for index, draft in enumerate(goals):
        goal = _goal(draft, plan_id=plan_id, index=index, today=today, services=services)
        if isinstance(goal, PlanInvalid):
            return goal
        made.append(goal)
    dates = list(review_dates) if review_dates is not None else default_review_dates(today)
    wrong = check_review_dates(dates, today, "reviewDates")
    if wrong is not None:
        return wrong
    plan = Plan(
        id=plan_id,
        person_id=person_id,
        what_matters=matters,
        review_dates=dates,
        created_by=created_by,
        created_at=now,
    )
    stored = plans_repo.create_plan(store=store, plan=plan, goals=made)
    if stored is None:
        current = current_plan(store=store, person_id=person_id)
        return PlanAlreadyOpen(plan_id=current.plan.id if current else "")
    return PlanRecord(plan=stored, goals=made, reviews=[])


def current_plan(*, store: GraphStore, person_id: str) -> PlanRecord | None:
    """The person's active or paused plan, or None."""
    found = plans_repo.plans_of_person(store=store, person_id=person_id)
    return next((p for p in found if p.plan.status in plans_repo.CURRENT), None)


def review_plan(
    *,
    store: GraphStore,
    plan_id: str,
    attainments: Sequence[tuple[str, int]],
    ons4: Sequence[int],
    recorded_by: str,
    note: str | None = None,
    at: datetime | None = None,
) -> Review | ScoreError | PlanNotOpen:
    """Score and store a review of an active plan; a ``ScoreError`` writes nothing."""
    record = plans_repo.get_plan(store=store, plan_id=plan_id)
    if record is None or record.plan.status != "active":
        return PlanNotOpen(status=record.plan.status if record else None)
    scored = check_attainments([g.id for g in record.goals], attainments)
    if isinstance(scored, ScoreError):
        return scored
    answers = check_ons4(ons4)
    if isinstance(answers, ScoreError):
        return answers
    said = (note or "").strip()
    if len(said) > REVIEW_NOTE_MAX:
        return ScoreError("note", f"expected at most {REVIEW_NOTE_MAX} characters, got {len(said)}")
    review = Review(
        id=f"review-{uuid.uuid4().hex[:16]}",
        plan_id=plan_id,
        at=at or utc_now(),
        goals=[GoalAttainment(goal_id=g, attainment=x) for g, x in scored.items()],
        ons4=list(answers),
        gas_t_score=round(gas_t_score(list(scored.values())), 2),
        note=said or None,
        recorded_by=recorded_by,
    )
    stored = plans_repo.record_review(store=store, review=review)
    if stored is None:
        return PlanNotOpen(status=None)
    return stored


def set_status(
    *,
    store: GraphStore,
    plan_id: str,
    status: str,
    reason: str | None = None,
    at: datetime | None = None,
) -> Plan | PlanInvalid | PlanNotOpen:
    """Pause, resume, complete or end (with a reason) a plan."""
    if status not in STATUS_FROM:
        return PlanInvalid("status", f"expected one of {', '.join(STATUS_FROM)}")
    said = (reason or "").strip()
    if status == "ended" and not said:
        return PlanInvalid("reason", "expected a reason for ending the plan")
    if len(said) > REASON_MAX:
        return PlanInvalid("reason", f"expected at most {REASON_MAX} characters, got {len(said)}")
    done = plans_repo.set_plan_status(
        store=store,
        plan_id=plan_id,
        status=status,  # type: ignore[arg-type]  # one of STATUS_FROM's keys
        from_statuses=STATUS_FROM[status],
        reason=said or None,
        at=at or utc_now(),
    )
    if done is None:
        record = plans_repo.get_plan(store=store, plan_id=plan_id)
        return PlanNotOpen(status=record.plan.status if record else None)
    return done


def move_reviews(
    *, store: GraphStore, plan_id: str, dates: Sequence[date], at: datetime | None = None
) -> Plan | PlanInvalid | PlanNotOpen:
    """Replace the plan's review dates (from today on, in order)."""
    now = at or utc_now()
    wrong = check_review_dates(list(dates), now.date(), "dates")
    if wrong is not None:
        return wrong
    done = plans_repo.set_review_dates(store=store, plan_id=plan_id, dates=list(dates), at=now)
    return done if done is not None else PlanNotOpen(status=None)


def reword_goal(
    *, store: GraphStore, goal_id: str, person_id: str, text: str, at: datetime | None = None
) -> Goal | PlanInvalid | PlanNotOpen:
    """Change the wording of a goal of the person's current plan."""
    said = _text(text, "text", GOAL_TEXT_MAX)
    if isinstance(said, PlanInvalid):
        return said
    done = plans_repo.change_goal_text(
        store=store, goal_id=goal_id, person_id=person_id, text=said, at=at or utc_now()
    )
    return done if done is not None else PlanNotOpen(status=None)


def next_review(plan: Plan, reviews_held: int) -> date | None:
    """The first review date not yet held: each review held counts off one date, in order."""
    pending = plan.review_dates[reviews_held:]
    return pending[0] if pending else None


GOAL_STATUSES = ("open", "achieved", "dropped")


def set_goal_status(
    *,
    store: GraphStore,
    goal_id: str,
    status: str,
    reason: str | None = None,
    at: datetime | None = None,
) -> Goal | PlanInvalid | PlanNotOpen:
    """Mark a goal achieved or dropped (with the reason, in the person's words), or open again."""
    if status not in GOAL_STATUSES:
        return PlanInvalid("status", f"expected one of {', '.join(GOAL_STATUSES)}")
    said = _text(reason or "", "reason", REASON_MAX, required=False)
    if isinstance(said, PlanInvalid):
        return said
    done = plans_repo.set_goal_status(
        store=store, goal_id=goal_id, status=status, reason=said or None, at=at or utc_now()
    )
    return done if done is not None else PlanNotOpen(status=None)
