"""GraphQL for the weekly rota: runs, their gaps and reasons, run and publish."""

from __future__ import annotations

import json
from typing import Annotated

import strawberry

from graph.models import RotaRun
from service import access
from service.api.errors import (
    InputError,
    check_id,
)
from service.api.errors import week_input as _week
from service.api.info import ContextInfo
from service.consent import policy
from service.context import RequestContext
from service.rota import runs as rota
from service.rota.runs import ReasonNames
from service.weeks import week_label


@strawberry.type
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


@strawberry.type
class RotaAssignment:
    visit_id: strawberry.ID
    volunteer_id: strawberry.ID
    start: str
    reasons: list[str]


@strawberry.type
class RotaGap:
    visit_id: strawberry.ID
    reasons: list[str]


@strawberry.type(name="RotaRun")
class RotaRunType:
    id: strawberry.ID
    week: str
    status: str
    solver_status: str
    created_at: str
    published_at: str | None
    metrics: RotaMetrics | None
    assignments: list[RotaAssignment]
    gaps: list[RotaGap]
    csv_url: str

    @classmethod
    def of(cls, run: RotaRun, reasons: ReasonNames | None = None) -> RotaRunType:
        """The run; ids in its reasons replaced by first names from ``reasons``."""
        words = reasons or ReasonNames(names={}, people=frozenset())
        solution = json.loads(run.solution or "{}")
        metrics = solution.get("metrics")
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
                    reasons=words.readable(a.get("reasons", [])),
                )
                for a in solution.get("assignments", [])
            ],
            gaps=[
                RotaGap(
                    visit_id=strawberry.ID(u["visit"]),
                    reasons=words.readable(u.get("reasons", [])),
                )
                for u in solution.get("unassigned", [])
            ],
            csv_url=f"/rota/{run.id}.csv",
        )


@strawberry.type
class RotaPublished:
    run: RotaRunType
    proposed: int


@strawberry.type
class RotaNotPublished:
    message: str


PublishResult = Annotated[RotaPublished | RotaNotPublished, strawberry.union("PublishResult")]

RUN_TIME_LIMIT_MAX = 120.0


async def _run_types(context: RequestContext, runs: list[RotaRun]) -> list[RotaRunType]:
    """Runs as shown to a coordinator: the ids in their reasons replaced by first names (the
    people's names read this way go to their access log, as arranging visits)."""
    names = await context.call(rota.names_in_reasons, runs=runs)
    for person_id in sorted(names.people):
        context.reads.note(policy.basis(context.user, person_id), "first_name")
    return [RotaRunType.of(run, names) for run in runs]


@strawberry.type
class RotaQuery:
    @strawberry.field(description="Rota runs, newest first, optionally of one week (coordinators).")
    async def rota_runs(self, info: ContextInfo, week: str | None = None) -> list[RotaRunType]:
        access.require_staff(info.context, "coordinator")
        monday = _week(week) if week is not None else None
        runs = await info.context.call(rota.list_rota_runs, week_start=monday)
        return await _run_types(info.context, runs)

    @strawberry.field(description="One rota run (coordinators).")
    async def rota_run(self, info: ContextInfo, id: strawberry.ID) -> RotaRunType | None:
        access.require_staff(info.context, "coordinator")
        run = await info.context.call(rota.get_rota_run, run_id=check_id(str(id), "id"))
        return (await _run_types(info.context, [run]))[0] if run else None


@strawberry.type
class RotaMutation:
    @strawberry.mutation(description="Build, solve and store a draft rota for a week.")
    async def run_rota(
        self, info: ContextInfo, week: str, time_limit_seconds: float = 10.0
    ) -> RotaRunType:
        access.require_staff(info.context, "coordinator")
        monday = _week(week)
        if not 0.5 <= time_limit_seconds <= RUN_TIME_LIMIT_MAX:
            raise InputError(
                f"timeLimitSeconds: expected 0.5..{RUN_TIME_LIMIT_MAX:g}, got {time_limit_seconds}"
            )
        run = await info.context.call(
            rota.run_rota, week_start=monday, time_limit=time_limit_seconds
        )
        return (await _run_types(info.context, [run]))[0]

    @strawberry.mutation(description="Publish a draft: volunteers see their proposed visits.")
    async def publish_rota(self, info: ContextInfo, run_id: strawberry.ID) -> PublishResult:
        access.require_staff(info.context, "coordinator")
        run_key = check_id(str(run_id), "runId")
        try:
            published = await info.context.call(rota.publish_rota, run_id=run_key)
        except rota.RotaError as error:
            return RotaNotPublished(message=str(error))
        shown = (await _run_types(info.context, [published.run]))[0]
        return RotaPublished(run=shown, proposed=published.proposed)
