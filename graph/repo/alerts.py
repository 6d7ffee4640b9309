"""Alerts: ``(Alert)-[:ABOUT]->(Person)``, raised by a check-in
(``service.wellbeing.checkins``), and a
link worker's acknowledgement that they have dealt with one.

An acknowledgement is held on the alert itself: ``acknowledged_at``, ``acknowledged_by`` (the
user's id), ``acknowledged_role`` (the role they acted in) and ``acknowledgement_note``. Both
statements see an alert only through a ``checkins`` grant in force to one of ``grantee_ids`` (a
user and their organisation), so an alert the caller may not see and one that does not exist
look the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graph.repo.volunteer_visits import lock_token
from graph.store.port import GraphStore

# The people who granted one of ``grantee_ids`` check-in access, in force at ``$now``.
_GRANTED_PEOPLE = """
MATCH (g:ConsentGrant)-[:TO]->(t)
WHERE t.id IN $grantee_ids AND 'checkins' IN g.scopes AND g.revoked_at IS NULL
  AND g.created_at <= $now AND g.expires_at > $now
MATCH (p:Person)-[:GRANTS]->(g)
"""

# Newest first; open ones only unless ``$include_acknowledged``; with who acknowledged each.
# (The user's fields are taken before the second OPTIONAL MATCH: FalkorDB fails on a property
# of a null node from an earlier OPTIONAL MATCH used inside the next one.)
ALERTS_FOR_GRANTEES = (
    _GRANTED_PEOPLE
    + """WITH DISTINCT p
MATCH (a:Alert)-[:ABOUT]->(p)
WHERE $include_acknowledged OR a.acknowledged_at IS NULL
WITH a, p ORDER BY a.at DESC, a.id DESC LIMIT $limit
OPTIONAL MATCH (u:User {id: a.acknowledged_by})
WITH a, p, u.email AS email, u.organization_id AS organization_id
OPTIONAL MATCH (o:Organization {id: organization_id})
RETURN properties(a) AS a, p.first_name AS first_name, email, o.name AS org
ORDER BY a.at DESC, a.id DESC
"""
)

# One statement: the guard (the alert is still open, read under the person's write lock, so
# acknowledgements of the person's alerts happen one after another) and the acknowledgement of
# the alert and of the person's earlier open alerts, which the link worker saw with it
# ("earlier" in the order alerts are listed: by ``at``, then ``id``).
ACKNOWLEDGE_ALERT = """
MATCH (a:Alert {id: $alert_id})-[:ABOUT]->(p:Person)-[:GRANTS]->(g:ConsentGrant)-[:TO]->(t)
WHERE t.id IN $grantee_ids AND 'checkins' IN g.scopes AND g.revoked_at IS NULL
  AND g.created_at <= $now AND g.expires_at > $now
WITH DISTINCT a, p
SET p._lock = $lock
WITH a, p, a.acknowledged_at IS NULL AS open
REMOVE p._lock
WITH a, p, open
OPTIONAL MATCH (earlier:Alert)-[:ABOUT]->(p)
WHERE open AND earlier.acknowledged_at IS NULL
  AND (earlier.at < a.at OR (earlier.at = a.at AND earlier.id < a.id))
WITH a, p, open, collect(earlier) AS earlier
FOREACH (each IN CASE WHEN open THEN [a] + earlier ELSE [] END |
  SET each.acknowledged_at = $now, each.acknowledged_by = $user_id,
      each.acknowledged_role = $role, each.acknowledgement_note = $note)
WITH a, p, open, size(earlier) AS closed
OPTIONAL MATCH (u:User {id: a.acknowledged_by})
WITH a, p, open, closed, u.email AS email, u.organization_id AS organization_id
OPTIONAL MATCH (o:Organization {id: organization_id})
RETURN properties(a) AS a, p.first_name AS first_name, email, o.name AS org,
       open AS acknowledged, closed
"""

# A person's own alerts, newest first, with who dealt with each (for their own view and export).
ALERTS_OF_PERSON = """
MATCH (a:Alert)-[:ABOUT]->(p:Person {id: $person_id})
OPTIONAL MATCH (u:User {id: a.acknowledged_by})
WITH a, p, u.email AS email, u.organization_id AS organization_id
OPTIONAL MATCH (o:Organization {id: organization_id})
RETURN properties(a) AS a, p.first_name AS first_name, email, o.name AS org
ORDER BY a.at DESC, a.id DESC
"""


@dataclass(frozen=True)
class Acknowledger:
    """Who acknowledged an alert: the role they acted in; email and organisation while they are
    still a user."""

    user_id: str
    role: str
    email: str | None
    organization: str | None


@dataclass(frozen=True)
class StoredAlert:
    id: str
    person_id: str
    person_first_name: str
    at: str
    reasons: list[str]
    check_in_id: str
    acknowledged_at: str | None = None
    acknowledged_by: Acknowledger | None = None
    note: str | None = None


@dataclass(frozen=True)
class Acknowledged:
    """The outcome of an acknowledgement: ``won`` False when it had been acknowledged before
    (``alert`` then says by whom); ``earlier``: the person's earlier open alerts it closed too."""

    alert: StoredAlert
    won: bool
    earlier: int


def _alert(row: dict[str, Any]) -> StoredAlert:
    a = row["a"]
    by = None
    if a.get("acknowledged_by"):
        by = Acknowledger(
            user_id=a["acknowledged_by"],
            role=a.get("acknowledged_role", ""),
            email=row.get("email"),
            organization=row.get("org"),
        )
    return StoredAlert(
        id=a["id"],
        person_id=a["person_id"],
        person_first_name=row["first_name"],
        at=a["at"],
        reasons=list(a.get("reasons") or []),
        check_in_id=a.get("check_in_id", ""),
        acknowledged_at=a.get("acknowledged_at"),
        acknowledged_by=by,
        note=a.get("acknowledgement_note"),
    )


def list_alerts_for_grantees(
    *,
    store: GraphStore,
    grantee_ids: list[str],
    now: str,
    limit: int,
    include_acknowledged: bool = False,
) -> list[StoredAlert]:
    """Alerts about the people who granted one of ``grantee_ids`` check-in access, newest
    first: open ones, or all with ``include_acknowledged``."""
    params = {
        "grantee_ids": grantee_ids,
        "now": now,
        "limit": limit,
        "include_acknowledged": include_acknowledged,
    }
    return [_alert(r) for r in store.run(ALERTS_FOR_GRANTEES, params, write=False)]


def list_alerts_of_person(*, store: GraphStore, person_id: str) -> list[StoredAlert]:
    """Every alert about the person, newest first, open or dealt with (who, when, note)."""
    rows = store.run(ALERTS_OF_PERSON, {"person_id": person_id}, write=False)
    return [_alert(r) for r in rows]


def acknowledge_alert(
    *,
    store: GraphStore,
    alert_id: str,
    grantee_ids: list[str],
    user_id: str,
    role: str,
    note: str | None,
    now: str,
) -> Acknowledged | None:
    """Acknowledge the alert (and the person's earlier open ones) unless it was before; None
    when there is no such alert about a person who granted one of ``grantee_ids`` check-ins."""
    rows = store.run(
        ACKNOWLEDGE_ALERT,
        {
            "alert_id": alert_id,
            "grantee_ids": grantee_ids,
            "now": now,
            "lock": lock_token(),
            "user_id": user_id,
            "role": role,
            "note": note,
        },
    )
    if not rows:
        return None
    row = rows[0]
    return Acknowledged(
        alert=_alert(row), won=bool(row["acknowledged"]), earlier=int(row["closed"])
    )
