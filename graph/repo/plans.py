"""Support plans: ``(Plan)-[:FOR]->(Person)``, ``(Goal)-[:PART_OF]->(Plan)`` and
``(Review)-[:OF]->(Plan)``. Rules (who may, what is valid, scoring) live in ``service.plans``.

A person has at most one *current* plan (active or paused); earlier ones stay, completed or
ended. Creating a plan guards that in the same statement, under the person's write lock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

from graph.models import Goal, Plan, PlanStatus, Review, iso_utc
from graph.repo.errors import NotFound
from graph.repo.records import from_properties, to_properties
from graph.repo.volunteer_visits import lock_token
from graph.store.port import GraphStore, Row

CURRENT = ["active", "paused"]
Changed = TypeVar("Changed", Plan, Goal)


@dataclass(frozen=True)
class PlanRecord:
    """A plan with its goals (in their order) and its reviews (oldest first)."""

    plan: Plan
    goals: list[Goal]
    reviews: list[Review]


def _changed(
    store: GraphStore, statement: str, kind: type[Changed], *, at: datetime, **params: Any
) -> Changed | None:
    """Run a guarded change (with ``$current``, the current statuses, and ``$at``) and read
    back the node it returns as ``n``; None when its guard held it back."""
    rows = store.run(statement, {"current": CURRENT, "at": iso_utc(at), **params})
    return from_properties(kind, rows[0]["n"]) if rows else None


def _record(row: Row) -> PlanRecord:
    goals = sorted((from_properties(Goal, g) for g in row["goals"]), key=lambda g: g.position)
    reviews = sorted(
        (from_properties(Review, r) for r in row["reviews"]), key=lambda r: (r.at, r.id)
    )
    return PlanRecord(plan=from_properties(Plan, row["n"]), goals=goals, reviews=reviews)


# The guard (no current plan), the plan and its goals: one statement, under the person's lock.
# The creation is conditional (FOREACH) rather than filtered (WHERE) so that the row always
# reaches REMOVE: on FalkorDB a row filtered out after it left the lock on the person.
CREATE_PLAN = """
MATCH (p:Person {id: $person_id})
SET p._lock = $lock
WITH p, size([(p)<-[:FOR]-(old:Plan) WHERE old.status IN $current | old]) AS open
REMOVE p._lock
WITH p, open
FOREACH (_ IN CASE WHEN open = 0 THEN [1] ELSE [] END |
  CREATE (n:Plan) SET n = $props
  CREATE (n)-[:FOR]->(p)
  FOREACH (goal IN $goals |
    CREATE (g:Goal) SET g = goal
    CREATE (g)-[:PART_OF]->(n)))
RETURN open = 0 AS created
"""


def create_plan(*, store: GraphStore, plan: Plan, goals: list[Goal]) -> Plan | None:
    """Store the plan and its goals; None (nothing written) when the person already has a
    current plan; ``NotFound`` when there is no such person."""
    params = {
        "person_id": plan.person_id,
        "lock": lock_token(),
        "current": CURRENT,
        "props": to_properties(plan),
        "goals": [to_properties(g) for g in goals],
    }
    rows = store.run(CREATE_PLAN, params)
    if not rows:
        raise NotFound("Person", plan.person_id)
    return plan if rows[0]["created"] else None


GET_PLAN = """
MATCH (n:Plan {id: $id})
RETURN properties(n) AS n,
  [(g:Goal)-[:PART_OF]->(n) | properties(g)] AS goals,
  [(r:Review)-[:OF]->(n) | properties(r)] AS reviews
"""


def get_plan(*, store: GraphStore, plan_id: str) -> PlanRecord | None:
    """The plan with its goals and reviews, or None."""
    rows = store.run(GET_PLAN, {"id": plan_id}, write=False)
    return _record(rows[0]) if rows else None


PLANS_OF_PERSON = """
MATCH (n:Plan)-[:FOR]->(:Person {id: $person_id})
RETURN properties(n) AS n,
  [(g:Goal)-[:PART_OF]->(n) | properties(g)] AS goals,
  [(r:Review)-[:OF]->(n) | properties(r)] AS reviews
ORDER BY n.created_at DESC, n.id DESC
"""


def plans_of_person(*, store: GraphStore, person_id: str) -> list[PlanRecord]:
    """All the person's plans: the current one (if any) first, then the others newest first."""
    rows = store.run(PLANS_OF_PERSON, {"person_id": person_id}, write=False)
    found = [_record(row) for row in rows]
    return sorted(found, key=lambda r: r.plan.status not in CURRENT)


PLANS_OF_PEOPLE = """
MATCH (n:Plan)-[:FOR]->(p:Person)
WHERE p.id IN $person_ids
RETURN properties(n) AS n,
  [(g:Goal)-[:PART_OF]->(n) | properties(g)] AS goals,
  [(r:Review)-[:OF]->(n) | properties(r)] AS reviews
ORDER BY n.person_id, n.created_at, n.id
"""


def plans_of_people(*, store: GraphStore, person_ids: list[str]) -> list[PlanRecord]:
    """The plans of these people, by person then oldest first (for outcome analyses)."""
    rows = store.run(PLANS_OF_PEOPLE, {"person_ids": person_ids}, write=False)
    return [_record(row) for row in rows]


# Reviewed only while the plan is active (a paused or finished plan is not scored).
RECORD_REVIEW = """
MATCH (n:Plan {id: $plan_id})
WHERE n.status = 'active'
CREATE (r:Review) SET r = $props
CREATE (r)-[:OF]->(n)
SET n.updated_at = $at
RETURN properties(r) AS n
"""


def record_review(*, store: GraphStore, review: Review) -> Review | None:
    """Store the review; None (nothing written) unless its plan exists and is active."""
    params = {"plan_id": review.plan_id, "props": to_properties(review), "at": iso_utc(review.at)}
    rows = store.run(RECORD_REVIEW, params)
    return from_properties(Review, rows[0]["n"]) if rows else None


SET_PLAN_STATUS = """
MATCH (n:Plan {id: $id})
WHERE n.status IN $from_statuses
SET n.status = $status, n.end_reason = $reason, n.updated_at = $at
RETURN properties(n) AS n
"""


def set_plan_status(
    *,
    store: GraphStore,
    plan_id: str,
    status: PlanStatus,
    from_statuses: list[str],
    reason: str | None,
    at: datetime,
) -> Plan | None:
    """Move the plan to ``status`` if it is in one of ``from_statuses``; else None."""
    return _changed(
        store,
        SET_PLAN_STATUS,
        Plan,
        id=plan_id,
        status=status,
        from_statuses=from_statuses,
        reason=reason,
        at=at,
    )


SET_REVIEW_DATES = """
MATCH (n:Plan {id: $id})
WHERE n.status IN $current
SET n.review_dates = $dates, n.updated_at = $at
RETURN properties(n) AS n
"""


def set_review_dates(
    *, store: GraphStore, plan_id: str, dates: list[date], at: datetime
) -> Plan | None:
    """Replace the plan's review dates while it is current; else None."""
    dates_said = [d.isoformat() for d in dates]
    return _changed(store, SET_REVIEW_DATES, Plan, id=plan_id, dates=dates_said, at=at)


GOAL_OWNER = """
MATCH (g:Goal {id: $id})-[:PART_OF]->(n:Plan)-[:FOR]->(p:Person)
RETURN n.id AS plan_id, p.id AS person_id
"""


def goal_owner(*, store: GraphStore, goal_id: str) -> tuple[str, str] | None:
    """(plan id, person id) of the goal, or None."""
    rows = store.run(GOAL_OWNER, {"id": goal_id}, write=False)
    return (rows[0]["plan_id"], rows[0]["person_id"]) if rows else None


# The person's own words: changed only on a current plan, and only the goal of that person.
CHANGE_GOAL_TEXT = """
MATCH (g:Goal {id: $id})-[:PART_OF]->(n:Plan)-[:FOR]->(:Person {id: $person_id})
WHERE n.status IN $current
SET g.text = $text, g.updated_at = $at
RETURN properties(g) AS n
"""


def change_goal_text(
    *, store: GraphStore, goal_id: str, person_id: str, text: str, at: datetime
) -> Goal | None:
    """Reword a goal of the person's current plan; None when there is no such goal."""
    return _changed(
        store, CHANGE_GOAL_TEXT, Goal, id=goal_id, person_id=person_id, text=text, at=at
    )


SET_GOAL_STATUS = """
MATCH (g:Goal {id: $id})-[:PART_OF]->(n:Plan)
WHERE n.status IN $current
SET g.status = $status, g.status_reason = $reason, g.updated_at = $at, n.updated_at = $at
RETURN properties(g) AS n
"""


def set_goal_status(
    *, store: GraphStore, goal_id: str, status: str, reason: str | None, at: datetime
) -> Goal | None:
    """Mark a goal of a current plan open, achieved or dropped; None when there is none."""
    return _changed(store, SET_GOAL_STATUS, Goal, id=goal_id, status=status, reason=reason, at=at)


# The people who granted one of ``grantee_ids`` plan or check-in access, in force at ``$now``,
# with their current plan (if any), what happened lately and their loneliness trend.
CASELOAD = """
MATCH (c:ConsentGrant)-[:TO]->(t)
WHERE t.id IN $grantee_ids AND c.revoked_at IS NULL
  AND c.created_at <= $now AND c.expires_at > $now
  AND ('plan' IN c.scopes OR 'checkins' IN c.scopes)
MATCH (p:Person)-[:GRANTS]->(c)
WITH p, collect(c.scopes) AS scopes
OPTIONAL MATCH (n:Plan)-[:FOR]->(p)
WHERE n.status IN $current
WITH p, scopes, n,
  [(g:Goal)-[:PART_OF]->(n) | properties(g)] AS goals,
  [(r:Review)-[:OF]->(n) | r.at] AS reviewed
RETURN p.id AS person_id, p.first_name AS first_name, p.need_trend AS need_trend, scopes,
  [(m:Plan)-[:FOR]->(p) WHERE m.status IN $current | properties(m)] AS plans,
  goals, reviewed,
  [(p)-[:REPORTED]->(ci:CheckIn) | ci.at] AS checked_in,
  [(a:Alert)-[:ABOUT]->(p) WHERE a.acknowledged_at IS NULL | a.id] AS open_alerts
ORDER BY first_name, person_id
"""


def caseload_rows(*, store: GraphStore, grantee_ids: list[str], now: datetime) -> list[Row]:
    """One row per person who granted ``grantee_ids`` plan or check-in access: ``scopes`` (the
    grants' scope lists), ``plans`` (the current plan's properties, if any), its ``goals``
    (properties) and ``reviewed`` (review times), ``checked_in`` (check-in times),
    ``open_alerts`` and ``need_trend``."""
    params: dict[str, Any] = {
        "grantee_ids": list(grantee_ids),
        "now": iso_utc(now),
        "current": CURRENT,
    }
    return store.run(CASELOAD, params, write=False)


# Goals of active plans (their activities are JSON text: which ask for a volunteer to go along
# is decided in the service), of the people $organization_id supports unless it is null.
ACTIVE_GOALS = """
MATCH (g:Goal)-[:PART_OF]->(n:Plan)-[:FOR]->(p:Person)
WHERE n.status = 'active'
WITH g, p, [(p)-[:SUPPORTED_BY]->(o:Organization) | o.id] AS supporters
WHERE $organization_id IS NULL OR $organization_id IN supporters
RETURN p.id AS person_id, properties(g) AS g
ORDER BY person_id, g.id
"""


def active_goals(
    *, store: GraphStore, organization_id: str | None = None
) -> list[tuple[str, Goal]]:
    """(person id, goal) for every goal of an active plan (of a person ``organization_id``
    supports, when given)."""
    rows = store.run(ACTIVE_GOALS, {"organization_id": organization_id}, write=False)
    return [(row["person_id"], from_properties(Goal, row["g"])) for row in rows]


# Accompanied visits held or planned before the week (missed and cancelled ones do not count).
ACCOMPANIED_BEFORE = """
MATCH (v:Visit)-[:FOR]->(p:Person)
WHERE p.id IN $person_ids AND v.service_id IS NOT NULL AND v.week_start < $week_start
  AND NOT v.status IN ['missed', 'cancelled']
RETURN p.id AS person_id, v.service_id AS service_id, count(v) AS visits
"""


def accompanied_before(
    *, store: GraphStore, person_ids: list[str], week_start: date
) -> dict[tuple[str, str], int]:
    """How many accompanied visits each (person, service) had before ``week_start``."""
    params = {"person_ids": person_ids, "week_start": week_start.isoformat()}
    rows = store.run(ACCOMPANIED_BEFORE, params, write=False)
    return {(row["person_id"], row["service_id"]): int(row["visits"]) for row in rows}
