"""Repairing a published week: ranked replacements for visits that lost their volunteer, with
the rest of the week kept as it is (solver/repair.py ranks, solver/eligibility.py decides who
may), and which rules a hand-picked volunteer would break.

Two statements per repair, whatever the number of visits: the visits with their people and
circles, and every volunteer with what they hold that week.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from clock import minutes_of
from graph.models import VolunteerTerms
from graph.repo import visit_changes as repo
from graph.repo.records import from_properties
from graph.store.port import GraphStore
from service.solver_terms import solver_person_and_visit, solver_volunteer
from solver import models as rota
from solver import repair as ranking
from solver.eligibility import HeldVisit


@dataclass(frozen=True)
class Candidate:
    """A volunteer who could take a visit: id, first name, start ("HH:MM") and why."""

    volunteer_id: str
    first_name: str
    start: str
    in_circle: bool
    distance_km: float
    reasons: list[str]


@dataclass(frozen=True)
class Week:
    """Every volunteer as the rules see them in one week, their first names, and what each
    holds that week."""

    volunteers: list[rota.Volunteer]
    first_names: dict[str, str]
    held: dict[str, list[HeldVisit]]


def read_week(
    *,
    store: GraphStore,
    week_start: str,
    leave_out: str | None = None,
    days: set[int] | None = None,
) -> Week:
    """Every volunteer and the visits each holds in the week starting ``week_start`` (but the
    visit ``leave_out``); with ``days``, only the volunteers with some availability on one of
    them (a coarse pre-filter: rule 1 turns the others down anyway, and judging fewer
    volunteers is most of a repair's time)."""
    monday = date.fromisoformat(week_start)
    rows, held_rows = repo.volunteers_with_week(store=store, week_start=week_start)
    volunteers = []
    names: dict[str, str] = {}
    for props in rows:
        if days is not None and not days & {w["day"] for w in json.loads(props["availability"])}:
            continue
        terms = from_properties(VolunteerTerms, props)
        volunteers.append(solver_volunteer(terms, monday))
        names[terms.id] = props["first_name"]
    held: dict[str, list[HeldVisit]] = {}
    for h in held_rows:
        if h["id"] != leave_out:
            held.setdefault(h["volunteer_id"], []).append(
                HeldVisit(
                    h["day"], minutes_of(h["start"]), h["duration_minutes"], h["lat"], h["lon"]
                )
            )
    return Week(volunteers=volunteers, first_names=names, held=held)


def _repair_of(row: dict[str, Any]) -> ranking.VisitToRepair:
    person, visit = solver_person_and_visit(row, row["v"])
    return ranking.VisitToRepair(
        visit=visit, person=person, circle=set(row["circle"]), known=set(row["known"])
    )


def replacements_for(
    *, store: GraphStore, visit_ids: list[str], first: int = 5
) -> dict[str, list[Candidate]]:
    """Ranked replacements for each of ``visit_ids`` (of one week or several), by visit id;
    who gave a visit up is left out of its list. Visits of a week are ranked together (each
    one's first choice held while ranking the next: solver.repair.repair_visits)."""
    rows = repo.visits_to_repair(store=store, visit_ids=visit_ids)
    by_week: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_week.setdefault(str(row["v"]["week_start"]), []).append(row)
    found: dict[str, list[Candidate]] = {}
    for week_start, week_rows in by_week.items():
        repairs = [_repair_of(row) for row in week_rows]
        days = {repair.visit.day for repair in repairs}
        week = read_week(store=store, week_start=week_start, days=days)
        gone = {volunteer for row in week_rows for volunteer in row["gone"]}
        ranked = ranking.repair_visits(
            repairs=repairs, volunteers=week.volunteers, held=week.held, exclude=gone, first=first
        )
        for visit_id, replacements in ranked.items():
            found[visit_id] = [
                Candidate(
                    volunteer_id=r.volunteer,
                    first_name=week.first_names.get(r.volunteer, ""),
                    start=f"{r.start // 60:02d}:{r.start % 60:02d}",
                    in_circle=r.in_circle,
                    distance_km=round(r.km, 1),
                    reasons=r.reasons,
                )
                for r in replacements
            ]
    return found


@dataclass(frozen=True)
class Judged:
    """A hand-picked volunteer on a visit: the rules they would break (empty: none) and the
    start they would be given (minutes after midnight)."""

    broken: list[str]
    start: int


def judge(*, store: GraphStore, visit_id: str, volunteer_id: str) -> Judged | None:
    """Which rules the volunteer would break on the visit beside what they hold that week;
    None when there is no such visit or volunteer."""
    rows = repo.visits_to_repair(store=store, visit_ids=[visit_id])
    if not rows:
        return None
    repair = _repair_of(rows[0])
    week_start = str(rows[0]["v"]["week_start"])
    week = read_week(store=store, week_start=week_start, leave_out=visit_id)
    volunteer = next((v for v in week.volunteers if v.id == volunteer_id), None)
    if volunteer is None:
        return None
    held = week.held.get(volunteer_id, [])
    return Judged(
        broken=ranking.rules_broken(
            visit=repair.visit, person=repair.person, volunteer=volunteer, held=held
        ),
        start=ranking.start_for(
            visit=repair.visit, person=repair.person, volunteer=volunteer, held=held
        ),
    )
