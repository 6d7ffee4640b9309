"""Who knows whom: ``(Person|Volunteer)-[:KNOWS {kind, strength, visits, last_seen}]->(Person)``.

A KNOWS edge of kind ``volunteer`` starts at a Volunteer, any other kind at a Person. One edge
per ordered pair; reads look both ways.
"""

from __future__ import annotations

from graph.store.port import GraphStore, Row

KNOWN_BY = """
MATCH (other)-[k:KNOWS]-(:Person {id: $person_id})
RETURN labels(other)[0] AS label, other.first_name AS first_name, k.kind AS kind,
       k.strength AS strength, k.visits AS visits, k.last_seen AS last_seen
ORDER BY other.first_name
"""


def list_known_by(*, store: GraphStore, person_id: str) -> list[Row]:
    """Who knows the person (``label``, ``first_name``) and how (``kind``, ``strength``...)."""
    return store.run(KNOWN_BY, {"person_id": person_id}, write=False)


INTERESTS_OF_PERSON = """
MATCH (:Person {id: $person_id})-[:INTERESTED_IN]->(i:Interest)
RETURN coalesce(i.name, i.id) AS name
ORDER BY name
"""


def list_interest_names(*, store: GraphStore, person_id: str) -> list[str]:
    """The names of the person's interests, sorted."""
    rows = store.run(INTERESTS_OF_PERSON, {"person_id": person_id}, write=False)
    return [r["name"] for r in rows]


# The services the person goes to (``ATTENDS``: from a volunteer's log of an accompanied visit
# or the partner's attendance report), each with the other people who go there and how the
# person knows each already (kinds of the KNOWS edges either way; empty: not yet).
GROUPS_ATTENDED = """
MATCH (p:Person {id: $person_id})-[t:ATTENDS]->(s:Service)
OPTIONAL MATCH (other:Person)-[:ATTENDS]->(s)
WHERE other.id <> $person_id
OPTIONAL MATCH (p)-[k:KNOWS]-(other)
WITH s, t, other, collect(k.kind) AS kinds
WITH s, t, collect(CASE WHEN other IS NULL THEN null
                   ELSE {id: other.id, first_name: other.first_name, kinds: kinds} END) AS others
RETURN s.id AS service_id, s.name AS service_name, t.times AS times, t.last AS last, others
ORDER BY last DESC, service_id
"""


def groups_attended(*, store: GraphStore, person_id: str) -> list[Row]:
    """Rows of GROUPS_ATTENDED: ``service_id``, ``service_name``, ``times``, ``last`` and
    ``others`` (``id``, ``first_name``, ``kinds``), the latest first."""
    return store.run(GROUPS_ATTENDED, {"person_id": person_id}, write=False)


# People the person met at a service both go to: a KNOWS edge either way is strengthened
# ($offset + $factor * strength, the rule of service/wellbeing/feedback.py), else a new one of
# kind 'group' is made from the person; either way it keeps where they met (``met_at``, the
# service id) and when (``last_seen``). Only while both have an ATTENDS tie to the service.
RECORD_MET_AT = """
MATCH (p:Person {id: $person_id})-[:ATTENDS]->(s:Service {id: $service_id})
UNWIND $met_ids AS met_id
MATCH (m:Person {id: met_id})-[:ATTENDS]->(s)
WHERE m.id <> p.id
OPTIONAL MATCH (m)-[back:KNOWS]->(p)
OPTIONAL MATCH (p)-[out:KNOWS]->(m)
WITH p, s, m, CASE WHEN out IS NULL THEN back ELSE null END AS theirs
FOREACH (k IN CASE WHEN theirs IS NULL THEN [] ELSE [theirs] END |
  SET k.strength = $offset + $factor * coalesce(k.strength, 0.0), k.met_at = s.id,
      k.last_seen = $now)
FOREACH (_ IN CASE WHEN theirs IS NULL THEN [1] ELSE [] END |
  MERGE (p)-[k:KNOWS]->(m)
  ON CREATE SET k.kind = 'group', k.strength = 0.0, k.visits = 0
  SET k.strength = $offset + $factor * coalesce(k.strength, 0.0), k.met_at = s.id,
      k.last_seen = $now)
RETURN m.id AS id
"""


def record_met_at(
    *,
    store: GraphStore,
    person_id: str,
    service_id: str,
    met_ids: list[str],
    offset: float,
    factor: float,
    now: str,
) -> list[str]:
    """Record that the person met ``met_ids`` at the service (see RECORD_MET_AT); the ids of
    those recorded (none unless the person and they go there)."""
    params = {
        "person_id": person_id,
        "service_id": service_id,
        "met_ids": met_ids,
        "offset": offset,
        "factor": factor,
        "now": now,
    }
    return [row["id"] for row in store.run(RECORD_MET_AT, params)]
