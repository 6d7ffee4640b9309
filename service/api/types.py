"""GraphQL object types. Thin: fields, plus the few checks a field needs (address, circle)."""

from __future__ import annotations

import json
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import strawberry
from strawberry.types import Info

from graph.models import Person, RotaRun, Volunteer, Window, iso_utc
from service import consent
from service.access import may_see_address
from service.api.errors import NotAllowed
from service.rota import ReasonNames
from service.weeks import visit_date, week_label

if TYPE_CHECKING:
    from service.context import RequestContext

    ContextInfo = Info[RequestContext, None]
else:
    ContextInfo = Info

T = TypeVar("T")


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


@strawberry.enum
class CheckInScale(Enum):
    UCLA3 = "UCLA3"
    ONS1 = "ONS1"
    DJG6 = "DJG6"


@strawberry.type(name="CheckIn")
class CheckInType:
    id: strawberry.ID
    at: str
    scale: CheckInScale
    answers: list[int]
    score: int
    loneliness: float = strawberry.field(description="0 (least) .. 1 (most lonely).")
    note: str | None

    @classmethod
    def of(cls, check_in: Any) -> CheckInType:
        return cls(
            id=strawberry.ID(check_in.id),
            at=iso_utc(check_in.at),
            scale=CheckInScale(check_in.scale),
            answers=list(check_in.answers),
            score=check_in.score,
            loneliness=check_in.loneliness,
            note=check_in.note,
        )


@strawberry.type
class VisitNote:
    visit_id: strawberry.ID
    date: str
    volunteer_first_name: str
    note: str
    at: str | None


async def _may_read(info: ContextInfo, person_id: str, field: str) -> bool:
    """Whether the caller may see ``field`` of the person now (service.consent decides: the
    arranging-visits basis first, without a query; grants, loaded in one batch per request, when
    the field needs a scope). A field given is noted for the access log."""
    context = info.context
    scope = consent.PERSON_FIELDS[field]
    found = consent.basis(context.user, person_id)
    if not found.allows(scope):
        found = await context.loaders.person_access.load(person_id)
        if not found.allows(scope):
            return False
    context.reads.note(found, field)
    return True


async def _given(info: ContextInfo, person_id: str, field: str, value: T) -> T | None:
    return value if await _may_read(info, person_id, field) else None


async def _required(info: ContextInfo, person_id: str, field: str, value: T) -> T:
    if not await _may_read(info, person_id, field):
        raise NotAllowed()
    return value


@strawberry.type(
    name="Person",
    description="Someone your organisation supports. Name, area, visit pattern and circle are "
    "there for arranging visits (coordinators and link workers); contact details, needs, "
    "check-ins and visit notes only while the person has a consent in force for them, null "
    "otherwise. Every field you are given is written to the person's access log.",
)
class PersonType:
    id: strawberry.ID
    record: strawberry.Private[Person]

    @strawberry.field
    async def first_name(self, info: ContextInfo) -> str:
        return await _required(info, self.record.id, "first_name", self.record.first_name)

    @strawberry.field
    async def last_name(self, info: ContextInfo) -> str:
        return await _required(info, self.record.id, "last_name", self.record.last_name)

    @strawberry.field(description="The approximate area (ward) the person lives in.")
    async def area(self, info: ContextInfo) -> str | None:
        if self.record.area_id is None:
            return None
        await _required(info, self.record.id, "area", None)
        return await info.context.loaders.area_name.load(self.record.area_id)

    @strawberry.field
    async def visits_per_week(self, info: ContextInfo) -> int:
        value = self.record.visits_per_week
        return await _required(info, self.record.id, "visits_per_week", value)

    @strawberry.field
    async def visit_minutes(self, info: ContextInfo) -> int:
        return await _required(info, self.record.id, "visit_minutes", self.record.visit_minutes)

    @strawberry.field(description="The weekly times the person would like visits in.")
    async def visit_windows(self, info: ContextInfo) -> list[TimeWindow]:
        windows = [_window(w) for w in self.record.visit_windows]
        return await _required(info, self.record.id, "visit_windows", windows)

    @strawberry.field(description="The volunteers in the person's care circle.")
    async def circle(self, info: ContextInfo) -> list[CircleMember]:
        await _required(info, self.record.id, "circle", None)
        rows = await info.context.loaders.circle.load(self.record.id)
        return [
            CircleMember(
                volunteer_id=strawberry.ID(r["volunteer_id"]),
                first_name=r["first_name"],
                since=r["since"],
            )
            for r in rows
        ]

    @strawberry.field(description="Address and postcode (consent: contact).")
    async def address(self, info: ContextInfo) -> str | None:
        record = self.record
        full = ", ".join(part for part in (record.address, record.postcode) if part) or None
        return await _given(info, record.id, "address", full)

    @strawberry.field(description="Consent: contact.")
    async def phone(self, info: ContextInfo) -> str | None:
        return await _given(info, self.record.id, "phone", self.record.phone)

    @strawberry.field(description="0..1, from check-ins; more need, more support (consent: needs).")
    async def need(self, info: ContextInfo) -> float | None:
        return await _given(info, self.record.id, "need", self.record.need)

    @strawberry.field(description="Recent change in need, -1..1 (consent: needs).")
    async def need_trend(self, info: ContextInfo) -> float | None:
        return await _given(info, self.record.id, "need_trend", self.record.need_trend)

    @strawberry.field(description="Consent: needs.")
    async def languages(self, info: ContextInfo) -> list[str] | None:
        return await _given(info, self.record.id, "languages", list(self.record.languages))

    @strawberry.field(description="Consent: needs.")
    async def access_needs(self, info: ContextInfo) -> list[str] | None:
        value = list(self.record.access_needs)
        return await _given(info, self.record.id, "access_needs", value)

    @strawberry.field(description="Loneliness check-ins, oldest first (consent: checkins).")
    async def check_ins(self, info: ContextInfo) -> list[CheckInType] | None:
        if not await _may_read(info, self.record.id, "check_ins"):
            return None
        found = await info.context.loaders.check_ins.load(self.record.id)
        return [CheckInType.of(c) for c in found]

    @strawberry.field(
        description="Volunteers' notes from visits, newest first (consent: visit_notes)."
    )
    async def visit_notes(self, info: ContextInfo) -> list[VisitNote] | None:
        if not await _may_read(info, self.record.id, "visit_notes"):
            return None
        rows = await info.context.loaders.visit_notes.load(self.record.id)
        return [
            VisitNote(
                visit_id=strawberry.ID(r["visit_id"]),
                date=visit_date(r["week_start"], int(r["day"])).isoformat(),
                volunteer_first_name=r["volunteer_first_name"],
                note=r["note"],
                at=r["at"],
            )
            for r in rows
        ]

    @classmethod
    def of(cls, person: Person) -> PersonType:
        return cls(id=strawberry.ID(person.id), record=person)


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
    area_name: strawberry.Private[str | None] = None  # when already known (open visits)
    full_address: strawberry.Private[str | None] = None
    week_start: strawberry.Private[str] = ""

    @strawberry.field(description="The approximate area (ward) the person lives in.")
    def area(self, info: ContextInfo) -> str | None:
        # Not ``async``: when the name is known, no coroutine and no task per visit (a page of
        # open visits is 20 of them); otherwise the loader's future, which GraphQL awaits.
        if self.area_id is None or self.area_name is not None:
            return self.area_name
        return info.context.loaders.area_name.load(self.area_id)  # type: ignore[no-any-return]

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
        area_name: str | None = None,
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
            area_name=area_name,
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
