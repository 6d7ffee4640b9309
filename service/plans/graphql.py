"""GraphQL for support plans: create, review, reword a goal, move reviews, pause/complete/end,
the person's own plan and the link worker's caseload.

Who may: a link worker with the person's ``plan`` consent in force creates, reviews, moves and
changes the status of a plan; staff (link workers, coordinators) with that consent read it;
the person reads their own (``myPlan``) and rewords their own goals. Every staff read of a plan
is written to the person's access log (``log_person_read``, scope ``plan``).
"""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Annotated

import strawberry

from graph.models import Goal, Plan, Review, iso_utc
from graph.repo import plans as plans_repo
from graph.repo import services as services_repo
from graph.repo.errors import NotFound
from graph.repo.plans import PlanRecord
from service import access, weeks
from service.access import AS_RETURNED_POLICY, CONSENT, PERSON_SELF, STAFF, Rule
from service.api.errors import NotAllowed, check_id
from service.api.info import ContextInfo
from service.consent import policy
from service.consent.checks import log_person_read, person_access, require_scopes
from service.context import CurrentUser, RequestContext
from service.plans import caseload as caseload_rules
from service.plans import people_met, plans
from service.plans.scoring import ATTAINMENT_WORDS, ScoreError, ons4_in_words

SCOPE = "plan"
LOGGED = ["plan"]
GROUPS_LOGGED = ["groups_attended"]
LINK_WORKER = ("link_worker",)
WORKER_WITH_PLAN_CONSENT = access.policy(Rule(LINK_WORKER, CONSENT, SCOPE), logged=True)


@strawberry.enum(name="PlanStatus")
class PlanStatusEnum(Enum):
    ACTIVE = "active"
    PAUSED = "paused"
    COMPLETED = "completed"
    ENDED = "ended"


@strawberry.enum(name="GoalStatus")
class GoalStatusEnum(Enum):
    OPEN = "open"
    ACHIEVED = "achieved"
    DROPPED = "dropped"


@strawberry.enum(name="ActivityKind")
class ActivityKindEnum(Enum):
    SERVICE = "service"
    CIRCLE_VISIT = "circle_visit"
    RECONNECT = "reconnect"


@strawberry.type(name="PlanActivity", directives=[AS_RETURNED_POLICY])
class ActivityType:
    kind: ActivityKindEnum
    service_id: strawberry.ID | None
    service_name: str | None
    who: str | None = strawberry.field(description="Someone to get back in touch with.")
    accompanied_visits: int = strawberry.field(
        description="How many of the first times a volunteer goes along (0-3)."
    )
    note: str | None


@strawberry.type(name="Goal", directives=[AS_RETURNED_POLICY])
class GoalType:
    id: strawberry.ID
    text: str = strawberry.field(description="The goal in the person's words.")
    expected: str = strawberry.field(description="The outcome expected when it was set.")
    steps: list[str]
    target_date: date
    status: GoalStatusEnum
    status_reason: str | None = strawberry.field(description="Why it was dropped or achieved.")
    past_date: bool = strawberry.field(description="Still open after its target date.")
    activities: list[ActivityType]

    @classmethod
    def of(cls, goal: Goal, services: dict[str, str], today: date) -> GoalType:
        return cls(
            id=strawberry.ID(goal.id),
            text=goal.text,
            expected=goal.expected,
            steps=list(goal.steps),
            target_date=goal.target_date,
            status=GoalStatusEnum(goal.status),
            status_reason=goal.status_reason,
            past_date=goal.status == "open" and goal.target_date < today,
            activities=[
                ActivityType(
                    kind=ActivityKindEnum(a.kind),
                    service_id=strawberry.ID(a.service_id) if a.service_id else None,
                    service_name=services.get(a.service_id or ""),
                    who=a.who,
                    accompanied_visits=a.accompanied_visits,
                    note=a.note,
                )
                for a in goal.activities
            ],
        )


@strawberry.type(directives=[AS_RETURNED_POLICY])
class GoalAttainmentType:
    goal_id: strawberry.ID
    attainment: int = strawberry.field(description="-2 much less .. 0 as expected .. 2 much more.")
    in_words: str


@strawberry.type(name="PlanReview", directives=[AS_RETURNED_POLICY])
class ReviewType:
    id: strawberry.ID
    at: str
    gas_t_score: float = strawberry.field(
        description="Goal Attainment Scaling T-score over the goals (50: all as expected; "
        "equal weights, inter-goal correlation 0.3)."
    )
    goals: list[GoalAttainmentType]
    ons4: list[int] = strawberry.field(
        description="Life satisfaction, worthwhile, happiness, anxiety (0-10), as answered."
    )
    ons4_in_words: list[str]
    note: str | None

    @classmethod
    def of(cls, review: Review) -> ReviewType:
        return cls(
            id=strawberry.ID(review.id),
            at=iso_utc(review.at),
            gas_t_score=review.gas_t_score,
            goals=[
                GoalAttainmentType(
                    goal_id=strawberry.ID(g.goal_id),
                    attainment=g.attainment,
                    in_words=ATTAINMENT_WORDS[g.attainment],
                )
                for g in review.goals
            ],
            ons4=list(review.ons4),
            ons4_in_words=ons4_in_words(review.ons4),
            note=review.note,
        )


@strawberry.type(name="Plan", directives=[AS_RETURNED_POLICY])
class PlanType:
    id: strawberry.ID
    person_id: strawberry.ID
    what_matters: str
    status: PlanStatusEnum
    end_reason: str | None
    created_at: str
    review_dates: list[date]
    next_review: date | None
    goals: list[GoalType]
    reviews: list[ReviewType]


async def _service_names(context: RequestContext, goals: list[Goal]) -> dict[str, str]:
    ids = sorted({a.service_id for g in goals for a in g.activities if a.service_id})
    found = await context.call(services_repo.list_services_by_id, service_ids=ids) if ids else []
    return {s.id: s.name for s in found}


async def _plan_type(context: RequestContext, record: PlanRecord) -> PlanType:
    names = await _service_names(context, record.goals)
    today = weeks.today()
    plan = record.plan
    return PlanType(
        id=strawberry.ID(plan.id),
        person_id=strawberry.ID(plan.person_id),
        what_matters=plan.what_matters,
        status=PlanStatusEnum(plan.status),
        end_reason=plan.end_reason,
        created_at=iso_utc(plan.created_at),
        review_dates=list(plan.review_dates),
        next_review=plans.next_review(plan, len(record.reviews)),
        goals=[GoalType.of(g, names, today) for g in record.goals],
        reviews=[ReviewType.of(r) for r in record.reviews],
    )


@strawberry.type(directives=[AS_RETURNED_POLICY])
class PlanCreated:
    plan: PlanType


@strawberry.type(directives=[AS_RETURNED_POLICY])
class PlanUpdated:
    plan: PlanType


@strawberry.type(directives=[AS_RETURNED_POLICY])
class PlanReviewed:
    review: ReviewType
    plan: PlanType


@strawberry.type(directives=[AS_RETURNED_POLICY])
class GoalUpdated:
    goal: GoalType


@strawberry.type(
    description="Bad input: the field and what was expected; nothing was written.",
    directives=[AS_RETURNED_POLICY],
)
class InvalidPlan:
    field: str
    message: str


@strawberry.type(
    description="Bad review answers: the field and what was expected; nothing written.",
    directives=[AS_RETURNED_POLICY],
)
class InvalidReview:
    field: str
    message: str


@strawberry.type(directives=[AS_RETURNED_POLICY])
class PlanAlreadyOpen:
    message: str
    plan_id: strawberry.ID


@strawberry.type(directives=[AS_RETURNED_POLICY])
class PlanNotOpen:
    message: str


CreatePlanResult = Annotated[
    PlanCreated | InvalidPlan | PlanAlreadyOpen, strawberry.union("CreatePlanResult")
]
ReviewPlanResult = Annotated[
    PlanReviewed | InvalidReview | PlanNotOpen, strawberry.union("ReviewPlanResult")
]
UpdatePlanResult = Annotated[
    PlanUpdated | InvalidPlan | PlanNotOpen, strawberry.union("UpdatePlanResult")
]
GoalUpdateResult = Annotated[
    GoalUpdated | InvalidPlan | PlanNotOpen, strawberry.union("GoalUpdateResult")
]


@strawberry.type(name="PersonAtGroup", directives=[AS_RETURNED_POLICY])
class PersonAtGroupType:
    person_id: strawberry.ID
    first_name: str
    known_as: str | None = strawberry.field(
        description="How the person knows them already, in words (null: not yet)."
    )


@strawberry.type(name="GroupAttended", directives=[AS_RETURNED_POLICY])
class GroupAttendedType:
    service_id: strawberry.ID
    service_name: str
    times: int = strawberry.field(description="How many times the person's going is recorded.")
    people: list[PersonAtGroupType] = strawberry.field(
        description="Others who go there whom you may name: for the person, people they know "
        "already; for their link worker, people the link worker may see by name."
    )

    @classmethod
    def of(cls, group: people_met.GroupAttended) -> GroupAttendedType:
        return cls(
            service_id=strawberry.ID(group.service_id),
            service_name=group.service_name,
            times=group.times,
            people=[
                PersonAtGroupType(
                    person_id=strawberry.ID(p.person_id),
                    first_name=p.first_name,
                    known_as=p.known_as,
                )
                for p in group.people
            ],
        )


@strawberry.type(directives=[AS_RETURNED_POLICY])
class PeopleMetRecorded:
    group: GroupAttendedType


@strawberry.type(directives=[AS_RETURNED_POLICY])
class NotAttended:
    message: str


RecordPeopleMetResult = Annotated[
    PeopleMetRecorded | InvalidPlan | NotAttended, strawberry.union("RecordPeopleMetResult")
]
PERSON_OR_WORKER_WITH_PLAN_CONSENT = access.policy(
    PERSON_SELF, Rule(LINK_WORKER, CONSENT, SCOPE), logged=True
)


@strawberry.input
class PeopleMetInput:
    person_id: strawberry.ID
    service_id: strawberry.ID = strawberry.field(description="The group where they met.")
    met_person_ids: list[strawberry.ID]


async def _person_or_plan_worker(
    info: ContextInfo, person_id: str, logged: list[str]
) -> CurrentUser:
    """The person themselves, or a link worker with their plan consent (the read of ``logged``
    written to the person's access log)."""
    user = access.signed_in(info.context)
    if user.role == "person":
        if user.person_id != person_id:
            raise NotAllowed()
        return user
    access.require_staff(info.context, "link_worker")
    found = await person_access(info.context, user, person_id)
    require_scopes(found, SCOPE)
    await log_person_read(info.context, user, found, logged, [SCOPE])
    return user


async def _groups_read(
    info: ContextInfo, user: CurrentUser, groups: list[people_met.GroupAttended]
) -> list[GroupAttendedType]:
    """The groups as the API gives them, the names of others shown to staff logged for each
    (on the basis ``people_met.groups_attended`` found when it chose whom to show)."""
    for seen in {p.seen_as for g in groups for p in g.people if p.seen_as is not None}:
        info.context.reads.note(seen, "first_name")
    return [GroupAttendedType.of(g) for g in groups]


@strawberry.input
class ActivityInput:
    kind: ActivityKindEnum
    service_id: strawberry.ID | None = None
    who: str | None = None
    accompanied_visits: int = 0
    note: str | None = None


@strawberry.input
class GoalInput:
    text: str
    expected: str = strawberry.field(description="What 'as expected' looks like at review.")
    target_date: date
    steps: list[str] = strawberry.field(default_factory=list)
    activities: list[ActivityInput] = strawberry.field(default_factory=list)


@strawberry.input
class PlanInput:
    person_id: strawberry.ID
    what_matters: str
    goals: list[GoalInput]
    review_dates: list[date] | None = strawberry.field(
        default=None, description="Default: 4, 8 and 12 weeks from today."
    )


@strawberry.input
class GoalAttainmentInput:
    goal_id: strawberry.ID
    attainment: int


@strawberry.input
class PlanReviewInput:
    plan_id: strawberry.ID
    goals: list[GoalAttainmentInput]
    ons4: list[int] = strawberry.field(
        description="Four answers 0-10: life satisfaction, worthwhile, happiness, anxiety."
    )
    note: str | None = None


@strawberry.type(name="CaseloadEntry", directives=[AS_RETURNED_POLICY])
class CaseloadEntryType:
    person_id: strawberry.ID
    first_name: str
    plan_id: strawberry.ID | None
    reasons: list[str]
    review_due: date | None
    goals_past_date: list[str]
    last_activity: str | None


async def _plan_reader(info: ContextInfo, person_id: str) -> tuple[CurrentUser, policy.Access]:
    user = access.require_staff(info.context, "link_worker", "coordinator")
    found = await person_access(info.context, user, person_id)
    require_scopes(found, SCOPE)
    return user, found


async def _plan_worker(info: ContextInfo, plan_id: str) -> tuple[CurrentUser, policy.Access]:
    """The link worker with plan consent from the plan's person; NotAllowed for a plan that
    does not exist (says nothing about it)."""
    user = access.require_staff(info.context, "link_worker")
    record = await info.context.call(plans_repo.get_plan, plan_id=plan_id)
    if record is None:
        raise NotAllowed()
    found = await person_access(info.context, user, record.plan.person_id)
    require_scopes(found, SCOPE)
    return user, found


async def _logged(
    info: ContextInfo, user: CurrentUser, found: policy.Access, record: PlanRecord
) -> PlanType:
    await log_person_read(info.context, user, found, LOGGED, [SCOPE])
    return await _plan_type(info.context, record)


async def _plan_updated(
    info: ContextInfo,
    user: CurrentUser,
    found: policy.Access,
    done: Plan | plans.PlanInvalid | plans.PlanNotOpen,
    not_open: str,
) -> PlanUpdated | InvalidPlan | PlanNotOpen:
    """The result of a change to a plan: the plan (logged as read), or why not."""
    if isinstance(done, plans.PlanInvalid):
        return InvalidPlan(field=done.field, message=done.message)
    if isinstance(done, plans.PlanNotOpen):
        return PlanNotOpen(message=not_open)
    return PlanUpdated(plan=await _logged(info, user, found, await _record(info, done)))


async def _record(info: ContextInfo, plan: Plan) -> PlanRecord:
    record = await info.context.call(plans_repo.get_plan, plan_id=plan.id)
    assert record is not None
    return record


def _drafts(goals: list[GoalInput]) -> list[plans.GoalDraft]:
    return [
        plans.GoalDraft(
            text=g.text,
            expected=g.expected,
            target_date=g.target_date,
            steps=list(g.steps),
            activities=[
                plans.ActivityDraft(
                    kind=a.kind.value,
                    service_id=str(a.service_id) if a.service_id else None,
                    who=a.who,
                    accompanied_visits=a.accompanied_visits,
                    note=a.note,
                )
                for a in g.activities
            ],
        )
        for g in goals
    ]


@strawberry.type
class PlansQuery:
    @strawberry.field(
        description="Your current support plan, or your latest (role person).",
        directives=[access.policy(PERSON_SELF)],
    )
    async def my_plan(self, info: ContextInfo) -> PlanType | None:
        user = access.require_role(info.context, "person")
        if user.person_id is None:
            raise NotAllowed()
        found = await info.context.call(plans_repo.plans_of_person, person_id=user.person_id)
        return await _plan_type(info.context, found[0]) if found else None

    @strawberry.field(
        description="A person's plans, current first then earlier ones (link workers and "
        "coordinators with the person's plan consent; logged for the person).",
        directives=[access.policy(Rule(STAFF, CONSENT, "plan"), logged=True)],
    )
    async def plans(self, info: ContextInfo, person_id: strawberry.ID) -> list[PlanType]:
        key = check_id(str(person_id), "personId")
        user, found = await _plan_reader(info, key)
        records = await info.context.call(plans_repo.plans_of_person, person_id=key)
        if records:
            await log_person_read(info.context, user, found, LOGGED, [SCOPE])
        return [await _plan_type(info.context, r) for r in records]

    @strawberry.field(
        description="The groups the person goes to (attendance from a volunteer's log or the "
        "group's report), latest first, with others there whom you may name: the person "
        "themselves, or a link worker with their plan consent (logged).",
        directives=[PERSON_OR_WORKER_WITH_PLAN_CONSENT],
    )
    async def groups_attended(
        self, info: ContextInfo, person_id: strawberry.ID
    ) -> list[GroupAttendedType]:
        key = check_id(str(person_id), "personId")
        user = await _person_or_plan_worker(info, key, GROUPS_LOGGED)
        groups = await info.context.call(people_met.groups_attended, user=user, person_id=key)
        return await _groups_read(info, user, groups)

    @strawberry.field(
        description="People to look at now, each with the reasons: reviews due this week, "
        "goals past their date, plans with nothing recorded in four weeks, loneliness getting "
        "worse with no plan (link workers; people who gave you plan or check-in consent).",
        directives=[
            access.policy(
                Rule(LINK_WORKER, CONSENT, "plan"),
                Rule(LINK_WORKER, CONSENT, "checkins"),
                logged=True,
            )
        ],
    )
    async def caseload(self, info: ContextInfo) -> list[CaseloadEntryType]:
        user = access.require_staff(info.context, "link_worker")
        grantees = [user.id] + ([user.organization_id] if user.organization_id else [])
        entries = await info.context.call(caseload_rules.caseload, grantee_ids=grantees)
        for entry in entries:
            found = await person_access(info.context, user, entry.person_id)
            await log_person_read(info.context, user, found, ["caseload"], entry.scopes_used)
        return [
            CaseloadEntryType(
                person_id=strawberry.ID(e.person_id),
                first_name=e.first_name,
                plan_id=strawberry.ID(e.plan_id) if e.plan_id else None,
                reasons=e.reasons,
                review_due=e.review_due,
                goals_past_date=e.goals_past_date,
                last_activity=iso_utc(e.last_activity) if e.last_activity else None,
            )
            for e in entries
        ]


@strawberry.type
class PlansMutation:
    @strawberry.mutation(
        description="Write a support plan with the person (link workers with the person's plan "
        "consent). One current plan per person; earlier ones are kept.",
        directives=[WORKER_WITH_PLAN_CONSENT],
    )
    async def create_plan(self, info: ContextInfo, input: PlanInput) -> CreatePlanResult:
        key = check_id(str(input.person_id), "personId")
        user = access.require_staff(info.context, "link_worker")
        found = await person_access(info.context, user, key)
        require_scopes(found, SCOPE)
        try:
            made = await info.context.call(
                plans.create_plan,
                person_id=key,
                what_matters=input.what_matters,
                goals=_drafts(input.goals),
                created_by=user.id,
                review_dates=input.review_dates,
            )
        except NotFound:
            raise NotAllowed() from None
        if isinstance(made, plans.PlanInvalid):
            return InvalidPlan(field=made.field, message=made.message)
        if isinstance(made, plans.PlanAlreadyOpen):
            return PlanAlreadyOpen(
                message="This person has a current plan: review, pause or finish it first.",
                plan_id=strawberry.ID(made.plan_id),
            )
        return PlanCreated(plan=await _logged(info, user, found, made))

    @strawberry.mutation(
        description="Review a plan with the person: how each goal went (-2..2, every goal "
        "once) and the four ONS4 answers (0-10). Link workers with plan consent.",
        directives=[WORKER_WITH_PLAN_CONSENT],
    )
    async def review_plan(self, info: ContextInfo, input: PlanReviewInput) -> ReviewPlanResult:
        plan_id = check_id(str(input.plan_id), "planId")
        user, found = await _plan_worker(info, plan_id)
        done = await info.context.call(
            plans.review_plan,
            plan_id=plan_id,
            attainments=[(str(g.goal_id), g.attainment) for g in input.goals],
            ons4=list(input.ons4),
            recorded_by=user.id,
            note=input.note,
        )
        if isinstance(done, ScoreError):
            return InvalidReview(field=done.field, message=done.message)
        if isinstance(done, plans.PlanNotOpen):
            return PlanNotOpen(message="Only an active plan can be reviewed.")
        record = await info.context.call(plans_repo.get_plan, plan_id=plan_id)
        assert record is not None
        plan = await _logged(info, user, found, record)
        return PlanReviewed(review=ReviewType.of(done), plan=plan)

    @strawberry.mutation(
        description="Pause, resume (ACTIVE), complete or end a plan; ending needs a reason.",
        directives=[WORKER_WITH_PLAN_CONSENT],
    )
    async def set_plan_status(
        self,
        info: ContextInfo,
        plan_id: strawberry.ID,
        status: PlanStatusEnum,
        reason: str | None = None,
    ) -> UpdatePlanResult:
        key = check_id(str(plan_id), "planId")
        user, found = await _plan_worker(info, key)
        done = await info.context.call(
            plans.set_status, plan_id=key, status=status.value, reason=reason
        )
        now = done.status if isinstance(done, plans.PlanNotOpen) else None
        said = f"The plan is {now}: it cannot become {status.value}."
        return await _plan_updated(info, user, found, done, said)

    @strawberry.mutation(
        description="Move the plan's review dates (from today on, in order).",
        directives=[WORKER_WITH_PLAN_CONSENT],
    )
    async def move_plan_reviews(
        self, info: ContextInfo, plan_id: strawberry.ID, dates: list[date]
    ) -> UpdatePlanResult:
        key = check_id(str(plan_id), "planId")
        user, found = await _plan_worker(info, key)
        done = await info.context.call(plans.move_reviews, plan_id=key, dates=dates)
        said = "Only a current plan's reviews can be moved."
        return await _plan_updated(info, user, found, done, said)

    @strawberry.mutation(
        description="Mark a goal of a current plan achieved or dropped (with the reason, in "
        "the person's words), or open again. Link workers with the person's plan consent.",
        directives=[WORKER_WITH_PLAN_CONSENT],
    )
    async def set_goal_status(
        self,
        info: ContextInfo,
        goal_id: strawberry.ID,
        status: GoalStatusEnum,
        reason: str | None = None,
    ) -> GoalUpdateResult:
        key = check_id(str(goal_id), "goalId")
        user = access.require_staff(info.context, "link_worker")
        owner = await info.context.call(plans_repo.goal_owner, goal_id=key)
        if owner is None:
            raise NotAllowed()
        found = await person_access(info.context, user, owner[1])
        require_scopes(found, SCOPE)
        await log_person_read(info.context, user, found, LOGGED, [SCOPE])
        done = await info.context.call(
            plans.set_goal_status, goal_id=key, status=status.value, reason=reason
        )
        if isinstance(done, plans.PlanInvalid):
            return InvalidPlan(field=done.field, message=done.message)
        if isinstance(done, plans.PlanNotOpen):
            return PlanNotOpen(message="Only goals of a current plan can change.")
        names = await _service_names(info.context, [done])
        return GoalUpdated(goal=GoalType.of(done, names, weeks.today()))

    @strawberry.mutation(
        description="Change the wording of a goal of a current plan: the person themselves, "
        "or a link worker with their plan consent.",
        directives=[PERSON_OR_WORKER_WITH_PLAN_CONSENT],
    )
    async def reword_goal(
        self, info: ContextInfo, goal_id: strawberry.ID, text: str
    ) -> GoalUpdateResult:
        key = check_id(str(goal_id), "goalId")
        access.signed_in(info.context)
        owner = await info.context.call(plans_repo.goal_owner, goal_id=key)
        if owner is None:
            raise NotAllowed()
        _, person_id = owner
        await _person_or_plan_worker(info, person_id, LOGGED)
        done = await info.context.call(
            plans.reword_goal, goal_id=key, person_id=person_id, text=text
        )
        if isinstance(done, plans.PlanInvalid):
            return InvalidPlan(field=done.field, message=done.message)
        if isinstance(done, plans.PlanNotOpen):
            return PlanNotOpen(message="Only goals of a current plan can be reworded.")
        names = await _service_names(info.context, [done])
        return GoalUpdated(goal=GoalType.of(done, names, weeks.today()))

    @strawberry.mutation(
        description="Record people the person met at a group they go to: each a new tie "
        "(met at a group) or a stronger one, with the place they met. The person themselves "
        "(people they know already), or a link worker with their plan consent.",
        directives=[PERSON_OR_WORKER_WITH_PLAN_CONSENT],
    )
    async def record_people_met(
        self, info: ContextInfo, input: PeopleMetInput
    ) -> RecordPeopleMetResult:
        key = check_id(str(input.person_id), "personId")
        service_id = check_id(str(input.service_id), "serviceId")
        met = [check_id(str(i), "metPersonIds") for i in input.met_person_ids]
        user = await _person_or_plan_worker(info, key, GROUPS_LOGGED)
        done = await info.context.call(
            people_met.record_people_met,
            person_id=key,
            service_id=service_id,
            met_ids=met,
            user=user,
        )
        if isinstance(done, plans.PlanInvalid):
            return InvalidPlan(field=done.field, message=done.message)
        if isinstance(done, people_met.NotAttended):
            return NotAttended(message="No going to this group is recorded for this person yet.")
        [group] = await _groups_read(info, user, [done])
        return PeopleMetRecorded(group=group)
