"""GraphQL for the weekly rota: runs, their progress, gaps and reasons; run, cancel, publish.

``runRota`` answers at once with a queued run; the run is solved in a process of its own
(``service.rota.jobs``) and clients poll ``rotaRun(id)`` until its ``state`` is ``DRAFT`` (or
``FAILED``/``CANCELLED``, with ``error`` saying why).
"""

from __future__ import annotations

import json
from enum import Enum
from functools import partial
from typing import Annotated

import strawberry
from starlette.requests import HTTPConnection

from graph.models import RotaRun, utc_now
from graph.repo import rota_runs
from service import access
from service.access import AS_RETURNED_POLICY, CONSENT, COORDINATOR_OWN, Rule
from service.api.errors import (
    InputError,
    check_id,
)
from service.api.errors import week_input as _week
from service.api.info import ContextInfo
from service.consent import policy
from service.context import RequestContext, off_loop
from service.rota import runs as rota
from service.rota.jobs import RotaJobs
from service.rota.runs import ReasonNames
from service.weeks import week_label


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
        description="queued, running, draft, published, failed or cancelled (as ``state``)."
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
        monday = _week(week)
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
