"""The partner's side of a referral: a user of the organisation offering a service.

The link worker refers (``refer_to_service``); the referral waits in the offering
organisation's inbox. A partner sees of the person only what the referral's basis allows
(``policy.referral_basis``: the ward and the note to decide; first name, and phone if the
person agreed, once accepted; nothing after a decline), and every such read is written to the
person's access log. A partner accepts while the service has a place left this week (its
``weekly_places``: new referrals accepted per week, Monday to Sunday UTC; none set means no
limit), or declines with a reason; then reports, per session date, whether the person came.
Each outcome goes to the suggestions at once (``connections_changed``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from graph.models import AccessLogEntry, DeclineReason, Referral, Service, utc_now
from graph.repo import access_log
from graph.repo import referrals as repo
from graph.repo.records import from_properties
from graph.store.port import GraphStore, Row
from service.connections.reasons import DECLINE_WORDS
from service.connections.suggestions import connections_changed
from service.consent import policy
from service.context import CurrentUser
from service.weeks import monday_of, today

INBOX_MAX = 200
DECLINE_NOTE_MAX = 500
# How far back attendance may be reported (a session this long ago is history, not a report).
ATTENDANCE_DAYS_BACK = 120


class ReferralInputError(ValueError):
    """Bad input for a partner's action (names the field); nothing was written."""


@dataclass(frozen=True)
class InboxReferral:
    """A referral as the offering organisation sees it: the person's fields its basis allows
    (None otherwise)."""

    referral: Referral
    service_id: str
    service_name: str
    referred_from: str | None
    area: str | None = None
    first_name: str | None = None
    note: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class Places:
    """One of the organisation's services, its weekly places and how many it took this week."""

    service: Service
    taken: int


@dataclass(frozen=True)
class Outcome:
    """What an accept, decline or attendance report did: ``done`` or why not, and the referral
    as the partner now sees it (None when there is no such referral in the inbox)."""

    done: bool
    reason: str
    referral: InboxReferral | None
    taken: int = 0
    places: int | None = None


def organization_of(user: CurrentUser) -> str:
    if user.role != "partner" or user.organization_id is None:
        raise PermissionError("a partner of an organisation")
    return user.organization_id


def this_week() -> tuple[datetime, datetime]:
    """The week whose acceptances count against the weekly places: Monday 00:00 UTC, 7 days."""
    start = datetime.combine(monday_of(today()), time(0), tzinfo=UTC)
    return start, start + timedelta(days=7)


def _seen(user: CurrentUser, row: Row, at: datetime) -> tuple[InboxReferral, AccessLogEntry | None]:
    """The inbox item the basis allows, and the access-log entry for what it shows."""
    referral = from_properties(Referral, row["n"])
    shown = policy.referral_basis(status=referral.status, share_contact=referral.share_contact)
    values = {
        "area": row["area"],
        "first_name": row["first_name"],
        "referral_note": referral.note,
        "phone": row["phone"],
    }
    item = InboxReferral(
        referral=referral,
        service_id=row["service_id"],
        service_name=row["service_name"],
        referred_from=row["referred_from"],
        area=values["area"] if "area" in shown else None,
        first_name=values["first_name"] if "first_name" in shown else None,
        note=values["referral_note"] if "referral_note" in shown else None,
        phone=values["phone"] if "phone" in shown else None,
    )
    read = [name for name in shown if values[name] is not None]
    if not read:
        return item, None
    entry = policy.referral_read(
        user=user,
        person_id=referral.person_id,
        status=referral.status,
        service_name=row["service_name"],
        fields=read,
        at=at,
    )
    return item, entry


def inbox(
    *, store: GraphStore, user: CurrentUser, statuses: list[str] | None, first: int
) -> list[InboxReferral]:
    """The organisation's referrals, newest first, each read logged for its person."""
    if not 1 <= first <= INBOX_MAX:
        raise ReferralInputError(f"first: expected 1..{INBOX_MAX}, got {first}")
    rows = repo.list_inbox(
        store=store, organization_id=organization_of(user), statuses=statuses, limit=first
    )
    return _shown(store, user, rows)


def _shown(store: GraphStore, user: CurrentUser, rows: list[Row]) -> list[InboxReferral]:
    at = utc_now()
    items, entries = [], []
    for row in rows:
        item, entry = _seen(user, row, at)
        items.append(item)
        if entry is not None:
            entries.append(entry)
    access_log.append_accesses(store=store, entries=entries)
    return items


def _one(store: GraphStore, user: CurrentUser, referral_id: str) -> InboxReferral | None:
    rows = repo.list_inbox(
        store=store,
        organization_id=organization_of(user),
        statuses=None,
        limit=1,
        referral_id=referral_id,
    )
    return _shown(store, user, rows)[0] if rows else None


def services_with_places(*, store: GraphStore, user: CurrentUser) -> list[Places]:
    """The organisation's services with their weekly places and this week's acceptances."""
    week_from, week_to = this_week()
    found = repo.list_services_with_places(
        store=store, organization_id=organization_of(user), week_from=week_from, week_to=week_to
    )
    return [Places(service=s, taken=taken) for s, taken in found]


def set_weekly_places(
    *, store: GraphStore, user: CurrentUser, service_id: str, places: int | None
) -> Places:
    """Set a service's weekly places (None: no limit); ``ReferralInputError`` naming the
    field for a bad number or a service the organisation does not offer."""
    if places is not None and not 0 <= places <= 1000:
        raise ReferralInputError(f"places: expected 0..1000 or null for no limit, got {places}")
    updated = repo.set_weekly_places(
        store=store, service_id=service_id, organization_id=organization_of(user), places=places
    )
    if updated is None:
        raise ReferralInputError("serviceId: your organisation offers no service with this id")
    return next(
        p for p in services_with_places(store=store, user=user) if p.service.id == updated.id
    )


def accept(*, store: GraphStore, user: CurrentUser, referral_id: str) -> Outcome:
    """Accept a waiting referral if the service has a place left this week."""
    week_from, week_to = this_week()
    decision = repo.accept_referral(
        store=store,
        referral_id=referral_id,
        organization_id=organization_of(user),
        user_id=user.id,
        at=utc_now(),
        week_from=week_from,
        week_to=week_to,
    )
    return _outcome(store, user, referral_id, decision.outcome, decision.taken, decision.places)


def decline(
    *,
    store: GraphStore,
    user: CurrentUser,
    referral_id: str,
    reason: DeclineReason,
    note: str | None,
) -> Outcome:
    """Decline a waiting referral with a reason (a note is needed for 'other')."""
    note = note.strip() if note else None
    if note is not None and len(note) > DECLINE_NOTE_MAX:
        raise ReferralInputError(
            f"note: expected at most {DECLINE_NOTE_MAX} characters, got {len(note)}"
        )
    if reason == "other" and not note:
        raise ReferralInputError("note: expected a few words saying why, for reason OTHER")
    decision = repo.decline_referral(
        store=store,
        referral_id=referral_id,
        organization_id=organization_of(user),
        user_id=user.id,
        reason=reason,
        note=note,
        at=utc_now(),
    )
    return _outcome(store, user, referral_id, decision.outcome)


def record_attendance(
    *, store: GraphStore, user: CurrentUser, referral_id: str, session: str, attended: bool
) -> Outcome:
    """Record whether the person came to the session on ``session`` (YYYY-MM-DD, not in the
    future); ``ReferralInputError`` naming the field for a bad date."""
    try:
        day = date.fromisoformat(session.strip())
    except ValueError:
        raise ReferralInputError(
            f"date: expected a date like 2026-12-03, got {session[:40]!r}"
        ) from None
    if day > today():
        raise ReferralInputError(f"date: expected a session that has happened, got {day}")
    if day < today() - timedelta(days=ATTENDANCE_DAYS_BACK):
        raise ReferralInputError(
            f"date: expected a session in the last {ATTENDANCE_DAYS_BACK} days, got {day}"
        )
    outcome, _ = repo.record_attendance(
        store=store,
        referral_id=referral_id,
        organization_id=organization_of(user),
        session=day,
        attended=attended,
        at=utc_now(),
    )
    return _outcome(store, user, referral_id, outcome)


REFUSALS = {
    "missing": "There is no referral with this id in your organisation's inbox.",
    "decided": "This referral has already been accepted or declined.",
    "not_accepted": "Attendance is reported only for a referral your organisation accepted.",
}


def _outcome(
    store: GraphStore,
    user: CurrentUser,
    referral_id: str,
    outcome: str,
    taken: int = 0,
    places: int | None = None,
) -> Outcome:
    if outcome == "missing":
        return Outcome(done=False, reason="missing", referral=None)
    item = _one(store, user, referral_id)
    if outcome in ("accepted", "declined", "recorded") and item is not None:
        connections_changed(store=store, people=[item.referral.person_id])
        return Outcome(done=True, reason=outcome, referral=item, taken=taken, places=places)
    return Outcome(done=False, reason=outcome, referral=item, taken=taken, places=places)


def decline_in_words(referral: Referral) -> str | None:
    """ "not suitable for them (we meet upstairs, no lift)": the reason a partner gave."""
    if referral.decline_reason is None:
        return None
    words = DECLINE_WORDS[referral.decline_reason]
    return f"{words} ({referral.decline_note})" if referral.decline_note else words
