"""Visits: ``(Visit)-[:FOR]->(Person)`` and ``(Volunteer)-[:ASSIGNED {status, at}]->(Visit)``.

Visit ids should not be made from person ids: an erased person's visits keep their ids.
Claiming, accepting, declining and logging (conditional writes) live in
graph/repo/volunteer_visits.py.
"""

from __future__ import annotations

from datetime import date

from pydantic import TypeAdapter

from graph.models import VisitStatus
from graph.store.port import GraphStore, Row

_VISIT_STATUS: TypeAdapter[VisitStatus] = TypeAdapter(VisitStatus)


WEEK_VISITS_WITH_PERSON = """
MATCH (v:Visit)-[:FOR]->(p:Person)
WHERE v.week_start = $week_start AND ($after IS NULL OR v.id > $after)
RETURN properties(v) AS v, p.first_name AS first_name, p.area_id AS area_id,
       p.address AS address, p.postcode AS postcode
ORDER BY v.id LIMIT $limit
"""


ORGANIZATION_WEEK_VISITS = """
MATCH (v:Visit)-[:FOR]->(p:Person)-[:SUPPORTED_BY]->(:Organization {id: $organization_id})
WHERE v.week_start = $week_start AND ($after IS NULL OR v.id > $after)
RETURN properties(v) AS v, p.id AS person_id, p.first_name AS first_name,
       p.area_id AS area_id, p.address AS address, p.postcode AS postcode
ORDER BY v.id LIMIT $limit
"""


def list_organization_week_visits(
    *, store: GraphStore, organization_id: str, week_start: date, after: str | None, limit: int
) -> list[Row]:
    """Up to ``limit`` of the week's visits to people ``organization_id`` supports, after id
    ``after``, in id order, with their person."""
    params = {
        "organization_id": organization_id,
        "week_start": week_start.isoformat(),
        "after": after,
        "limit": limit,
    }
    return store.run(ORGANIZATION_WEEK_VISITS, params, write=False)


def list_week_visits_with_person(
    *, store: GraphStore, week_start: date, after: str | None, limit: int
) -> list[Row]:
    """Up to ``limit`` of the week's visits after id ``after``, in id order, with their person."""
    params = {"week_start": week_start.isoformat(), "after": after, "limit": limit}
    return store.run(WEEK_VISITS_WITH_PERSON, params, write=False)
