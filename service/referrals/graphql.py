"""GraphQL for the partner: the organisation offering a service, receiving referrals.

Only a ``partner`` user of an organisation may use these fields, and only on its own
organisation's services and the referrals to them (another organisation's referral is "not in
your inbox", whether or not it exists). What each field shows of the person, and the access log
entry for it, is ``service.referrals.partners`` (``policy.referral_basis``).
"""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import strawberry

from graph.models import iso_utc
from service import access
from service.access import AS_RETURNED_POLICY, OWN_ORGANISATION, REFERRAL, Rule
from service.api.errors import InputError, NotAllowed, check_id
from service.api.info import ContextInfo
from service.context import CurrentUser
from service.referrals import partners
from service.referrals.partners import InboxReferral, Outcome, Places, ReferralInputError

NOT_IN_INBOX = "referralId: no referral with this id in your organisation's inbox"
PARTNER = ("partner",)
PARTNER_OWN = Rule(PARTNER, OWN_ORGANISATION)
BY_REFERRAL = Rule(
    PARTNER, REFERRAL, when="ward and note until accepted; first name, phone if agreed, after"
)


@strawberry.enum(description="Why the organisation offering the service declined a referral.")
class DeclineReason(Enum):
    NOT_SUITABLE = "not_suitable"
    NO_PLACES = "no_places"
    OTHER = "other"


@strawberry.enum(description="Where a referral is: waiting, accepted, attended or declined.")
class ReferralState(Enum):
    MADE = "made"
    ACCEPTED = "accepted"
    ATTENDED = "attended"
    DECLINED = "declined"
    NOT_SUITABLE = "not_suitable"


@strawberry.type(
    description="A referral to one of your organisation's services. Before you decide you see "
    "the person's ward and the link worker's note; once accepted, their first name too, and "
    "their phone number if they agreed to be contacted; after a decline, nothing about them.",
    directives=[access.policy(BY_REFERRAL, logged=True)],
)
class PartnerReferral:
    id: strawberry.ID
    service_id: strawberry.ID
    service_name: str
    status: ReferralState
    referred_from: str | None = strawberry.field(description="The referring organisation.")
    referred_at: str
    area: str | None
    first_name: str | None
    note: str | None = strawberry.field(description="The link worker's note: what it is for.")
    phone: str | None
    contact_agreed: bool = strawberry.field(
        description="The person agreed, when referred, to be contacted once accepted."
    )
    decided_at: str | None
    decline_reason: DeclineReason | None
    decline_note: str | None
    attended: list[str] = strawberry.field(description="Session dates they came to.")
    missed: list[str] = strawberry.field(description="Session dates they did not come to.")

    @classmethod
    def of(cls, item: InboxReferral) -> PartnerReferral:
        r = item.referral
        return cls(
            id=strawberry.ID(r.id),
            service_id=strawberry.ID(item.service_id),
            service_name=item.service_name,
            status=ReferralState(r.status),
            referred_from=item.referred_from,
            referred_at=iso_utc(r.created_at),
            area=item.area,
            first_name=item.first_name,
            note=item.note,
            phone=item.phone,
            contact_agreed=r.share_contact,
            decided_at=iso_utc(r.decided_at) if r.decided_at else None,
            decline_reason=DeclineReason(r.decline_reason) if r.decline_reason else None,
            decline_note=r.decline_note,
            attended=sorted(d.isoformat() for d in r.attended),
            missed=sorted(d.isoformat() for d in r.missed),
        )


@strawberry.type(
    description="One of your organisation's services and its weekly places.",
    directives=[access.policy(PARTNER_OWN)],
)
class PartnerService:
    id: strawberry.ID
    name: str
    category: str
    weekly_places: int | None = strawberry.field(
        description="New referrals you accept per week, Monday to Sunday (null: no limit)."
    )
    accepted_this_week: int

    @classmethod
    def of(cls, places: Places) -> PartnerService:
        return cls(
            id=strawberry.ID(places.service.id),
            name=places.service.name,
            category=places.service.category,
            weekly_places=places.service.weekly_places,
            accepted_this_week=places.taken,
        )


@strawberry.type(directives=[AS_RETURNED_POLICY])
class ReferralAccepted:
    referral: PartnerReferral


@strawberry.type(directives=[AS_RETURNED_POLICY])
class ReferralDeclined:
    referral: PartnerReferral


@strawberry.type(directives=[AS_RETURNED_POLICY])
class AttendanceRecorded:
    referral: PartnerReferral


@strawberry.type(
    description="The service has accepted as many referrals this week as it takes.",
    directives=[AS_RETURNED_POLICY],
)
class NoPlacesLeft:
    message: str
    weekly_places: int
    accepted_this_week: int


@strawberry.type(
    description="The referral is not waiting for a decision, or not accepted.",
    directives=[AS_RETURNED_POLICY],
)
class ReferralNotWaiting:
    message: str
    referral: PartnerReferral


AcceptReferralResult = Annotated[
    ReferralAccepted | NoPlacesLeft | ReferralNotWaiting, strawberry.union("AcceptReferralResult")
]
DeclineReferralResult = Annotated[
    ReferralDeclined | ReferralNotWaiting, strawberry.union("DeclineReferralResult")
]
AttendanceResult = Annotated[
    AttendanceRecorded | ReferralNotWaiting, strawberry.union("AttendanceResult")
]


def _partner(info: ContextInfo) -> CurrentUser:
    user = access.require_role(info.context, "partner")
    if user.organization_id is None:
        raise NotAllowed("Not allowed: you do not belong to an organisation yet.")
    return user


def _not_waiting(outcome: Outcome) -> ReferralNotWaiting:
    if outcome.referral is None:
        raise InputError(NOT_IN_INBOX)
    return ReferralNotWaiting(
        message=partners.REFUSALS.get(outcome.reason, "Not possible now."),
        referral=PartnerReferral.of(outcome.referral),
    )


@strawberry.type
class ReferralsQuery:
    @strawberry.field(
        description="Referrals to your organisation's services, newest first (partner). Each "
        "read of a person's details is logged for that person.",
        directives=[access.policy(BY_REFERRAL, logged=True)],
    )
    async def referral_inbox(
        self,
        info: ContextInfo,
        status: list[ReferralState] | None = None,
        first: int = 50,
    ) -> list[PartnerReferral]:
        user = _partner(info)
        statuses = [s.value for s in status] if status else None
        try:
            found = await info.context.call(
                partners.inbox, user=user, statuses=statuses, first=first
            )
        except ReferralInputError as error:
            raise InputError(str(error)) from None
        return [PartnerReferral.of(item) for item in found]

    @strawberry.field(
        description="Your organisation's services and their weekly places.",
        directives=[access.policy(PARTNER_OWN)],
    )
    async def partner_services(self, info: ContextInfo) -> list[PartnerService]:
        user = _partner(info)
        found = await info.context.call(partners.services_with_places, user=user)
        return [PartnerService.of(p) for p in found]


@strawberry.type
class ReferralsMutation:
    @strawberry.mutation(
        description="How many new referrals one of your services accepts per week "
        "(null: no limit).",
        directives=[access.policy(PARTNER_OWN)],
    )
    async def set_weekly_places(
        self, info: ContextInfo, service_id: strawberry.ID, places: int | None
    ) -> PartnerService:
        user = _partner(info)
        key = check_id(str(service_id), "serviceId")
        try:
            found = await info.context.call(
                partners.set_weekly_places, user=user, service_id=key, places=places
            )
        except ReferralInputError as error:
            raise InputError(str(error)) from None
        return PartnerService.of(found)

    @strawberry.mutation(
        description="Accept a waiting referral, if the service has a place left this week.",
        directives=[access.policy(BY_REFERRAL, logged=True)],
    )
    async def accept_referral(
        self, info: ContextInfo, referral_id: strawberry.ID
    ) -> AcceptReferralResult:
        user = _partner(info)
        key = check_id(str(referral_id), "referralId")
        outcome = await info.context.call(partners.accept, user=user, referral_id=key)
        if outcome.done and outcome.referral is not None:
            return ReferralAccepted(referral=PartnerReferral.of(outcome.referral))
        if outcome.reason == "full":
            return NoPlacesLeft(
                message=f"No places left this week: {outcome.places} a week, "
                f"{outcome.taken} accepted already.",
                weekly_places=outcome.places or 0,
                accepted_this_week=outcome.taken,
            )
        return _not_waiting(outcome)

    @strawberry.mutation(
        description="Decline a waiting referral, saying why.",
        directives=[access.policy(BY_REFERRAL, logged=True)],
    )
    async def decline_referral(
        self,
        info: ContextInfo,
        referral_id: strawberry.ID,
        reason: DeclineReason,
        note: str | None = None,
    ) -> DeclineReferralResult:
        user = _partner(info)
        key = check_id(str(referral_id), "referralId")
        try:
            outcome = await info.context.call(
                partners.decline, user=user, referral_id=key, reason=reason.value, note=note
            )
        except ReferralInputError as error:
            raise InputError(str(error)) from None
        if outcome.done and outcome.referral is not None:
            return ReferralDeclined(referral=PartnerReferral.of(outcome.referral))
        return _not_waiting(outcome)

    @strawberry.mutation(
        description="Whether the person came to the session on a date (YYYY-MM-DD, today or "
        "earlier); replaces what was recorded for that date.",
        directives=[access.policy(BY_REFERRAL, logged=True)],
    )
    async def record_attendance(
        self, info: ContextInfo, referral_id: strawberry.ID, date: str, attended: bool
    ) -> AttendanceResult:
        user = _partner(info)
        key = check_id(str(referral_id), "referralId")
        try:
            outcome = await info.context.call(
                partners.record_attendance,
                user=user,
                referral_id=key,
                session=date,
                attended=attended,
            )
        except ReferralInputError as error:
            raise InputError(str(error)) from None
        if outcome.done and outcome.referral is not None:
            return AttendanceRecorded(referral=PartnerReferral.of(outcome.referral))
        return _not_waiting(outcome)
