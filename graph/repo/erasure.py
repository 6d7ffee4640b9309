"""Erasure: a person leaves the graph, and nothing personal about them stays behind.

What ``erase_person`` does, in one statement (so it happens entirely or not at all):

- deletes the Person node with its edges (KNOWS, circle SUPPORTS, REFERRED_TO, ...);
- deletes their check-ins, alerts about them, consent grants, referrals, care circle, support
  plans (with their goals and reviews) and their own User account, and the notices to them or
  about their visits and check-ins (which hold their first name) in the outbox;
- keeps their visits, because they are part of volunteers' history (hours, continuity), but
  removes the notes (on the visit and on each volunteer's assignment), replaces ``person_id``
  with the erasure record's id, and renames a visit whose id embeds the person's id (the seed's
  ``visit-<week>-<person id>-<day>``) by putting the erasure record's id in its place;
- keeps access-log entries about them (the audit trail must survive), with ``person_id``
  replaced by the erasure record's id too: entries hold no personal data, and after erasure
  not even the old id links them to anything else in the graph;
- takes the person out of every rota run that mentions them: their entry in the problem (their
  location, languages and preferences), their visits, and those visits' assignments and gaps in
  the solution (``without_person``, prepared by reading the runs first); everyone else's part of
  the run stays as it was, and so do the metrics. A run that still names them after that (or
  one stored between the read and the erasure) loses its problem or solution text;
- creates an ``Erasure`` node holding only its id, the time, the user who acted, and counts.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Collection
from datetime import datetime
from typing import Any

from graph.models import ErasureRecord, iso_utc
from graph.repo.errors import NotFound
from graph.repo.records import from_properties
from graph.store.port import GraphStore

ERASE_PERSON = """
MATCH (p:Person {id: $person_id})
OPTIONAL MATCH (p)-[:REPORTED]->(checkin:CheckIn)
WITH p, collect(checkin) AS checkins
OPTIONAL MATCH (p)-[:GRANTS]->(grant:ConsentGrant)
WITH p, checkins, collect(grant) AS grants
OPTIONAL MATCH (referral:Referral)-[:FOR]->(p)
WITH p, checkins, grants, collect(referral) AS referrals
OPTIONAL MATCH (circle:CareCircle)-[:SUPPORTS]->(p)
WITH p, checkins, grants, referrals, collect(circle) AS circles
OPTIONAL MATCH (user:User {person_id: $person_id})
WITH p, checkins, grants, referrals, circles, collect(user) AS users
OPTIONAL MATCH (visit:Visit)-[:FOR]->(p)
WITH p, checkins, grants, referrals, circles, users, collect(visit) AS visits
OPTIONAL MATCH (entry:AccessLog) WHERE entry.person_id = $person_id
WITH p, checkins, grants, referrals, circles, users, visits, collect(entry) AS entries
OPTIONAL MATCH (run:RotaRun)
WHERE run.id IN $run_ids OR run.problem CONTAINS $quoted_id
WITH p, checkins, grants, referrals, circles, users, visits, entries, collect(run) AS runs
OPTIONAL MATCH (alert:Alert)-[:ABOUT]->(p)
WITH p, checkins, grants, referrals, circles, users, visits, entries, runs,
     collect(alert) AS alerts
OPTIONAL MATCH (notice:Notice)
WHERE notice.recipient_id = $person_id OR notice.visit_id IN [v IN visits | v.id]
   OR any(c IN checkins WHERE notice.id STARTS WITH 'alert|' + c.id + '|')
   OR notice.referral_id IN [r IN referrals | r.id]
WITH p, checkins, grants, referrals, circles, users, visits, entries, runs, alerts,
     collect(notice) AS notices
OPTIONAL MATCH (:Volunteer)-[held:ASSIGNED]->(:Visit)-[:FOR]->(p)
WITH p, checkins, grants, referrals, circles, users, visits, entries, runs, alerts, notices,
     collect(held) AS assignments
OPTIONAL MATCH (plan:Plan)-[:FOR]->(p)
WITH p, checkins, grants, referrals, circles, users, visits, entries, runs, alerts, notices,
     assignments, collect(plan) AS plans
OPTIONAL MATCH (goal:Goal)-[:PART_OF]->(:Plan)-[:FOR]->(p)
WITH p, checkins, grants, referrals, circles, users, visits, entries, runs, alerts, notices,
     assignments, plans, collect(goal) AS goals
OPTIONAL MATCH (review:Review)-[:OF]->(:Plan)-[:FOR]->(p)
WITH p, checkins, grants, referrals, circles, users, visits, entries, runs, alerts, notices,
     assignments, plans, goals, collect(review) AS reviews
FOREACH (visit IN visits |
  SET visit.notes = null, visit.person_id = $erasure_id,
      visit.id = replace(visit.id, $person_id, $erasure_id))
FOREACH (held IN assignments | SET held.note = null)
FOREACH (entry IN entries | SET entry.person_id = $erasure_id)
FOREACH (run IN runs |
  SET run.problem = head([r IN $runs WHERE r.id = run.id | r.problem]),
      run.solution = head([r IN $runs WHERE r.id = run.id | r.solution]))
FOREACH (node IN checkins + grants + referrals + circles + users + alerts + notices + plans +
  goals + reviews | DETACH DELETE node)
DETACH DELETE p
CREATE (n:Erasure {
  id: $erasure_id, at: $at, requested_by: $requested_by,
  checkins: size(checkins), consent_grants: size(grants), referrals: size(referrals),
  circles: size(circles), users: size(users), visits_stripped: size(visits),
  access_log_entries: size(entries), rota_problems_cleared: size(runs)
})
RETURN properties(n) AS n
"""


# The runs whose problem or solution mentions the person (their id, or a visit id embedding it).
RUNS_MENTIONING = """
OPTIONAL MATCH (visit:Visit)-[:FOR]->(:Person {id: $person_id})
WHERE visit.id CONTAINS $person_id
WITH collect(visit.id) AS visit_ids
MATCH (run:RotaRun)
WHERE run.problem CONTAINS $person_id OR run.solution CONTAINS $person_id
   OR any(visit_id IN visit_ids WHERE run.solution CONTAINS visit_id)
RETURN run.id AS id, run.problem AS problem, run.solution AS solution, visit_ids
"""


def without_person(
    problem: str | None,
    solution: str | None,
    person_id: str,
    their_visits: Collection[str] = (),
) -> dict[str, str | None]:
    """A run's problem and solution (ROTA_FORMAT JSON texts) with the person, their visits (those
    the problem gives them, and ``their_visits``: those whose ids embed the person's id) and those
    visits' assignments and gaps taken out; a text that would still name them is None."""
    try:
        problem_data: dict[str, Any] = json.loads(problem) if problem else {}
        solution_data: dict[str, Any] = json.loads(solution) if solution else {}
    except ValueError:
        return {"problem": None, "solution": None}
    theirs = set(their_visits) | {
        visit.get("id")
        for visit in problem_data.get("visits", [])
        if isinstance(visit, dict) and visit.get("person") == person_id
    }
    if "people" in problem_data:
        problem_data["people"] = [
            entry for entry in problem_data["people"] if entry.get("id") != person_id
        ]
    if "visits" in problem_data:
        problem_data["visits"] = [v for v in problem_data["visits"] if v.get("id") not in theirs]
    for key in ("assignments", "unassigned"):
        if key in solution_data:
            solution_data[key] = [a for a in solution_data[key] if a.get("visit") not in theirs]
    names_them = (f'"{person_id}"', *(f'"{visit_id}"' for visit_id in theirs))

    def text(data: dict[str, Any], original: str | None) -> str | None:
        if original is None:
            return None
        # Nothing of theirs taken out (another id containing theirs matched): as it was.
        unchanged = json.loads(original) == data
        written = original if unchanged else json.dumps(data, separators=(",", ":"))
        return None if any(name in written for name in names_them) else written

    return {"problem": text(problem_data, problem), "solution": text(solution_data, solution)}


def erase_person(
    *, store: GraphStore, person_id: str, requested_by: str, at: datetime
) -> ErasureRecord:
    """Erase the person (see the module docstring); ``NotFound`` if there is no such person.

    ``requested_by`` is the id of the user acting on the request.
    """
    runs = [
        {"id": row["id"], **scrubbed}
        for row in store.run(RUNS_MENTIONING, {"person_id": person_id}, write=False)
        for scrubbed in [
            without_person(row["problem"], row["solution"], person_id, row["visit_ids"])
        ]
        if (scrubbed["problem"], scrubbed["solution"]) != (row["problem"], row["solution"])
    ]
    params = {
        "person_id": person_id,
        "quoted_id": f'"{person_id}"',
        "runs": runs,
        "run_ids": [run["id"] for run in runs],
        "erasure_id": f"erasure-{uuid.uuid4().hex}",
        "requested_by": requested_by,
        "at": iso_utc(at),
    }
    rows = store.run(ERASE_PERSON, params)
    if not rows:
        raise NotFound("Person", person_id)
    return from_properties(ErasureRecord, rows[0]["n"])
