"""GraphQL for loneliness check-ins and the alerts they raise."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated, Any

import strawberry

from graph.models import iso_utc
from graph.repo import checkins as checkins_repo
from graph.repo.alerts import StoredAlert
from graph.repo.errors import NotFound
from service import access
from service.access import AS_RETURNED_POLICY, CONSENT, HOLDER, PERSON_SELF, STAFF, Rule
from service.accounts.roles import Role
from service.api.errors import (
    InputError,
    NotAllowed,
    check_id,
    check_optional_id,
)
from service.api.info import ContextInfo
from service.config import (
    NOTE_MAX,
)
from service.consent import my_data, policy
from service.consent.checks import log_person_read, person_access, require_scopes
from service.context import CurrentUser
from service.wellbeing import checkins
from service.wellbeing.scales import ScaleError

GRANTEES = policy.GRANT_HOLDERS  # who may hold a grant


@strawberry.enum
class CheckInScale(Enum):
    UCLA3 = "UCLA3"
    ONS1 = "ONS1"
    DJG6 = "DJG6"


@strawberry.type(name="CheckIn", directives=[AS_RETURNED_POLICY])
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


ALERTS_FIRST_MAX = 100


@strawberry.type(directives=[AS_RETURNED_POLICY])
class CheckInPerson:
    id: strawberry.ID
    need: float | None = strawberry.field(
        description="Only for the person and those with consent to see needs."
    )


@strawberry.type(directives=[AS_RETURNED_POLICY])
class CheckInRecorded:
    check_in: CheckInType
    person: CheckInPerson
    alert_reasons: list[str]


@strawberry.type(directives=[AS_RETURNED_POLICY])
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


@strawberry.type(description="Who dealt with an alert.", directives=[AS_RETURNED_POLICY])
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
    directives=[AS_RETURNED_POLICY],
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


@strawberry.type(directives=[AS_RETURNED_POLICY])
class AlertAcknowledged:
    alert: AlertType
    earlier_alerts: int = strawberry.field(
        description="Earlier open alerts about the same person that this closed too."
    )


@strawberry.type(directives=[AS_RETURNED_POLICY])
class AlertAlreadyAcknowledged:
    message: str = strawberry.field(description="Who dealt with it and when, in words.")
    alert: AlertType


@strawberry.type(directives=[AS_RETURNED_POLICY])
class AlertNotFound:
    message: str


AcknowledgeAlertResult = Annotated[
    AlertAcknowledged | AlertAlreadyAcknowledged | AlertNotFound,
    strawberry.union("AcknowledgeAlertResult"),
]


def _already_dealt_with(user: CurrentUser, alert: StoredAlert) -> str:
    """ "You dealt with this alert on 23 Nov 2026 at 16:51 UTC." (or who did)."""
    when = datetime.fromisoformat(alert.acknowledged_at or "").strftime("%-d %b %Y at %H:%M UTC")
    by = alert.acknowledged_by
    someone = my_data.who_in_words(by.role, by.email, by.organization) if by else "someone"
    who = "You" if by is not None and by.user_id == user.id else someone[:1].upper() + someone[1:]
    return f"{who} dealt with this alert on {when}."


@strawberry.type
class WellbeingQuery:
    @strawberry.field(
        description="A person's check-ins, oldest first (consent: checkins).",
        directives=[access.policy(PERSON_SELF, Rule(GRANTEES, CONSENT, "checkins"), logged=True)],
    )
    async def check_ins(self, info: ContextInfo, person_id: strawberry.ID) -> list[CheckInType]:
        user = access.signed_in(info.context)
        key = check_id(str(person_id), "personId")
        found = await person_access(info.context, user, key)
        require_scopes(found, "checkins")
        rows = await info.context.call(checkins_repo.list_checkins_of_person, person_id=key)
        await log_person_read(info.context, user, found, ["check_ins"], ["checkins"])
        return [CheckInType.of(c) for c in rows]

    @strawberry.field(
        description="Alerts about people who gave you (or your organisation) check-in access, "
        "newest first (link workers, coordinators): the open ones, or with includeAcknowledged "
        "also those dealt with, with who dealt with them, when and their note.",
        directives=[access.policy(Rule(STAFF, CONSENT, "checkins"), logged=True)],
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
            granted = await person_access(info.context, user, person_id)
            await log_person_read(info.context, user, granted, ["alerts"], ["checkins"])
        return [AlertType.of(a) for a in found]


@strawberry.type
class WellbeingMutation:
    @strawberry.mutation(
        description="Record a loneliness check-in: the person, a coordinator or link worker "
        "with check-in consent, or a volunteer within 14 days of a visit they held.",
        directives=[
            access.policy(
                PERSON_SELF,
                Rule(STAFF, CONSENT, "checkins"),
                Rule(("volunteer",), HOLDER, when="within 14 days of a visit they held"),
            )
        ],
    )
    async def record_check_in(self, info: ContextInfo, input: CheckInInput) -> CheckInResult:
        user = access.signed_in(info.context)
        if input.note is not None and len(input.note) > NOTE_MAX:
            raise InputError(f"note: expected at most {NOTE_MAX} characters, got {len(input.note)}")
        visit_id = check_optional_id(input.visit_id, "visitId")
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
        found = await person_access(info.context, user, person_id)
        sees_need = found.allows("needs")
        if sees_need:
            await log_person_read(info.context, user, found, ["need"], ["needs"])
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
        "with before is refused, saying by whom and when; one you may not see is not found.",
        directives=[access.policy(Rule(STAFF, CONSENT, "checkins"), logged=True)],
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
        granted = await person_access(info.context, user, done.alert.person_id)
        await log_person_read(info.context, user, granted, ["alerts"], ["checkins"])
        if isinstance(done, checkins.AlertAlreadyAcknowledged):
            return AlertAlreadyAcknowledged(
                message=_already_dealt_with(user, done.alert), alert=AlertType.of(done.alert)
            )
        return AlertAcknowledged(alert=AlertType.of(done.alert), earlier_alerts=done.earlier)
