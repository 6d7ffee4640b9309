"""The link worker's caseload: whom to look at this week, and why.

Over the people who granted the link worker (or their organisation) ``plan`` or ``checkins``
access in force:

- **review due**: the current plan's next review date (``plans.next_review``) is on or before
  the Sunday of this week (overdue reviews stay listed until held or moved);
- **goals past their date**: open goals of the current plan whose target date has gone;
- **no activity in four weeks**: a current plan, and nothing recorded for 28 days: no plan
  change, goal rewording, review or check-in;
- **loneliness worsening, no plan**: no current plan, and the check-ins are getting worse (a
  rising need trend over two or more check-ins, or an alert not yet dealt with).

The first three need ``plan`` access, the last ``checkins`` access: a person is listed for a
reason only when the link worker may see what it is about.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from graph.models import Goal, Plan, utc_now
from graph.repo import plans as plans_repo
from graph.repo.records import from_properties
from graph.store.port import GraphStore, Row
from service.plans.plans import next_review

QUIET_DAYS = 28
# need_trend is the check-ins' trend once there are some (before, it is what was registered)
MIN_CHECK_INS_FOR_TREND = 2


@dataclass(frozen=True)
class CaseloadEntry:
    person_id: str
    first_name: str
    plan_id: str | None
    reasons: list[str] = field(default_factory=list)
    review_due: date | None = None
    goals_past_date: list[str] = field(default_factory=list)
    last_activity: datetime | None = None
    worsening: bool = False

    @property
    def scopes_used(self) -> list[str]:
        return (["plan"] if self.plan_id else []) + (["checkins"] if self.worsening else [])


def _instant(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _entry(row: Row, today: date, now: datetime) -> CaseloadEntry | None:
    scopes = {s for listed in row["scopes"] for s in listed}
    plans = [from_properties(Plan, p) for p in row["plans"]]
    plan = plans[0] if plans and "plan" in scopes else None
    reasons: list[str] = []
    due = None
    past: list[str] = []
    last = None
    if plan is not None:
        goals = [from_properties(Goal, g) for g in row["goals"] or []]
        reviewed = [t for t in row["reviewed"] or [] if t]
        due = next_review(plan, len(reviewed))
        sunday = today + timedelta(days=6 - today.weekday())
        if plan.status == "active" and due is not None and due <= sunday:
            reasons.append(
                f"review due {due.strftime('%-d %b')}" + (" (overdue)" if due < today else "")
            )
        past = [g.text for g in goals if g.status == "open" and g.target_date < today]
        if past:
            many = len(past) > 1
            reasons.append(
                f"{len(past)} goal{'s' if many else ''} past {'their' if many else 'its'} date"
            )
        times = [plan.created_at, plan.updated_at]
        times += [g.updated_at for g in goals]
        times += [_instant(t) for t in reviewed + [c for c in row["checked_in"] if c]]
        last = max(t for t in times if t is not None)
        if plan.status == "active" and now - last >= timedelta(days=QUIET_DAYS):
            reasons.append(f"nothing recorded since {last.strftime('%-d %b')}")
    worsening = False
    if not plans and "checkins" in scopes:
        from_check_ins = len(row["checked_in"]) >= MIN_CHECK_INS_FOR_TREND
        rising = from_check_ins and float(row["need_trend"] or 0.0) > 0
        worsening = rising or bool(row["open_alerts"])
        if worsening:
            reasons.append("loneliness getting worse, and no plan yet")
    if not reasons:
        return None
    return CaseloadEntry(
        person_id=row["person_id"],
        first_name=row["first_name"],
        plan_id=plan.id if plan else None,
        reasons=reasons,
        review_due=due,
        goals_past_date=past,
        last_activity=last,
        worsening=worsening,
    )


def caseload(
    *, store: GraphStore, grantee_ids: list[str], at: datetime | None = None
) -> list[CaseloadEntry]:
    """The people to look at, each with the reasons in words, by first name."""
    now = at or utc_now()
    rows = plans_repo.caseload_rows(store=store, grantee_ids=grantee_ids, now=now)
    found = (_entry(row, now.date(), now) for row in rows)
    return [entry for entry in found if entry is not None]
