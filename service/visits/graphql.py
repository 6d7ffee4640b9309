"""GraphQL for a volunteer's visits (open visits, claim, accept, decline, log, their week) and
the coordinator's list of a week's visits.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from enum import Enum
from typing import Annotated, Any

import strawberry

from graph.models import AccessLogEntry, iso_utc, utc_now
from graph.repo import services as services_repo
from graph.repo.access_log import append_access
from graph.repo.visits import list_organization_week_visits
from graph.repo.volunteer_visits import Change, get_visit_with_person
from service import access
from service.access import (
    AS_RETURNED_POLICY,
    CONSENT,
    COORDINATOR_OWN,
    HOLDER,
    STAFF_OWN,
    VOLUNTEER_SELF,
    Rule,
    may_see_address,
)
from service.api.errors import (
    InputError,
    NotAllowed,
    check_id,
)
from service.api.errors import week_input as _week
from service.api.info import ContextInfo
from service.api.paging import Connection, check_first, connection, decode_cursor
from service.config import (
    NOTE_MAX,
)
from service.consent import policy
from service.context import RequestContext
from service.visits import changes, claims
from service.visits.my_week import my_visits
from service.visits.open_visits import open_visits_awaited
from service.weeks import monday_of, today, visit_date, week_label

# Open visits and claims: a volunteer of an organisation that supports the person, eligible to
# hold the visit (first name and area shown, logged).
IN_BOUNDS_AND_ELIGIBLE = Rule(
    ("volunteer",), HOLDER, when="of their organisations' people, eligible to hold the visit"
)


@strawberry.enum
class VisitOutcome(Enum):
    DONE = "done"
    MISSED = "missed"


@strawberry.type(directives=[AS_RETURNED_POLICY])
class VisitVolunteer:
    volunteer_id: strawberry.ID
    first_name: str
    status: str = strawberry.field(
        description="proposed, accepted, declined, done, missed, cancelled (gave it up) or "
        "withdrawn (the proposal was taken back)"
    )
    note: str | None = strawberry.field(default=None, description="Their note on the visit.")
    reason: str | None = strawberry.field(
        default=None, description="Why they cancelled, in their words."
    )
    at: str | None = strawberry.field(default=None, description="When the status last changed.")
    claimed: bool = strawberry.field(
        default=False, description="They claimed the visit while it was open."
    )


@strawberry.type(
    description="A group a volunteer goes along to with the person.",
    directives=[AS_RETURNED_POLICY],
)
class GoingAlong:
    name: str
    description: str
    area: str | None
    lat: float | None
    lon: float | None


VISIT_POLICY = access.policy(COORDINATOR_OWN, VOLUNTEER_SELF)


@strawberry.type(name="Visit", directives=[VISIT_POLICY])
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
    my_status: str | None = strawberry.field(
        description="Your assignment on this visit (volunteers): proposed, accepted, done..."
    )
    note: str | None = strawberry.field(description="Your note when you logged the visit.")
    distance_km: float | None = None
    correctable_until: str | None = strawberry.field(
        default=None,
        description="Until when you may still correct your log of this visit (volunteers).",
    )
    changed_at: str | None = strawberry.field(
        default=None,
        description="When the visit last changed after its week was published (a cancellation, "
        "a reassignment); null when it is as published.",
    )
    area_id: strawberry.Private[str | None] = None
    area_name: strawberry.Private[str | None] = None  # when already known (open visits)
    full_address: strawberry.Private[str | None] = None
    week_start: strawberry.Private[str] = ""
    person_id: strawberry.Private[str | None] = None  # set where staff see the visit
    # The visit's person, for the access log of a volunteer's address read (any visit).
    visit_person_id: strawberry.Private[str | None] = None
    service_id: strawberry.Private[str | None] = None
    first_name: strawberry.Private[str] = ""
    # Why a volunteer is shown the person (OFFERED, CLAIMED): the person's first name and area,
    # each time returned, are then noted for their access log (staff's reads are noted by the
    # list that returns them).
    shown_as: strawberry.Private[str | None] = None

    def _shown(self, info: ContextInfo, name: str) -> None:
        if self.shown_as is not None and self.visit_person_id is not None:
            info.context.reads.note_as(self.visit_person_id, name, self.shown_as)

    @strawberry.field(
        directives=[
            access.policy(
                STAFF_OWN,
                Rule(
                    ("volunteer",),
                    HOLDER,
                    when="or an open visit of their organisations' people they may take",
                ),
                logged=True,
            )
        ]
    )
    def person_first_name(self, info: ContextInfo) -> str:
        self._shown(info, "first_name")
        return self.first_name

    @strawberry.field(
        description="Going along with the person to a group their plan names (the first "
        "times they go): where to meet and what it is; null for a visit at home."
    )
    async def going_along_to(self, info: ContextInfo) -> GoingAlong | None:
        if self.service_id is None:
            return None
        found = await info.context.call(
            services_repo.list_services_by_id, service_ids=[self.service_id]
        )
        if not found:
            return None
        service = found[0]
        return GoingAlong(
            name=service.name,
            description=service.description,
            area=await info.context.loaders.area_of(service.area_id),
            lat=service.lat,
            lon=service.lon,
        )

    @strawberry.field(description="The approximate area (ward) the person lives in.")
    def area(self, info: ContextInfo) -> str | None:
        # Not ``async``: when the name is known, no coroutine and no task per visit (a page of
        # open visits is 20 of them); otherwise the loader's future, which GraphQL awaits.
        if self.area_id is None:
            return None
        self._shown(info, "area")
        if self.area_name is not None:
            return self.area_name
        return info.context.loaders.area_name.load(self.area_id)  # type: ignore[return-value]

    @strawberry.field(
        description="The person's address: staff with the person's contact consent (as the "
        "person's own address field, logged); a volunteer only for a visit they hold, from "
        "the start of its day (each time written to the person's access log).",
        directives=[
            access.policy(
                Rule(("coordinator",), CONSENT, "contact"),
                Rule(("volunteer",), HOLDER, when="from the start of the visit's day"),
                logged=True,
            )
        ],
    )
    async def address(self, info: ContextInfo) -> str | None:
        user = info.context.user
        if user is None:
            return None
        if user.role == "volunteer":
            allowed = may_see_address(
                user, my_status=self.my_status, week_start=self.week_start, day=self.day
            )
            if not allowed or self.full_address is None or self.visit_person_id is None:
                return None
            return await _logged_address(
                info.context, self.visit_person_id, str(self.id), self.full_address
            )
        if self.person_id is None or self.full_address is None:
            return None
        found = await info.context.loaders.person_access.load(self.person_id)
        if not found.allows(policy.PERSON_FIELDS["address"]):
            return None
        info.context.reads.note(found, "address")
        return self.full_address

    @strawberry.field(
        description="Who is on the visit (coordinators only; empty otherwise).",
        directives=[access.policy(COORDINATOR_OWN)],
    )
    async def volunteers(self, info: ContextInfo) -> list[VisitVolunteer]:
        user = info.context.user
        if user is None or user.role != "coordinator" or self.person_id is None:
            return []
        rows = await info.context.loaders.assignments.load(str(self.id))
        return [
            VisitVolunteer(
                volunteer_id=strawberry.ID(r["volunteer_id"]),
                first_name=r["first_name"],
                status=r["status"],
                note=r.get("note"),
                reason=r.get("reason"),
                at=r.get("at"),
                claimed=bool(r.get("claimed")),
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
        person_id: str | None = None,
        logged_at: str | None = None,
        shown_as: str | None = None,
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
            first_name=person_first_name,
            shown_as=shown_as,
            my_status=my_status,
            note=note,
            distance_km=distance_km,
            changed_at=props.get("changed_at"),
            correctable_until=(
                iso_utc(datetime.fromisoformat(logged_at) + claims.CORRECTION_WINDOW)
                if logged_at
                else None
            ),
            area_id=area_id,
            area_name=area_name,
            full_address=address,
            week_start=week_start,
            person_id=person_id,
            visit_person_id=props.get("person_id"),
            service_id=props.get("service_id"),
        )


@strawberry.type(directives=[AS_RETURNED_POLICY])
class VisitClaimed:
    visit: VisitType


@strawberry.type(directives=[AS_RETURNED_POLICY])
class VisitUnavailable:
    message: str


@strawberry.type(directives=[AS_RETURNED_POLICY])
class NotEligible:
    reasons: list[str]


@strawberry.type(directives=[AS_RETURNED_POLICY])
class VisitAccepted:
    visit: VisitType


@strawberry.type(directives=[AS_RETURNED_POLICY])
class VisitDeclined:
    visit_id: strawberry.ID
    message: str


@strawberry.type(directives=[AS_RETURNED_POLICY])
class VisitLogged:
    visit: VisitType


ClaimResult = Annotated[
    VisitClaimed | VisitUnavailable | NotEligible, strawberry.union("ClaimResult")
]

AcceptResult = Annotated[VisitAccepted | VisitUnavailable, strawberry.union("AcceptResult")]

DeclineResult = Annotated[VisitDeclined | VisitUnavailable, strawberry.union("DeclineResult")]

LogResult = Annotated[VisitLogged | VisitUnavailable, strawberry.union("LogResult")]


@strawberry.type(directives=[AS_RETURNED_POLICY])
class VisitCancelled:
    visit_id: strawberry.ID
    message: str


CancelResult = Annotated[VisitCancelled | VisitUnavailable, strawberry.union("CancelVisitResult")]


@strawberry.type(directives=[AS_RETURNED_POLICY])
class DaysCancelled:
    visit_ids: list[strawberry.ID] = strawberry.field(description="The visits given up.")
    message: str


def _day_input(value: str, name: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(f"{name}: expected a day like 2026-11-24, got {value!r}") from None


VISITING = "visiting: the volunteer holding the visit, on its day"
# Why a volunteer is shown a person's first name and area with an open visit offered to them, a
# visit they claimed, or one proposed to or held by them: what the person's access log says of
# each read (VisitType.shown_as).
OFFERED = "open visits: offered to a volunteer of an organisation that supports them"
CLAIMED = "claimed visit: the volunteer who claimed it"
HOLDING = "their visits: the volunteer the visit is proposed to or held by"


async def _logged_address(
    context: RequestContext, person_id: str, visit_id: str, address: str
) -> str:
    """The address, once its reading by the volunteer holding the visit is in the person's
    access log (a failure to log fails the field: no unlogged read)."""
    user = context.user
    assert user is not None
    entry = AccessLogEntry(
        id=f"access-{uuid.uuid4().hex[:16]}",
        at=utc_now(),
        actor_user_id=user.id,
        person_id=person_id,
        purpose=f"{VISITING} ({visit_id})",
        fields=["address", "postcode"],
    )
    await context.call(append_access, entry=entry)
    return address


def _address(row: dict[str, Any]) -> str | None:
    return ", ".join(p for p in (row.get("address"), row.get("postcode")) if p) or None


async def _visit_for(context: RequestContext, visit_id: str, volunteer_id: str) -> VisitType:
    row = await context.call(get_visit_with_person, visit_id=visit_id, volunteer_id=volunteer_id)
    assert row is not None, f"visit {visit_id} went missing after a change to it"
    return VisitType.of(
        row["v"],
        person_first_name=row["first_name"],
        area_id=row["area_id"],
        my_status=row["my_status"],
        note=row["note"],
        address=_address(row),
        shown_as=HOLDING,
    )


class _ClaimsInFlight:
    """A claim of a visit that another claim in this process is already deciding waits for
    that one's answer, then decides for itself, as a claim arriving after it would: when the
    first filled the visit, the waiting claim's read finds it taken (or, for a volunteer of
    another organisation, not theirs to claim: "Not allowed", so a race says nothing about a
    visit outside the volunteer's organisations) and it writes nothing.

    Not for correctness -- the guarded claim statement decides, across processes -- but for
    the graph and the waiting: when many volunteers claim one visit at once, every claim that
    read "open" before the winner wrote would send its own write, and FalkorDB runs writes one
    after another, each holding up every read. Here a race of 32 costs one claim statement per
    server process, and each loser one read."""

    def __init__(self) -> None:
        self._deciding: dict[str, asyncio.Future[None]] = {}

    async def claim(
        self, key: str, decide: Callable[[], Awaitable[claims.ClaimResult]]
    ) -> claims.ClaimResult:
        first = self._deciding.get(key)
        if first is not None:
            await asyncio.shield(first)
            return await decide()
        decided: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._deciding[key] = decided
        try:
            return await decide()
        finally:
            del self._deciding[key]
            decided.set_result(None)  # answered or failed: the waiting claims decide now


_claims = _ClaimsInFlight()


def _unavailable(change: Change | None) -> VisitUnavailable:
    if change is None:
        return VisitUnavailable(message="This visit is not one of yours.")
    return VisitUnavailable(
        message=f"This visit is {change.status} for you, so that cannot be done now."
    )


@strawberry.type
class VisitsQuery:
    @strawberry.field(
        description="The visits of a week to people your organisation supports, in id order "
        "(coordinators). First names are logged for each person (arranging visits); addresses "
        "only with the person's contact consent, logged.",
        directives=[access.policy(COORDINATOR_OWN, logged=True)],
    )
    async def visits(
        self, info: ContextInfo, week: str, first: int | None = 50, after: str | None = None
    ) -> Connection[VisitType]:
        user = access.require_staff(info.context, "coordinator")
        monday = _week(week)
        first = check_first(first)
        rows = await info.context.call(
            list_organization_week_visits,
            organization_id=access.organization_of(user),
            week_start=monday,
            after=decode_cursor(after),
            limit=first + 1,
        )
        shown = rows[:first]
        found = await info.context.loaders.person_access.load_many(
            sorted({r["person_id"] for r in shown})
        )
        for person_access in found:
            if person_access.allows(policy.PERSON_FIELDS["first_name"]):
                info.context.reads.note(person_access, "first_name")
        nodes = [
            VisitType.of(
                r["v"],
                person_first_name=r["first_name"],
                area_id=r["area_id"],
                address=_address(r),
                person_id=r["person_id"],
            )
            for r in shown
        ]
        return connection(nodes, [str(n.id) for n in nodes], len(rows) > first)

    @strawberry.field(
        description="Open visits you are eligible for, soonest first (volunteers).",
        directives=[access.policy(IN_BOUNDS_AND_ELIGIBLE, logged=True)],
    )
    async def open_visits(
        self, info: ContextInfo, first: int | None = 20, after: str | None = None
    ) -> Connection[VisitType]:
        volunteer_id = access.require_volunteer(info.context)
        first = check_first(first, 20)
        found, has_next = await open_visits_awaited(
            store=info.context.store,
            volunteer_id=volunteer_id,
            first=first,
            after=decode_cursor(after),
            max_age=info.context.settings.open_visits_max_age_s,
        )
        nodes = [
            VisitType.of(
                {
                    "id": v.id,
                    "week_start": v.week_start,
                    "day": v.day,
                    "earliest": v.earliest,
                    "latest": v.latest,
                    "duration_minutes": v.duration_minutes,
                    "status": "open",
                    "person_id": v.person_id,
                },
                person_first_name=v.person_first_name,
                shown_as=OFFERED,
                area_id=v.area_id,
                area_name=v.area_name,
                start=v.start,
                end=v.end,
                distance_km=v.distance_km,
            )
            for v in found
        ]
        return connection(nodes, [v.key for v in found], has_next)

    @strawberry.field(
        description="Your proposed, accepted and logged visits (volunteers).",
        directives=[access.policy(VOLUNTEER_SELF)],
    )
    async def my_visits(self, info: ContextInfo, week: str | None = None) -> list[VisitType]:
        volunteer_id = access.require_volunteer(info.context)
        monday = _week(week) if week is not None else monday_of(today())
        rows = await info.context.call(
            my_visits, volunteer_id=volunteer_id, from_week=monday, weeks=1 if week else 4
        )
        return [
            VisitType.of(
                r["v"],
                person_first_name=r["person_first_name"],
                area_id=r["area_id"],
                my_status=r["my_status"],
                shown_as=HOLDING,
                note=r["note"],
                address=_address(r),
                logged_at=r.get("logged_at"),
            )
            for r in rows
        ]


@strawberry.type
class VisitsMutation:
    @strawberry.mutation(
        description="Claim an open visit; the first valid claim wins.",
        directives=[access.policy(IN_BOUNDS_AND_ELIGIBLE, logged=True)],
    )
    async def claim_visit(self, info: ContextInfo, visit_id: strawberry.ID) -> ClaimResult:
        volunteer_id = access.require_volunteer(info.context)
        key = check_id(str(visit_id), "visitId")
        result = await _claims.claim(
            key,
            lambda: claims.claim_visit_awaited(
                store=info.context.store, visit_id=key, volunteer_id=volunteer_id
            ),
        )
        if result.outcome == "not_allowed":
            raise NotAllowed(result.message)
        if result.outcome == "claimed":
            row = result.visit
            return VisitClaimed(
                visit=VisitType.of(
                    row["v"] | {"status": result.visit_status, "person_id": row["person_id"]},
                    person_first_name=row["first_name"],
                    shown_as=f"{CLAIMED} ({key})",
                    area_id=row["area_id"],
                    my_status="accepted",
                    address=_address(row),
                    start=result.start,
                )
            )
        if result.outcome == "not_eligible":
            return NotEligible(reasons=result.reasons)
        return VisitUnavailable(message=result.message)

    @strawberry.mutation(
        description="Accept a visit proposed to you.",
        directives=[access.policy(Rule(("volunteer",), HOLDER))],
    )
    async def accept_visit(self, info: ContextInfo, visit_id: strawberry.ID) -> AcceptResult:
        volunteer_id = access.require_volunteer(info.context)
        key = check_id(str(visit_id), "visitId")
        change = await info.context.call(
            claims.accept_visit, visit_id=key, volunteer_id=volunteer_id
        )
        if change is None or not change.ok:
            return _unavailable(change)
        return VisitAccepted(visit=await _visit_for(info.context, key, volunteer_id))

    @strawberry.mutation(
        description="Decline a proposed or accepted visit; it becomes open. (To give up an "
        "accepted visit so the coordinator finds someone else and the person is told, use "
        "cancelVisit.)",
        directives=[access.policy(Rule(("volunteer",), HOLDER))],
    )
    async def decline_visit(self, info: ContextInfo, visit_id: strawberry.ID) -> DeclineResult:
        volunteer_id = access.require_volunteer(info.context)
        key = check_id(str(visit_id), "visitId")
        change = await info.context.call(
            claims.decline_visit, visit_id=key, volunteer_id=volunteer_id
        )
        if change is None or not change.ok:
            return _unavailable(change)
        return VisitDeclined(
            visit_id=strawberry.ID(key), message="Declined; the visit is open to others now."
        )

    @strawberry.mutation(
        description="Give up a visit you hold (proposed or accepted, today or later), with a "
        "reason: the coordinator finds someone else and the person is told.",
        directives=[access.policy(Rule(("volunteer",), HOLDER))],
    )
    async def cancel_visit(
        self, info: ContextInfo, visit_id: strawberry.ID, reason: str | None = None
    ) -> CancelResult:
        volunteer_id = access.require_volunteer(info.context)
        key = check_id(str(visit_id), "visitId")
        try:
            cancelled = await info.context.call(
                changes.cancel_visit, visit_id=key, volunteer_id=volunteer_id, reason=reason
            )
        except changes.ChangeError as error:
            raise InputError(str(error)) from None
        if cancelled is None:
            return VisitUnavailable(message="This visit is not one of yours.")
        if not cancelled.ok:
            return VisitUnavailable(
                message=f"This visit is {cancelled.status} for you, or in the past, so it "
                "cannot be cancelled."
            )
        return VisitCancelled(
            visit_id=strawberry.ID(key),
            message="Cancelled. Your coordinator will find someone else; the person is told.",
        )

    @strawberry.mutation(
        description="You cannot visit from one day to another (both included): every visit you "
        "hold then is given up with the reason, and you are offered nothing on those days.",
        directives=[access.policy(VOLUNTEER_SELF)],
    )
    async def cancel_my_days(
        self, info: ContextInfo, from_date: str, to_date: str, reason: str | None = None
    ) -> DaysCancelled:
        volunteer_id = access.require_volunteer(info.context)
        first, last = _day_input(from_date, "fromDate"), _day_input(to_date, "toDate")
        try:
            given_up = await info.context.call(
                changes.volunteer_away,
                volunteer_id=volunteer_id,
                first=first,
                last=last,
                reason=reason,
            )
        except changes.ChangeError as error:
            raise InputError(str(error).replace("to:", "toDate:", 1)) from None
        visits = given_up or []
        return DaysCancelled(
            visit_ids=[strawberry.ID(v) for v in visits],
            message=f"Noted: away {first.isoformat()} to {last.isoformat()}; "
            f"{len(visits)} visit(s) given up.",
        )

    @strawberry.mutation(
        description="Log an accepted visit as done or missed, with a note; or correct the log "
        "within a day.",
        directives=[access.policy(Rule(("volunteer",), HOLDER))],
    )
    async def log_visit(
        self,
        info: ContextInfo,
        visit_id: strawberry.ID,
        outcome: VisitOutcome,
        note: str | None = None,
    ) -> LogResult:
        volunteer_id = access.require_volunteer(info.context)
        key = check_id(str(visit_id), "visitId")
        if note is not None and len(note) > NOTE_MAX:
            raise InputError(f"note: expected at most {NOTE_MAX} characters, got {len(note)}")
        change = await info.context.call(
            claims.log_visit,
            visit_id=key,
            volunteer_id=volunteer_id,
            outcome=outcome.value,
            note=note.strip() if note else None,
        )
        if change is not None and not change.started:
            return VisitUnavailable(message="This visit has not started yet: log it once it has.")
        if change is None or not change.ok:
            return _unavailable(change)
        return VisitLogged(visit=await _visit_for(info.context, key, volunteer_id))
