"""Loneliness check-ins (``recordCheckIn``) and the alerts they raise (``alerts``).

A check-in is scored by ``service.wellbeing.scales`` and fed back by ``service.wellbeing.feedback``:
the person's ``need`` (exponentially weighted, 28-day half-life) and ``need_trend`` change, and an
``Alert`` node is created ``ABOUT`` the person when loneliness is worsening or in the scale's
loneliest band. The write is one statement: check-in, need and alert together or nothing. It
is guarded by the number of check-ins read before (``known``): if another check-in landed in
between, the feedback is computed again from the new history.

``need_trend`` is the feedback trend (loneliness change per 28 days, clipped to -1..1) when there
is one (3+ check-ins over 14+ days), else 0.

Who may record one (``may_record``): the person; a coordinator or link worker the person has
granted ``checkins`` access (``consent.policy``); a volunteer who logged a visit with the person
as done in the last ``VOLUNTEER_CHECK_IN_DAYS`` days.

The person's link worker, for alerts, is whoever the person has granted ``checkins`` access:
a link-worker user or a link worker of a granted organisation.

An alert stays open until a link worker or coordinator with that access says they have dealt
with it (``acknowledge_alert``, with an optional note of what they did); that also closes the
person's earlier open alerts, which the link worker saw with it. A later check-in raises a new,
open alert. Only the first acknowledgement counts: a second is told who dealt with it and when.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from graph.models import CheckIn, iso_utc, utc_now
from graph.repo import alerts as alerts_repo
from graph.repo import assignments as assignments_repo
from graph.repo import checkins as checkins_repo
from graph.repo.errors import NotFound
from graph.store.port import GraphStore
from service.consent import policy
from service.context import CurrentUser
from service.wellbeing.feedback import PastCheckIn, check_in_feedback
from service.wellbeing.scales import ScaleError, score_check_in

VOLUNTEER_CHECK_IN_DAYS = 14
WRITE_ATTEMPTS = 5
ALERTS_MAX = 100


@dataclass(frozen=True)
class Recorded:
    """A stored check-in and what it changed."""

    check_in: CheckIn
    need: float
    need_trend: float
    alert_reasons: tuple[str, ...]


@dataclass(frozen=True)
class AlertAcknowledged:
    """The alert is now dealt with, and so are ``earlier`` earlier open alerts about the person
    (the link worker saw them with it)."""

    alert: alerts_repo.StoredAlert
    earlier: int


@dataclass(frozen=True)
class AlertAlreadyAcknowledged:
    """Someone dealt with the alert before: ``alert`` says who, when and their note."""

    alert: alerts_repo.StoredAlert


def person_of_visit(*, store: GraphStore, visit_id: str) -> str | None:
    """The id of the person a visit is for, or None."""
    return assignments_repo.person_of_visit(store=store, visit_id=visit_id)


def may_record(
    *,
    store: GraphStore,
    user: CurrentUser,
    person_id: str,
    visit_id: str | None = None,
    at: datetime | None = None,
) -> bool:
    """True if ``user`` may record a check-in for the person (see the module docstring)."""
    now = at or utc_now()
    if user.role == "person":
        return user.person_id == person_id
    if user.role in ("coordinator", "link_worker"):
        found = policy.access_to_person(store=store, user=user, person_id=person_id, at=now)
        return "checkins" in found.scopes
    if user.role == "volunteer" and user.volunteer_id is not None:
        since = now - timedelta(days=VOLUNTEER_CHECK_IN_DAYS)
        return assignments_repo.volunteer_held_visit(
            store=store,
            volunteer_id=user.volunteer_id,
            person_id=person_id,
            since=iso_utc(since),
            visit_id=visit_id,
        )
    return False


def record_check_in(
    *,
    store: GraphStore,
    person_id: str,
    scale: str,
    answers: list[int],
    recorded_by: str,
    note: str | None = None,
    at: datetime | None = None,
) -> Recorded | ScaleError:
    """Score and store a check-in with its feedback; a ``ScaleError`` writes nothing.

    ``NotFound`` if there is no such person."""
    result = score_check_in(scale, answers)
    if isinstance(result, ScaleError):
        return result
    now = at or utc_now()
    for _ in range(WRITE_ATTEMPTS):
        past = checkins_repo.get_checkin_history(store=store, person_id=person_id)
        if past is None:
            raise NotFound("Person", person_id)
        history = [
            PastCheckIn(at=datetime.fromisoformat(when), loneliness=float(value))
            for when, value in past["history"]
            if when is not None
        ]
        feedback = check_in_feedback(
            result=result,
            at=now,
            need=float(past["need"] or 0.0),
            previous=history,
            name=past.get("first_name") or "This person",
        )
        trend = feedback.trend.per_28_days if feedback.trend is not None else 0.0
        need_trend = max(-1.0, min(1.0, trend))
        check_in = CheckIn(
            id=f"checkin-{uuid.uuid4().hex[:16]}",
            person_id=person_id,
            scale=result.scale.value,
            answers=list(result.answers),
            score=result.score,
            loneliness=result.loneliness,
            recorded_by=recorded_by,
            at=now,
            note=note,
        )
        alerts: list[dict[str, Any]] = []
        reasons: tuple[str, ...] = ()
        if feedback.alert is not None:
            reasons = feedback.alert.reasons
            alerts.append(
                {
                    "id": f"alert-{uuid.uuid4().hex[:16]}",
                    "person_id": person_id,
                    "check_in_id": check_in.id,
                    "at": iso_utc(now),
                    "reasons": list(reasons),
                }
            )
        written = checkins_repo.record_checkin_with_feedback(
            store=store,
            checkin=check_in,
            known=int(past["known"]),
            need=feedback.need,
            need_trend=need_trend,
            alerts=alerts,
        )
        if written is not None:
            return Recorded(
                check_in=written,
                need=feedback.need,
                need_trend=need_trend,
                alert_reasons=reasons,
            )
    raise RuntimeError(f"check-in for {person_id}: history kept changing; try again")


def _grantee_ids(user: CurrentUser) -> list[str]:
    return [user.id] + ([user.organization_id] if user.organization_id else [])


def alerts_for(
    *,
    store: GraphStore,
    user: CurrentUser,
    first: int = 20,
    include_acknowledged: bool = False,
    at: datetime | None = None,
) -> list[alerts_repo.StoredAlert]:
    """Alerts about the people who granted ``user`` (or their organisation) check-in access,
    newest first: the open ones, or all of them with ``include_acknowledged``."""
    return alerts_repo.list_alerts_for_grantees(
        store=store,
        grantee_ids=_grantee_ids(user),
        now=iso_utc(at or utc_now()),
        limit=max(1, min(first, ALERTS_MAX)),
        include_acknowledged=include_acknowledged,
    )


def acknowledge_alert(
    *,
    store: GraphStore,
    user: CurrentUser,
    alert_id: str,
    note: str | None = None,
    at: datetime | None = None,
) -> AlertAcknowledged | AlertAlreadyAcknowledged | None:
    """Record that ``user`` dealt with the alert (and the person's earlier open alerts), with
    their note; None when there is no such alert they may see (the same access as
    ``alerts_for``). ``note`` is taken as given: the caller checks and trims it."""
    done = alerts_repo.acknowledge_alert(
        store=store,
        alert_id=alert_id,
        grantee_ids=_grantee_ids(user),
        user_id=user.id,
        role=user.role,
        note=note,
        now=iso_utc(at or utc_now()),
    )
    if done is None:
        return None
    if not done.won:
        return AlertAlreadyAcknowledged(alert=done.alert)
    return AlertAcknowledged(alert=done.alert, earlier=done.earlier)
