"""Erasure: a person leaves the graph, and nothing personal about them stays behind.

What ``erase_person`` does, in one statement (so it happens entirely or not at all):

- deletes the Person node with its edges (KNOWS, circle SUPPORTS, REFERRED_TO, ...);
- deletes their check-ins, alerts about them, consent grants, referrals, care circle and their
  own User account, and the notices to them or about their visits and check-ins (which hold
  their first name) in the outbox;
- keeps their visits, because they are part of volunteers' history (hours, continuity), but
  removes the notes (on the visit and on each volunteer's assignment) and replaces
  ``person_id`` with the erasure record's id;
- keeps access-log entries about them (the audit trail must survive), with ``person_id``
  replaced by the erasure record's id too: entries hold no personal data, and after erasure
  not even the old id links them to anything else in the graph;
- clears the stored ``problem`` of any rota run whose problem mentions the person's id (it holds
  their location, languages and preferences); metrics and solutions stay;
- creates an ``Erasure`` node holding only its id, the time, the user who acted, and counts.
"""

from __future__ import annotations

import uuid
from datetime import datetime

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
OPTIONAL MATCH (run:RotaRun) WHERE run.problem CONTAINS $quoted_id
WITH p, checkins, grants, referrals, circles, users, visits, entries, collect(run) AS runs
OPTIONAL MATCH (alert:Alert)-[:ABOUT]->(p)
WITH p, checkins, grants, referrals, circles, users, visits, entries, runs,
     collect(alert) AS alerts
OPTIONAL MATCH (notice:Notice)
WHERE notice.recipient_id = $person_id OR notice.visit_id IN [v IN visits | v.id]
   OR any(c IN checkins WHERE notice.id STARTS WITH 'alert|' + c.id + '|')
WITH p, checkins, grants, referrals, circles, users, visits, entries, runs, alerts,
     collect(notice) AS notices
OPTIONAL MATCH (:Volunteer)-[held:ASSIGNED]->(:Visit)-[:FOR]->(p)
WITH p, checkins, grants, referrals, circles, users, visits, entries, runs, alerts, notices,
     collect(held) AS assignments
FOREACH (visit IN visits | SET visit.notes = null, visit.person_id = $erasure_id)
FOREACH (held IN assignments | SET held.note = null)
FOREACH (entry IN entries | SET entry.person_id = $erasure_id)
FOREACH (run IN runs | SET run.problem = null)
FOREACH (node IN checkins + grants + referrals + circles + users + alerts + notices |
  DETACH DELETE node)
DETACH DELETE p
CREATE (n:Erasure {
  id: $erasure_id, at: $at, requested_by: $requested_by,
  checkins: size(checkins), consent_grants: size(grants), referrals: size(referrals),
  circles: size(circles), users: size(users), visits_stripped: size(visits),
  access_log_entries: size(entries), rota_problems_cleared: size(runs)
})
RETURN properties(n) AS n
"""


def erase_person(
    *, store: GraphStore, person_id: str, requested_by: str, at: datetime
) -> ErasureRecord:
    """Erase the person (see the module docstring); ``NotFound`` if there is no such person.

    ``requested_by`` is the id of the user acting on the request.
    """
    params = {
        "person_id": person_id,
        "quoted_id": f'"{person_id}"',
        "erasure_id": f"erasure-{uuid.uuid4().hex}",
        "requested_by": requested_by,
        "at": iso_utc(at),
    }
    rows = store.run(ERASE_PERSON, params)
    if not rows:
        raise NotFound("Person", person_id)
    return from_properties(ErasureRecord, rows[0]["n"])
