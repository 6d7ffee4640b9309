"""Loneliness check-ins: ``(Person)-[:REPORTED]->(CheckIn)``. Scoring lives in the service."""

from __future__ import annotations

from typing import Any

from graph.models import CheckIn
from graph.repo.notices import notice_when
from graph.repo.records import (
    from_properties,
    read_many,
    to_properties,
)
from graph.repo.volunteer_visits import lock_token
from graph.store.port import GraphStore, Row

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
RETURN p.need AS need, p.first_name AS first_name, collect([c.at, c.loneliness]) AS history,
       count(c) AS known
"""


def get_checkin_history(*, store: GraphStore, person_id: str) -> Row | None:
    """The person's ``need``, ``first_name``, ``history`` ([at, loneliness], oldest first) and
    ``known``."""
    rows = store.run(CHECKIN_HISTORY, {"person_id": person_id}, write=False)
    return rows[0] if rows else None


# One statement: the guard (no check-in landed since ``known`` were read), the check-in, the new
# need and trend, and the alert when there is one, with a notice (graph/repo/notices.py) to each
# link worker who may see the person's check-ins (a ``checkins`` grant in force, to them or to
# their organisation): the person's first name and when, nothing more. (The grantee's id is
# taken before the next OPTIONAL MATCH: FalkorDB fails on a property of a null node from an
# earlier OPTIONAL MATCH used inside the next one.)
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
WITH p, c
OPTIONAL MATCH (p)-[:GRANTS]->(g:ConsentGrant)-[:TO]->(t)
WHERE size($alerts) > 0 AND 'checkins' IN g.scopes AND g.revoked_at IS NULL
  AND g.created_at <= $now AND g.expires_at > $now
WITH p, c, t.id AS grantee
OPTIONAL MATCH (lw:User)
WHERE grantee IS NOT NULL AND lw.role = 'link_worker'
  AND (lw.id = grantee OR lw.organization_id = grantee)
FOREACH (_ IN CASE WHEN lw IS NULL THEN [] ELSE [1] END |
  MERGE (n:Notice {id: 'alert|' + c.id + '|' + lw.id})
  ON CREATE SET n.kind = 'alert', n.recipient_kind = 'user', n.recipient_id = lw.id,
    n.other_first_name = p.first_name, n.week_start = $week, n.day = $day, n.time = $time,
    n.status = 'pending', n.attempts = 0, n.created_at = $now, n.next_at = $now)
RETURN DISTINCT properties(c) AS c
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
        **notice_when(checkin.at),
    }
    written = store.run(RECORD_CHECKIN_WITH_FEEDBACK, params)
    return from_properties(CheckIn, written[0]["c"]) if written else None
