"""A volunteer's answers to visits: claim an open one (the first valid claim wins, never two),
accept or decline one proposed to them, log one as done or missed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Literal

from clock import clock_of, minutes_of
from graph.models import VolunteerTerms, iso_utc, utc_now
from graph.repo import volunteer_visits as repo
from graph.repo.records import from_properties
from graph.store.port import GraphStore
from service.connections.suggestions import connections_changed
from service.solver_terms import solver_person_and_visit, solver_volunteer
from service.visits.open_visits_snapshot import OpenVisitsSnapshot, open_visits_changed
from service.visits.start_times import (
    choose_start,
    held_by_week,
    now_minute,
)
from service.weeks import monday_of, today, visit_date
from service.wellbeing.feedback import tie_update

# A claim judged against the volunteer's visits as they were, refused because they changed in
# the meantime (another claim of theirs won), is judged again on what they hold now, this often.
CLAIM_ATTEMPTS = 3
# How long after logging a visit the volunteer may still correct the log.
CORRECTION_WINDOW = timedelta(days=1)


@dataclass(frozen=True)
class ClaimResult:
    """How a claim ended: claimed (at ``start``), unavailable (``message``), not eligible, or
    not allowed (``NOT_ALLOWED``: no such visit, or none of the volunteer's organisations)."""

    outcome: Literal["claimed", "unavailable", "not_eligible", "not_allowed"]
    message: str = ""
    reasons: list[str] = field(default_factory=list)
    start: str | None = None
    visit: dict[str, Any] = field(default_factory=dict)  # the visit row, as claimed

    @property
    def visit_status(self) -> str:
        """The visit's status after a won claim: accepted once it has all it needs."""
        needed = int(self.visit.get("v", {}).get("volunteers_needed", 1))
        return "accepted" if int(self.visit.get("holders", 0)) + 1 >= needed else "open"


# A volunteer claims only the visits of people an organisation they volunteer with supports.
# Any other visit, and a visit that does not exist, get this one answer, before anything else
# is said about it (its time, whether it is taken, why they are not eligible): it tells nothing
# about who exists.
NOT_ALLOWED = "Not allowed: this is not an open visit of an organisation you volunteer with."

UNAVAILABLE_MESSAGES = {
    "given_up": "You gave this visit up earlier, so you cannot claim it again.",
    "taken": "Someone else has just taken this visit.",
    "held": "You already hold this visit.",
    "start": "The other volunteers on this visit go at a time you cannot make.",
    "overlap": "This visit overlaps another visit you hold that day (travel included).",
    "changed": "Your visits changed while you were claiming this one: please try again.",
    "past": "This visit is in the past.",
    "passed": "This visit's time today has passed.",
}


def claim_visit(*, store: GraphStore, visit_id: str, volunteer_id: str) -> ClaimResult:
    """Claim an open visit: the first valid claim wins, never two. One statement reads what
    judging the claim needs, rules 1-9 decide it (solver.eligibility), the guarded claim
    statement makes it if nothing it relied on changed meanwhile."""
    outcome: repo.ClaimOutcome = "changed"
    for _ in range(CLAIM_ATTEMPTS):
        row = repo.claim_context(store=store, visit_id=visit_id, volunteer_id=volunteer_id)
        judged = _claim_start(row, visit_id)
        if isinstance(judged, ClaimResult):
            return judged
        start, holding = judged
        outcome = repo.claim_visit(
            store=store,
            visit_id=visit_id,
            volunteer_id=volunteer_id,
            start=start,
            now=iso_utc(utc_now()),
            holding=holding,
        )
        if outcome != "changed":
            return _claim_answer(store, row, visit_id, start, outcome)
    return ClaimResult("unavailable", UNAVAILABLE_MESSAGES[outcome])


async def claim_visit_awaited(
    *, store: GraphStore, visit_id: str, volunteer_id: str
) -> ClaimResult:
    """``claim_visit`` for the API's event loop: its statements awaited (``store.arun``), the
    judgement between them on the loop (no thread hop)."""
    outcome: repo.ClaimOutcome = "changed"
    for _ in range(CLAIM_ATTEMPTS):
        row = await repo.claim_context_awaited(
            store=store, visit_id=visit_id, volunteer_id=volunteer_id
        )
        judged = _claim_start(row, visit_id)
        if isinstance(judged, ClaimResult):
            return judged
        start, holding = judged
        outcome = await repo.claim_visit_awaited(
            store=store,
            visit_id=visit_id,
            volunteer_id=volunteer_id,
            start=start,
            now=iso_utc(utc_now()),
            holding=holding,
        )
        if outcome != "changed":
            return _claim_answer(store, row, visit_id, start, outcome)
    return ClaimResult("unavailable", UNAVAILABLE_MESSAGES[outcome])


def _claim_start(row: dict[str, Any], visit_id: str) -> tuple[str, list[str]] | ClaimResult:
    """The start ("HH:MM") to claim the visit in CLAIM_CONTEXT's ``row`` at, with the ids of
    the visits the volunteer holds that week (what rules 8 and 9 were judged beside), or the
    answer when there is none: the visit is missing, taken, past, or the volunteer not
    eligible (rules 1-9, solver.eligibility)."""
    props = row["v"]
    if row["volunteer"] is None or props is None or not row.get("in_bounds"):
        return ClaimResult("not_allowed", NOT_ALLOWED)
    if props.get("status") != "open":  # most of a race's losers: answer before parsing more
        return ClaimResult("unavailable", UNAVAILABLE_MESSAGES["taken"])
    now = now_minute()
    day = visit_date(props["week_start"], props["day"])
    if day < now[0]:
        return ClaimResult("unavailable", UNAVAILABLE_MESSAGES["past"])
    if day == now[0] and minutes_of(props["latest"]) - int(props["duration_minutes"]) < now[1]:
        return ClaimResult("unavailable", UNAVAILABLE_MESSAGES["passed"])
    held_rows = [held for held in row["held"] or [] if held["id"] != visit_id]
    if len(held_rows) < len(row["held"] or []):
        return ClaimResult("unavailable", UNAVAILABLE_MESSAGES["held"])
    volunteer = from_properties(VolunteerTerms, row["volunteer"])
    person, visit = solver_person_and_visit(row, props)
    week_start = props["week_start"]
    start, reasons = choose_start(
        volunteer=solver_volunteer(volunteer, date.fromisoformat(week_start)),
        person=person,
        visit=visit,
        fixed_start=props.get("start") if row["holders"] else None,
        week_start=week_start,
        held=held_by_week(held_rows).get(week_start, []),
        on_or_after=now,
    )
    if start is None:
        return ClaimResult("not_eligible", reasons=reasons)
    return clock_of(start), sorted({held["id"] for held in held_rows})


def _claim_answer(
    store: GraphStore, row: dict[str, Any], visit_id: str, start: str, outcome: repo.ClaimOutcome
) -> ClaimResult:
    if outcome == "won":
        OpenVisitsSnapshot.claimed_in(store, visit_id, start)
        return ClaimResult("claimed", start=start, visit=row)
    if outcome in ("missing", "outside"):  # gone, or out of bounds, since the context was read
        return ClaimResult("not_allowed", NOT_ALLOWED)
    return ClaimResult("unavailable", UNAVAILABLE_MESSAGES[outcome])


def accept_visit(*, store: GraphStore, visit_id: str, volunteer_id: str) -> repo.Change | None:
    """Accept a visit proposed to the volunteer, today or later; None when it was never
    theirs."""
    day = today()
    return repo.accept_visit(
        store=store,
        visit_id=visit_id,
        volunteer_id=volunteer_id,
        now=iso_utc(utc_now()),
        week=monday_of(day).isoformat(),
        day=day.weekday(),
    )


def decline_visit(*, store: GraphStore, visit_id: str, volunteer_id: str) -> repo.Change | None:
    """Decline a proposed or accepted visit (it becomes open: at once in this process's snapshot
    of open visits, within their max age in others'); None when it was never theirs."""
    change = repo.decline_visit(
        store=store, visit_id=visit_id, volunteer_id=volunteer_id, now=iso_utc(utc_now())
    )
    if change is not None:
        open_visits_changed(store=store)
    return change


def log_visit(
    *,
    store: GraphStore,
    visit_id: str,
    volunteer_id: str,
    outcome: Literal["done", "missed"],
    note: str | None,
) -> repo.Change | None:
    """Log an accepted visit as done or missed once it has started (not before: a log feeds
    the tie, and opens check-ins to the volunteer), or correct the log within a day
    (CORRECTION_WINDOW); the volunteer's tie to the person moves."""
    now = utc_now()
    day, minute = now_minute()
    change = repo.log_visit(
        store=store,
        visit_id=visit_id,
        volunteer_id=volunteer_id,
        outcome=outcome,
        note=note,
        now=iso_utc(now),
        since=iso_utc(now - CORRECTION_WINDOW),
        this_monday=monday_of(day).isoformat(),
        weekday=day.weekday(),
        now_clock=clock_of(minute),
        **tie_update(outcome)._asdict(),
    )
    if change is not None and change.ok:  # the volunteer's KNOWS edge to the person moved
        connections_changed(store=store, volunteers=[volunteer_id])
    return change
