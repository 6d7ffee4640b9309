"""GraphQL object types. Thin: fields, plus the few checks a field needs (address, circle)."""

from __future__ import annotations

import json
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.types import Info

from graph.models import Person, RotaRun, Volunteer, Window
from service.access import may_see_address
from service.weeks import visit_date, week_label

if TYPE_CHECKING:
    from service.context import RequestContext

    ContextInfo = Info[RequestContext, None]
else:
    ContextInfo = Info


@strawberry.enum
class Role(Enum):
    coordinator = "coordinator"
    link_worker = "link_worker"
    volunteer = "volunteer"
    person = "person"
    admin = "admin"


@strawberry.enum
class VisitOutcome(Enum):
    DONE = "done"
    MISSED = "missed"


@strawberry.type
class TimeWindow:
    day: int
    start: str
    end: str


def _window(window: Window) -> TimeWindow:
    return TimeWindow(day=window.day, start=window.start, end=window.end)


@strawberry.type
class CircleMember:
    volunteer_id: strawberry.ID
    first_name: str
    since: str | None


@strawberry.type(name="Person")
class PersonType:
    id: strawberry.ID
    first_name: str
    last_name: str
    need: float
    visits_per_week: int
    visit_minutes: int
    visit_windows: list[TimeWindow]
    area_id: strawberry.Private[str | None]
    full_address: strawberry.Private[str | None]

    @strawberry.field
    async def area(self, info: ContextInfo) -> str | None:
        if self.area_id is None:
            return None
        return await info.context.loaders.area_name.load(self.area_id)

    @strawberry.field(description="Coordinators, and the person themselves; null for others.")
    def address(self, info: ContextInfo) -> str | None:
        user = info.context.user
        if user is None:
            return None
        if user.role == "coordinator" and user.organization_id is not None:
            return self.full_address
        if user.role == "person" and user.person_id == str(self.id):
            return self.full_address
        return None

    @strawberry.field(description="The volunteers in the person's care circle.")
    async def circle(self, info: ContextInfo) -> list[CircleMember]:
        rows = await info.context.loaders.circle.load(str(self.id))
        return [
            CircleMember(
                volunteer_id=strawberry.ID(r["volunteer_id"]),
                first_name=r["first_name"],
                since=r["since"],
            )
            for r in rows
        ]

    @classmethod
    def of(cls, person: Person) -> PersonType:
        address = ", ".join(part for part in (person.address, person.postcode) if part) or None
        return cls(
            id=strawberry.ID(person.id),
            first_name=person.first_name,
            last_name=person.last_name,
            need=person.need,
            visits_per_week=person.visits_per_week,
            visit_minutes=person.visit_minutes,
            visit_windows=[
                TimeWindow(day=w.day, start=w.start, end=w.end) for w in person.visit_windows
            ],
            area_id=person.area_id,
            full_address=address,
        )


@strawberry.type(name="Volunteer")
class VolunteerType:
    id: strawberry.ID
    first_name: str
    last_name: str
    checked: bool
    max_km: float
    max_minutes: int
    languages: list[str]
    availability: list[TimeWindow]
    area_id: strawberry.Private[str | None]

    @strawberry.field
    async def area(self, info: ContextInfo) -> str | None:
        if self.area_id is None:
            return None
        return await info.context.loaders.area_name.load(self.area_id)

    @classmethod
    def of(cls, volunteer: Volunteer) -> VolunteerType:
        return cls(
            id=strawberry.ID(volunteer.id),
            first_name=volunteer.first_name,
            last_name=volunteer.last_name,
            checked=volunteer.checked,
            max_km=volunteer.max_km,
            max_minutes=volunteer.max_minutes,
            languages=volunteer.languages,
            availability=[
                TimeWindow(day=w.day, start=w.start, end=w.end) for w in volunteer.availability
            ],
            area_id=volunteer.area_id,
        )


@strawberry.type
class VisitVolunteer:
    volunteer_id: strawberry.ID
    first_name: str
    status: str


@strawberry.type(name="Visit")
class VisitType:
    id: strawberry.ID
    week: str
    date: str
    day: int
    start: str | None
    end: str | None
    earliest: str
    latest: str
    duration_minutes: int
    status: str
    person_first_name: str
    my_status: str | None = strawberry.field(
        description="Your assignment on this visit (volunteers): proposed, accepted, done..."
    )
    note: str | None = strawberry.field(description="Your note when you logged the visit.")
    distance_km: float | None = None
    area_id: strawberry.Private[str | None] = None
    full_address: strawberry.Private[str | None] = None
    week_start: strawberry.Private[str] = ""

    @strawberry.field(description="The approximate area (ward) the person lives in.")
    async def area(self, info: ContextInfo) -> str | None:
        if self.area_id is None:
            return None
        return await info.context.loaders.area_name.load(self.area_id)

    @strawberry.field(
        description="Coordinators; a volunteer only for a visit they hold, on its day."
    )
    def address(self, info: ContextInfo) -> str | None:
        allowed = may_see_address(
            info.context.user, my_status=self.my_status, week_start=self.week_start, day=self.day
        )
        return self.full_address if allowed else None

    @strawberry.field(description="Who is on the visit (coordinators only; empty otherwise).")
    async def volunteers(self, info: ContextInfo) -> list[VisitVolunteer]:
        user = info.context.user
        if user is None or user.role != "coordinator" or user.organization_id is None:
            return []
        rows = await info.context.loaders.assignments.load(str(self.id))
        return [
            VisitVolunteer(
                volunteer_id=strawberry.ID(r["volunteer_id"]),
                first_name=r["first_name"],
                status=r["status"],
            )
            for r in rows
        ]

    @classmethod
    def of(
        cls,
        props: dict[str, Any],
        *,
        person_first_name: str,
        area_id: str | None,
        my_status: str | None = None,
        note: str | None = None,
        address: str | None = None,
        start: str | None = None,
        end: str | None = None,
        distance_km: float | None = None,
    ) -> VisitType:
        week_start = str(props["week_start"])
        begin = start or props.get("start")
        finish = end
        if finish is None and begin is not None:
            hours, mins = begin.split(":")
            total = int(hours) * 60 + int(mins) + int(props["duration_minutes"])
            finish = f"{total // 60:02d}:{total % 60:02d}"
        day_date = visit_date(week_start, int(props["day"]))
        return cls(
            id=strawberry.ID(props["id"]),
            week=week_label(day_date),
            date=day_date.isoformat(),
            day=int(props["day"]),
            start=begin,
            end=finish,
            earliest=props["earliest"],
            latest=props["latest"],
            duration_minutes=int(props["duration_minutes"]),
            status=props.get("status", "open"),
            person_first_name=person_first_name,
            my_status=my_status,
            note=note,
            distance_km=distance_km,
            area_id=area_id,
            full_address=address,
            week_start=week_start,
        )


@strawberry.type
class Me:
    id: strawberry.ID
    email: str
    role: Role
    organization_id: strawberry.ID | None
    volunteer: VolunteerType | None
    person: PersonType | None
    calendar_url: str | None = strawberry.field(
        description="A private link to your accepted visits as iCalendar (volunteers)."
    )


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
    def of(cls, run: RotaRun) -> RotaRunType:
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
                    reasons=a.get("reasons", []),
                )
                for a in solution.get("assignments", [])
            ],
            gaps=[
                RotaGap(visit_id=strawberry.ID(u["visit"]), reasons=u.get("reasons", []))
                for u in solution.get("unassigned", [])
            ],
            csv_url=f"/rota/{run.id}.csv",
        )


# Typed results for expected failures (API_CONTRACT.md).


@strawberry.type
class VisitClaimed:
    visit: VisitType


@strawberry.type
class VisitUnavailable:
    message: str


@strawberry.type
class NotEligible:
    reasons: list[str]


@strawberry.type
class VisitAccepted:
    visit: VisitType


@strawberry.type
class VisitDeclined:
    visit_id: strawberry.ID
    message: str


@strawberry.type
class VisitLogged:
    visit: VisitType


@strawberry.type
class SignedIn:
    token: str
    expires_at: str
    me: Me


@strawberry.type
class SignInFailed:
    message: str


@strawberry.type
class RotaPublished:
    run: RotaRunType
    proposed: int


@strawberry.type
class RotaNotPublished:
    message: str


ClaimResult = Annotated[
    VisitClaimed | VisitUnavailable | NotEligible, strawberry.union("ClaimResult")
]
AcceptResult = Annotated[VisitAccepted | VisitUnavailable, strawberry.union("AcceptResult")]
DeclineResult = Annotated[VisitDeclined | VisitUnavailable, strawberry.union("DeclineResult")]
LogResult = Annotated[VisitLogged | VisitUnavailable, strawberry.union("LogResult")]
SignInResult = Annotated[SignedIn | SignInFailed, strawberry.union("SignInResult")]
PublishResult = Annotated[RotaPublished | RotaNotPublished, strawberry.union("PublishResult")]
