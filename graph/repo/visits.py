"""Visits: ``(Visit)-[:FOR]->(Person)`` and ``(Volunteer)-[:ASSIGNED {status, at}]->(Visit)``.

Visit ids should not be made from person ids: an erased person's visits keep their ids.
Claiming, accepting, declining and logging (conditional writes) live in graph/repo/signup.py.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import TypeAdapter

from graph.models import Assigned, AssignmentStatus, Visit, VisitStatus
from graph.repo.errors import AlreadyExists, NotFound
from graph.repo.records import (
    Page,
    create_one,
    delete_statement,
    deleted,
    first_missing,
    found,
    from_properties,
    get_statement,
    page_params,
    read_many,
    read_one,
    read_page,
    to_properties,
    write_one,
)
from graph.store.errors import GraphConstraintError
from graph.store.port import GraphStore, Row

_VISIT_STATUS: TypeAdapter[VisitStatus] = TypeAdapter(VisitStatus)

CREATE_VISIT = """
MATCH (p:Person {id: $person_id})
CREATE (n:Visit) SET n = $props
CREATE (n)-[:FOR]->(p)
RETURN properties(n) AS n
"""


def create_visit(*, store: GraphStore, visit: Visit) -> Visit:
    """Add a visit for an existing person; ``NotFound`` without them (nothing written)."""
    missing = NotFound("Person", visit.person_id)
    return create_one(
        store, CREATE_VISIT, visit, label="Visit", missing=missing, person_id=visit.person_id
    )


CREATE_VISITS = """
UNWIND $rows AS row
MATCH (p:Person {id: row.person_id})
CREATE (n:Visit) SET n = row
CREATE (n)-[:FOR]->(p)
RETURN properties(n) AS n
"""


def create_visits(*, store: GraphStore, visits: list[Visit]) -> list[Visit]:
    """Add many visits in one statement (a week's expansion). Visits whose person is missing
    are skipped, so compare the result with the input; a duplicate id writes nothing."""
    if not visits:
        return []
    try:
        rows = store.run(CREATE_VISITS, {"rows": [to_properties(v) for v in visits]})
    except GraphConstraintError as error:
        raise AlreadyExists("Visit", "id", ", ".join(v.id for v in visits[:5])) from error
    return [from_properties(Visit, row["n"]) for row in rows]


GET_VISIT = get_statement("Visit")


def get_visit(*, store: GraphStore, visit_id: str) -> Visit | None:
    """The visit with this id, or None."""
    return read_one(store, GET_VISIT, {"id": visit_id}, Visit)


def get_visit_or_raise(*, store: GraphStore, visit_id: str) -> Visit:
    """The visit with this id; ``NotFound`` if there is none."""
    return found(get_visit(store=store, visit_id=visit_id), label="Visit", node_id=visit_id)


LIST_VISITS = """
MATCH (n:Visit)
WHERE ($week_start IS NULL OR n.week_start = $week_start)
  AND ($status IS NULL OR n.status = $status)
  AND ($after IS NULL OR n.id > $after)
RETURN properties(n) AS n ORDER BY n.id LIMIT $limit
"""


def list_visits(
    *,
    store: GraphStore,
    week_start: date | None = None,
    status: VisitStatus | None = None,
    first: int = 50,
    after: str | None = None,
) -> Page[Visit]:
    """Visits in id order, optionally only one week's and/or one status."""
    params = page_params(first=first, after=after) | {
        "week_start": None if week_start is None else week_start.isoformat(),
        "status": status,
    }
    return read_page(store, LIST_VISITS, params, Visit, first=first)


LIST_VISITS_OF_PERSON = """
MATCH (n:Visit)-[:FOR]->(:Person {id: $person_id})
WHERE $week_start IS NULL OR n.week_start = $week_start
RETURN properties(n) AS n ORDER BY n.week_start, n.day, n.earliest, n.id
"""


def list_visits_of_person(
    *, store: GraphStore, person_id: str, week_start: date | None = None
) -> list[Visit]:
    """The person's visits in time order, optionally one week's."""
    params = {
        "person_id": person_id,
        "week_start": None if week_start is None else week_start.isoformat(),
    }
    return read_many(store, LIST_VISITS_OF_PERSON, params, Visit)


UPDATE_VISIT = """
MATCH (n:Visit {id: $id}) WHERE n.person_id = $person_id
SET n = $props
RETURN properties(n) AS n
"""


def update_visit(*, store: GraphStore, visit: Visit) -> Visit:
    """Replace the stored visit (same id, same person); ``NotFound`` if there is no such visit
    of that person (a visit cannot move to another person)."""
    params = {"id": visit.id, "person_id": visit.person_id, "props": to_properties(visit)}
    return write_one(store, UPDATE_VISIT, params, Visit, missing=NotFound("Visit", visit.id))


SET_VISIT_STATUS = """
MATCH (n:Visit {id: $id})
SET n.status = $status
RETURN properties(n) AS n
"""


def set_visit_status(*, store: GraphStore, visit_id: str, status: VisitStatus) -> Visit:
    """Set the visit's status; ``NotFound`` if absent."""
    params = {"id": visit_id, "status": _VISIT_STATUS.validate_python(status)}
    return write_one(store, SET_VISIT_STATUS, params, Visit, missing=NotFound("Visit", visit_id))


DELETE_VISIT = delete_statement("Visit")


def delete_visit(*, store: GraphStore, visit_id: str) -> bool:
    """Remove the visit and its assignments; True if it existed."""
    return deleted(store, DELETE_VISIT, {"id": visit_id})


_ASSIGNED_COLUMNS = "RETURN v.id AS volunteer_id, n.id AS visit_id, a.status AS status, a.at AS at"

ASSIGN_VOLUNTEER = (
    "MATCH (v:Volunteer {id: $volunteer_id}), (n:Visit {id: $visit_id})\n"
    "MERGE (v)-[a:ASSIGNED]->(n) SET a.status = $status, a.at = $at\n" + _ASSIGNED_COLUMNS
)


def _assigned(row: Row) -> Assigned:
    return Assigned.model_validate(row)


def assign_volunteer(
    *,
    store: GraphStore,
    visit_id: str,
    volunteer_id: str,
    status: AssignmentStatus = "proposed",
    at: datetime,
) -> Assigned:
    """Assign (or re-status) the volunteer on the visit; ``NotFound`` naming what is missing."""
    checked = Assigned(volunteer_id=volunteer_id, visit_id=visit_id, status=status, at=at)
    params = to_properties(checked)
    rows = store.run(ASSIGN_VOLUNTEER, params)
    if not rows:
        raise first_missing(store, [("Visit", visit_id), ("Volunteer", volunteer_id)])
    return _assigned(rows[0])


UNASSIGN_VOLUNTEER = """
MATCH (:Volunteer {id: $volunteer_id})-[a:ASSIGNED]->(:Visit {id: $visit_id})
DELETE a
RETURN count(a) AS deleted
"""


def unassign_volunteer(*, store: GraphStore, visit_id: str, volunteer_id: str) -> bool:
    """Remove the assignment; True if there was one."""
    params = {"volunteer_id": volunteer_id, "visit_id": visit_id}
    return deleted(store, UNASSIGN_VOLUNTEER, params)


LIST_ASSIGNMENTS = (
    "MATCH (v:Volunteer)-[a:ASSIGNED]->(n:Visit {id: $visit_id})\n"
    + _ASSIGNED_COLUMNS
    + " ORDER BY volunteer_id"
)


def list_assignments(*, store: GraphStore, visit_id: str) -> list[Assigned]:
    """Who is assigned to the visit, with what status, in volunteer id order."""
    rows = store.run(LIST_ASSIGNMENTS, {"visit_id": visit_id}, write=False)
    return [_assigned(row) for row in rows]


LIST_VISITS_OF_VOLUNTEER = """
MATCH (v:Volunteer {id: $volunteer_id})-[a:ASSIGNED]->(n:Visit)
WHERE $week_start IS NULL OR n.week_start = $week_start
RETURN properties(n) AS n, v.id AS volunteer_id, a.status AS status, a.at AS at
ORDER BY n.week_start, n.day, n.start, n.id
"""


def list_visits_of_volunteer(
    *, store: GraphStore, volunteer_id: str, week_start: date | None = None
) -> list[tuple[Visit, Assigned]]:
    """The volunteer's visits with their assignment, in time order, optionally one week's."""
    params = {
        "volunteer_id": volunteer_id,
        "week_start": None if week_start is None else week_start.isoformat(),
    }
    rows = store.run(LIST_VISITS_OF_VOLUNTEER, params, write=False)
    return [
        (
            from_properties(Visit, row["n"]),
            Assigned(
                volunteer_id=row["volunteer_id"],
                visit_id=row["n"]["id"],
                status=row["status"],
                at=row["at"],
            ),
        )
        for row in rows
    ]


WEEK_VISITS_WITH_PERSON = """
MATCH (v:Visit)-[:FOR]->(p:Person)
WHERE v.week_start = $week_start AND ($after IS NULL OR v.id > $after)
RETURN properties(v) AS v, p.first_name AS first_name, p.area_id AS area_id,
       p.address AS address, p.postcode AS postcode
ORDER BY v.id LIMIT $limit
"""


def list_week_visits_with_person(
    *, store: GraphStore, week_start: date, after: str | None, limit: int
) -> list[Row]:
    """Up to ``limit`` of the week's visits after id ``after``, in id order, with their person."""
    params = {"week_start": week_start.isoformat(), "after": after, "limit": limit}
    return store.run(WEEK_VISITS_WITH_PERSON, params, write=False)
