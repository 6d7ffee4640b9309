"""Referrals of a person to a service: a ``Referral`` node linked ``FOR`` the person and ``TO``
the service, mirrored by ``(Person)-[:REFERRED_TO {referral_id, status}]->(Service)`` so graph
walks (suggestions) see outcomes directly."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from pydantic import TypeAdapter

from graph.models import DeclineReason, Referral, ReferralStatus, Service, iso_utc
from graph.models.base import Text
from graph.repo.errors import NotFound
from graph.repo.notices import notice_when, referral_notice_fragment
from graph.repo.records import (
    create_one,
    first_missing,
    from_properties,
    get_statement,
    read_one,
    write_one,
)
from graph.repo.volunteer_visits import lock_token
from graph.store.port import GraphStore, Row

_REFERRAL_STATUS: TypeAdapter[ReferralStatus] = TypeAdapter(ReferralStatus)
_DECLINE_REASON: TypeAdapter[DeclineReason] = TypeAdapter(DeclineReason)
_NOTE: TypeAdapter[str | None] = TypeAdapter(Text | None)

# The referral, its mirror edge, and a notice to each partner user of the organisation offering
# the service (no name in it: a partner sees the person's first name only once accepted).
CREATE_REFERRAL = f"""
MATCH (p:Person {{id: $person_id}}), (s:Service {{id: $service_id}})
CREATE (n:Referral) SET n = $props
CREATE (n)-[:FOR]->(p)
CREATE (n)-[:TO]->(s)
CREATE (p)-[:REFERRED_TO {{referral_id: n.id, status: n.status}}]->(s)
WITH n, s
OPTIONAL MATCH (partner:User)
WHERE partner.role = 'partner' AND partner.organization_id = s.organization_id
FOREACH (_ IN CASE WHEN partner IS NULL THEN [] ELSE [1] END |
  {referral_notice_fragment(r="n", who="partner", kind="referral_made")})
RETURN DISTINCT properties(n) AS n
"""


def create_referral(*, store: GraphStore, referral: Referral) -> Referral:
    """Record a referral; ``NotFound`` naming the missing person or service."""
    nodes = [("Person", referral.person_id), ("Service", referral.service_id)]
    try:
        return create_one(
            store,
            CREATE_REFERRAL,
            referral,
            label="Referral",
            missing=NotFound("Person or Service", f"{referral.person_id}/{referral.service_id}"),
            person_id=referral.person_id,
            service_id=referral.service_id,
            **notice_when(referral.created_at),
        )
    except NotFound:
        raise first_missing(store, nodes) from None


GET_REFERRAL = get_statement("Referral")


def get_referral(*, store: GraphStore, referral_id: str) -> Referral | None:
    """The referral with this id, or None."""
    return read_one(store, GET_REFERRAL, {"id": referral_id}, Referral)


REFERRALS_WITH_SERVICES = """
MATCH (r:Referral)-[:FOR]->(:Person {id: $person_id})
OPTIONAL MATCH (r)-[:TO]->(s:Service)
RETURN properties(r) AS r, s.name AS service_name
ORDER BY r.created_at, r.id
"""


def list_referrals_with_services(*, store: GraphStore, person_id: str) -> list[Row]:
    """Rows ``r`` (referral properties) and ``service_name`` of the person's referrals."""
    return store.run(REFERRALS_WITH_SERVICES, {"person_id": person_id}, write=False)


UPDATE_REFERRAL_STATUS = """
MATCH (n:Referral {id: $id})
SET n.status = $status, n.updated_at = $at, n.note = coalesce($note, n.note)
WITH n
OPTIONAL MATCH (:Person {id: n.person_id})-[r:REFERRED_TO]->(:Service {id: n.service_id})
WHERE r.referral_id = n.id
WITH n, collect(r) AS mirrors
FOREACH (r IN mirrors | SET r.status = $status)
RETURN properties(n) AS n
"""


def update_referral_status(
    *,
    store: GraphStore,
    referral_id: str,
    status: ReferralStatus,
    at: datetime,
    note: str | None = None,
) -> Referral:
    """Record how the referral turned out (``note`` replaces the old one when given)."""
    params = {
        "id": referral_id,
        "status": _REFERRAL_STATUS.validate_python(status),
        "at": iso_utc(at),
        "note": _NOTE.validate_python(note),
    }
    missing = NotFound("Referral", referral_id)
    return write_one(store, UPDATE_REFERRAL_STATUS, params, Referral, missing=missing)


# --- the offering organisation's side: inbox, accept within weekly places, decline, attendance
#
# Every statement matches the referral through the service it is TO and that service's
# ``organization_id``: a partner of another organisation finds nothing ('missing'), so whether
# the referral exists is not said. Accept and decline take the write lock on the referral (and
# accept on the service, whose weekly places it counts) before reading its state.

DecisionOutcome = Literal["missing", "decided", "full", "accepted", "declined"]
AttendanceOutcome = Literal["missing", "not_accepted", "recorded"]


@dataclass(frozen=True)
class Decision:
    """What an accept or decline did: the outcome, and the referral as it is now (None when
    missing); for accept, how many the service accepted this week and its weekly places."""

    outcome: str
    referral: Referral | None
    taken: int = 0
    places: int | None = None


REFERRAL_INBOX = """
MATCH (n:Referral)-[:TO]->(s:Service)
WHERE s.organization_id = $organization_id AND ($statuses IS NULL OR n.status IN $statuses)
  AND ($referral_id IS NULL OR n.id = $referral_id)
OPTIONAL MATCH (n)-[:FOR]->(p:Person)
OPTIONAL MATCH (a:Area {id: p.area_id})
OPTIONAL MATCH (u:User {id: n.referred_by})
OPTIONAL MATCH (o:Organization {id: u.organization_id})
RETURN properties(n) AS n, s.id AS service_id, s.name AS service_name,
       p.first_name AS first_name, p.phone AS phone, a.name AS area, o.name AS referred_from
ORDER BY n.created_at DESC, n.id
LIMIT $limit
"""


def list_inbox(
    *,
    store: GraphStore,
    organization_id: str,
    statuses: list[str] | None,
    limit: int,
    referral_id: str | None = None,
) -> list[Row]:
    """Referrals to the organisation's services, newest first: rows ``n`` (referral
    properties), ``service_id``, ``service_name``, ``first_name``, ``phone``, ``area`` (the
    person's ward) and ``referred_from`` (the referring organisation's name); only the one
    with ``referral_id`` when given. The caller shows of the person only what the referral's
    basis allows."""
    params = {
        "organization_id": organization_id,
        "statuses": statuses,
        "limit": limit,
        "referral_id": referral_id,
    }
    return store.run(REFERRAL_INBOX, params, write=False)


SERVICES_WITH_PLACES = """
MATCH (s:Service)
WHERE s.organization_id = $organization_id
OPTIONAL MATCH (n:Referral)-[:TO]->(s)
WHERE n.decided_at >= $week_from AND n.decided_at < $week_to AND n.decline_reason IS NULL
RETURN properties(s) AS s, count(n) AS taken
ORDER BY s.name, s.id
"""


def list_services_with_places(
    *, store: GraphStore, organization_id: str, week_from: datetime, week_to: datetime
) -> list[tuple[Service, int]]:
    """The organisation's services, each with how many referrals it accepted in the week."""
    params = {
        "organization_id": organization_id,
        "week_from": iso_utc(week_from),
        "week_to": iso_utc(week_to),
    }
    rows = store.run(SERVICES_WITH_PLACES, params, write=False)
    return [(from_properties(Service, row["s"]), int(row["taken"])) for row in rows]


SET_WEEKLY_PLACES = """
MATCH (s:Service {id: $service_id})
WHERE s.organization_id = $organization_id
SET s.weekly_places = $places
RETURN properties(s) AS n
"""


def set_weekly_places(
    *, store: GraphStore, service_id: str, organization_id: str, places: int | None
) -> Service | None:
    """Set how many new referrals the service accepts per week (None: no limit); None when the
    organisation offers no such service."""
    params = {"service_id": service_id, "organization_id": organization_id, "places": places}
    rows = store.run(SET_WEEKLY_PLACES, params)
    return from_properties(Service, rows[0]["n"]) if rows else None


ACCEPT_REFERRAL = f"""
OPTIONAL MATCH (n:Referral {{id: $id}})-[:TO]->(s:Service)
WHERE s.organization_id = $organization_id
FOREACH (x IN CASE WHEN s IS NULL THEN [] ELSE [n, s] END | SET x._lock = $lock)
WITH n, s
OPTIONAL MATCH (other:Referral)-[:TO]->(s)
WHERE other.decided_at >= $week_from AND other.decided_at < $week_to
  AND other.decline_reason IS NULL
WITH n, s, count(other) AS taken
WITH n, s, taken, CASE
    WHEN s IS NULL THEN 'missing'
    WHEN n.status <> 'made' THEN 'decided'
    WHEN s.weekly_places IS NOT NULL AND taken >= s.weekly_places THEN 'full'
    ELSE 'accepted'
  END AS outcome
FOREACH (_ IN CASE WHEN outcome = 'accepted' THEN [1] ELSE [] END |
  SET n.status = 'accepted', n.decided_by = $user_id, n.decided_at = $at, n.updated_at = $at)
WITH n, s, taken, outcome
OPTIONAL MATCH (:Person)-[m:REFERRED_TO]->(s)
WHERE outcome = 'accepted' AND m.referral_id = n.id
FOREACH (x IN CASE WHEN m IS NULL THEN [] ELSE [m] END | SET x.status = 'accepted')
WITH DISTINCT n, s, taken, outcome
OPTIONAL MATCH (n)-[:FOR]->(p:Person), (lw:User {{id: n.referred_by}})
WHERE outcome = 'accepted'
FOREACH (_ IN CASE WHEN lw IS NULL THEN [] ELSE [1] END |
  {referral_notice_fragment(r="n", who="lw", kind="referral_accepted", other="p.first_name")})
WITH DISTINCT n, s, taken, outcome
FOREACH (x IN CASE WHEN s IS NULL THEN [] ELSE [n, s] END | REMOVE x._lock)
RETURN outcome, taken, s.weekly_places AS places,
       CASE WHEN s IS NULL THEN null ELSE properties(n) END AS n
"""


def accept_referral(
    *,
    store: GraphStore,
    referral_id: str,
    organization_id: str,
    user_id: str,
    at: datetime,
    week_from: datetime,
    week_to: datetime,
) -> Decision:
    """Accept a waiting referral to one of the organisation's services, if the service has a
    place left this week (referrals accepted from ``week_from`` to ``week_to``)."""
    rows = store.run(
        ACCEPT_REFERRAL,
        {
            "id": referral_id,
            "organization_id": organization_id,
            "user_id": user_id,
            "at": iso_utc(at),
            "week_from": iso_utc(week_from),
            "week_to": iso_utc(week_to),
            "lock": lock_token(),
            **notice_when(at),
        },
    )
    row = rows[0]
    return Decision(
        outcome=row["outcome"],
        referral=from_properties(Referral, row["n"]) if row["n"] else None,
        taken=int(row["taken"]),
        places=row["places"],
    )


# A decline for want of places says nothing about the person: the mirror edge goes, so the
# service may be suggested again. Any other decline leaves the mirror 'declined' (suggestions
# rank the service lower for the person and say why).
DECLINE_REFERRAL = f"""
OPTIONAL MATCH (n:Referral {{id: $id}})-[:TO]->(s:Service)
WHERE s.organization_id = $organization_id
FOREACH (x IN CASE WHEN s IS NULL THEN [] ELSE [n] END | SET x._lock = $lock)
WITH n, s, CASE
    WHEN s IS NULL THEN 'missing'
    WHEN n.status <> 'made' THEN 'decided'
    ELSE 'declined'
  END AS outcome
FOREACH (_ IN CASE WHEN outcome = 'declined' THEN [1] ELSE [] END |
  SET n.status = 'declined', n.decline_reason = $reason, n.decline_note = $note,
      n.decided_by = $user_id, n.decided_at = $at, n.updated_at = $at)
WITH n, s, outcome
OPTIONAL MATCH (:Person)-[m:REFERRED_TO]->(s)
WHERE outcome = 'declined' AND m.referral_id = n.id
FOREACH (x IN CASE WHEN m IS NULL OR $reason = 'no_places' THEN [] ELSE [m] END |
  SET x.status = 'declined')
FOREACH (x IN CASE WHEN m IS NOT NULL AND $reason = 'no_places' THEN [m] ELSE [] END |
  DELETE x)
WITH DISTINCT n, s, outcome
OPTIONAL MATCH (n)-[:FOR]->(p:Person), (lw:User {{id: n.referred_by}})
WHERE outcome = 'declined'
FOREACH (_ IN CASE WHEN lw IS NULL THEN [] ELSE [1] END |
  {referral_notice_fragment(r="n", who="lw", kind="referral_declined", other="p.first_name")})
WITH DISTINCT n, s, outcome
FOREACH (x IN CASE WHEN s IS NULL THEN [] ELSE [n] END | REMOVE x._lock)
RETURN outcome, CASE WHEN s IS NULL THEN null ELSE properties(n) END AS n
"""


def decline_referral(
    *,
    store: GraphStore,
    referral_id: str,
    organization_id: str,
    user_id: str,
    reason: DeclineReason,
    note: str | None,
    at: datetime,
) -> Decision:
    """Decline a waiting referral to one of the organisation's services, with a reason."""
    rows = store.run(
        DECLINE_REFERRAL,
        {
            "id": referral_id,
            "organization_id": organization_id,
            "user_id": user_id,
            "reason": _DECLINE_REASON.validate_python(reason),
            "note": _NOTE.validate_python(note),
            "at": iso_utc(at),
            "lock": lock_token(),
            **notice_when(at),
        },
    )
    row = rows[0]
    return Decision(
        outcome=row["outcome"],
        referral=from_properties(Referral, row["n"]) if row["n"] else None,
    )


# One session date is in ``attended`` or ``missed``, never both; the status is 'attended' once
# any session was attended, 'accepted' otherwise. A session newly reported attended creates or
# strengthens the person's ``ATTENDS`` tie to the service (as a logged accompanied visit does);
# a session reported attended and now corrected to missed takes that back: one fewer time, and
# the tie goes once nothing is left of it (what other reports and visits added stays).
RECORD_ATTENDANCE = """
OPTIONAL MATCH (n:Referral {id: $id})-[:TO]->(s:Service)
WHERE s.organization_id = $organization_id
FOREACH (x IN CASE WHEN s IS NULL THEN [] ELSE [n] END | SET x._lock = $lock)
WITH n, s, CASE
    WHEN s IS NULL THEN 'missing'
    WHEN NOT n.status IN ['accepted', 'attended'] THEN 'not_accepted'
    ELSE 'recorded'
  END AS outcome, $date IN coalesce(n.attended, []) AS came_before
FOREACH (_ IN CASE WHEN outcome = 'recorded' THEN [1] ELSE [] END |
  SET n.attended = [d IN coalesce(n.attended, []) WHERE d <> $date]
                   + CASE WHEN $came THEN [$date] ELSE [] END,
      n.missed = [d IN coalesce(n.missed, []) WHERE d <> $date]
                 + CASE WHEN $came THEN [] ELSE [$date] END,
      n.updated_at = $at)
FOREACH (_ IN CASE WHEN outcome = 'recorded' THEN [1] ELSE [] END |
  SET n.status = CASE WHEN size(n.attended) > 0 THEN 'attended' ELSE 'accepted' END)
WITH n, s, outcome, came_before
OPTIONAL MATCH (rp:Person)-[m:REFERRED_TO]->(s)
WHERE outcome = 'recorded' AND m.referral_id = n.id
FOREACH (x IN CASE WHEN m IS NULL THEN [] ELSE [m] END | SET x.status = n.status)
FOREACH (_ IN CASE WHEN m IS NOT NULL AND $came AND NOT came_before THEN [1] ELSE [] END |
  MERGE (rp)-[t:ATTENDS]->(s)
  ON CREATE SET t.times = 0, t.since = $at
  SET t.times = t.times + 1, t.last = $at)
WITH n, s, outcome, came_before, rp, m
OPTIONAL MATCH (rp)-[u:ATTENDS]->(s)
WHERE m IS NOT NULL AND came_before AND NOT $came
FOREACH (x IN CASE WHEN u IS NULL THEN [] ELSE [u] END | SET x.times = coalesce(x.times, 1) - 1)
WITH n, s, outcome, u
FOREACH (x IN CASE WHEN u IS NOT NULL AND u.times <= 0 THEN [u] ELSE [] END | DELETE x)
WITH DISTINCT n, s, outcome
FOREACH (x IN CASE WHEN s IS NULL THEN [] ELSE [n] END | REMOVE x._lock)
RETURN outcome, CASE WHEN s IS NULL THEN null ELSE properties(n) END AS n
"""


def record_attendance(
    *,
    store: GraphStore,
    referral_id: str,
    organization_id: str,
    session: date,
    attended: bool,
    at: datetime,
) -> tuple[str, Referral | None]:
    """Record whether the person came to the session on ``session`` (replacing what was
    recorded for that date): the outcome and the referral as it is now."""
    rows = store.run(
        RECORD_ATTENDANCE,
        {
            "id": referral_id,
            "organization_id": organization_id,
            "date": session.isoformat(),
            "came": attended,
            "at": iso_utc(at),
            "lock": lock_token(),
        },
    )
    row = rows[0]
    return row["outcome"], from_properties(Referral, row["n"]) if row["n"] else None
