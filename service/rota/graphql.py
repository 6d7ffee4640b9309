"""GraphQL for the weekly rota: runs, their progress, gaps and reasons; run, cancel, publish.

``runRota`` answers at once with a queued run; the run is solved in a process of its own
(``service.rota.jobs``) and clients poll ``rotaRun(id)`` until its ``state`` is ``DRAFT`` (or
``FAILED``/``CANCELLED``, with ``error`` saying why).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from enum import Enum
from functools import partial
from typing import Annotated

import strawberry
from starlette.requests import HTTPConnection

from graph.models import RotaRun, utc_now
from graph.repo import organisations, rota_runs
from graph.repo.assignments import person_of_visit
from service import access
from service.access import AS_RETURNED_POLICY, CONSENT, COORDINATOR_OWN, Rule
from service.api.errors import (
    InputError,
    NotAllowed,
    check_id,
)
from service.api.errors import week_input as _week
from service.api.info import ContextInfo
from service.consent import policy
from service.context import RequestContext, off_loop
from service.rota import repair
from service.rota import runs as rota
from service.rota.jobs import RotaJobs
from service.rota.runs import ReasonNames
from service.visits import changes
from service.weeks import InvalidWeek, rota_week, today, week_label


@strawberry.type(directives=[AS_RETURNED_POLICY])
class RotaMetrics:
    visits_total: int
    visits_covered: int
    coverage: float
    need_weighted_coverage: float
    need_weighted_upper_bound: float
    continuity_share: float
    new_circle_members: int
    travel_km: float
    solve_seconds: float


@strawberry.type(directives=[AS_RETURNED_POLICY])
class RotaAssignment:
    visit_id: strawberry.ID
    volunteer_id: strawberry.ID
    start: str
    reasons: list[str]


@strawberry.type(directives=[AS_RETURNED_POLICY])
class RotaGap:
    visit_id: strawberry.ID
    reasons: list[str]


@strawberry.enum(description="Where a rota run is: waiting, being solved, or how it ended.")
class RotaRunState(Enum):
    QUEUED = "queued"
    RUNNING = "running"
    DRAFT = "draft"
    PUBLISHED = "published"
    SUPERSEDED = "superseded"
    FAILED = "failed"
    CANCELLED = "cancelled"


RUN_POLICY = access.policy(COORDINATOR_OWN)
REASONS_POLICY = access.policy(
    COORDINATOR_OWN,
    Rule(("coordinator",), CONSENT, "needs", when="what reasons say of a person's needs"),
    logged=True,
)


@strawberry.type(name="RotaRun", directives=[RUN_POLICY])
class RotaRunType:
    id: strawberry.ID
    week: str
    status: str = strawberry.field(
        description="queued, running, draft, published, superseded (another run of its week "
        "was published after it), failed or cancelled (as ``state``)."
    )
    solver_status: str
    created_at: str
    published_at: str | None
    metrics: RotaMetrics | None
    assignments: list[RotaAssignment] = strawberry.field(
        description="Who holds which visit, and why; what a reason says of a person's needs "
        "(languages, gender preference) only with their needs consent. People named are "
        "logged.",
        directives=[REASONS_POLICY],
    )
    gaps: list[RotaGap] = strawberry.field(
        description="Visits left uncovered, and why (as assignments).",
        directives=[REASONS_POLICY],
    )
    csv_url: str
    state: RotaRunState
    started_at: str | None = strawberry.field(description="When solving began.")
    finished_at: str | None = strawberry.field(
        description="When it became a draft, failed or was cancelled."
    )
    time_limit_seconds: float | None = strawberry.field(
        description="The time the solver was given."
    )
    progress: str | None = strawberry.field(
        description="While it runs: what the solver is doing, in its words."
    )
    visits_total: int | None = strawberry.field(
        description="Visits of the week to cover (known once the week is planned)."
    )
    visits_covered: int | None = strawberry.field(
        description="While it runs, the most visits a rota found so far covers (when the "
        "solver says); for a draft, the visits it covers."
    )
    error: str | None = strawberry.field(
        description="Why the run failed or was cancelled, in plain words."
    )

    @classmethod
    def of(
        cls,
        run: RotaRun,
        reasons: ReasonNames | None = None,
        needs_shown: frozenset[str] = frozenset(),
    ) -> RotaRunType:
        """The run; ids in its reasons replaced by first names from ``reasons``; what they say
        of a person's needs only for the people in ``needs_shown``."""
        words = reasons or ReasonNames(names={}, people=frozenset())
        solution = json.loads(run.solution or "{}")
        metrics = solution.get("metrics")
        person_of = rota.people_of_visits(run)

        def said(visit_id: str, given: list[str]) -> list[str]:
            shown = words.with_first_names(given)
            if person_of.get(visit_id) not in needs_shown:
                shown = rota.without_needs(shown)
            return shown

        return cls(
            id=strawberry.ID(run.id),
            week=week_label(run.week_start),
            status=run.status,
            solver_status=str(solution.get("status", "")),
            created_at=run.created_at.isoformat(),
            published_at=run.published_at.isoformat() if run.published_at else None,
            metrics=RotaMetrics(**metrics) if metrics else None,
            assignments=[
                RotaAssignment(
                    visit_id=strawberry.ID(a["visit"]),
                    volunteer_id=strawberry.ID(a["volunteer"]),
                    start=a["start"],
                    reasons=said(a["visit"], a.get("reasons", [])),
                )
                for a in solution.get("assignments", [])
            ],
            gaps=[
                RotaGap(
                    visit_id=strawberry.ID(u["visit"]),
                    reasons=said(u["visit"], u.get("reasons", [])),
                )
                for u in solution.get("unassigned", [])
            ],
            csv_url=f"/rota/{run.id}.csv",
            state=RotaRunState(run.status),
            started_at=run.started_at.isoformat() if run.started_at else None,
            finished_at=run.finished_at.isoformat() if run.finished_at else None,
            time_limit_seconds=run.time_limit_s,
            progress=run.progress,
            visits_total=run.visits_total,
            visits_covered=run.visits_covered,
            error=run.error,
        )


@strawberry.type(directives=[AS_RETURNED_POLICY])
class RotaPublished:
    run: RotaRunType
    proposed: int


@strawberry.type(directives=[AS_RETURNED_POLICY])
class RotaNotPublished:
    message: str


PublishResult = Annotated[RotaPublished | RotaNotPublished, strawberry.union("PublishResult")]


@strawberry.type(directives=[AS_RETURNED_POLICY])
class RotaRunCancelled:
    run: RotaRunType


@strawberry.type(directives=[AS_RETURNED_POLICY])
class RotaRunNotCancelled:
    message: str
    state: RotaRunState | None = strawberry.field(
        description="The run's state (one that has ended), or null when there is no such run."
    )


CancelResult = Annotated[
    RotaRunCancelled | RotaRunNotCancelled, strawberry.union("CancelRotaRunResult")
]

RUN_TIME_LIMIT_MAX = 120.0
CANCELLED_BY_COORDINATOR = "cancelled by a coordinator"


def _jobs(context: RequestContext) -> RotaJobs:
    """This server process's rota jobs (started and stopped with the app)."""
    request = context.request
    assert isinstance(request, HTTPConnection)
    jobs: RotaJobs = request.app.state.rota_jobs
    return jobs


async def _run_types(context: RequestContext, runs: list[RotaRun]) -> list[RotaRunType]:
    """Runs as shown to a coordinator: the ids in their reasons replaced by first names (the
    people's names read this way go to their access log, as arranging visits); what the
    reasons say of a person's needs only with their needs consent (logged as ``languages``)."""
    names = await context.call(rota.names_in_reasons, runs=runs)
    people = sorted(names.people | {p for run in runs for p in rota.people_of_visits(run).values()})
    found = dict(zip(people, await context.loaders.person_access.load_many(people), strict=True))
    for person_id in sorted(names.people):
        if found[person_id].allows(policy.PERSON_FIELDS["first_name"]):
            context.reads.note(found[person_id], "first_name")
    needs_shown = frozenset(p for p, a in found.items() if a.allows("needs"))
    for person_id in sorted(needs_shown):
        context.reads.note(found[person_id], "languages")
    return [RotaRunType.of(run, names, needs_shown) for run in runs]


async def _own_run(context: RequestContext, run_id: str) -> RotaRun | None:
    """The run when it is the caller's organisation's rota, else None (not found)."""
    user = access.require_staff(context, "coordinator")
    run = await context.call(rota.get_rota_run, run_id=run_id)
    if run is None or run.organization_id != user.organization_id:
        return None
    return run


@strawberry.type
class RotaQuery:
    @strawberry.field(
        description="Your organisation's rota runs, newest first, optionally of one week "
        "(coordinators).",
        directives=[access.policy(COORDINATOR_OWN, logged=True)],
    )
    async def rota_runs(self, info: ContextInfo, week: str | None = None) -> list[RotaRunType]:
        user = access.require_staff(info.context, "coordinator")
        monday = _week(week) if week is not None else None
        runs = await info.context.call(
            rota.list_rota_runs, week_start=monday, organization_id=access.organization_of(user)
        )
        return await _run_types(info.context, runs)

    @strawberry.field(
        description="One of your organisation's rota runs (coordinators); null for another's.",
        directives=[access.policy(COORDINATOR_OWN, logged=True)],
    )
    async def rota_run(self, info: ContextInfo, id: strawberry.ID) -> RotaRunType | None:
        run = await _own_run(info.context, check_id(str(id), "id"))
        return (await _run_types(info.context, [run]))[0] if run else None


@strawberry.type
class RotaMutation:
    @strawberry.mutation(
        description="Start a rota run for a week: answers at once with the queued run, which "
        "is solved in a process of its own. Poll rotaRun(id) until its state is DRAFT "
        "(or FAILED, CANCELLED). It is your organisation's rota: the people it supports and the "
        "volunteers who volunteer with it.",
        directives=[access.policy(COORDINATOR_OWN)],
    )
    async def run_rota(
        self, info: ContextInfo, week: str, time_limit_seconds: float = 10.0
    ) -> RotaRunType:
        user = access.require_staff(info.context, "coordinator")
        try:
            monday = rota_week(week, horizon_weeks=info.context.settings.rota_horizon_weeks)
        except InvalidWeek as error:
            raise InputError(str(error)) from None
        if not 0.5 <= time_limit_seconds <= RUN_TIME_LIMIT_MAX:
            raise InputError(
                f"timeLimitSeconds: expected 0.5..{RUN_TIME_LIMIT_MAX:g}, got {time_limit_seconds}"
            )
        jobs = _jobs(info.context)
        run = await off_loop(
            partial(
                jobs.submit,
                week_start=monday,
                time_limit=time_limit_seconds,
                organization_id=access.organization_of(user),
            )
        )
        return RotaRunType.of(run)

    @strawberry.mutation(
        description="Cancel a queued or running rota run: its solving process is stopped and "
        "the run marked CANCELLED.",
        directives=[access.policy(COORDINATOR_OWN)],
    )
    async def cancel_rota_run(self, info: ContextInfo, id: strawberry.ID) -> CancelResult:
        run_id = check_id(str(id), "id")
        if await _own_run(info.context, run_id) is None:
            return RotaRunNotCancelled(message=f"id: no rota run with id {run_id!r}", state=None)
        moved = await info.context.call(
            rota_runs.cancel_rota_run, run_id=run_id, at=utc_now(), reason=CANCELLED_BY_COORDINATOR
        )
        if moved.run is None:
            return RotaRunNotCancelled(message=f"id: no rota run with id {run_id!r}", state=None)
        if not moved.ok:
            return RotaRunNotCancelled(
                message=f"id: rota run {run_id!r} has finished ({moved.run.status})",
                state=RotaRunState(moved.run.status),
            )
        # Solved here: stop it now. Solved by another server process: that one sees the cancel
        # in the graph within a second and stops it.
        await off_loop(partial(_jobs(info.context).stop, run_id))
        return RotaRunCancelled(run=RotaRunType.of(moved.run))

    @strawberry.mutation(
        description="Publish a draft of your organisation's: volunteers see their proposed visits.",
        directives=[access.policy(COORDINATOR_OWN, logged=True)],
    )
    async def publish_rota(self, info: ContextInfo, run_id: strawberry.ID) -> PublishResult:
        run_key = check_id(str(run_id), "runId")
        if await _own_run(info.context, run_key) is None:
            return RotaNotPublished(message=f"runId: no rota run with id {run_key!r}")
        try:
            published = await info.context.call(rota.publish_rota, run_id=run_key)
        except rota.RotaError as error:
            return RotaNotPublished(message=str(error))
        shown = (await _run_types(info.context, [published.run]))[0]
        return RotaPublished(run=shown, proposed=published.proposed)


# --- changes to a published week -----------------------------------------------------------


@strawberry.type(directives=[AS_RETURNED_POLICY])
class ReplacementVolunteer:
    id: strawberry.ID
    first_name: str


@strawberry.type(directives=[AS_RETURNED_POLICY])
class Replacement:
    volunteer: ReplacementVolunteer
    start: str = strawberry.field(description="The time they would go (HH:MM).")
    in_circle: bool = strawberry.field(description="In a circle that supports the person.")
    distance_km: float
    reasons: list[str]


@strawberry.type(directives=[AS_RETURNED_POLICY])
class VisitReassigned:
    visit_id: strawberry.ID
    volunteer_id: strawberry.ID
    start: str
    rules_broken: list[str] = strawberry.field(
        description="Rules the volunteer breaks on this visit (only when forced)."
    )


@strawberry.type(directives=[AS_RETURNED_POLICY])
class ReassignRefused:
    message: str
    rules_broken: list[str] = strawberry.field(
        description="The rules the volunteer would break; assign with force to override."
    )


ReassignResult = Annotated[
    VisitReassigned | ReassignRefused, strawberry.union("ReassignVisitResult")
]


@strawberry.type(directives=[AS_RETURNED_POLICY])
class VisitReopened:
    visit_id: strawberry.ID


@strawberry.type(directives=[AS_RETURNED_POLICY])
class VisitNotReopened:
    message: str


ReopenResult = Annotated[VisitReopened | VisitNotReopened, strawberry.union("ReopenVisitResult")]


@strawberry.type(directives=[AS_RETURNED_POLICY])
class MarkedAway:
    visit_ids: list[strawberry.ID] = strawberry.field(
        description="The visits affected: needing cover (a volunteer away) or cancelled (a "
        "person away)."
    )


@strawberry.type(directives=[AS_RETURNED_POLICY])
class VolunteerChangeType:
    volunteer_id: strawberry.ID
    first_name: str
    added: int = strawberry.field(description="Visits newly proposed to them.")
    withdrawn: int = strawberry.field(description="Proposed visits they would lose.")


@strawberry.type(directives=[AS_RETURNED_POLICY])
class PublishPreviewType:
    run: RotaRunType
    live_run: RotaRunType | None = strawberry.field(
        description="The run of the week published now (publishing replaces it), or null."
    )
    changes: list[VolunteerChangeType]


_REASSIGN_MESSAGES = {
    "missing": "visitId: no such visit, or volunteerId: no such volunteer",
    "closed": "This visit is no longer waiting for a volunteer (done, missed or cancelled).",
    "held": "This volunteer already has this visit.",
    "covered": "Another volunteer has accepted this visit.",
    "not_eligible": "This volunteer may not take this visit.",
}


async def _own_person(info: ContextInfo, person_id: str) -> None:
    """NotAllowed unless the coordinator's organisation supports the person."""
    user = access.require_staff(info.context, "coordinator")
    ours = await info.context.call(
        organisations.person_ids_of, organization_id=access.organization_of(user)
    )
    if person_id not in ours:
        raise NotAllowed()


async def _own_visit(info: ContextInfo, visit_id: str) -> None:
    """NotAllowed unless the visit is for a person the coordinator's organisation supports."""
    person_id = await info.context.call(person_of_visit, visit_id=visit_id)
    if person_id is None:
        raise InputError(f"visitId: no visit with id {visit_id!r}")
    await _own_person(info, person_id)


async def _own_volunteer(info: ContextInfo, volunteer_id: str) -> None:
    """NotAllowed unless the volunteer volunteers with the coordinator's organisation."""
    user = access.require_staff(info.context, "coordinator")
    ours = await info.context.call(
        organisations.volunteers_with,
        volunteer_id=volunteer_id,
        organization_id=access.organization_of(user),
    )
    if not ours:
        raise NotAllowed()


def _day(value: str, name: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(f"{name}: expected a day like 2026-11-24, got {value!r}") from None


@strawberry.type
class RepairQuery:
    @strawberry.field(
        directives=[access.policy(COORDINATOR_OWN)],
        description="Who could take a visit instead, best first: circle members, then by "
        "distance and how much each already does this week; the rest of the week kept as it "
        "is (coordinators).",
    )
    async def replacements_for(
        self, info: ContextInfo, visit_id: strawberry.ID, first: int = 5
    ) -> list[Replacement]:
        user = access.require_staff(info.context, "coordinator")
        key = check_id(str(visit_id), "visitId")
        if not 1 <= first <= 50:
            raise InputError(f"first: expected 1..50, got {first}")
        await _own_visit(info, key)
        ours = await info.context.call(
            organisations.volunteer_ids_of, organization_id=access.organization_of(user)
        )
        found = await info.context.call(repair.replacements_for, visit_ids=[key], first=50)
        return [
            Replacement(
                volunteer=ReplacementVolunteer(
                    id=strawberry.ID(c.volunteer_id), first_name=c.first_name
                ),
                start=c.start,
                in_circle=c.in_circle,
                distance_km=c.distance_km,
                reasons=c.reasons,
            )
            for c in [c for c in found.get(key, []) if c.volunteer_id in ours][:first]
        ]

    @strawberry.field(
        directives=[access.policy(COORDINATOR_OWN)],
        description="The rules a volunteer would break on a visit (empty: none), for assigning "
        "by hand (coordinators).",
    )
    async def rules_broken_by(
        self, info: ContextInfo, visit_id: strawberry.ID, volunteer_id: strawberry.ID
    ) -> list[str]:
        access.require_staff(info.context, "coordinator")
        visit_key = check_id(str(visit_id), "visitId")
        volunteer_key = check_id(str(volunteer_id), "volunteerId")
        await _own_visit(info, visit_key)
        await _own_volunteer(info, volunteer_key)
        judged = await info.context.call(
            repair.judge, visit_id=visit_key, volunteer_id=volunteer_key
        )
        if judged is None:
            raise InputError(_REASSIGN_MESSAGES["missing"])
        return judged.broken

    @strawberry.field(
        directives=[access.policy(COORDINATOR_OWN)],
        description="What publishing a draft would change: the run live now and whose "
        "proposed visits would change (coordinators).",
    )
    async def publish_preview(self, info: ContextInfo, run_id: strawberry.ID) -> PublishPreviewType:
        access.require_staff(info.context, "coordinator")
        run_key = check_id(str(run_id), "runId")
        try:
            preview = await info.context.call(rota.publish_preview, run_id=run_key)
        except rota.RotaError as error:
            raise InputError(str(error)) from None
        shown = await _run_types(
            info.context, [preview.run] + ([preview.live] if preview.live else [])
        )
        return PublishPreviewType(
            run=shown[0],
            live_run=shown[1] if preview.live else None,
            changes=[
                VolunteerChangeType(
                    volunteer_id=strawberry.ID(c.volunteer_id),
                    first_name=c.first_name,
                    added=c.added,
                    withdrawn=c.withdrawn,
                )
                for c in preview.changes
            ],
        )

    @strawberry.field(
        directives=[access.policy(COORDINATOR_OWN)],
        description="The week the coordinator's page opens on: this week if it has gaps from "
        "today on, else the first coming week not yet published or with gaps (coordinators).",
    )
    async def next_week_needing_work(self, info: ContextInfo) -> str:
        access.require_staff(info.context, "coordinator")
        monday = await info.context.call(rota.next_week_needing_work, on=today())
        return week_label(monday)


@strawberry.type
class RepairMutation:
    @strawberry.mutation(
        directives=[access.policy(COORDINATOR_OWN)],
        description="Give a visit to a volunteer (proposed to them; they accept or decline). "
        "Refused with the rules they would break unless force is true. The volunteer and the "
        "person are told (coordinators).",
    )
    async def reassign_visit(
        self,
        info: ContextInfo,
        visit_id: strawberry.ID,
        volunteer_id: strawberry.ID,
        force: bool = False,
    ) -> ReassignResult:
        access.require_staff(info.context, "coordinator")
        visit_key = check_id(str(visit_id), "visitId")
        volunteer_key = check_id(str(volunteer_id), "volunteerId")
        await _own_visit(info, visit_key)
        await _own_volunteer(info, volunteer_key)
        done = await info.context.call(
            changes.reassign_visit, visit_id=visit_key, volunteer_id=volunteer_key, force=force
        )
        if done.outcome == "done" and done.start is not None:
            return VisitReassigned(
                visit_id=strawberry.ID(visit_key),
                volunteer_id=strawberry.ID(volunteer_key),
                start=done.start,
                rules_broken=done.broken,
            )
        return ReassignRefused(message=_REASSIGN_MESSAGES[done.outcome], rules_broken=done.broken)

    @strawberry.mutation(
        directives=[access.policy(COORDINATOR_OWN)],
        description="Open a visit that needs cover for any eligible volunteer to claim "
        "(coordinators).",
    )
    async def reopen_visit(self, info: ContextInfo, visit_id: strawberry.ID) -> ReopenResult:
        access.require_staff(info.context, "coordinator")
        key = check_id(str(visit_id), "visitId")
        await _own_visit(info, key)
        reopened = await info.context.call(changes.reopen_visit, visit_id=key)
        if reopened is None:
            return VisitNotReopened(message=f"visitId: no visit with id {key!r}")
        if not reopened.ok:
            return VisitNotReopened(
                message=f"This visit is {reopened.status}, not waiting for cover."
            )
        return VisitReopened(visit_id=strawberry.ID(key))

    @strawberry.mutation(
        directives=[access.policy(COORDINATOR_OWN)],
        description="A volunteer cannot visit from one day to another (both included): what "
        "they hold then needs cover (coordinators).",
    )
    async def mark_volunteer_away(
        self,
        info: ContextInfo,
        volunteer_id: strawberry.ID,
        from_date: str,
        to_date: str,
        reason: str | None = None,
    ) -> MarkedAway:
        return await _mark_away(info, VOLUNTEER_AWAY, str(volunteer_id), from_date, to_date, reason)

    @strawberry.mutation(
        directives=[access.policy(COORDINATOR_OWN)],
        description="A person cannot be visited from one day to another (both included): "
        "their visits then are cancelled and their volunteers told (coordinators).",
    )
    async def mark_person_away(
        self,
        info: ContextInfo,
        person_id: strawberry.ID,
        from_date: str,
        to_date: str,
        reason: str | None = None,
    ) -> MarkedAway:
        return await _mark_away(info, PERSON_AWAY, str(person_id), from_date, to_date, reason)


@dataclass(frozen=True)
class _Away:
    """Who can be marked away: the id's field name, how the coordinator's organisation is
    checked to have them, the use-case, its keyword for the id, and what they are called."""

    field: str
    own: Callable[[ContextInfo, str], Awaitable[None]]
    mark: Callable[..., list[str] | None]
    keyword: str
    words: str


VOLUNTEER_AWAY = _Away(
    "volunteerId", _own_volunteer, changes.volunteer_away, "volunteer_id", "volunteer"
)
PERSON_AWAY = _Away("personId", _own_person, changes.person_away, "person_id", "person")


async def _mark_away(
    info: ContextInfo,
    who: _Away,
    raw_id: str,
    from_date: str,
    to_date: str,
    reason: str | None,
) -> MarkedAway:
    """Mark the volunteer or person ``raw_id`` away (``who`` says which), for a coordinator of
    an organisation that has them; an input error naming the field for a bad id or dates."""
    access.require_staff(info.context, "coordinator")
    key = check_id(raw_id, who.field)
    await who.own(info, key)
    first, last = _day(from_date, "fromDate"), _day(to_date, "toDate")
    mark = partial(who.mark, **{who.keyword: key})
    try:
        visits = await info.context.call(mark, first=first, last=last, reason=reason)
    except changes.ChangeError as error:
        raise InputError(str(error).replace("to:", "toDate:", 1)) from None
    if visits is None:
        raise InputError(f"{who.field}: no {who.words} with id {key!r}")
    return MarkedAway(visit_ids=[strawberry.ID(v) for v in visits])
