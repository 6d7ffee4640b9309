"""Loneliness check-ins: ``(Person)-[:REPORTED]->(CheckIn)``. Scoring lives in the service."""

from __future__ import annotations

from typing import Any

from graph.models import CheckIn
from graph.repo.errors import NotFound
from graph.repo.records import (
    create_one,
    delete_statement,
    deleted,
    found,
    from_properties,
    get_statement,
    read_many,
    read_one,
    to_properties,
)
from graph.repo.signup import lock_token
from graph.store.port import GraphStore, Row

CREATE_CHECKIN = """
MATCH (p:Person {id: $person_id})
CREATE (n:CheckIn) SET n = $props
CREATE (p)-[:REPORTED]->(n)
RETURN properties(n) AS n
"""


def create_checkin(*, store: GraphStore, checkin: CheckIn) -> CheckIn:
    """Record a check-in for an existing person; ``NotFound`` without them."""
    missing = NotFound("Person", checkin.person_id)
    return create_one(
        store,
        CREATE_CHECKIN,
        checkin,
        label="CheckIn",
        missing=missing,
        person_id=checkin.person_id,
    )


GET_CHECKIN = get_statement("CheckIn")


def get_checkin(*, store: GraphStore, checkin_id: str) -> CheckIn | None:
    """The check-in with this id, or None."""
    return read_one(store, GET_CHECKIN, {"id": checkin_id}, CheckIn)


def get_checkin_or_raise(*, store: GraphStore, checkin_id: str) -> CheckIn:
    """The check-in with this id; ``NotFound`` if there is none."""
    checkin = get_checkin(store=store, checkin_id=checkin_id)
    return found(checkin, label="CheckIn", node_id=checkin_id)


LIST_CHECKINS_OF_PERSON = """
MATCH (:Person {id: $person_id})-[:REPORTED]->(n:CheckIn)
RETURN properties(n) AS n ORDER BY n.at, n.id
"""


def list_checkins_of_person(*, store: GraphStore, person_id: str) -> list[CheckIn]:
    """The person's check-ins, oldest first."""
    return read_many(store, LIST_CHECKINS_OF_PERSON, {"person_id": person_id}, CheckIn)


CHECKINS_OF_PEOPLE = """
MATCH (p:Person)-[:REPORTED]->(n:CheckIn)
WHERE p.id IN $ids
RETURN p.id AS person_id, properties(n) AS n
ORDER BY person_id, n.at, n.id
"""


async def checkins_of_people_awaited(*, store: GraphStore, person_ids: list[str]) -> list[Row]:
    """Rows ``person_id``, ``n`` (check-in properties), oldest first per person, awaited."""
    return await store.arun(CHECKINS_OF_PEOPLE, {"ids": person_ids}, write=False)


CHECKIN_HISTORY = """
MATCH (p:Person {id: $person_id})
OPTIONAL MATCH (p)-[:REPORTED]->(c:CheckIn)
WITH p, c ORDER BY c.at
RETURN p.need AS need, collect([c.at, c.loneliness]) AS history, count(c) AS known
"""


def get_checkin_history(*, store: GraphStore, person_id: str) -> Row | None:
    """The person's ``need``, ``history`` ([at, loneliness], oldest first) and ``known``."""
    rows = store.run(CHECKIN_HISTORY, {"person_id": person_id}, write=False)
    return rows[0] if rows else None


# One statement: the guard (no check-in landed since ``known`` were read), the check-in, the new
# need and trend, and the alert when there is one.
RECORD_CHECKIN_WITH_FEEDBACK = """
MATCH (p:Person {id: $person_id})
SET p._lock = $lock
WITH p, size([(p)-[:REPORTED]->(old:CheckIn) | old]) AS known
REMOVE p._lock
WITH p, known WHERE known = $known
CREATE (c:CheckIn) SET c = $props
CREATE (p)-[:REPORTED]->(c)
SET p.need = $need, p.need_trend = $need_trend
FOREACH (alert IN $alerts |
  CREATE (a:Alert) SET a = alert
  CREATE (a)-[:ABOUT]->(p))
RETURN properties(c) AS c
"""


def record_checkin_with_feedback(
    *,
    store: GraphStore,
    checkin: CheckIn,
    known: int,
    need: float,
    need_trend: float,
    alerts: list[dict[str, Any]],
) -> CheckIn | None:
    """Store the check-in, need, trend and alerts if the person still has ``known``; else None."""
    params = {
        "person_id": checkin.person_id,
        "lock": lock_token(),
        "known": known,
        "props": to_properties(checkin),
        "need": need,
        "need_trend": need_trend,
        "alerts": alerts,
    }
    written = store.run(RECORD_CHECKIN_WITH_FEEDBACK, params)
    return from_properties(CheckIn, written[0]["c"]) if written else None


DELETE_CHECKIN = delete_statement("CheckIn")


def delete_checkin(*, store: GraphStore, checkin_id: str) -> bool:
    """Remove a check-in recorded in error; True if it existed. (Check-ins are records, so
    there is no update: delete and record again.)"""
    return deleted(store, DELETE_CHECKIN, {"id": checkin_id})
