"""GraphQL for the relational features: check-ins and alerts, services and connections, consent,
and the person's own view. Merged into the schema's Query and Mutation (service/api/schema.py).

Personal data of a person is read here only through ``service.consent.policy``: the person sees all of
their own record; anyone else sees what a grant in force covers (deny by default), and every such
read is written to the access log with the fields read.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import Enum
from typing import Annotated, Any

import strawberry

from graph.models import Person, Referral, Service, iso_utc, utc_now
from graph.repo import checkins as checkins_repo
from graph.repo import people as people_repo
from graph.repo import referrals as referrals_repo
from graph.repo import services as services_repo
from graph.repo.alerts import StoredAlert
from graph.repo.errors import AlreadyExists, NotFound
from graph.repo.records import from_properties
from service import access
from service.api.errors import InputError, NotAllowed, check_id
from service.api.paging import Connection, check_first, connection, decode_cursor
from service.api.types import (
    CheckInScale,
    CheckInType,
    ContextInfo,
    Role,
    TimeWindow,
    VisitNote,
)
from service.connections.suggestions import (
    MAX_SUGGESTIONS,
    record_referral_outcome,
    refer_to_service,
    suggest_connections,
)
from service.consent import my_data
from service.consent import policy as consent
from service.context import CurrentUser, RequestContext
from service.weeks import monday_of, today, visit_date
from service.wellbeing import checkins
from service.wellbeing.scales import ScaleError

NOTE_MAX = 500
ALERTS_FIRST_MAX = 100

SERVICES_BY_ID = "MATCH (n:Service) WHERE n.id IN $ids RETURN properties(n) AS n"

# Fields of PersonRecord and the consent scope each needs (None: any grant in force).
FIELD_SCOPES: dict[str, str | None] = {
    "firstName": None,
    "lastName": None,
    "area": None,
    "address": "contact",
    "postcode": "contact",
    "phone": "contact",
    "dateOfBirth": "contact",
    "need": "needs",
    "needTrend": "needs",
    "languages": "needs",
    "interests": "needs",
    "accessNeeds": "needs",
    "genderPreference": "needs",
    "visitWindows": "needs",
    "visitsPerWeek": "needs",
    "visitMinutes": "needs",
    "checkIns": "checkins",
    "visitNotes": "visit_notes",
}
SUGGESTION_FIELDS = ("access_needs", "interests", "location", "relationships", "visit_windows")


def _slug(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name)


@strawberry.enum
class ConsentScope(Enum):
    CONTACT = "contact"
    NEEDS = "needs"
    CHECKINS = "checkins"
    VISIT_NOTES = "visit_notes"


@strawberry.enum
class ReferralOutcome(Enum):
    ATTENDED = "attended"
    DECLINED = "declined"
    NOT_SUITABLE = "not_suitable"


# ---- Types -----------------------------------------------------------------------------------


@strawberry.type(description="A person's record; parts outside your consent are null.")
class PersonRecord:
    id: strawberry.ID
    first_name: str | None = None
    last_name: str | None = None
    area_id: strawberry.Private[str | None] = None
    address: str | None = None
    postcode: str | None = None
    phone: str | None = None
    date_of_birth: str | None = None
    need: float | None = None
    need_trend: float | None = None
    languages: list[str] | None = None
    interests: list[str] | None = None
    access_needs: list[str] | None = None
    gender_preference: str | None = None
    visit_windows: list[TimeWindow] | None = None
    visits_per_week: int | None = None
    visit_minutes: int | None = None
    check_ins: list[CheckInType] | None = None
    visit_notes: list[VisitNote] | None = None

    @strawberry.field
    async def area(self, info: ContextInfo) -> str | None:
        if self.area_id is None:
            return None
        return await info.context.loaders.area_name.load(self.area_id)


@strawberry.type
class CheckInPerson:
    id: strawberry.ID
    need: float | None = strawberry.field(
        description="Only for the person and those with consent to see needs."
    )


@strawberry.type
class CheckInRecorded:
    check_in: CheckInType
    person: CheckInPerson
    alert_reasons: list[str]


@strawberry.type
class InvalidAnswers:
    field: str
    message: str


CheckInResult = Annotated[CheckInRecorded | InvalidAnswers, strawberry.union("CheckInResult")]


@strawberry.input
class CheckInInput:
    person_id: strawberry.ID | None = None
    visit_id: strawberry.ID | None = strawberry.field(
        default=None, description="A visit you held (volunteers): the check-in is its person's."
    )
    scale: CheckInScale
    answers: list[int]
    note: str | None = None


@strawberry.type(description="Who dealt with an alert.")
class AlertAcknowledger:
    role: Role = strawberry.field(description="The role they acted in.")
    name: str = strawberry.field(
        description="Who they are, in words: role, organisation and email (as a person's "
        "access log names who looked), or 'a former link worker' once they are no longer a user."
    )


@strawberry.type(
    name="Alert",
    description="Why a person's link worker should look at them now. Open until a link "
    "worker or coordinator says they have dealt with it (acknowledgeAlert).",
)
class AlertType:
    id: strawberry.ID
    person_id: strawberry.ID
    person_first_name: str
    at: str
    reasons: list[str]
    check_in_id: strawberry.ID
    acknowledged_at: str | None = strawberry.field(
        default=None, description="When it was dealt with; null while it is open."
    )
    acknowledged_by: AlertAcknowledger | None = None
    note: str | None = strawberry.field(
        default=None, description="What the one who dealt with it did, in their words."
    )

    @strawberry.field
    def reason(self) -> str:
        return "; ".join(self.reasons)

    @classmethod
    def of(cls, alert: StoredAlert) -> AlertType:
        by = None
        if (who := alert.acknowledged_by) is not None:
            name = my_data.who_in_words(who.role, who.email, who.organization)
            by = AlertAcknowledger(role=Role(who.role), name=name)
        return cls(
            id=strawberry.ID(alert.id),
            person_id=strawberry.ID(alert.person_id),
            person_first_name=alert.person_first_name,
            at=alert.at,
            reasons=alert.reasons,
            check_in_id=strawberry.ID(alert.check_in_id),
            acknowledged_at=alert.acknowledged_at,
            acknowledged_by=by,
            note=alert.note,
        )


@strawberry.type
class AlertAcknowledged:
    alert: AlertType
    earlier_alerts: int = strawberry.field(
        description="Earlier open alerts about the same person that this closed too."
    )


@strawberry.type
class AlertAlreadyAcknowledged:
    message: str = strawberry.field(description="Who dealt with it and when, in words.")
    alert: AlertType


@strawberry.type
class AlertNotFound:
    message: str


AcknowledgeAlertResult = Annotated[
    AlertAcknowledged | AlertAlreadyAcknowledged | AlertNotFound,
    strawberry.union("AcknowledgeAlertResult"),
]


@strawberry.type(name="Service")
class ServiceType:
    id: strawberry.ID
    name: str
    description: str
    category: str
    cost: str
    accessibility: list[str]
    url: str | None
    phone: str | None
    area_id: strawberry.Private[str | None] = None

    @strawberry.field
    async def area(self, info: ContextInfo) -> str | None:
        if self.area_id is None:
            return None
        return await info.context.loaders.area_name.load(self.area_id)

    @classmethod
    def of(cls, service: Service) -> ServiceType:
        return cls(
            id=strawberry.ID(service.id),
            name=service.name,
            description=service.description,
            category=service.category,
            cost=service.cost,
            accessibility=list(service.accessibility),
            url=service.url,
            phone=service.phone,
            area_id=service.area_id,
        )


@strawberry.type
class Suggestion:
    service: ServiceType
    score: float
    distance_km: float | None
    reasons: list[str]


@strawberry.type(name="Referral")
class ReferralType:
    id: strawberry.ID
    person_id: strawberry.ID
    service_id: strawberry.ID
    service_name: str | None
    status: str
    note: str | None
    created_at: str
    updated_at: str | None

    @classmethod
    def of(cls, referral: Referral, service_name: str | None = None) -> ReferralType:
        return cls(
            id=strawberry.ID(referral.id),
            person_id=strawberry.ID(referral.person_id),
            service_id=strawberry.ID(referral.service_id),
            service_name=service_name,
            status=referral.status,
            note=referral.note,
            created_at=iso_utc(referral.created_at),
            updated_at=iso_utc(referral.updated_at) if referral.updated_at else None,
        )


@strawberry.type
class ReferralMade:
    referral: ReferralType


@strawberry.type(name="ConsentGrant")
class GrantType:
    id: strawberry.ID
    grantee_id: strawberry.ID
    grantee_kind: str
    grantee_name: str
    purpose: str
    scopes: list[ConsentScope]
    created_at: str
    expires_at: str
    revoked_at: str | None
    active: bool

    @classmethod
    def of(cls, grant: Any, grantee_name: str = "") -> GrantType:
        return cls(
            id=strawberry.ID(grant.id),
            grantee_id=strawberry.ID(grant.grantee_id),
            grantee_kind=grant.grantee_kind,
            grantee_name=grantee_name or grant.grantee_id,
            purpose=grant.purpose,
            scopes=[ConsentScope(s) for s in grant.scopes],
            created_at=iso_utc(grant.created_at),
            expires_at=iso_utc(grant.expires_at),
            revoked_at=iso_utc(grant.revoked_at) if grant.revoked_at else None,
            active=grant.is_active(utc_now()),
        )


@strawberry.input
class GrantAccessInput:
    person_id: strawberry.ID | None = strawberry.field(
        default=None, description="Whose record (coordinators); a person grants their own."
    )
    grantee_user_id: strawberry.ID | None = None
    grantee_organization_id: strawberry.ID | None = None
    purpose: str
    scopes: list[ConsentScope]
    expires_at: datetime


@strawberry.type
class AccessRevoked:
    grant: GrantType


@strawberry.type
class GrantNotFound:
    message: str


RevokeResult = Annotated[AccessRevoked | GrantNotFound, strawberry.union("RevokeResult")]


@strawberry.type(name="AccessLogEntry")
class AccessLogType:
    at: str
    actor: str
    purpose: str
    fields: list[str]


@strawberry.type
class MyData:
    person: PersonRecord
    check_ins: list[CheckInType]
    alerts: list[AlertType] = strawberry.field(
        description="What your check-ins made us look at, and who dealt with it (newest first)."
    )
    referrals: list[ReferralType]
    grants: list[GrantType]
    access_log: list[AccessLogType]


@strawberry.type
class CircleFriend:
    first_name: str
    since: str | None


@strawberry.type
class CircleVolunteer:
    first_name: str


@strawberry.type
class CircleVisitType:
    id: strawberry.ID
    date: str
    day: int
    start: str | None
    end: str | None
    status: str
    volunteers: list[CircleVolunteer]


@strawberry.type
class MyCircle:
    members: list[CircleFriend]
    visits: list[CircleVisitType]


@strawberry.type(name="Erasure")
class ErasureType:
    id: strawberry.ID
    at: str
    check_ins: int
    consent_grants: int
    referrals: int
    visits_stripped: int


# ---- Helpers ---------------------------------------------------------------------------------


async def _access(context: RequestContext, user: CurrentUser, person_id: str) -> consent.Access:
    return await context.call(consent.access_to_person, user=user, person_id=person_id)


async def _log(
    context: RequestContext,
    user: CurrentUser,
    found: consent.Access,
    fields: list[str],
    scopes: list[str],
) -> None:
    await context.call(consent.log_access, user=user, access=found, fields=fields, scopes=scopes)


def _require(found: consent.Access, *scopes: str) -> None:
    try:
        consent.require(found, *scopes)
    except consent.NoAccess as error:
        raise NotAllowed(str(error)) from None


def _requested(info: ContextInfo) -> set[str]:
    names: set[str] = set()
    for selected in info.selected_fields:
        for child in selected.selections:
            name = getattr(child, "name", None)
            if name:
                names.add(name)
            for grandchild in getattr(child, "selections", []) or []:
                if getattr(child, "type_condition", None) and getattr(grandchild, "name", None):
                    names.add(grandchild.name)
    return names


def _record(
    person: Person, allowed: set[str], check_ins: list[Any] | None, notes: list[Any] | None
) -> PersonRecord:
    def given(field: str, value: Any) -> Any:
        return value if field in allowed else None

    return PersonRecord(
        id=strawberry.ID(person.id),
        first_name=given("firstName", person.first_name),
        last_name=given("lastName", person.last_name),
        area_id=given("area", person.area_id),
        address=given("address", person.address),
        postcode=given("postcode", person.postcode),
        phone=given("phone", person.phone),
        date_of_birth=given(
            "dateOfBirth", person.date_of_birth.isoformat() if person.date_of_birth else None
        ),
        need=given("need", person.need),
        need_trend=given("needTrend", person.need_trend),
        languages=given("languages", list(person.languages)),
        interests=given("interests", list(person.interests)),
        access_needs=given("accessNeeds", list(person.access_needs)),
        gender_preference=given("genderPreference", person.gender_preference),
        visit_windows=given(
            "visitWindows",
            [TimeWindow(day=w.day, start=w.start, end=w.end) for w in person.visit_windows],
        ),
        visits_per_week=given("visitsPerWeek", person.visits_per_week),
        visit_minutes=given("visitMinutes", person.visit_minutes),
        check_ins=[CheckInType.of(c) for c in check_ins] if check_ins is not None else None,
        visit_notes=(
            [
                VisitNote(
                    visit_id=strawberry.ID(n.visit_id),
                    date=visit_date(n.week_start, n.day).isoformat(),
                    volunteer_first_name=n.volunteer_first_name,
                    note=n.note,
                    at=n.at,
                )
                for n in notes
            ]
            if notes is not None
            else None
        ),
    )


async def _services_by_id(context: RequestContext, ids: list[str]) -> dict[str, ServiceType]:
    rows = await context.run(SERVICES_BY_ID, {"ids": ids})
    found = [from_properties(Service, r["n"]) for r in rows]
    return {s.id: ServiceType.of(s) for s in found}


async def _service_name(context: RequestContext, referral: Referral) -> str | None:
    services = await _services_by_id(context, [referral.service_id])
    found = services.get(referral.service_id)
    return found.name if found else None


def _own_person(user: CurrentUser) -> str:
    if user.role != "person" or user.person_id is None:
        raise NotAllowed("Not allowed: this is for a person signed in to their own record.")
    return user.person_id


def _already_dealt_with(user: CurrentUser, alert: StoredAlert) -> str:
    """ "You dealt with this alert on 23 Nov 2026 at 16:51 UTC." (or who did)."""
    when = datetime.fromisoformat(alert.acknowledged_at or "").strftime("%-d %b %Y at %H:%M UTC")
    by = alert.acknowledged_by
    someone = my_data.who_in_words(by.role, by.email, by.organization) if by else "someone"
    who = "You" if by is not None and by.user_id == user.id else someone[:1].upper() + someone[1:]
    return f"{who} dealt with this alert on {when}."


def _erasure(record: Any) -> ErasureType:
    return ErasureType(
        id=strawberry.ID(record.id),
        at=iso_utc(record.at),
        check_ins=record.checkins,
        consent_grants=record.consent_grants,
        referrals=record.referrals,
        visits_stripped=record.visits_stripped,
    )


# ---- Queries ---------------------------------------------------------------------------------


@strawberry.type
class RelationalQuery:
    @strawberry.field(
        description="A person's record as your consent allows: parts not covered are null; "
        "no consent in force at all is an error. Every read is logged for the person to see."
    )
    async def person_record(self, info: ContextInfo, person_id: strawberry.ID) -> PersonRecord:
        user = access.signed_in(info.context)
        key = check_id(str(person_id), "personId")
        found = await _access(info.context, user, key)
        if not found.own and not found.scopes:
            raise NotAllowed("Not allowed: no consent in force for this person.")
        requested = _requested(info) & set(FIELD_SCOPES)
        allowed = {f for f in requested if found.allows(FIELD_SCOPES[f] or consent.ANY_SCOPE)}
        person = await info.context.call(people_repo.get_person, person_id=key)
        if person is None:
            raise NotAllowed("Not allowed: no consent in force for this person.")
        check_ins = notes = None
        if "checkIns" in allowed:
            check_ins = await info.context.call(
                checkins_repo.list_checkins_of_person, person_id=key
            )
        if "visitNotes" in allowed:
            notes = await info.context.call(my_data.visit_notes_of, person_id=key)
        used = [scope for f in allowed if (scope := FIELD_SCOPES[f]) is not None]
        await _log(info.context, user, found, [_slug(f) for f in allowed], used)
        return _record(person, allowed, check_ins, notes)

    @strawberry.field(description="A person's check-ins, oldest first (consent: checkins).")
    async def check_ins(self, info: ContextInfo, person_id: strawberry.ID) -> list[CheckInType]:
        user = access.signed_in(info.context)
        key = check_id(str(person_id), "personId")
        found = await _access(info.context, user, key)
        _require(found, "checkins")
        rows = await info.context.call(checkins_repo.list_checkins_of_person, person_id=key)
        await _log(info.context, user, found, ["check_ins"], ["checkins"])
        return [CheckInType.of(c) for c in rows]

    @strawberry.field(
        description="A person's referrals to services, oldest first, with how each turned out "
        "(consent: needs, as for suggesting and referring). The read is logged for the person."
    )
    async def referrals(self, info: ContextInfo, person_id: strawberry.ID) -> list[ReferralType]:
        user = access.signed_in(info.context)
        key = check_id(str(person_id), "personId")
        found = await _access(info.context, user, key)
        _require(found, "needs")
        held = await info.context.call(my_data.referrals_of, person_id=key)
        await _log(info.context, user, found, ["referrals"], ["needs"])
        return [ReferralType.of(r.referral, r.service_name) for r in held]

    @strawberry.field(
        description="Alerts about people who gave you (or your organisation) check-in access, "
        "newest first (link workers, coordinators): the open ones, or with includeAcknowledged "
        "also those dealt with, with who dealt with them, when and their note."
    )
    async def alerts(
        self,
        info: ContextInfo,
        first: int | None = 20,
        include_acknowledged: bool | None = False,
    ) -> list[AlertType]:
        user = access.require_staff(info.context, "link_worker", "coordinator")
        if first is not None and not 1 <= first <= ALERTS_FIRST_MAX:
            raise InputError(f"first: expected 1..{ALERTS_FIRST_MAX}, got {first}")
        found = await info.context.call(
            checkins.alerts_for,
            user=user,
            first=first or 20,
            include_acknowledged=bool(include_acknowledged),
        )
        for person_id in dict.fromkeys(a.person_id for a in found):
            granted = await _access(info.context, user, person_id)
            await _log(info.context, user, granted, ["alerts"], ["checkins"])
        return [AlertType.of(a) for a in found]

    @strawberry.field(description="Local services and groups, in id order.")
    async def services(
        self, info: ContextInfo, first: int | None = 50, after: str | None = None
    ) -> Connection[ServiceType]:
        access.signed_in(info.context)
        first = check_first(first)
        page = await info.context.call(
            services_repo.list_services, first=first, after=decode_cursor(after)
        )
        return connection(
            [ServiceType.of(s) for s in page.items], [s.id for s in page.items], page.has_next
        )

    @strawberry.field(
        description="Services that fit a person, best first, with reasons (consent: needs)."
    )
    async def suggest_connections(
        self, info: ContextInfo, person_id: strawberry.ID, first: int = 5
    ) -> list[Suggestion]:
        user = access.signed_in(info.context)
        key = check_id(str(person_id), "personId")
        if not 1 <= first <= MAX_SUGGESTIONS:
            raise InputError(f"first: expected 1..{MAX_SUGGESTIONS}, got {first}")
        found = await _access(info.context, user, key)
        _require(found, "needs")
        try:
            suggestions = await info.context.call(suggest_connections, person_id=key, first=first)
        except NotFound:
            raise NotAllowed("Not allowed: no consent in force for needs.") from None
        await _log(info.context, user, found, list(SUGGESTION_FIELDS), ["needs"])
        services = await _services_by_id(info.context, [s.service_id for s in suggestions])
        return [
            Suggestion(
                service=services[s.service_id],
                score=s.score,
                distance_km=s.distance_km,
                reasons=list(s.reasons),
            )
            for s in suggestions
            if s.service_id in services
        ]

    @strawberry.field(description="Everything held about you (people).")
    async def my_data(self, info: ContextInfo) -> MyData:
        user = access.signed_in(info.context)
        person_id = _own_person(user)
        held = await info.context.call(my_data.held_about, person_id=person_id)
        if held is None:
            raise NotAllowed("Not allowed: your record is not there any more.")
        notes = await info.context.call(my_data.visit_notes_of, person_id=person_id)
        return MyData(
            person=_record(held.person, set(FIELD_SCOPES), held.check_ins, notes),
            check_ins=[CheckInType.of(c) for c in held.check_ins],
            alerts=[AlertType.of(a) for a in held.alerts],
            referrals=[ReferralType.of(r.referral, r.service_name) for r in held.referrals],
            grants=[GrantType.of(g.grant, g.grantee_name) for g in held.grants],
            access_log=[
                AccessLogType(
                    at=iso_utc(e.entry.at),
                    actor=e.actor,
                    purpose=e.entry.purpose,
                    fields=list(e.entry.fields),
                )
                for e in held.access_log
            ],
        )

    @strawberry.field(description="Who visits you and when (people): first names, coming visits.")
    async def my_circle(self, info: ContextInfo) -> MyCircle:
        user = access.signed_in(info.context)
        person_id = _own_person(user)
        now = today()
        circle = await info.context.call(
            my_data.circle_of, person_id=person_id, from_week=monday_of(now)
        )
        visits = []
        for v in circle.visits:
            day = visit_date(v.week_start, v.day)
            if day < now:
                continue
            end = None
            if v.start:
                total = int(v.start[:2]) * 60 + int(v.start[3:]) + v.duration_minutes
                end = f"{total // 60:02d}:{total % 60:02d}"
            visits.append(
                CircleVisitType(
                    id=strawberry.ID(v.id),
                    date=day.isoformat(),
                    day=v.day,
                    start=v.start,
                    end=end,
                    status=v.status,
                    volunteers=[CircleVolunteer(first_name=n) for n in v.volunteers],
                )
            )
        return MyCircle(
            members=[CircleFriend(first_name=n, since=s) for n, s in circle.members],
            visits=visits,
        )

    @strawberry.field(description="Everything held about you as a JSON document (people).")
    async def export_me(self, info: ContextInfo) -> str:
        user = access.signed_in(info.context)
        person_id = _own_person(user)
        document = await info.context.call(my_data.export_json, person_id=person_id)
        if document is None:
            raise NotAllowed("Not allowed: your record is not there any more.")
        return document


# ---- Mutations -------------------------------------------------------------------------------


@strawberry.type
class RelationalMutation:
    @strawberry.mutation(
        description="Record a loneliness check-in: the person, a coordinator or link worker "
        "with check-in consent, or a volunteer within 14 days of a visit they held."
    )
    async def record_check_in(self, info: ContextInfo, input: CheckInInput) -> CheckInResult:
        user = access.signed_in(info.context)
        if input.note is not None and len(input.note) > NOTE_MAX:
            raise InputError(f"note: expected at most {NOTE_MAX} characters, got {len(input.note)}")
        visit_id = check_id(str(input.visit_id), "visitId") if input.visit_id else None
        if input.person_id is not None:
            person_id = check_id(str(input.person_id), "personId")
        elif visit_id is not None:
            found_person = await info.context.call(checkins.person_of_visit, visit_id=visit_id)
            if found_person is None:
                raise NotAllowed()
            person_id = found_person
        else:
            raise InputError("personId: expected a person id (or the visitId of a visit you held)")
        allowed = await info.context.call(
            checkins.may_record, user=user, person_id=person_id, visit_id=visit_id
        )
        if not allowed:
            raise NotAllowed()
        try:
            result = await info.context.call(
                checkins.record_check_in,
                person_id=person_id,
                scale=input.scale.value,
                answers=list(input.answers),
                recorded_by=user.id,
                note=input.note.strip() if input.note else None,
            )
        except NotFound:
            raise NotAllowed() from None
        if isinstance(result, ScaleError):
            return InvalidAnswers(field=result.field, message=result.message)
        found = await _access(info.context, user, person_id)
        sees_need = found.allows("needs")
        if sees_need:
            await _log(info.context, user, found, ["need"], ["needs"])
        return CheckInRecorded(
            check_in=CheckInType.of(result.check_in),
            person=CheckInPerson(
                id=strawberry.ID(person_id), need=result.need if sees_need else None
            ),
            alert_reasons=list(result.alert_reasons) if sees_need else [],
        )

    @strawberry.mutation(
        description="Say you have dealt with an alert, with an optional note of what you did "
        "(link workers, coordinators with check-in consent, as for alerts). It closes the "
        "person's earlier open alerts too; a later check-in raises a new one. An alert dealt "
        "with before is refused, saying by whom and when; one you may not see is not found."
    )
    async def acknowledge_alert(
        self, info: ContextInfo, alert_id: strawberry.ID, note: str | None = None
    ) -> AcknowledgeAlertResult:
        user = access.require_staff(info.context, "link_worker", "coordinator")
        key = check_id(str(alert_id), "alertId")
        said = note.strip() if note is not None else None
        if said is not None and len(said) > NOTE_MAX:
            raise InputError(f"note: expected at most {NOTE_MAX} characters, got {len(said)}")
        done = await info.context.call(
            checkins.acknowledge_alert, user=user, alert_id=key, note=said or None
        )
        if done is None:
            return AlertNotFound(message="There is no such alert about the people you support.")
        granted = await _access(info.context, user, done.alert.person_id)
        await _log(info.context, user, granted, ["alerts"], ["checkins"])
        if isinstance(done, checkins.AlertAlreadyAcknowledged):
            return AlertAlreadyAcknowledged(
                message=_already_dealt_with(user, done.alert), alert=AlertType.of(done.alert)
            )
        return AlertAcknowledged(alert=AlertType.of(done.alert), earlier_alerts=done.earlier)

    @strawberry.mutation(description="Refer a person to a service (consent: needs).")
    async def refer_to_service(
        self,
        info: ContextInfo,
        person_id: strawberry.ID,
        service_id: strawberry.ID,
        note: str | None = None,
    ) -> ReferralMade:
        user = access.require_staff(info.context, "link_worker", "coordinator")
        key = check_id(str(person_id), "personId")
        service_key = check_id(str(service_id), "serviceId")
        if note is not None and len(note) > NOTE_MAX:
            raise InputError(f"note: expected at most {NOTE_MAX} characters, got {len(note)}")
        _require(await _access(info.context, user, key), "needs")
        referral = Referral(
            id=f"referral-{uuid.uuid4().hex[:16]}",
            person_id=key,
            service_id=service_key,
            referred_by=user.id,
            note=note.strip() if note else None,
        )
        try:
            made = await info.context.call(refer_to_service, referral=referral)
        except NotFound as missing:
            field = "serviceId" if "Service" in str(missing) else "personId"
            raise InputError(f"{field}: no such {field[:-2]}") from None
        return ReferralMade(referral=ReferralType.of(made, await _service_name(info.context, made)))

    @strawberry.mutation(description="Record how a referral turned out.")
    async def update_referral(
        self,
        info: ContextInfo,
        referral_id: strawberry.ID,
        status: ReferralOutcome,
        note: str | None = None,
    ) -> ReferralType:
        user = access.require_staff(info.context, "link_worker", "coordinator")
        key = check_id(str(referral_id), "referralId")
        if note is not None and len(note) > NOTE_MAX:
            raise InputError(f"note: expected at most {NOTE_MAX} characters, got {len(note)}")
        referral = await info.context.call(referrals_repo.get_referral, referral_id=key)
        if referral is None:
            raise InputError("referralId: no such referral")
        if referral.referred_by != user.id:
            _require(await _access(info.context, user, referral.person_id), "needs")
        updated = await info.context.call(
            record_referral_outcome,
            referral_id=key,
            status=status.value,
            at=utc_now(),
            note=note.strip() if note else None,
        )
        return ReferralType.of(updated, await _service_name(info.context, updated))

    @strawberry.mutation(
        description="Give a user or organisation access to parts of a record until a time "
        "(the person; or a coordinator recording the person's consent)."
    )
    async def grant_access(self, info: ContextInfo, input: GrantAccessInput) -> GrantType:
        user = access.signed_in(info.context)
        if input.person_id is not None:
            person_id = check_id(str(input.person_id), "personId")
        elif user.role == "person" and user.person_id:
            person_id = user.person_id
        else:
            raise InputError("personId: expected the id of the person giving consent")
        if not consent.may_manage_grants(user, person_id):
            raise NotAllowed()
        grantee_user = (
            check_id(str(input.grantee_user_id), "granteeUserId") if input.grantee_user_id else None
        )
        grantee_org = (
            check_id(str(input.grantee_organization_id), "granteeOrganizationId")
            if input.grantee_organization_id
            else None
        )
        try:
            grant = await info.context.call(
                consent.grant_access,
                person_id=person_id,
                grantee_user_id=grantee_user,
                grantee_organization_id=grantee_org,
                purpose=input.purpose,
                scopes=[s.value for s in input.scopes],
                expires_at=input.expires_at,
            )
        except consent.ConsentError as error:
            raise InputError(str(error)) from None
        except NotFound as missing:
            label = str(missing)
            if "Person" in label:
                raise InputError("personId: no such person") from None
            field = "granteeUserId" if grantee_user else "granteeOrganizationId"
            kind = "user" if grantee_user else "organisation"
            raise InputError(f"{field}: no such {kind}") from None
        except AlreadyExists:
            raise InputError("grant: already recorded; try again") from None
        held = await info.context.call(my_data.grants_of, person_id=person_id)
        names = {g.grant.id: g.grantee_name for g in held}
        return GrantType.of(grant, names.get(grant.id, ""))

    @strawberry.mutation(description="Withdraw a grant (the person, or a coordinator for them).")
    async def revoke_access(self, info: ContextInfo, grant_id: strawberry.ID) -> RevokeResult:
        user = access.signed_in(info.context)
        key = check_id(str(grant_id), "grantId")
        revoked = await info.context.call(consent.revoke_access, user=user, grant_id=key)
        if revoked is None:
            return GrantNotFound(message="There is no such consent of yours to withdraw.")
        return AccessRevoked(grant=GrantType.of(revoked))

    @strawberry.mutation(description="Erase everything held about you (people). Cannot be undone.")
    async def erase_me(self, info: ContextInfo) -> ErasureType:
        user = access.signed_in(info.context)
        person_id = _own_person(user)
        try:
            record = await info.context.call(
                my_data.erase, person_id=person_id, requested_by=my_data.SELF_REQUEST
            )
        except NotFound:
            raise NotAllowed("Not allowed: your record is not there any more.") from None
        return _erasure(record)

    @strawberry.mutation(description="Erase a person on their request (coordinators).")
    async def erase_person(self, info: ContextInfo, person_id: strawberry.ID) -> ErasureType:
        user = access.require_staff(info.context, "coordinator")
        key = check_id(str(person_id), "personId")
        try:
            record = await info.context.call(my_data.erase, person_id=key, requested_by=user.id)
        except NotFound:
            raise InputError("personId: no such person") from None
        return _erasure(record)
