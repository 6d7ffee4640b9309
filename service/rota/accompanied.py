"""Accompanied first visits: a volunteer goes along with a person to a service their plan names
(an activity of a goal of an active plan, ``accompanied_visits`` 1-3), the first times they go.

Each week, until that many have been held or planned (missed and cancelled ones do not count),
``plan_week`` adds one Visit ``FOR`` the person with ``service_id`` set, at the service's first
schedule that meets that week (``Schedule.meets_in_week``: a fortnightly or monthly group only
in its weeks): its day, from its start to its end (the whole session), at the service's place
(the visit's ``lat``/``lon``, which open visits and claims judge distance and travel from). A
service with no place, or no session that week, gets none that week. A rota run for an
organisation plans them only for the people it supports (``SUPPORTED_BY``).

In the rota problem (``build_problem``) such a visit is an ordinary visit, with one difference
that ROTA_FORMAT already allows: its ``person`` is the person *at the service* (``place_id``):
a problem person with the person's need, languages, gender preference, exclusions, circle and
circle size, placed at the service. So the usual rules (checks, language, gender preference,
distance and travel to the service, weekly limit) judge it, continuity prefers the person's
circle, and an uncovered one gets the solver's reasons like any gap.
"""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

from clock import minutes_of
from graph.models import Schedule, Service, Visit
from graph.repo import plans as plans_repo
from graph.repo import services as services_repo
from graph.repo.records import to_properties
from graph.store.port import GraphStore
from service.weeks import week_label
from solver import models as rota

AT = "@"  # a problem person "person-7@svc-3": person-7 at the service svc-3
DURATION_MIN, DURATION_MAX = 15, 480


def place_id(person_id: str, service_id: str) -> str:
    """The problem person standing for ``person_id`` at the service."""
    return f"{person_id}{AT}{service_id}"


def person_of(problem_person: str) -> str:
    """The person's id behind a problem person (itself for an ordinary one)."""
    return problem_person.split(AT, 1)[0]


def _visit_id(person_id: str, service_id: str, week: str) -> str:
    digest = hashlib.sha256(f"{person_id}|{service_id}|{week}".encode()).hexdigest()[:12]
    return f"visit-{week}-along-{digest}"


def accompanied_visits(
    *, store: GraphStore, week_start: date, organization_id: str | None = None
) -> list[dict[str, Any]]:
    """The accompanied visits the week should have (node properties), per the module docstring
    (with ``organization_id``, only for the people it supports)."""
    wanted: dict[tuple[str, str], int] = {}
    goals = plans_repo.active_goals(store=store, organization_id=organization_id)
    for person_id, goal in goals:
        for activity in goal.activities:
            if activity.service_id and activity.accompanied_visits:
                key = (person_id, activity.service_id)
                wanted[key] = max(wanted.get(key, 0), activity.accompanied_visits)
    if not wanted:
        return []
    held = plans_repo.accompanied_before(
        store=store, person_ids=sorted({p for p, _ in wanted}), week_start=week_start
    )
    services = {
        s.id: s
        for s in services_repo.list_services_by_id(
            store=store, service_ids=sorted({s for _, s in wanted})
        )
    }
    week = week_label(week_start)
    visits = []
    for (person_id, service_id), times in sorted(wanted.items()):
        service = services.get(service_id)
        done = held.get((person_id, service_id), 0)
        if service is None or done >= times or service.lat is None or service.lon is None:
            continue
        session = next((s for s in service.schedules if s.meets_in_week(week_start)), None)
        if session is None:
            continue
        visit = _visit(service, session, person_id, week_start, week, (done, times))
        visits.append(to_properties(visit))
    return visits


def _visit(
    service: Service,
    session: Schedule,
    person_id: str,
    week_start: date,
    week: str,
    done_of: tuple[int, int],
) -> Visit:
    done, times = done_of
    length = minutes_of(session.end) - minutes_of(session.start)
    return Visit(
        id=_visit_id(person_id, service.id, week),
        person_id=person_id,
        week_start=week_start,
        day=session.day,
        earliest=session.start,
        latest=session.end,
        duration_minutes=max(DURATION_MIN, min(DURATION_MAX, length)),
        status="open",
        notes=f"Going along to {service.name} ({done + 1} of {times})",
        service_id=service.id,
        lat=service.lat,
        lon=service.lon,
    )


def people_at_services(
    *, store: GraphStore, people: list[rota.Person], visits: list[tuple[rota.Visit, str]]
) -> tuple[list[rota.Person], list[rota.Visit]]:
    """The problem people and visits with each accompanied visit (paired with its service id;
    ``""`` for an ordinary visit) moved to its person at the service."""
    at_service = sorted({s for _, s in visits if s})
    if not at_service:
        return people, [v for v, _ in visits]
    places = {
        s.id: s for s in services_repo.list_services_by_id(store=store, service_ids=at_service)
    }
    by_id = {p.id: p for p in people}
    added: dict[str, rota.Person] = {}
    moved = []
    for visit, service_id in visits:
        place = places.get(service_id)
        person = by_id.get(visit.person)
        if not service_id or place is None or place.lat is None or place.lon is None or not person:
            moved.append(visit)
            continue
        pid = place_id(person.id, service_id)
        added.setdefault(
            pid, person.model_copy(update={"id": pid, "lat": place.lat, "lon": place.lon})
        )
        moved.append(visit.model_copy(update={"person": pid}))
    return people + list(added.values()), moved
