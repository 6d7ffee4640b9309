"""Changes to a published week (DESIGN.md, "Rota lifecycle"): a volunteer cancels a visit or a
stretch of days; the coordinator marks a volunteer or a person away, gives a visit to another
volunteer, or re-opens it for claims. Each is one statement that also writes the notices it
causes (graph/repo/visit_changes.py); who could take a visit instead is
``service.rota.repair``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal

from clock import clock_of
from graph.models import iso_utc, utc_now
from graph.repo import visit_changes as repo
from graph.store.port import GraphStore
from service.rota import repair
from service.visits.open_visits_snapshot import open_visits_changed
from service.weeks import monday_of, today

AWAY_DAYS_MAX = 62
REASON_MAX = 300


class ChangeError(ValueError):
    """A change that cannot be asked for as given (the message names the field)."""


@dataclass(frozen=True)
class Stamp:
    """When a change is made: this Monday and today's weekday (visits before are past), now,
    and the change's id (its notices' ids start with it)."""

    week: str
    day: int
    now: str
    change: str


def stamp() -> Stamp:
    day = today()
    return Stamp(
        monday_of(day).isoformat(), day.weekday(), iso_utc(utc_now()), uuid.uuid4().hex[:12]
    )


def checked_reason(reason: str | None) -> str | None:
    """The reason as stored (trimmed; None when empty), or ChangeError when too long."""
    text = (reason or "").strip()
    if len(text) > REASON_MAX:
        raise ChangeError(f"reason: expected at most {REASON_MAX} characters, got {len(text)}")
    return text or None


def days_between(first: date, last: date) -> list[date]:
    """The days from ``first`` to ``last``, both included; ChangeError when backwards, in the
    past or longer than AWAY_DAYS_MAX."""
    if last < first:
        raise ChangeError(f"to: expected a day on or after {first.isoformat()}, got {last}")
    if last < today():
        raise ChangeError(f"to: expected today or a later day, got {last.isoformat()}")
    count = (last - first).days + 1
    if count > AWAY_DAYS_MAX:
        raise ChangeError(f"to: expected at most {AWAY_DAYS_MAX} days, got {count}")
    return [first + timedelta(days=i) for i in range(count)]


def _dates(days: list[date]) -> list[str]:
    return [d.isoformat() for d in days]


def _keys(days: list[date]) -> list[str]:
    """Each day as the visits' ``week_start|day``."""
    return [f"{monday_of(d).isoformat()}|{d.weekday()}" for d in days]


def cancel_visit(
    *, store: GraphStore, visit_id: str, volunteer_id: str, reason: str | None
) -> repo.Cancelled | None:
    """The volunteer gives up a visit they hold, today or later; it needs cover now and the
    person is told. None when it was never theirs."""
    cancelled = repo.cancel_visit(
        store=store,
        visit_id=visit_id,
        volunteer_id=volunteer_id,
        reason=checked_reason(reason),
        **vars(stamp()),
    )
    return cancelled


def volunteer_away(
    *, store: GraphStore, volunteer_id: str, first: date, last: date, reason: str | None
) -> list[str] | None:
    """The volunteer is away from ``first`` to ``last``: what they hold then needs cover (each
    person told), and they are offered nothing on those days. The visits given up; None when
    there is no such volunteer."""
    days = days_between(first, last)
    return repo.volunteer_away(
        store=store,
        volunteer_id=volunteer_id,
        reason=checked_reason(reason),
        dates=_dates(days),
        keys=_keys(days),
        **vars(stamp()),
    )


def person_away(
    *, store: GraphStore, person_id: str, first: date, last: date, reason: str | None
) -> list[str] | None:
    """The person is away from ``first`` to ``last``: their visits then are cancelled (each
    volunteer told). The visits cancelled; None when there is no such person."""
    days = days_between(first, last)
    cancelled = repo.person_away(
        store=store,
        person_id=person_id,
        reason=checked_reason(reason),
        dates=_dates(days),
        keys=_keys(days),
        **vars(stamp()),
    )
    if cancelled:
        open_visits_changed(store=store)  # some may have been open
    return cancelled


@dataclass(frozen=True)
class Reassigned:
    """How a reassignment ended: ``done`` (proposed to the volunteer at ``start``), or why not;
    ``broken``: the rules the volunteer would break (nothing written unless forced)."""

    outcome: Literal["done", "missing", "closed", "held", "covered", "not_eligible"]
    start: str | None = None
    broken: list[str] = field(default_factory=list)


def reassign_visit(
    *, store: GraphStore, visit_id: str, volunteer_id: str, force: bool = False
) -> Reassigned:
    """Propose the visit to the volunteer (they accept or decline it as any proposal); the
    volunteer and the person are told. A volunteer who would break a rule is refused with the
    rules named, unless ``force`` (the coordinator's own judgement)."""
    judged = repair.judge(store=store, visit_id=visit_id, volunteer_id=volunteer_id)
    if judged is None:
        return Reassigned("missing")
    if judged.broken and not force:
        return Reassigned("not_eligible", broken=judged.broken)
    start = clock_of(judged.start)
    outcome = repo.reassign_visit(
        store=store,
        visit_id=visit_id,
        volunteer_id=volunteer_id,
        start=start,
        now=iso_utc(utc_now()),
        change=uuid.uuid4().hex[:12],
    )
    if outcome == "done":
        open_visits_changed(store=store)  # it may have been open
    return Reassigned(outcome, start=start if outcome == "done" else None, broken=judged.broken)


def reopen_visit(*, store: GraphStore, visit_id: str) -> repo.Cancelled | None:
    """A visit that needs cover becomes open for claims; None when there is no such visit."""
    reopened = repo.reopen_visit(store=store, visit_id=visit_id, now=iso_utc(utc_now()))
    if reopened is not None and reopened.ok:
        open_visits_changed(store=store)
    return reopened
