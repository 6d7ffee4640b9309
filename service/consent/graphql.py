"""GraphQL for consent and the person's own view: grants, the access log, my data, my circle,
export and erasure.

Someone else sees a part of a person's record only through ``service.consent.policy``; every
such read is written to the access log with the fields read.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated, Any

import strawberry

from graph.models import Delegation, iso_utc, utc_now
from graph.repo.errors import AlreadyExists, NotFound
from service import access
from service.access import (
    AS_RETURNED_POLICY,
    CONSENT,
    COORDINATOR_OWN,
    DELEGATED,
    OWN_ORGANISATION,
    PERSON_SELF,
    STAFF,
    Rule,
)
from service.api.errors import (
    InputError,
    NotAllowed,
    check_id,
    check_optional_id,
)
from service.api.info import ContextInfo
from service.connections.graphql import ReferralType
from service.consent import delegation, my_data, policy
from service.context import CurrentUser
from service.people.graphql import FIELD_SCOPES, PersonRecord, person_record_for
from service.weeks import monday_of, today, visit_date
from service.wellbeing.graphql import AlertType, CheckInType


@strawberry.enum
class ConsentScope(Enum):
    CONTACT = "contact"
    NEEDS = "needs"
    CHECKINS = "checkins"
    VISIT_NOTES = "visit_notes"
    PLAN = "plan"


PERSON_OWN_DATA = access.policy(PERSON_SELF)


@strawberry.enum(description="How a person gave a consent that staff recorded for them.")
class ConsentGiven(Enum):
    IN_PERSON = "in person"
    BY_PHONE = "by phone"
    ON_PAPER = "on paper"


@strawberry.type(name="ConsentGrant", directives=[AS_RETURNED_POLICY])
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
    recorded_by: str | None = strawberry.field(
        description="Who recorded this consent for you (staff, in words), or null when you "
        "gave it here yourself."
    )
    given: ConsentGiven | None = strawberry.field(
        description="How you gave it, when staff recorded it: in person, by phone, on paper."
    )
    made_by: str | None = strawberry.field(
        default=None,
        description="Who made this consent on your behalf (someone you chose to act for you), "
        "in words; null when you or staff did.",
    )
    revoked_by: str | None = strawberry.field(
        default=None,
        description="Who withdrew it on your behalf (someone you chose to act for you), in "
        "words; null when it was not withdrawn that way.",
    )

    @classmethod
    def of(
        cls,
        grant: Any,
        grantee_name: str = "",
        recorded_by: str | None = None,
        made_by: str | None = None,
        revoked_by: str | None = None,
    ) -> GrantType:
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
            recorded_by=(recorded_by or "staff") if grant.recorded_by else None,
            given=ConsentGiven(grant.given_how) if grant.given_how else None,
            made_by=(made_by or "someone acting for you") if grant.made_by else None,
            revoked_by=(revoked_by or "someone acting for you") if grant.revoked_by else None,
        )

    @classmethod
    def held(cls, held: my_data.HeldGrant) -> GrantType:
        return cls.of(
            held.grant,
            held.grantee_name,
            held.recorded_by_name,
            held.made_by_name,
            held.revoked_by_name,
        )


@strawberry.input
class GrantAccessInput:
    person_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="Whose record (staff recording a consent); a person grants their own.",
    )
    grantee_user_id: strawberry.ID | None = None
    grantee_organization_id: strawberry.ID | None = None
    purpose: str
    scopes: list[ConsentScope]
    expires_at: datetime | None = strawberry.field(
        default=None, description="When it ends; 12 months from now when not given."
    )
    given: ConsentGiven | None = strawberry.field(
        default=None,
        description="Staff recording a consent: how the person gave it (required for them).",
    )


@strawberry.type(
    name="Delegation",
    directives=[AS_RETURNED_POLICY],
    description="Someone you chose to give and withdraw consent for you: for what, until when.",
)
class DelegationType:
    id: strawberry.ID
    delegate_name: str = strawberry.field(description="Who, in words (name and email).")
    scopes: list[ConsentScope] = strawberry.field(
        description="What they may decide about: who may see these parts of your record."
    )
    created_at: str
    expires_at: str
    ended_at: str | None = strawberry.field(description="When you ended it, if you did.")
    active: bool

    @classmethod
    def of(cls, d: Any, delegate_name: str) -> DelegationType:
        return cls(
            id=strawberry.ID(d.id),
            delegate_name=delegate_name,
            scopes=[ConsentScope(s) for s in d.scopes],
            created_at=iso_utc(d.created_at),
            expires_at=iso_utc(d.expires_at),
            ended_at=iso_utc(d.ended_at) if d.ended_at else None,
            active=d.is_active(utc_now()),
        )


@strawberry.input
class DelegateInput:
    delegate_email: str | None = strawberry.field(
        default=None, description="The email address they sign in with."
    )
    delegate_user_id: strawberry.ID | None = strawberry.field(
        default=None, description="Or their user id."
    )
    scopes: list[ConsentScope] = strawberry.field(
        description="What they may decide about on your behalf."
    )
    expires_at: datetime | None = strawberry.field(
        default=None, description="When it ends; 12 months from now when not given."
    )


@strawberry.type(directives=[AS_RETURNED_POLICY])
class DelegationEnded:
    delegation: DelegationType


@strawberry.type(directives=[AS_RETURNED_POLICY])
class DelegationNotFound:
    message: str


EndDelegationResult = Annotated[
    DelegationEnded | DelegationNotFound, strawberry.union("EndDelegationResult")
]


async def _delegation_shown(info: ContextInfo, person_id: str, made: Delegation) -> DelegationType:
    """One of the person's delegations as the API shows it, with who it is to in words."""
    held = await info.context.call(delegation.delegates_of, person_id=person_id)
    name = next((d.delegate_name for d in held if d.delegation.id == made.id), "")
    return DelegationType.of(made, name)


@strawberry.type(name="OrganisationChoice", directives=[AS_RETURNED_POLICY])
class OrganisationChoice:
    id: strawberry.ID
    name: str

    @classmethod
    def of(cls, choice: delegation.Choice) -> OrganisationChoice:
        return cls(id=strawberry.ID(choice.id), name=choice.name)


@strawberry.type(
    directives=[AS_RETURNED_POLICY],
    description="Someone who chose you to give and withdraw consent for them, and what for.",
)
class ActingFor:
    delegation_id: strawberry.ID
    person_id: strawberry.ID
    person_first_name: str
    scopes: list[ConsentScope] = strawberry.field(description="What you may decide about.")
    expires_at: str
    organisations: list[OrganisationChoice] = strawberry.field(
        description="The organisations that support them."
    )
    grants: list[GrantType] = strawberry.field(
        description="Their consents within what you may decide about (active and ended)."
    )


@strawberry.type(directives=[AS_RETURNED_POLICY])
class AccessRevoked:
    grant: GrantType


@strawberry.type(directives=[AS_RETURNED_POLICY])
class GrantNotFound:
    message: str


RevokeResult = Annotated[AccessRevoked | GrantNotFound, strawberry.union("RevokeResult")]


@strawberry.type(name="AccessLogEntry", directives=[AS_RETURNED_POLICY])
class AccessLogType:
    at: str
    actor: str
    purpose: str
    fields: list[str]


@strawberry.type(directives=[PERSON_OWN_DATA])
class Tie:
    """Someone the record says knows you: their first name and how (family, friend,
    neighbour, volunteer)."""

    first_name: str | None
    kind: str


@strawberry.type(directives=[PERSON_OWN_DATA])
class MyData:
    person: PersonRecord
    check_ins: list[CheckInType]
    alerts: list[AlertType] = strawberry.field(
        description="What your check-ins made us look at, and who dealt with it (newest first)."
    )
    referrals: list[ReferralType]
    grants: list[GrantType]
    access_log: list[AccessLogType]
    ties: list[Tie] = strawberry.field(
        description="The people the record says know you, and how (as in your export)."
    )
    interests: list[str] = strawberry.field(description="Your interests, by name.")
    delegates: list[DelegationType] = strawberry.field(
        description="The people you chose to give and withdraw consent for you (in force, "
        "ended or expired), oldest first."
    )
    organisations: list[OrganisationChoice] = strawberry.field(
        description="The organisations that support you (whom you may let see more)."
    )
    seen_without_consent: list[str] = strawberry.field(
        description="The parts of your record (the access log's names) that staff of the "
        "organisations supporting you see without your consent, to arrange visits "
        "(service.consent.policy)."
    )


@strawberry.type(directives=[PERSON_OWN_DATA])
class CircleFriend:
    first_name: str
    since: str | None


@strawberry.type(directives=[PERSON_OWN_DATA])
class CircleVolunteer:
    first_name: str


@strawberry.type(directives=[PERSON_OWN_DATA])
class CircleVisitType:
    id: strawberry.ID
    date: str
    day: int
    start: str | None
    end: str | None
    status: str
    volunteers: list[CircleVolunteer]


@strawberry.type(directives=[PERSON_OWN_DATA])
class MyCircle:
    members: list[CircleFriend]
    visits: list[CircleVisitType]


@strawberry.type(name="Erasure", directives=[AS_RETURNED_POLICY])
class ErasureType:
    id: strawberry.ID
    at: str
    check_ins: int
    consent_grants: int
    referrals: int
    visits_stripped: int


def _own_person(user: CurrentUser) -> str:
    if user.role != "person" or user.person_id is None:
        raise NotAllowed("Not allowed: this is for a person signed in to their own record.")
    return user.person_id


def _erasure(record: Any) -> ErasureType:
    return ErasureType(
        id=strawberry.ID(record.id),
        at=iso_utc(record.at),
        check_ins=record.checkins,
        consent_grants=record.consent_grants,
        referrals=record.referrals,
        visits_stripped=record.visits_stripped,
    )


@strawberry.type
class ConsentQuery:
    @strawberry.field(
        description="Everything held about you (people).", directives=[PERSON_OWN_DATA]
    )
    async def my_data(self, info: ContextInfo) -> MyData:
        user = access.signed_in(info.context)
        person_id = _own_person(user)
        held = await info.context.call(my_data.held_about, person_id=person_id)
        if held is None:
            raise NotAllowed("Not allowed: your record is not there any more.")
        notes = await info.context.call(my_data.visit_notes_of, person_id=person_id)
        known = await info.context.call(my_data.ties_of, person_id=person_id)
        interests = await info.context.call(my_data.interests_of, person_id=person_id)
        delegates = await info.context.call(delegation.delegates_of, person_id=person_id)
        organisations = await info.context.call(
            delegation.organisations_supporting, person_id=person_id
        )
        return MyData(
            person=person_record_for(held.person, set(FIELD_SCOPES), held.check_ins, notes),
            check_ins=[CheckInType.of(c) for c in held.check_ins],
            alerts=[AlertType.of(a) for a in held.alerts],
            referrals=[ReferralType.of(r.referral, r.service_name) for r in held.referrals],
            grants=[GrantType.held(g) for g in held.grants],
            delegates=[DelegationType.of(d.delegation, d.delegate_name) for d in delegates],
            organisations=[OrganisationChoice.of(o) for o in organisations],
            access_log=[
                AccessLogType(
                    at=iso_utc(e.entry.at),
                    actor=e.actor,
                    purpose=e.entry.purpose,
                    fields=list(e.entry.fields),
                )
                for e in held.access_log
            ],
            interests=interests,
            ties=[Tie(first_name=t["first_name"], kind=t["kind"] or "knows") for t in known],
            seen_without_consent=[
                name
                for name, basis in policy.PERSON_FIELDS.items()
                if basis == policy.ARRANGING_VISITS
            ],
        )

    @strawberry.field(
        description="Who visits you and when (people): first names, coming visits.",
        directives=[PERSON_OWN_DATA],
    )
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

    @strawberry.field(
        description="The people who chose you to give and withdraw consent for them, while "
        "that is in force: their first name, what you may decide about, the organisations "
        "supporting them and their consents within it. Each read is logged for the person.",
        directives=[access.policy(Rule(policy.DELEGATE_ROLES, DELEGATED), logged=True)],
    )
    async def acting_for(self, info: ContextInfo) -> list[ActingFor]:
        user = access.signed_in(info.context)
        found = await info.context.call(delegation.acting_for, user=user)
        return [
            ActingFor(
                delegation_id=strawberry.ID(a.delegation.id),
                person_id=strawberry.ID(a.delegation.person_id),
                person_first_name=a.first_name,
                scopes=[ConsentScope(s) for s in a.delegation.scopes],
                expires_at=iso_utc(a.delegation.expires_at),
                organisations=[OrganisationChoice.of(o) for o in a.organisations],
                grants=[GrantType.held(g) for g in a.grants],
            )
            for a in found
        ]

    @strawberry.field(
        description="Everything held about you as a JSON document (people).",
        directives=[PERSON_OWN_DATA],
    )
    async def export_me(self, info: ContextInfo) -> str:
        user = access.signed_in(info.context)
        person_id = _own_person(user)
        document = await info.context.call(my_data.export_json, person_id=person_id)
        if document is None:
            raise NotAllowed("Not allowed: your record is not there any more.")
        return document


@strawberry.type
class ConsentMutation:
    @strawberry.mutation(
        description="Give a user or organisation access to parts of a record until a time "
        "(12 months when not given): the person; or staff recording, for someone their "
        "organisation supports, a consent the person gave in person, by phone or on paper, to "
        "their organisation or themselves (marked as recorded by them, shown to the person); "
        "or someone the person chose to act for them, within what they chose, to anyone but "
        "themselves (marked as made by them, shown to the person).",
        directives=[
            access.policy(
                PERSON_SELF,
                Rule(
                    STAFF,
                    OWN_ORGANISATION,
                    when="recording a consent given in person, by "
                    "phone or on paper; at most 12 months",
                ),
                Rule(
                    policy.DELEGATE_ROLES,
                    DELEGATED,
                    when="within the delegation's scopes until it ends; marked as made by them",
                ),
            )
        ],
    )
    async def grant_access(self, info: ContextInfo, input: GrantAccessInput) -> GrantType:
        user = access.signed_in(info.context)
        if input.person_id is not None:
            person_id = check_id(str(input.person_id), "personId")
        elif user.role == "person" and user.person_id:
            person_id = user.person_id
        else:
            raise InputError("personId: expected the id of the person giving consent")
        found = policy.basis(user, person_id)
        if not found.own:
            found = await info.context.loaders.person_access.load(person_id)
        grantee_user = check_optional_id(input.grantee_user_id, "granteeUserId")
        grantee_org = check_optional_id(input.grantee_organization_id, "granteeOrganizationId")
        try:
            grant = await info.context.call(
                policy.grant_access,
                user=user,
                access=found,
                grantee_user_id=grantee_user,
                grantee_organization_id=grantee_org,
                purpose=input.purpose,
                scopes=[s.value for s in input.scopes],
                expires_at=input.expires_at,
                given_how=input.given.value if input.given else None,
            )
        except policy.NoAccess as refused:
            raise NotAllowed(str(refused)) from None
        except policy.ConsentError as error:
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
        names = {g.grant.id: g for g in held}
        shown = names.get(grant.id)
        return GrantType.held(shown) if shown else GrantType.of(grant)

    @strawberry.mutation(
        description="Withdraw a grant: the person, any of theirs; staff, only grants made to "
        "their own organisation or themselves; someone the person chose to act for them, "
        "grants within what they chose (marked as withdrawn by them).",
        directives=[
            access.policy(
                PERSON_SELF,
                Rule(STAFF, CONSENT, when="grants to their organisation"),
                Rule(policy.DELEGATE_ROLES, DELEGATED, when="within the delegation's scopes"),
            )
        ],
    )
    async def revoke_access(self, info: ContextInfo, grant_id: strawberry.ID) -> RevokeResult:
        user = access.signed_in(info.context)
        key = check_id(str(grant_id), "grantId")
        revoked = await info.context.call(policy.revoke_access, user=user, grant_id=key)
        if revoked is None:
            return GrantNotFound(message="There is no such consent you may withdraw.")
        return AccessRevoked(grant=GrantType.of(revoked))

    @strawberry.mutation(
        description="Choose someone (by the email they sign in with, or their user id) to "
        "give and withdraw consent for you, about the parts of your record you name, until a "
        "time (12 months when not given); a new choice of the same person replaces the last "
        "(people).",
        directives=[PERSON_OWN_DATA],
    )
    async def delegate_consent(self, info: ContextInfo, input: DelegateInput) -> DelegationType:
        user = access.signed_in(info.context)
        person_id = _own_person(user)
        delegate_user = check_optional_id(input.delegate_user_id, "delegateUserId")
        try:
            made = await info.context.call(
                delegation.delegate,
                person_id=person_id,
                own_user_id=user.id,
                delegate_user_id=delegate_user,
                delegate_email=input.delegate_email.strip() if input.delegate_email else None,
                scopes=[s.value for s in input.scopes],
                expires_at=input.expires_at,
            )
        except policy.ConsentError as error:
            raise InputError(str(error)) from None
        return await _delegation_shown(info, person_id, made)

    @strawberry.mutation(
        description="End a delegation now: they can no longer give or withdraw consent for "
        "you (people). What they gave stays until it ends or you withdraw it.",
        directives=[PERSON_OWN_DATA],
    )
    async def end_delegation(
        self, info: ContextInfo, delegation_id: strawberry.ID
    ) -> EndDelegationResult:
        user = access.signed_in(info.context)
        person_id = _own_person(user)
        key = check_id(str(delegation_id), "delegationId")
        ended = await info.context.call(delegation.end, person_id=person_id, delegation_id=key)
        if ended is None:
            return DelegationNotFound(message="There is no such choice of yours to end.")
        return DelegationEnded(delegation=await _delegation_shown(info, person_id, ended))

    @strawberry.mutation(
        description="Erase everything held about you (people). Cannot be undone.",
        directives=[PERSON_OWN_DATA],
    )
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

    @strawberry.mutation(
        description="Erase a person on their request (coordinators of an organisation that "
        "supports them).",
        directives=[access.policy(COORDINATOR_OWN)],
    )
    async def erase_person(self, info: ContextInfo, person_id: strawberry.ID) -> ErasureType:
        user = access.require_staff(info.context, "coordinator")
        key = check_id(str(person_id), "personId")
        found = await info.context.loaders.person_access.load(key)
        if not found.arranging:
            raise NotAllowed("Not allowed: your organisation does not support this person.")
        try:
            record = await info.context.call(my_data.erase, person_id=key, requested_by=user.id)
        except NotFound:
            raise InputError("personId: no such person") from None
        return _erasure(record)
