"""Volunteer sign-up: open visits, claim, accept, decline, log, a volunteer's own visits
(DESIGN.md, "Rota lifecycle").

Each use-case is ONE Cypher statement, so it is atomic on FalkorDB (which runs writes one at a
time) and on Neo4j (which locks what a statement writes). A conditional write first takes the
write lock on the contested nodes (``SET v._lock = $lock``; the visit, and for a claim also the
volunteer, so one volunteer's own claims queue up), then reads their state, then writes only if
the guard holds, and returns what happened. The lock property is removed before the statement
ends (Neo4j keeps the lock until commit).

Held visits: an ``ASSIGNED`` edge with status proposed, accepted or done holds the volunteer's
time. Visit times are ``"HH:MM"`` text; the statements turn them into minutes after midnight.
No statement decides a rule of ROTA_FORMAT.md (eligibility, rules 1-9, is solver.eligibility's):
they read what the rules need, pre-filter coarsely, and guard what must be atomic.

Only the openCypher subset both engines accept: no EXISTS {} subqueries, no datetime(), no APOC.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

from clock import minutes_of
from graph.store.port import GraphStore

HELD_STATUSES = ["proposed", "accepted", "done"]

ClaimOutcome = Literal[
    "won", "missing", "outside", "given_up", "taken", "held", "start", "overlap", "changed"
]
# A volunteer who gave a visit up (declined it, or cancelled it) may not claim it back: else
# claiming a visit on its day, reading the address and declining could be repeated at will.
GIVEN_UP_STATUSES = ["declined", "cancelled"]

# Open visits a volunteer may be able to claim, one page at a time in time order: open, from
# $week_start on and not on a day already past, on one of $days, their person inside the box
# $lat_min..$lat_max, $lon_min..$lon_max (degrees). Both are coarse pre-filters the caller
# computes, which may let through visits the rules turn down but never leave out one they
# allow: the box around the volunteer's range (solver.geography.box_around; rule 3 is the
# great-circle distance), the days on which the volunteer has any availability at all (rule 1
# is a window holding the whole visit). No rule is decided here: the caller judges every row by
# rules 1-9 (solver.eligibility) and asks for more when it turned too many down. Rows come
# ordered by ``key`` (week|day|earliest|id) after $after, at most $limit of them. Only visits of
# people supported by an organisation the volunteer volunteers with (an access rule, not an
# eligibility one; matched after the filters above: ~23 ms for a borough volunteer's first
# batch, where a list of each person's organisations took ~72).
OPEN_VISITS_NEAR = """
OPTIONAL MATCH (:Volunteer {id: $volunteer_id})-[:VOLUNTEERS_WITH]->(mine:Organization)
WITH collect(mine.id) AS organizations
MATCH (v:Visit)-[:FOR]->(p:Person)
WHERE v.status = 'open' AND v.week_start >= $week_start AND v.day IN $days
  AND (v.week_start > $week_start OR v.day >= $first_day)
  AND coalesce(v.lat, p.lat) >= $lat_min AND coalesce(v.lat, p.lat) <= $lat_max
  AND coalesce(v.lon, p.lon) >= $lon_min AND coalesce(v.lon, p.lon) <= $lon_max
MATCH (p)-[:SUPPORTED_BY]->(o:Organization)
WHERE o.id IN organizations
WITH DISTINCT v, p
WITH v, p, v.week_start + '|' + toString(v.day) + '|' + v.earliest + '|' + v.id AS key
WHERE $after IS NULL OR key > $after
WITH v, p, key ORDER BY key LIMIT $limit
WITH v, p, key, [(v)<-[held:ASSIGNED]-(w:Volunteer) WHERE held.status IN $held_statuses | w.id]
     AS holders
RETURN key, v.id AS id, v.week_start AS week_start, v.day AS day, v.earliest AS earliest,
       v.latest AS latest, v.duration_minutes AS duration_minutes,
       v.requires_check AS requires_check, v.volunteers_needed AS volunteers_needed,
       v.start AS start, size(holders) AS taken, $volunteer_id IN holders AS mine,
       p.id AS person_id, p.first_name AS person_first_name, p.area_id AS area_id,
       coalesce(v.lat, p.lat) AS lat, coalesce(v.lon, p.lon) AS lon, p.languages AS languages,
       p.gender_preference AS gender_preference, p.excluded_volunteers AS excluded_volunteers
ORDER BY key
"""

# The visits a volunteer holds from $week_start on, with where they are (for overlap checks).
HELD_VISITS = """
MATCH (vol:Volunteer {id: $volunteer_id})-[a:ASSIGNED]->(v:Visit)-[:FOR]->(p:Person)
WHERE a.status IN $held_statuses AND v.week_start >= $week_start
RETURN v.id AS id, v.week_start AS week_start, v.day AS day, v.start AS start,
       v.duration_minutes AS duration_minutes, coalesce(v.lat, p.lat) AS lat,
       coalesce(v.lon, p.lon) AS lon
ORDER BY week_start, day, start
"""

# The volunteer and the visits they hold from $week_start on (rule 8 and 9 inputs), in one
# round trip, with the visits they gave up (which they may not claim back: not offered to them)
# and the organisations they volunteer with (only their people's visits are offered to them);
# ``volunteer`` is null when there is no such volunteer.
VOLUNTEER_WITH_HELD = """
OPTIONAL MATCH (vol:Volunteer {id: $volunteer_id})
OPTIONAL MATCH (vol)-[:VOLUNTEERS_WITH]->(o:Organization)
WITH vol, collect(o.id) AS organizations
OPTIONAL MATCH (vol)-[a:ASSIGNED]->(v:Visit)-[:FOR]->(p:Person)
WHERE (a.status IN $held_statuses OR a.status IN $given_up_statuses)
  AND v.week_start >= $week_start
RETURN CASE WHEN vol IS NULL THEN null ELSE properties(vol) END AS volunteer, organizations,
       collect(CASE WHEN v IS NULL THEN null
               ELSE {id: v.id, week_start: v.week_start, day: v.day, start: v.start,
                     duration_minutes: v.duration_minutes, lat: coalesce(v.lat, p.lat),
                     lon: coalesce(v.lon, p.lon),
                     given_up: a.status IN $given_up_statuses} END) AS held
"""

# What a claim needs to choose a start, in one round trip: the volunteer, the visit with its
# person (the fields of rules 1-7) and how many hold it, and the visits the volunteer holds in
# the visit's week with where they are. ``v`` is null when there is no such visit;
# ``in_bounds`` says whether an organisation the volunteer volunteers with supports the person.
CLAIM_CONTEXT = """
OPTIONAL MATCH (v:Visit {id: $visit_id})-[:FOR]->(p:Person)
OPTIONAL MATCH (holder:Volunteer)-[h:ASSIGNED]->(v)
WHERE h.status IN $held_statuses
WITH v, p, count(h) AS holders
OPTIONAL MATCH (vol:Volunteer {id: $volunteer_id})
OPTIONAL MATCH (vol)-[:VOLUNTEERS_WITH]->(shared:Organization)<-[:SUPPORTED_BY]-(p)
WITH v, p, holders, vol, count(shared) > 0 AS in_bounds
OPTIONAL MATCH (vol)-[a:ASSIGNED]->(o:Visit)-[:FOR]->(op:Person)
WHERE v IS NOT NULL AND a.status IN $held_statuses AND o.week_start = v.week_start
RETURN CASE WHEN vol IS NULL THEN null ELSE properties(vol) END AS volunteer,
       CASE WHEN v IS NULL THEN null ELSE properties(v) END AS v,
       p.id AS person_id, coalesce(v.lat, p.lat) AS lat, coalesce(v.lon, p.lon) AS lon,
       p.languages AS languages, p.gender_preference AS gender_preference,
       p.excluded_volunteers AS excluded_volunteers, p.first_name AS first_name,
       p.area_id AS area_id, p.address AS address, p.postcode AS postcode, holders, in_bounds,
       collect(CASE WHEN o IS NULL THEN null
               ELSE {id: o.id, week_start: o.week_start, day: o.day, start: o.start,
                     duration_minutes: o.duration_minutes, lat: coalesce(o.lat, op.lat),
                     lon: coalesce(o.lon, op.lon)} END) AS held
"""

# One open visit as one text, for OPEN_VISITS_ALL and OPEN_VISITS_BY_ID (the FalkorDB client
# decodes a row of many values ~15x slower than one string). Fields are joined by '|' in
# _parse_open_visit's order, lists by ','; ids, times and codes never hold either, and the first
# name comes last so it may. Which organisations support the person (to whose volunteers it is
# offered) comes apart, from SUPPORTERS: in the text it tripled the statement's cost.
_OPEN_VISIT_TEXT = """v.id + '|' + v.week_start + '|' + toString(v.day) + '|' + v.earliest
  + '|' + v.latest + '|' + toString(v.duration_minutes)
  + '|' + CASE WHEN v.requires_check = false THEN 'n' ELSE 'y' END
  + '|' + toString(v.volunteers_needed) + '|' + coalesce(v.start, '')
  + '|' + p.id + '|' + coalesce(p.area_id, '')
  + '|' + toString(coalesce(v.lat, p.lat)) + '|' + toString(coalesce(v.lon, p.lon))
  + '|' + coalesce(p.gender_preference, '')
  + '|' + reduce(text = '', language IN coalesce(p.languages, []) | text + language + ',')
  + '|' + reduce(text = '', other IN coalesce(p.excluded_volunteers, []) | text + other + ',')
  + '|' + p.first_name"""
START_FIELD = 8  # the position of v.start among a text's fields
TEXT_FIELDS = 17  # how many fields a text has (the first name last)

# Every open visit from $week_start on with what rules 1-7 need, one text per visit. Building
# the texts is most of its cost (~160 ms of graph CPU for 7,500 visits): the open-visits
# snapshot runs it for a full reload only, and OPEN_VISITS_BY_ID for the visits it lacks.
OPEN_VISITS_ALL = f"""
MATCH (v:Visit)-[:FOR]->(p:Person)
WHERE v.status = 'open' AND v.week_start >= $week_start
RETURN collect({_OPEN_VISIT_TEXT}) AS visits
"""

# The same for the open visits among $ids.
OPEN_VISITS_BY_ID = f"""
MATCH (v:Visit)-[:FOR]->(p:Person)
WHERE v.id IN $ids AND v.status = 'open' AND v.week_start >= $week_start
RETURN collect({_OPEN_VISIT_TEXT}) AS visits
"""

# Which visits are open from $week_start on, the same set as OPEN_VISITS_ALL (a visit whose
# person was erased has no FOR edge left, so it drops out here too): the snapshot's light
# reload. On FalkorDB as one text of ids joined by ',' (ids never hold one): its client takes
# ~10 ms to decode a list of 7,500 strings, ~0.1 ms for one string; Neo4j has no string join
# (reduce would copy the text once per id), so it gets the list.
OPEN_VISIT_IDS = """
MATCH (v:Visit)-[:FOR]->(:Person)
WHERE v.status = 'open' AND v.week_start >= $week_start
RETURN collect(v.id) AS ids
"""
OPEN_VISIT_IDS_FALKOR = """
MATCH (v:Visit)-[:FOR]->(:Person)
WHERE v.status = 'open' AND v.week_start >= $week_start
RETURN string.join(collect(v.id), ',') AS ids
"""

# toString keeps 6 decimals of a coordinate: enough to notice a move, not to measure with (two
# visits to one person must be 0 km apart, not 0.1 m). The exact values come from here: where
# each visit happens (an accompanied visit at its service's place, any other at the person's).
VISIT_COORDINATES = """
MATCH (v:Visit)-[:FOR]->(p:Person) WHERE v.id IN $ids
RETURN v.id AS id, coalesce(v.lat, p.lat) AS lat, coalesce(v.lon, p.lon) AS lon
"""

AREA_NAMES_ALL = "MATCH (a:Area) RETURN a.id AS id, a.name AS name"

# Which people each organisation supports (~7 ms for a borough's 7,500 support edges).
SUPPORTERS = """
MATCH (p:Person)-[:SUPPORTED_BY]->(o:Organization)
RETURN o.id AS organization, collect(p.id) AS people
"""

# How many hold each open visit that needs more than one volunteer (an open visit needing one
# has no holder: the claim that takes it closes it), and the start they hold it at (a visit's
# start binds only while someone holds it). Apart from OPEN_VISITS_ALL because FalkorDB would
# count the holders of every visit there, costing more than the rest of it.
OPEN_VISITS_TAKEN = """
MATCH (holder:Volunteer)-[held:ASSIGNED]->(v:Visit)
WHERE v.status = 'open' AND v.week_start >= $week_start AND v.volunteers_needed > 1
  AND held.status IN $held_statuses
RETURN v.id AS id, count(held) AS taken, v.start AS start
"""

# The claim, at $start ($start_minute minutes after midnight), its guard only what must be atomic:
# whether the volunteer may take the visit (ROTA_FORMAT rules 1-9) is judged by the caller with
# solver.eligibility beforehand, against the visits the volunteer held then ($holding: their
# ids in the visit's week, the visit left out). Outcome, in order of the guards: missing (no such
# visit or volunteer), outside (no organisation the volunteer volunteers with supports the
# visit's person: an access rule, so the statement guards it too), held (the volunteer holds it
# already), taken (not open, or full), start (others hold it at another start), given_up (the
# volunteer declined or cancelled it before: GIVEN_UP_STATUSES), overlap (the volunteer holds
# another visit that day whose time meets this one's: a double booking made since), changed
# (the volunteer's visits that week are no longer $holding, so the caller's judgement of rules 8
# and 9 is out of date; it reads them again and judges again). $holding null: not guarded (a
# caller that judged nothing).
CLAIM_VISIT = """
OPTIONAL MATCH (vol:Volunteer {id: $volunteer_id})
OPTIONAL MATCH (v:Visit {id: $visit_id})
FOREACH (n IN CASE WHEN vol IS NULL OR v IS NULL THEN [] ELSE [vol, v] END |
  SET n._lock = $lock)
WITH vol, v
OPTIONAL MATCH (vol)-[:VOLUNTEERS_WITH]->(org:Organization)<-[:SUPPORTED_BY]-(:Person)<-[:FOR]-(v)
WITH vol, v, count(org) AS shared
OPTIONAL MATCH (holder:Volunteer)-[held:ASSIGNED]->(v)
WHERE held.status IN $held_statuses
WITH vol, v, shared, count(held) AS taken,
     sum(CASE WHEN holder.id = $volunteer_id THEN 1 ELSE 0 END) AS mine
OPTIONAL MATCH (vol)-[gone:ASSIGNED]->(v)
WHERE gone.status IN $given_up_statuses
WITH vol, v, shared, taken, mine, count(gone) AS given_up
OPTIONAL MATCH (vol)-[own:ASSIGNED]->(other:Visit)
WHERE v IS NOT NULL AND own.status IN $held_statuses
  AND other.week_start = v.week_start AND other.id <> v.id
WITH vol, v, shared, taken, mine, given_up, collect(other.id) AS holding,
     collect(CASE WHEN other.day = v.day AND other.start IS NOT NULL
                   AND toInteger(substring(other.start, 0, 2)) * 60
                       + toInteger(substring(other.start, 3, 2))
                       < $start_minute + v.duration_minutes
                   AND $start_minute < toInteger(substring(other.start, 0, 2)) * 60
                       + toInteger(substring(other.start, 3, 2)) + other.duration_minutes
              THEN other.id END) AS overlapping
WITH vol, v, taken,
     CASE
       WHEN vol IS NULL OR v IS NULL THEN 'missing'
       WHEN shared = 0 THEN 'outside'
       WHEN given_up > 0 THEN 'given_up'
       WHEN mine > 0 THEN 'held'
       WHEN v.status <> 'open' OR taken >= v.volunteers_needed THEN 'taken'
       WHEN taken > 0 AND v.start <> $start THEN 'start'
       WHEN size(overlapping) > 0 THEN 'overlap'
       WHEN $holding IS NOT NULL AND (size(holding) <> size($holding)
            OR any(id IN holding WHERE NOT id IN $holding)) THEN 'changed'
       ELSE 'won'
     END AS outcome
FOREACH (_ IN CASE WHEN outcome = 'won' THEN [1] ELSE [] END |
  MERGE (vol)-[a:ASSIGNED]->(v)
  SET a.status = 'accepted', a.at = $now, a.by = 'claim', v.start = $start, v.changed_at = $now,
      v.status = CASE WHEN taken + 1 >= v.volunteers_needed THEN 'accepted' ELSE 'open' END)
FOREACH (n IN CASE WHEN vol IS NULL OR v IS NULL THEN [] ELSE [vol, v] END |
  REMOVE n._lock)
RETURN outcome
"""

# Accept a proposed visit: only the volunteer it was proposed to, only while proposed, and only
# a visit today or later ($week: this Monday, $day: today's weekday; $week null: any day).
ACCEPT_VISIT = """
MATCH (vol:Volunteer {id: $volunteer_id})-[a:ASSIGNED]->(v:Visit {id: $visit_id})
SET v._lock = $lock
WITH vol, a, v, a.status = 'proposed'
     AND ($week IS NULL OR v.week_start > $week OR (v.week_start = $week AND v.day >= $day)) AS ok
OPTIONAL MATCH (:Volunteer)-[other:ASSIGNED]->(v)
WHERE other.status = 'accepted'
WITH a, v, ok, count(other) AS accepted
FOREACH (_ IN CASE WHEN ok THEN [1] ELSE [] END |
  SET a.status = 'accepted', a.at = $now,
      v.status = CASE WHEN accepted + 1 >= v.volunteers_needed THEN 'accepted' ELSE v.status END)
REMOVE v._lock
RETURN ok, a.status AS status
"""

# Decline a proposed or accepted visit: the visit becomes open for anyone eligible to claim.
# (The volunteer's page gives up an accepted visit with a reason instead, which the coordinator
# repairs and the person is told of: CANCEL_VISIT in graph/repo/visit_changes.py.)
DECLINE_VISIT = """
MATCH (vol:Volunteer {id: $volunteer_id})-[a:ASSIGNED]->(v:Visit {id: $visit_id})
SET v._lock = $lock
WITH a, v, a.status IN ['proposed', 'accepted'] AS ok
FOREACH (_ IN CASE WHEN ok THEN [1] ELSE [] END |
  SET a.status = 'declined', a.at = $now, v.status = 'open')
REMOVE v._lock
RETURN ok, a.status AS status
"""

# Log an accepted visit as done or missed, with an optional note, once it has started: its week
# before this one ($this_monday), or this week on an earlier day or today from its start
# ($weekday, $now_clock "HH:MM"; week starts and clock times compare as text); or correct the log
# within a day of first logging it ($since: a day ago). The volunteer's KNOWS edge to the person
# moves to $offset + $factor * strength, from its strength before the first log (kept on the
# assignment as ``strength_before``), so a correction replaces the first log's effect rather
# than adding to it. Which offset and factor an outcome gives is the tie-strength rule, decided
# in service/wellbeing/feedback.py (``tie_update``).
# An accompanied visit (``v.service_id``: going along with the person to a service) logged as
# done (not already done) also creates or strengthens the person's ``ATTENDS`` tie to the service;
# a done one corrected to missed takes that back (the tie goes when nothing else counts for it).
LOG_VISIT = """
MATCH (vol:Volunteer {id: $volunteer_id})-[a:ASSIGNED]->(v:Visit {id: $visit_id})-[:FOR]->(p:Person)
SET v._lock = $lock
WITH vol, a, v, p, a.status AS before,
     v.week_start < $this_monday
     OR (v.week_start = $this_monday
         AND (v.day < $weekday
              OR (v.day = $weekday AND coalesce(v.start, v.earliest) <= $now_clock))) AS started
WITH vol, a, v, p, before, started, a.status = 'accepted' AND started AS first_log,
     a.status IN ['done', 'missed'] AND coalesce(a.logged_at, a.at) >= $since AS correction
WITH vol, a, v, p, before, started, first_log, first_log OR correction AS ok
OPTIONAL MATCH (s:Service {id: v.service_id})
FOREACH (_ IN CASE WHEN ok THEN [1] ELSE [] END |
  MERGE (vol)-[k:KNOWS]->(p)
  ON CREATE SET k.kind = 'volunteer', k.strength = 0.0, k.visits = 0
  SET a.strength_before = CASE WHEN first_log THEN k.strength ELSE a.strength_before END,
      a.logged_at = CASE WHEN first_log THEN $now ELSE a.logged_at END
  SET a.status = $outcome, a.at = $now, a.note = $note, v.status = $outcome,
      k.visits = k.visits + CASE WHEN $outcome = 'done' THEN 1 ELSE 0 END
                 - CASE WHEN before = 'done' THEN 1 ELSE 0 END,
      k.last_seen = CASE WHEN $outcome = 'done' THEN $now ELSE k.last_seen END,
      k.strength = $offset + $factor * coalesce(a.strength_before, k.strength))
FOREACH (_ IN CASE WHEN ok AND $outcome = 'done' AND before <> 'done' AND s IS NOT NULL
              THEN [1] ELSE [] END |
  MERGE (p)-[t:ATTENDS]->(s)
  ON CREATE SET t.times = 0, t.since = $now
  SET t.times = t.times + 1, t.last = $now)
WITH a, v, p, s, ok, before, started
OPTIONAL MATCH (p)-[u:ATTENDS]->(:Service {id: v.service_id})
WHERE ok AND before = 'done' AND $outcome <> 'done' AND s IS NOT NULL
FOREACH (x IN CASE WHEN u IS NULL THEN [] ELSE [u] END | SET x.times = coalesce(x.times, 1) - 1)
FOREACH (x IN CASE WHEN u IS NOT NULL AND u.times <= 0 THEN [u] ELSE [] END | DELETE x)
REMOVE v._lock
RETURN ok, a.status AS status, started
"""


@dataclass(frozen=True)
class Change:
    """Whether a guarded write happened, and the assignment's status afterwards."""

    ok: bool
    status: str | None
    started: bool = True  # for a log: whether the visit had started (only then is it logged)


def lock_token() -> str:
    """A fresh value for ``_lock`` (its value does not matter, only that it is written)."""
    return secrets.token_hex(4)


def open_visits_near(
    *,
    store: GraphStore,
    volunteer_id: str,
    week_start: str,
    first_day: int,
    days: list[int],
    box: tuple[float, float, float, float],
    after: str | None,
    limit: int,
) -> list[dict[str, Any]]:
    """Up to ``limit`` open visits after the key ``after`` on one of ``days`` whose person is
    inside ``box`` (lat_min, lat_max, lon_min, lon_max), see OPEN_VISITS_NEAR; rules not yet
    judged."""
    lat_min, lat_max, lon_min, lon_max = box
    return store.run(
        OPEN_VISITS_NEAR,
        {
            "volunteer_id": volunteer_id,
            "week_start": week_start,
            "first_day": first_day,
            "days": days,
            "lat_min": lat_min,
            "lat_max": lat_max,
            "lon_min": lon_min,
            "lon_max": lon_max,
            "after": after,
            "limit": limit,
            "held_statuses": HELD_STATUSES,
        },
        write=False,
    )


def held_visits(*, store: GraphStore, volunteer_id: str, week_start: str) -> list[dict[str, Any]]:
    """The visits the volunteer holds from ``week_start`` on."""
    return store.run(
        HELD_VISITS,
        {"volunteer_id": volunteer_id, "week_start": week_start, "held_statuses": HELD_STATUSES},
        write=False,
    )


class VolunteerWithHeld(NamedTuple):
    """A volunteer's properties (None if there is no such volunteer), their held visits, the
    ids of the visits they gave up and of the organisations they volunteer with."""

    volunteer: dict[str, Any] | None
    held: list[dict[str, Any]]
    given_up: set[str]
    organizations: frozenset[str]


def volunteer_with_held(
    *, store: GraphStore, volunteer_id: str, week_start: str
) -> VolunteerWithHeld:
    """The volunteer, their held visits from ``week_start`` on, those they gave up and their
    organisations."""
    params = _volunteer_with_held_params(volunteer_id, week_start)
    return _volunteer_with_held_of(store.run(VOLUNTEER_WITH_HELD, params, write=False))


async def volunteer_with_held_awaited(
    *, store: GraphStore, volunteer_id: str, week_start: str
) -> VolunteerWithHeld:
    """``volunteer_with_held`` awaited on the event loop (``store.arun``, no thread)."""
    params = _volunteer_with_held_params(volunteer_id, week_start)
    return _volunteer_with_held_of(await store.arun(VOLUNTEER_WITH_HELD, params, write=False))


def _volunteer_with_held_params(volunteer_id: str, week_start: str) -> dict[str, Any]:
    return {
        "volunteer_id": volunteer_id,
        "week_start": week_start,
        "held_statuses": HELD_STATUSES,
        "given_up_statuses": GIVEN_UP_STATUSES,
    }


def _volunteer_with_held_of(rows: list[dict[str, Any]]) -> VolunteerWithHeld:
    if not rows:
        return VolunteerWithHeld(None, [], set(), frozenset())
    visits = rows[0]["held"] or []
    held = [
        {k: v for k, v in row.items() if k != "given_up"} for row in visits if not row["given_up"]
    ]
    return VolunteerWithHeld(
        rows[0]["volunteer"],
        held,
        {row["id"] for row in visits if row["given_up"]},
        frozenset(rows[0]["organizations"] or ()),
    )


def claim_context(*, store: GraphStore, visit_id: str, volunteer_id: str) -> dict[str, Any]:
    """What choosing a claim's start needs, in one row (see CLAIM_CONTEXT)."""
    params = _claim_context_params(visit_id, volunteer_id)
    return _claim_context_of(store.run(CLAIM_CONTEXT, params, write=False))


async def claim_context_awaited(
    *, store: GraphStore, visit_id: str, volunteer_id: str
) -> dict[str, Any]:
    """``claim_context`` awaited on the event loop (``store.arun``, no thread)."""
    params = _claim_context_params(visit_id, volunteer_id)
    return _claim_context_of(await store.arun(CLAIM_CONTEXT, params, write=False))


def _claim_context_params(visit_id: str, volunteer_id: str) -> dict[str, Any]:
    return {"visit_id": visit_id, "volunteer_id": volunteer_id, "held_statuses": HELD_STATUSES}


def _claim_context_of(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return rows[0] if rows else {"volunteer": None, "v": None, "held": []}


def supporters_of_people(*, store: GraphStore) -> dict[str, frozenset[str]]:
    """The organisations supporting each person supported by any, by person id."""
    found: dict[str, set[str]] = {}
    for row in store.run(SUPPORTERS, {}, write=False):
        for person_id in row["people"]:
            found.setdefault(person_id, set()).add(row["organization"])
    return {person_id: frozenset(orgs) for person_id, orgs in found.items()}


def area_names(*, store: GraphStore) -> dict[str, str]:
    """Every area's name by id (a borough has a few dozen)."""
    return {row["id"]: row["name"] for row in store.run(AREA_NAMES_ALL, {}, write=False)}


def _split(text: str) -> list[str]:
    return [item for item in text.split(",") if item]


def open_visit_texts(
    *, store: GraphStore, week_start: str, ids: list[str] | None = None
) -> list[str]:
    """One text per open visit from ``week_start`` on (OPEN_VISITS_ALL), or per open visit
    among ``ids`` (OPEN_VISITS_BY_ID)."""
    if ids is None:
        rows = store.run(OPEN_VISITS_ALL, {"week_start": week_start}, write=False)
    else:
        params = {"week_start": week_start, "ids": ids}
        rows = store.run(OPEN_VISITS_BY_ID, params, write=False)
    texts: list[str] = rows[0]["visits"] if rows else []
    return texts


def open_visit_ids(*, store: GraphStore, week_start: str) -> list[str]:
    """The ids of the open visits from ``week_start`` on (OPEN_VISIT_IDS)."""
    params = {"week_start": week_start}
    if store.backend == "falkordb":
        rows = store.run(OPEN_VISIT_IDS_FALKOR, params, write=False)
        joined: str = rows[0]["ids"] if rows else ""
        return joined.split(",") if joined else []
    rows = store.run(OPEN_VISIT_IDS, params, write=False)
    ids: list[str] = rows[0]["ids"] if rows else []
    return ids


@dataclass(frozen=True)
class Holding:
    """How many hold an open visit, and the start they hold it at."""

    taken: int
    start: str | None


def open_visit_holders(*, store: GraphStore, week_start: str) -> dict[str, Holding]:
    """Who holds the open visits that have holders (only visits needing several can)."""
    params = {"week_start": week_start, "held_statuses": HELD_STATUSES}
    return {
        row["id"]: Holding(row["taken"], row["start"])
        for row in store.run(OPEN_VISITS_TAKEN, params, write=False)
    }


def parse_open_visits(
    *,
    store: GraphStore,
    texts: list[str],
    known: dict[str, dict[str, Any]],
    supporters: Mapping[str, frozenset[str]],
) -> list[dict[str, Any]]:
    """The visits ``texts`` describe (``open_visit_texts``) as rows shaped like
    OPEN_VISITS_NEAR's (without ``mine`` and ``taken``), in ``key`` order.

    ``known`` maps a text to the row parsed from it before: rows whose text is unchanged are
    the same objects again (treat them as read-only), and ``known`` is left holding exactly
    these texts. Coordinates are read exactly (VISIT_COORDINATES) for new texts only.
    Each row keeps its ``text``; ``with_start`` gives a row with another start. A new row's
    ``organizations`` are its person's in ``supporters`` (``supporters_of_people``): a caller
    whose ``supporters`` changed passes no ``known`` rows."""
    before = dict(known)
    known.clear()
    fresh = {text: text.split("|", TEXT_FIELDS - 1) for text in texts if text not in before}
    exact: dict[str, tuple[float, float]] = {}
    if fresh:
        ids = sorted({fields[0] for fields in fresh.values()})
        for row in store.run(VISIT_COORDINATES, {"ids": ids}, write=False):
            exact[row["id"]] = (row["lat"], row["lon"])
    for text in texts:
        parsed = before.get(text)
        known[text] = (
            parsed
            if parsed is not None
            else _parse_open_visit(text, fresh[text], exact, supporters)
        )
    return sorted(known.values(), key=lambda visit: str(visit["key"]))


def with_start(row: dict[str, Any], start: str | None) -> dict[str, Any]:
    """A copy of a ``parse_open_visits`` row with another ``start``, its ``text`` the one the
    statement gives for the visit with that start (so a later full read finds it unchanged)."""
    fields = row["text"].split("|", START_FIELD + 1)
    fields[START_FIELD] = start or ""
    return {**row, "start": start, "text": "|".join(fields)}


def _parse_open_visit(
    text: str,
    fields: list[str],
    exact: dict[str, tuple[float, float]],
    supporters: Mapping[str, frozenset[str]],
) -> dict[str, Any]:
    (vid, week, day, earliest, latest, duration, check, needed, start, person_id,
     area_id, lat, lon, gender, languages, excluded, first_name) = fields  # fmt: skip
    lat_exact, lon_exact = exact.get(vid, (float(lat), float(lon)))
    return {
        "text": text,
        "key": f"{week}|{day}|{earliest}|{vid}",
        "id": vid,
        "week_start": week,
        "day": int(day),
        "earliest": earliest,
        "latest": latest,
        "earliest_minute": minutes_of(earliest),
        "latest_minute": minutes_of(latest),
        "duration_minutes": int(duration),
        "requires_check": check == "y",
        "volunteers_needed": int(needed),
        "start": start or None,
        "person_id": person_id,
        "person_first_name": first_name,
        "area_id": area_id or None,
        "lat": lat_exact,
        "lon": lon_exact,
        "languages": _split(languages),
        "gender_preference": gender or None,
        "excluded_volunteers": _split(excluded),
        "organizations": supporters.get(person_id, frozenset()),
    }


def claim_visit(
    *,
    store: GraphStore,
    visit_id: str,
    volunteer_id: str,
    start: str,
    now: str,
    holding: list[str] | None,
) -> ClaimOutcome:
    """Claim an open visit at ``start`` ("HH:MM"): one of concurrent claimants wins, never a
    double booking; ``holding``: the ids of the visits the caller judged the claim beside (see
    CLAIM_VISIT)."""
    params = _claim_visit_params(visit_id, volunteer_id, start, now, holding)
    return _claim_outcome_of(store.run(CLAIM_VISIT, params))


async def claim_visit_awaited(
    *,
    store: GraphStore,
    visit_id: str,
    volunteer_id: str,
    start: str,
    now: str,
    holding: list[str] | None,
) -> ClaimOutcome:
    """``claim_visit`` awaited on the event loop (``store.arun``, no thread)."""
    params = _claim_visit_params(visit_id, volunteer_id, start, now, holding)
    return _claim_outcome_of(await store.arun(CLAIM_VISIT, params))


def _claim_visit_params(
    visit_id: str, volunteer_id: str, start: str, now: str, holding: list[str] | None
) -> dict[str, Any]:
    return {
        "visit_id": visit_id,
        "volunteer_id": volunteer_id,
        "start": start,
        "start_minute": minutes_of(start),
        "now": now,
        "holding": holding,
        "held_statuses": HELD_STATUSES,
        "given_up_statuses": GIVEN_UP_STATUSES,
        "lock": lock_token(),
    }


def _claim_outcome_of(rows: list[dict[str, Any]]) -> ClaimOutcome:
    outcome: ClaimOutcome = rows[0]["outcome"] if rows else "missing"
    return outcome


def _change(store: GraphStore, query: str, params: dict[str, Any]) -> Change | None:
    rows = store.run(query, {**params, "lock": lock_token()})
    if not rows:
        return None
    return Change(ok=bool(rows[0]["ok"]), status=rows[0]["status"])


def accept_visit(
    *,
    store: GraphStore,
    visit_id: str,
    volunteer_id: str,
    now: str,
    week: str | None = None,
    day: int | None = None,
) -> Change | None:
    """Accept a visit proposed to this volunteer, on ``week``'s ``day`` (today) or later (on any
    day when ``week`` is None); None when it was never theirs."""
    params: dict[str, Any] = {"visit_id": visit_id, "volunteer_id": volunteer_id, "now": now}
    params |= {"week": week, "day": day}
    return _change(store, ACCEPT_VISIT, params)


def decline_visit(
    *, store: GraphStore, visit_id: str, volunteer_id: str, now: str
) -> Change | None:
    """Decline a proposed or accepted visit (it becomes open); None when it was never theirs."""
    params = {"visit_id": visit_id, "volunteer_id": volunteer_id, "now": now}
    return _change(store, DECLINE_VISIT, params)


def log_visit(
    *,
    store: GraphStore,
    visit_id: str,
    volunteer_id: str,
    outcome: Literal["done", "missed"],
    note: str | None,
    now: str,
    this_monday: str,
    weekday: int,
    now_clock: str,
    offset: float,
    factor: float,
    since: str | None = None,
) -> Change | None:
    """Log an accepted visit that has started (by ``this_monday``, ``weekday`` and
    ``now_clock``, see LOG_VISIT) as done or missed, or correct a log first made after ``since``
    (None: no correction), moving the tie's strength to ``offset + factor * strength``; None when
    it was never theirs."""
    params = {
        "since": since,
        "visit_id": visit_id,
        "volunteer_id": volunteer_id,
        "outcome": outcome,
        "note": note,
        "now": now,
        "this_monday": this_monday,
        "weekday": weekday,
        "now_clock": now_clock,
        "offset": offset,
        "factor": factor,
        "lock": lock_token(),
    }
    rows = store.run(LOG_VISIT, params)
    if not rows:
        return None
    return Change(
        ok=bool(rows[0]["ok"]), status=rows[0]["status"], started=bool(rows[0]["started"])
    )


# A volunteer's proposed, accepted and logged visits over a span of weeks, with the person's
# first name, area and address (shown to them only as service/access.py allows). Found by the
# volunteer's id first (WITH): otherwise FalkorDB scans every visit (~20x the time).
MY_VISITS = """
MATCH (vol:Volunteer {id: $volunteer_id})
WITH vol
MATCH (vol)-[a:ASSIGNED]->(v:Visit)-[:FOR]->(p:Person)
WHERE v.week_start >= $from_week AND v.week_start <= $to_week
  AND a.status IN ['proposed', 'accepted', 'done', 'missed']
RETURN properties(v) AS v, a.status AS my_status, a.note AS note, a.logged_at AS logged_at,
       p.id AS person_id, p.first_name AS person_first_name, p.area_id AS area_id,
       p.address AS address, p.postcode AS postcode
ORDER BY v.week_start, v.day, v.start
"""


def my_visits(
    *, store: GraphStore, volunteer_id: str, from_week: str, to_week: str
) -> list[dict[str, Any]]:
    """The volunteer's proposed, accepted and logged visits from ``from_week`` to ``to_week``."""
    params = {"volunteer_id": volunteer_id, "from_week": from_week, "to_week": to_week}
    return store.run(MY_VISITS, params, write=False)


# One visit with its person, and this volunteer's assignment on it if they have one.
VISIT_WITH_PERSON = """
MATCH (v:Visit {id: $id})-[:FOR]->(p:Person)
OPTIONAL MATCH (vol:Volunteer {id: $volunteer_id})-[a:ASSIGNED]->(v)
RETURN properties(v) AS v, p.first_name AS first_name, p.area_id AS area_id,
       p.address AS address, p.postcode AS postcode, a.status AS my_status, a.note AS note
"""


def get_visit_with_person(
    *, store: GraphStore, visit_id: str, volunteer_id: str
) -> dict[str, Any] | None:
    """The visit, its person and the volunteer's assignment on it; None without the visit."""
    params = {"id": visit_id, "volunteer_id": volunteer_id}
    rows = store.run(VISIT_WITH_PERSON, params, write=False)
    return rows[0] if rows else None
