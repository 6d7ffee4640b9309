"""Changes to a published week: a volunteer cancels a visit or a stretch of days, the
coordinator marks a volunteer or a person away, reassigns a visit or re-opens it for claims
(DESIGN.md, "Rota lifecycle": changes are repaired, not re-solved).

Each change is ONE statement, and so are the notices it causes: every statement that changes
a visit writes the ``Notice`` nodes telling the people concerned (graph/repo/notices.py
delivers them), so a change is never made without its notice nor a notice left without its
change. A notice carries only a first name, a day and a time. Its id is the change's id
(``$change``, fresh per call) and the visit and recipient, so the statement run twice writes
each notice once (MERGE).

Guards as in graph/repo/volunteer_visits.py: the contested visit is locked first
(``SET v._lock``), then its state read, then written only if the guard holds. Which volunteer
may take a visit (rules 1-9) is decided by the caller with solver.eligibility beforehand.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from graph.repo.volunteer_visits import HELD_STATUSES, lock_token
from graph.store.port import GraphStore

# The fields every notice has. ``{v}`` the visit, ``{who}`` the recipient (a Person or a
# Volunteer node variable), ``{kind}`` a quoted kind, ``{other}`` an expression for the other
# party's first name (or null). Filled from the constants in this module only.
_NOTICE = """
  MERGE ({n}:Notice {{id: $change + '|' + {v}.id + '|' + {who}.id}})
  ON CREATE SET {n}.kind = {kind}, {n}.recipient_kind = {recipient_kind},
    {n}.recipient_id = {who}.id, {n}.first_name = {who}.first_name,
    {n}.other_first_name = {other}, {n}.visit_id = {v}.id, {n}.week_start = {v}.week_start,
    {n}.day = {v}.day, {n}.time = coalesce({v}.start, {v}.earliest), {n}.status = 'pending',
    {n}.attempts = 0, {n}.created_at = $now, {n}.next_at = $now"""


def notice_fragment(
    *, v: str, who: str, kind: str, recipient_kind: str, other: str = "null", n: str = "notice"
) -> str:
    """The Cypher that writes one notice (see _NOTICE), for statements that cause one."""
    return _NOTICE.format(
        v=v, who=who, kind=f"'{kind}'", recipient_kind=f"'{recipient_kind}'", other=other, n=n
    )


# Whether a visit's day is today or later: $week (this Monday, ISO) and $day (0 = Monday).
_NOT_PAST = "(v.week_start > $week OR (v.week_start = $week AND v.day >= $day))"

# The volunteer holding a visit (proposed or accepted) gives it up, with a reason: the visit
# needs cover (the coordinator repairs it), the person is told.
CANCEL_VISIT = f"""
MATCH (vol:Volunteer {{id: $volunteer_id}})-[a:ASSIGNED]->(v:Visit {{id: $visit_id}})
MATCH (v)-[:FOR]->(p:Person)
SET v._lock = $lock
WITH vol, a, v, p, a.status IN ['proposed', 'accepted'] AND {_NOT_PAST} AS ok
FOREACH (_ IN CASE WHEN ok THEN [1] ELSE [] END |
  SET a.status = 'cancelled', a.at = $now, a.reason = $reason,
      v.status = 'needs_cover', v.changed_at = $now
  {notice_fragment(v="v", who="p", kind="visit_cancelled", recipient_kind="person")})
REMOVE v._lock
RETURN ok, a.status AS status
"""

# A volunteer away on $dates ("YYYY-MM-DD" each; $keys the same days as "week_start|day"):
# the dates join their ``away_dates``, and every visit they hold on one of those days from
# today on is given up as by CANCEL_VISIT. Returns the visits given up.
VOLUNTEER_AWAY = f"""
MATCH (vol:Volunteer {{id: $volunteer_id}})
SET vol.away_dates = [d IN coalesce(vol.away_dates, []) WHERE NOT d IN $dates] + $dates
WITH vol
OPTIONAL MATCH (vol)-[a:ASSIGNED]->(v:Visit)-[:FOR]->(p:Person)
WHERE a.status IN ['proposed', 'accepted'] AND (v.week_start + '|' + toString(v.day)) IN $keys
  AND {_NOT_PAST}
FOREACH (_ IN CASE WHEN v IS NULL THEN [] ELSE [1] END |
  SET a.status = 'cancelled', a.at = $now, a.reason = $reason,
      v.status = 'needs_cover', v.changed_at = $now
  {notice_fragment(v="v", who="p", kind="visit_cancelled", recipient_kind="person")})
RETURN vol.id AS volunteer_id, collect(v.id) AS visits
"""

# A person away on $dates: they join the person's ``away_dates``, and their visits on those
# days from today on (not logged yet) are cancelled, each volunteer holding one told.
PERSON_AWAY = f"""
MATCH (p:Person {{id: $person_id}})
SET p.away_dates = [d IN coalesce(p.away_dates, []) WHERE NOT d IN $dates] + $dates
WITH p
OPTIONAL MATCH (v:Visit)-[:FOR]->(p)
WHERE v.status IN ['open', 'needs_cover', 'proposed', 'accepted']
  AND (v.week_start + '|' + toString(v.day)) IN $keys AND {_NOT_PAST}
FOREACH (_ IN CASE WHEN v IS NULL THEN [] ELSE [1] END |
  SET v.status = 'cancelled', v.changed_at = $now, v.cancel_reason = $reason)
WITH p, v
OPTIONAL MATCH (vol:Volunteer)-[a:ASSIGNED]->(v)
WHERE a.status IN ['proposed', 'accepted']
FOREACH (_ IN CASE WHEN a IS NULL THEN [] ELSE [1] END |
  SET a.status = 'cancelled', a.at = $now, a.reason = $reason
  {notice_fragment(v="v", who="vol", kind="visit_called_off", recipient_kind="volunteer")})
RETURN p.id AS person_id, collect(DISTINCT v.id) AS visits
"""

ReassignOutcome = Literal["done", "missing", "closed", "held", "covered"]

# The coordinator gives a visit to $volunteer_id at $start: proposed to them (they accept or
# decline it as any proposal); whoever had it proposed loses the proposal. Only while the visit
# needs cover, is open or proposed, and nobody has accepted it. The new volunteer, the person
# and anyone whose proposal was withdrawn are told.
REASSIGN_VISIT = f"""
OPTIONAL MATCH (v:Visit {{id: $visit_id}})-[:FOR]->(p:Person)
OPTIONAL MATCH (vol:Volunteer {{id: $volunteer_id}})
FOREACH (n IN CASE WHEN v IS NULL THEN [] ELSE [v] END | SET n._lock = $lock)
WITH v, p, vol
OPTIONAL MATCH (other:Volunteer)-[h:ASSIGNED]->(v)
WHERE h.status IN ['proposed', 'accepted']
WITH v, p, vol, collect(h) AS holds, collect(other) AS others
WITH v, p, vol, holds, others,
     CASE
       WHEN v IS NULL OR vol IS NULL THEN 'missing'
       WHEN NOT v.status IN ['needs_cover', 'open', 'proposed'] THEN 'closed'
       WHEN any(o IN others WHERE o.id = $volunteer_id) THEN 'held'
       WHEN any(h IN holds WHERE h.status = 'accepted') THEN 'covered'
       ELSE 'done'
     END AS outcome
FOREACH (h IN CASE WHEN outcome = 'done' THEN holds ELSE [] END |
  SET h.status = 'withdrawn', h.at = $now)
FOREACH (o IN CASE WHEN outcome = 'done' THEN others ELSE [] END |
  {notice_fragment(v="v", who="o", kind="visit_withdrawn", recipient_kind="volunteer")})
FOREACH (_ IN CASE WHEN outcome = 'done' THEN [1] ELSE [] END |
  MERGE (vol)-[e:ASSIGNED]->(v)
  SET e.status = 'proposed', e.at = $now, e.by = 'coordinator', e.reason = null,
      v.start = $start, v.status = 'proposed', v.changed_at = $now
  {notice_fragment(v="v", who="vol", kind="visit_offered", recipient_kind="volunteer")}
  {
    notice_fragment(
        v="v",
        who="p",
        kind="visit_changed",
        recipient_kind="person",
        other="vol.first_name",
        n="told",
    )
})
FOREACH (n IN CASE WHEN v IS NULL THEN [] ELSE [v] END | REMOVE n._lock)
RETURN outcome
"""

# A visit that needs cover becomes open: any eligible volunteer may claim it.
REOPEN_VISIT = """
MATCH (v:Visit {id: $visit_id})
SET v._lock = $lock
WITH v, v.status = 'needs_cover' AS ok
FOREACH (_ IN CASE WHEN ok THEN [1] ELSE [] END | SET v.status = 'open', v.changed_at = $now)
REMOVE v._lock
RETURN ok, v.status AS status
"""


@dataclass(frozen=True)
class Cancelled:
    """Whether the cancellation happened, and the assignment's status afterwards."""

    ok: bool
    status: str | None


def _today(week: str, day: int, now: str, change: str) -> dict[str, Any]:
    return {"week": week, "day": day, "now": now, "change": change, "lock": lock_token()}


def cancel_visit(
    *,
    store: GraphStore,
    visit_id: str,
    volunteer_id: str,
    reason: str | None,
    week: str,
    day: int,
    now: str,
    change: str,
) -> Cancelled | None:
    """The volunteer gives up a visit they hold that is today or later (``week``/``day``:
    today); None when it was never theirs."""
    params = {"visit_id": visit_id, "volunteer_id": volunteer_id, "reason": reason}
    rows = store.run(CANCEL_VISIT, params | _today(week, day, now, change))
    if not rows:
        return None
    return Cancelled(ok=bool(rows[0]["ok"]), status=rows[0]["status"])


def volunteer_away(
    *,
    store: GraphStore,
    volunteer_id: str,
    dates: list[str],
    keys: list[str],
    reason: str | None,
    week: str,
    day: int,
    now: str,
    change: str,
) -> list[str] | None:
    """Mark the volunteer away on ``dates`` and give up what they hold then; the visits given
    up, or None when there is no such volunteer."""
    params = {
        "volunteer_id": volunteer_id,
        "dates": dates,
        "keys": keys,
        "reason": reason,
    }
    rows = store.run(VOLUNTEER_AWAY, params | _today(week, day, now, change))
    return sorted(rows[0]["visits"]) if rows else None


def person_away(
    *,
    store: GraphStore,
    person_id: str,
    dates: list[str],
    keys: list[str],
    reason: str | None,
    week: str,
    day: int,
    now: str,
    change: str,
) -> list[str] | None:
    """Mark the person away on ``dates`` and cancel their visits then; the visits cancelled,
    or None when there is no such person."""
    params = {"person_id": person_id, "dates": dates, "keys": keys, "reason": reason}
    rows = store.run(PERSON_AWAY, params | _today(week, day, now, change))
    return sorted(v for v in rows[0]["visits"] if v) if rows else None


def reassign_visit(
    *, store: GraphStore, visit_id: str, volunteer_id: str, start: str, now: str, change: str
) -> ReassignOutcome:
    """Propose the visit to the volunteer at ``start`` (see REASSIGN_VISIT)."""
    params = {
        "visit_id": visit_id,
        "volunteer_id": volunteer_id,
        "start": start,
        "now": now,
        "change": change,
        "lock": lock_token(),
    }
    rows = store.run(REASSIGN_VISIT, params)
    outcome: ReassignOutcome = rows[0]["outcome"] if rows else "missing"
    return outcome


def reopen_visit(*, store: GraphStore, visit_id: str, now: str) -> Cancelled | None:
    """Open a visit that needs cover for claims; None when there is no such visit."""
    rows = store.run(REOPEN_VISIT, {"visit_id": visit_id, "now": now, "lock": lock_token()})
    if not rows:
        return None
    return Cancelled(ok=bool(rows[0]["ok"]), status=rows[0]["status"])


# --- what a repair reads -------------------------------------------------------------------

# Visits with their person (what rules 1-7 read), the person's circle and the volunteers who
# know them, and who gave the visit up (left out of its replacements).
VISITS_TO_REPAIR = """
MATCH (v:Visit)-[:FOR]->(p:Person)
WHERE v.id IN $ids
OPTIONAL MATCH (member:Volunteer)-[:MEMBER_OF]->(:CareCircle)-[:SUPPORTS]->(p)
WITH v, p, collect(DISTINCT member.id) AS circle
OPTIONAL MATCH (known:Volunteer)-[:KNOWS]->(p)
WITH v, p, circle, collect(DISTINCT known.id) AS known
OPTIONAL MATCH (gone:Volunteer)-[g:ASSIGNED]->(v)
WHERE g.status IN ['cancelled', 'declined', 'withdrawn']
RETURN properties(v) AS v, p.id AS person_id, p.first_name AS first_name,
       coalesce(v.lat, p.lat) AS lat, coalesce(v.lon, p.lon) AS lon, p.languages AS languages,
       p.gender_preference AS gender_preference,
       p.excluded_volunteers AS excluded_volunteers, circle, known,
       collect(DISTINCT gone.id) AS gone
"""


def visits_to_repair(*, store: GraphStore, visit_ids: list[str]) -> list[dict[str, Any]]:
    """Rows of VISITS_TO_REPAIR for the visits among ``visit_ids`` that exist."""
    return store.run(VISITS_TO_REPAIR, {"ids": visit_ids}, write=False)


# Every volunteer with what the rules read, as one text each (the FalkorDB client decodes a
# list of strings far faster than as many maps: graph/repo/volunteer_visits.py); fields joined
# by '|' in ``parse_volunteer_text``'s order, lists by ','; availability (JSON text) and the
# first name come last, so they may hold either.
VOLUNTEER_TEXTS = """
MATCH (vol:Volunteer)
RETURN collect(vol.id + '|' + toString(vol.lat) + '|' + toString(vol.lon)
  + '|' + toString(vol.max_km) + '|' + toString(vol.max_minutes)
  + '|' + CASE WHEN vol.checked = true THEN 'y' ELSE 'n' END
  + '|' + coalesce(vol.check_expires, '') + '|' + coalesce(vol.gender, '')
  + '|' + reduce(text = '', language IN coalesce(vol.languages, []) | text + language + ',')
  + '|' + reduce(text = '', day IN coalesce(vol.away_dates, []) | text + day + ',')
  + '|' + coalesce(vol.first_name, '') + '|' + coalesce(vol.availability, '[]')) AS volunteers
"""

# The visits volunteers hold in the week (rules 8, 9), one text each: volunteer, visit, day,
# start, duration, and where it happens (the service's place for an accompanied visit).
HELD_TEXTS = """
MATCH (vol:Volunteer)-[a:ASSIGNED]->(v:Visit)-[:FOR]->(p:Person)
WHERE v.week_start = $week_start AND a.status IN $held_statuses AND coalesce(v.start, '') <> ''
RETURN collect(vol.id + '|' + v.id + '|' + toString(v.day) + '|' + v.start
  + '|' + toString(v.duration_minutes) + '|' + toString(coalesce(v.lat, p.lat))
  + '|' + toString(coalesce(v.lon, p.lon))) AS held
"""


def volunteers_with_week(
    *, store: GraphStore, week_start: str
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Every volunteer (the fields the rules read, and the first name), and the visits held in
    the week starting ``week_start`` (``volunteer_id``, ``id``, ``day``, ``start``,
    ``duration_minutes``, ``lat``, ``lon``)."""
    texts = store.run(VOLUNTEER_TEXTS, {}, write=False)
    params = {"week_start": week_start, "held_statuses": HELD_STATUSES}
    held = store.run(HELD_TEXTS, params, write=False)
    volunteers = [_parse_volunteer(text) for text in (texts[0]["volunteers"] if texts else [])]
    return volunteers, [_parse_held(text) for text in (held[0]["held"] if held else [])]


def _items(text: str) -> list[str]:
    return [item for item in text.split(",") if item]


def _parse_volunteer(text: str) -> dict[str, Any]:
    (vid, lat, lon, max_km, max_minutes, checked, expires, gender, languages, away,
     rest) = text.split("|", 10)  # fmt: skip
    first_name, availability = rest.rsplit("|", 1)  # availability (JSON) holds no '|'
    return {
        "id": vid,
        "first_name": first_name,
        "lat": float(lat),
        "lon": float(lon),
        "max_km": float(max_km),
        "max_minutes": int(float(max_minutes)),
        "checked": checked == "y",
        "check_expires": expires or None,
        "gender": gender or None,
        "languages": _items(languages),
        "away_dates": _items(away),
        "availability": availability,
    }


def _parse_held(text: str) -> dict[str, Any]:
    volunteer_id, vid, day, start, duration, lat, lon = text.split("|")
    return {
        "volunteer_id": volunteer_id,
        "id": vid,
        "day": int(day),
        "start": start,
        "duration_minutes": int(duration),
        "lat": float(lat),
        "lon": float(lon),
    }
