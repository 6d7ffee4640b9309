"""The outbox: ``Notice`` nodes written by the statements that change visits
(graph/repo/visit_changes.py, publishing in graph/repo/rota_runs.py), make and decide referrals
(graph/repo/referrals.py) and raise alerts (graph/repo/checkins.py), the day-before reminders,
and what a sender needs to deliver them exactly once.

A notice is ``pending`` until a sender claims it (``sending``, with ``claimed_by`` and a lease
``claimed_until``), then ``sent``, ``skipped`` (the recipient wants none, or has no address) or,
after a failed attempt, ``pending`` again with a later ``next_at`` (back-off), until it has
``failed`` for good. A claim is one statement over a batch: each notice is locked, then taken
only while still pending and due (or its lease ran out), so of two senders claiming at once
each notice goes to one of them. The notice id is its idempotency key (the e-mail's
Message-ID is made from it).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from graph.models import iso_utc
from graph.repo.volunteer_visits import lock_token
from graph.store.port import GraphStore


def notice_when(at: datetime) -> dict[str, Any]:
    """The parameters ``$week``, ``$day`` and ``$time`` a notice about something that happened
    ``at`` (not a visit) shows as its day and time, and ``$now``."""
    return {
        "week": (at.date() - timedelta(days=at.weekday())).isoformat(),
        "day": at.weekday(),
        "time": f"{at:%H:%M}",
        "now": iso_utc(at),
    }


# A notice about a referral to the user ``{who}`` (a User node variable), once per referral
# ``{r}``, kind and user (MERGE), dated by ``notice_when``'s parameters. ``{other}``: an
# expression for the person's first name, or null (a partner deciding does not see it).
_REFERRAL_NOTICE = """
  MERGE ({n}:Notice {{id: {kind} + '|' + {r}.id + '|' + {who}.id}})
  ON CREATE SET {n}.kind = {kind}, {n}.recipient_kind = 'user', {n}.recipient_id = {who}.id,
    {n}.other_first_name = {other}, {n}.referral_id = {r}.id, {n}.week_start = $week,
    {n}.day = $day, {n}.time = $time, {n}.status = 'pending', {n}.attempts = 0,
    {n}.created_at = $now, {n}.next_at = $now"""


def referral_notice_fragment(
    *, r: str, who: str, kind: str, other: str = "null", n: str = "notice"
) -> str:
    """The Cypher that writes one notice about a referral (see _REFERRAL_NOTICE), for the
    statements that make and decide referrals (graph/repo/referrals.py)."""
    return _REFERRAL_NOTICE.format(r=r, who=who, kind=f"'{kind}'", other=other, n=n)


# Claim up to $limit due notices for $worker until $until, with what delivery needs: the
# recipient's address (the e-mail of the user linked to the person or volunteer, the user's own
# for a staff user, or the volunteer's own) and their preferences.
CLAIM_NOTICES = """
MATCH (n:Notice)
WHERE (n.status = 'pending' AND n.next_at <= $now)
   OR (n.status = 'sending' AND n.claimed_until < $now)
WITH n ORDER BY n.next_at, n.id LIMIT $limit
SET n._lock = $lock
WITH n
WHERE (n.status = 'pending' AND n.next_at <= $now)
   OR (n.status = 'sending' AND n.claimed_until < $now)
SET n.status = 'sending', n.claimed_by = $worker, n.claimed_until = $until
REMOVE n._lock
WITH n
OPTIONAL MATCH (u:User)
WHERE (n.recipient_kind = 'volunteer' AND u.volunteer_id = n.recipient_id)
   OR (n.recipient_kind = 'person' AND u.person_id = n.recipient_id)
   OR (n.recipient_kind = 'user' AND u.id = n.recipient_id)
OPTIONAL MATCH (vol:Volunteer {id: n.recipient_id})
WHERE n.recipient_kind = 'volunteer'
RETURN properties(n) AS notice, coalesce(u.email, vol.email) AS email,
       coalesce(u.notices, 'email') AS channel, u.quiet_from AS quiet_from,
       u.quiet_to AS quiet_to
ORDER BY notice.next_at, notice.id
"""

# The notice ends as $status (sent, skipped, failed) or goes back to pending until $next_at;
# only by the worker that holds it, so a sender whose lease ran out cannot overwrite another's.
SETTLE_NOTICE = """
MATCH (n:Notice {id: $id})
SET n._lock = $lock
WITH n, n.status = 'sending' AND n.claimed_by = $worker AS ok
FOREACH (_ IN CASE WHEN ok THEN [1] ELSE [] END |
  SET n.status = $status, n.attempts = n.attempts + $attempted, n.next_at = $next_at,
      n.last_error = $error, n.settled_at = $now, n.claimed_by = null, n.claimed_until = null)
REMOVE n._lock
RETURN ok
"""


def claim_notices(
    *, store: GraphStore, worker: str, now: str, until: str, limit: int
) -> list[dict[str, Any]]:
    """Claim up to ``limit`` due notices for ``worker`` until ``until`` (see CLAIM_NOTICES)."""
    params = {"worker": worker, "now": now, "until": until, "limit": limit, "lock": lock_token()}
    return store.run(CLAIM_NOTICES, params)


def settle_notice(
    *,
    store: GraphStore,
    notice_id: str,
    worker: str,
    status: str,
    attempted: int,
    next_at: str,
    error: str | None,
    now: str,
) -> bool:
    """Record how delivering a claimed notice went; False when ``worker`` no longer holds it."""
    params = {
        "id": notice_id,
        "worker": worker,
        "status": status,
        "attempted": attempted,
        "next_at": next_at,
        "error": error,
        "now": now,
        "lock": lock_token(),
    }
    rows = store.run(SETTLE_NOTICE, params)
    return bool(rows and rows[0]["ok"])


# A reminder for every visit on $week_start/$day (tomorrow) that a volunteer has accepted, once
# (MERGE on the visit and volunteer).
WRITE_REMINDERS = """
MATCH (vol:Volunteer)-[a:ASSIGNED {status: 'accepted'}]->(v:Visit)-[:FOR]->(p:Person)
WHERE v.week_start = $week_start AND v.day = $day
MERGE (n:Notice {id: 'reminder|' + v.id + '|' + vol.id})
ON CREATE SET n.kind = 'reminder', n.recipient_kind = 'volunteer', n.recipient_id = vol.id,
  n.first_name = vol.first_name, n.other_first_name = p.first_name, n.visit_id = v.id,
  n.week_start = v.week_start, n.day = v.day, n.time = v.start, n.status = 'pending',
  n.attempts = 0, n.created_at = $now, n.next_at = $now
RETURN count(n) AS reminders
"""


def write_reminders(*, store: GraphStore, week_start: str, day: int, now: str) -> int:
    """Write (once) the reminders for the accepted visits on ``day`` of ``week_start``."""
    params = {"week_start": week_start, "day": day, "now": now}
    rows = store.run(WRITE_REMINDERS, params)
    return int(rows[0]["reminders"]) if rows else 0


NOTICES_ABOUT = """
MATCH (n:Notice)
WHERE ($visit_id IS NULL OR n.visit_id = $visit_id)
  AND ($recipient_id IS NULL OR n.recipient_id = $recipient_id)
RETURN properties(n) AS notice ORDER BY n.created_at, n.id
"""


def notices_about(
    *, store: GraphStore, visit_id: str | None = None, recipient_id: str | None = None
) -> list[dict[str, Any]]:
    """The notices about a visit and/or to a recipient, oldest first."""
    params = {"visit_id": visit_id, "recipient_id": recipient_id}
    return [row["notice"] for row in store.run(NOTICES_ABOUT, params, write=False)]


SET_NOTICE_PREFERENCES = """
MATCH (u:User {id: $user_id})
SET u.notices = $channel, u.quiet_from = $quiet_from, u.quiet_to = $quiet_to
RETURN u.id AS id
"""


def set_notice_preferences(
    *,
    store: GraphStore,
    user_id: str,
    channel: str,
    quiet_from: str | None,
    quiet_to: str | None,
) -> bool:
    """Store how the user wants notices (email or none) and their quiet hours."""
    params = {
        "user_id": user_id,
        "channel": channel,
        "quiet_from": quiet_from,
        "quiet_to": quiet_to,
    }
    return bool(store.run(SET_NOTICE_PREFERENCES, params))
