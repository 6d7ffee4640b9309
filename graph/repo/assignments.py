"""Who is (or was) on a person's visits and what they noted: reads across
``(Volunteer)-[:ASSIGNED]->(Visit)-[:FOR]->(Person)`` for the person's own view, the API's
loaders and who may record a check-in. First names only: these rows are shown to others."""

from __future__ import annotations

from graph.store.port import GraphStore, Row

PERSON_OF_VISIT = "MATCH (v:Visit {id: $visit_id})-[:FOR]->(p:Person) RETURN p.id AS person_id"


def person_of_visit(*, store: GraphStore, visit_id: str) -> str | None:
    """The id of the person a visit is for, or None."""
    rows = store.run(PERSON_OF_VISIT, {"visit_id": visit_id}, write=False)
    return str(rows[0]["person_id"]) if rows else None


VOLUNTEER_HELD_VISIT = """
MATCH (:Volunteer {id: $volunteer_id})-[a:ASSIGNED]->(v:Visit)-[:FOR]->(:Person {id: $person_id})
WHERE a.status = 'done' AND a.at >= $since AND ($visit_id IS NULL OR v.id = $visit_id)
RETURN count(v) AS held
"""


def volunteer_held_visit(
    *, store: GraphStore, volunteer_id: str, person_id: str, since: str, visit_id: str | None
) -> bool:
    """True if the volunteer logged a visit with the person as done at or after ``since``."""
    params = {
        "volunteer_id": volunteer_id,
        "person_id": person_id,
        "since": since,
        "visit_id": visit_id,
    }
    return int(store.run(VOLUNTEER_HELD_VISIT, params, write=False)[0]["held"]) > 0


# Visits from ``from_week`` on, with who is (or is proposed to be) on them: first names only.
CIRCLE_VISITS = """
MATCH (v:Visit)-[:FOR]->(:Person {id: $person_id})
WHERE v.week_start >= $from_week AND v.status IN ['open', 'proposed', 'accepted', 'done']
OPTIONAL MATCH (vol:Volunteer)-[a:ASSIGNED]->(v)
WHERE a.status IN ['proposed', 'accepted', 'done']
WITH v, collect(vol.first_name) AS volunteers
RETURN properties(v) AS v, volunteers
ORDER BY v.week_start, v.day, v.start
"""


def list_circle_visits(*, store: GraphStore, person_id: str, from_week: str) -> list[Row]:
    """Rows ``v`` (visit properties), ``volunteers`` (first names) from ``from_week`` on."""
    params = {"person_id": person_id, "from_week": from_week}
    return store.run(CIRCLE_VISITS, params, write=False)


# Everything about the person's visits for the export: volunteers, statuses and notes.
VISITS_FOR_EXPORT = """
MATCH (v:Visit)-[:FOR]->(:Person {id: $person_id})
OPTIONAL MATCH (vol:Volunteer)-[a:ASSIGNED]->(v)
WITH v, collect({volunteer: vol.first_name, status: a.status, note: a.note}) AS assigned
RETURN properties(v) AS v, assigned
ORDER BY v.week_start, v.day
"""


def list_visits_for_export(*, store: GraphStore, person_id: str) -> list[Row]:
    """Rows ``v`` (visit properties), ``assigned`` (volunteer, status, note) of every visit."""
    return store.run(VISITS_FOR_EXPORT, {"person_id": person_id}, write=False)


VISIT_NOTES = """
MATCH (vol:Volunteer)-[a:ASSIGNED]->(v:Visit)-[:FOR]->(:Person {id: $person_id})
WHERE a.note IS NOT NULL
RETURN v.id AS visit_id, v.week_start AS week_start, v.day AS day,
       vol.first_name AS volunteer_first_name, a.note AS note, a.at AS at
ORDER BY a.at DESC LIMIT $limit
"""


def list_visit_notes(*, store: GraphStore, person_id: str, limit: int) -> list[Row]:
    """The newest ``limit`` volunteers' notes on the person's visits, newest first."""
    return store.run(VISIT_NOTES, {"person_id": person_id, "limit": limit}, write=False)


ASSIGNMENTS_OF_VISITS = """
MATCH (vol:Volunteer)-[a:ASSIGNED]->(v:Visit)
WHERE v.id IN $ids
  AND a.status IN ['proposed', 'accepted', 'done', 'missed', 'declined', 'cancelled', 'withdrawn']
RETURN v.id AS visit_id, vol.id AS volunteer_id, vol.first_name AS first_name,
       a.status AS status, a.note AS note, a.reason AS reason, a.at AS at,
       a.by = 'claim' AS claimed
ORDER BY visit_id, volunteer_id
"""


async def assignments_of_visits_awaited(*, store: GraphStore, visit_ids: list[str]) -> list[Row]:
    """Rows ``visit_id``, ``volunteer_id``, ``first_name``, ``status``, ``note``, ``reason``
    (why they cancelled), ``at`` and ``claimed`` (they claimed the visit), awaited."""
    return await store.arun(ASSIGNMENTS_OF_VISITS, {"ids": visit_ids}, write=False)


VISIT_NOTES_OF_PEOPLE = """
MATCH (vol:Volunteer)-[a:ASSIGNED]->(v:Visit)-[:FOR]->(p:Person)
WHERE p.id IN $ids AND a.note IS NOT NULL
RETURN p.id AS person_id, v.id AS visit_id, v.week_start AS week_start, v.day AS day,
       vol.first_name AS volunteer_first_name, a.note AS note, a.at AS at
ORDER BY person_id, at DESC
"""


async def visit_notes_of_people_awaited(*, store: GraphStore, person_ids: list[str]) -> list[Row]:
    """Volunteers' notes on these people's visits, newest first per person, awaited."""
    return await store.arun(VISIT_NOTES_OF_PEOPLE, {"ids": person_ids}, write=False)
