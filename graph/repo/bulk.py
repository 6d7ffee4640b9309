"""Bulk loads: many nodes or relationships per statement with ``UNWIND $rows AS row``.

Rows are what the repository stores (``records.to_properties``), and the relationships are the
ones the repository keeps (graph/repo/links.py): ``IN`` from ``area_id``, ``INTERESTED_IN`` and
``OFFERS`` from ``interests``, ``SUPPORTS`` from a circle's ``person_id``, ``FOR`` from a visit's
``person_id``, plus ``MEMBER_OF`` and ``KNOWS``.

Everything MERGEs on ids, so loading the same rows twice changes nothing; nodes take exactly the
row's properties (``SET n = row``, like an update). Relationship statements MATCH both ends by id
(indexed by ``ensure_schema``); a row whose end is missing writes nothing.

A load is a list of ``Step``s (what, statement, rows); ``run_step`` sends one step's rows in
batches of ``BATCH_SIZE`` (benchmarks/SEED.md has the measurements behind the number).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from graph.models import (
    Area,
    CareCircle,
    GraphModel,
    Interest,
    Knows,
    MemberOf,
    Organization,
    Person,
    Service,
    SupportedBy,
    Visit,
    Volunteer,
    VolunteersWith,
    iso_utc,
)
from graph.repo.records import to_properties
from graph.store.port import GraphStore, Row

BATCH_SIZE = 2000

MERGE_AREAS = "UNWIND $rows AS row MERGE (n:Area {id: row.id}) SET n = row"
MERGE_INTERESTS = "UNWIND $rows AS row MERGE (n:Interest {id: row.id}) SET n = row"
MERGE_ORGANIZATIONS = "UNWIND $rows AS row MERGE (n:Organization {id: row.id}) SET n = row"
MERGE_SERVICES = "UNWIND $rows AS row MERGE (n:Service {id: row.id}) SET n = row"
MERGE_PEOPLE = "UNWIND $rows AS row MERGE (n:Person {id: row.id}) SET n = row"
MERGE_VOLUNTEERS = "UNWIND $rows AS row MERGE (n:Volunteer {id: row.id}) SET n = row"
MERGE_CIRCLES = "UNWIND $rows AS row MERGE (n:CareCircle {id: row.id}) SET n = row"
MERGE_VISITS = "UNWIND $rows AS row MERGE (n:Visit {id: row.id}) SET n = row"

LINK_PEOPLE_TO_AREAS = """
UNWIND $rows AS row
MATCH (n:Person {id: row.from_id})
MATCH (m:Area {id: row.to_id})
MERGE (n)-[:IN]->(m)
"""
LINK_VOLUNTEERS_TO_AREAS = """
UNWIND $rows AS row
MATCH (n:Volunteer {id: row.from_id})
MATCH (m:Area {id: row.to_id})
MERGE (n)-[:IN]->(m)
"""
LINK_SERVICES_TO_AREAS = """
UNWIND $rows AS row
MATCH (n:Service {id: row.from_id})
MATCH (m:Area {id: row.to_id})
MERGE (n)-[:IN]->(m)
"""
LINK_PEOPLE_TO_INTERESTS = """
UNWIND $rows AS row
MATCH (n:Person {id: row.from_id})
MATCH (m:Interest {id: row.to_id})
MERGE (n)-[:INTERESTED_IN]->(m)
"""
LINK_VOLUNTEERS_TO_INTERESTS = """
UNWIND $rows AS row
MATCH (n:Volunteer {id: row.from_id})
MATCH (m:Interest {id: row.to_id})
MERGE (n)-[:INTERESTED_IN]->(m)
"""
LINK_SERVICES_TO_INTERESTS = """
UNWIND $rows AS row
MATCH (n:Service {id: row.from_id})
MATCH (m:Interest {id: row.to_id})
MERGE (n)-[:OFFERS]->(m)
"""
LINK_CIRCLES_TO_PEOPLE = """
UNWIND $rows AS row
MATCH (n:CareCircle {id: row.from_id})
MATCH (m:Person {id: row.to_id})
MERGE (n)-[:SUPPORTS]->(m)
"""
LINK_VISITS_TO_PEOPLE = """
UNWIND $rows AS row
MATCH (n:Visit {id: row.from_id})
MATCH (m:Person {id: row.to_id})
MERGE (n)-[:FOR]->(m)
"""
MERGE_CIRCLE_MEMBERS = """
UNWIND $rows AS row
MATCH (v:Volunteer {id: row.from_id})
MATCH (c:CareCircle {id: row.to_id})
MERGE (v)-[m:MEMBER_OF]->(c)
SET m.since = row.since
"""
MERGE_PERSON_KNOWS = """
UNWIND $rows AS row
MATCH (a:Person {id: row.from_id})
MATCH (b:Person {id: row.to_id})
MERGE (a)-[k:KNOWS]->(b)
SET k = row.props
"""
MERGE_VOLUNTEER_KNOWS = """
UNWIND $rows AS row
MATCH (a:Volunteer {id: row.from_id})
MATCH (b:Person {id: row.to_id})
MERGE (a)-[k:KNOWS]->(b)
SET k = row.props
"""


@dataclass(frozen=True)
class Step:
    """One statement to run over ``rows``; ``what`` names it for progress and reports
    (a node label, or a relationship type)."""

    what: str
    statement: str
    rows: list[Row]


def run_step(
    *,
    store: GraphStore,
    step: Step,
    batch_size: int = BATCH_SIZE,
    on_rows: Callable[[int], None] | None = None,
) -> None:
    """Send the step's rows in batches; ``on_rows(n)`` after each batch of ``n`` rows."""
    if batch_size < 1:
        raise ValueError(f"batch_size: expected 1 or more, got {batch_size}")
    for start in range(0, len(step.rows), batch_size):
        batch = step.rows[start : start + batch_size]
        store.run(step.statement, {"rows": batch})
        if on_rows is not None:
            on_rows(len(batch))


def _links(pairs: Iterable[tuple[str, str]]) -> list[Row]:
    return [{"from_id": from_id, "to_id": to_id} for from_id, to_id in pairs]


def _nodes(models: Sequence[GraphModel]) -> list[Row]:
    return [to_properties(model) for model in models]


def area_steps(areas: Sequence[Area]) -> list[Step]:
    return [Step("Area", MERGE_AREAS, _nodes(areas))]


def interest_steps(interests: Sequence[Interest]) -> list[Step]:
    return [Step("Interest", MERGE_INTERESTS, _nodes(interests))]


def organization_steps(organizations: Sequence[Organization]) -> list[Step]:
    return [Step("Organization", MERGE_ORGANIZATIONS, _nodes(organizations))]


def service_steps(services: Sequence[Service]) -> list[Step]:
    """Services, ``IN`` their area and ``OFFERS`` their interests (areas and interests first)."""
    return [
        Step("Service", MERGE_SERVICES, _nodes(services)),
        Step(
            "IN",
            LINK_SERVICES_TO_AREAS,
            _links((s.id, s.area_id) for s in services if s.area_id is not None),
        ),
        Step(
            "OFFERS",
            LINK_SERVICES_TO_INTERESTS,
            _links((s.id, i) for s in services for i in s.interests),
        ),
    ]


def person_steps(people: Sequence[Person]) -> list[Step]:
    """People, ``IN`` their area and ``INTERESTED_IN`` their interests."""
    return [
        Step("Person", MERGE_PEOPLE, _nodes(people)),
        Step(
            "IN",
            LINK_PEOPLE_TO_AREAS,
            _links((p.id, p.area_id) for p in people if p.area_id is not None),
        ),
        Step(
            "INTERESTED_IN",
            LINK_PEOPLE_TO_INTERESTS,
            _links((p.id, i) for p in people for i in p.interests),
        ),
    ]


def volunteer_steps(volunteers: Sequence[Volunteer]) -> list[Step]:
    """Volunteers, ``IN`` their area and ``INTERESTED_IN`` their interests."""
    return [
        Step("Volunteer", MERGE_VOLUNTEERS, _nodes(volunteers)),
        Step(
            "IN",
            LINK_VOLUNTEERS_TO_AREAS,
            _links((v.id, v.area_id) for v in volunteers if v.area_id is not None),
        ),
        Step(
            "INTERESTED_IN",
            LINK_VOLUNTEERS_TO_INTERESTS,
            _links((v.id, i) for v in volunteers for i in v.interests),
        ),
    ]


def circle_steps(circles: Sequence[CareCircle], members: Sequence[MemberOf]) -> list[Step]:
    """Circles ``SUPPORTS`` their person, and their volunteers' ``MEMBER_OF`` (people and
    volunteers first)."""
    member_rows: list[Row] = [
        {"from_id": m.volunteer_id, "to_id": m.circle_id, "since": iso_utc(m.since)}
        for m in members
    ]
    return [
        Step("CareCircle", MERGE_CIRCLES, _nodes(circles)),
        Step("SUPPORTS", LINK_CIRCLES_TO_PEOPLE, _links((c.id, c.person_id) for c in circles)),
        Step("MEMBER_OF", MERGE_CIRCLE_MEMBERS, member_rows),
    ]


def visit_steps(visits: Sequence[Visit]) -> list[Step]:
    """Visits, each ``FOR`` its person (people first)."""
    return [
        Step("Visit", MERGE_VISITS, _nodes(visits)),
        Step("FOR", LINK_VISITS_TO_PEOPLE, _links((v.id, v.person_id) for v in visits)),
    ]


def knows_steps(knows: Sequence[Knows]) -> list[Step]:
    """``KNOWS`` between people, and from volunteers to the people they visit."""
    people: list[Row] = []
    volunteers: list[Row] = []
    for edge in knows:
        props: dict[str, Any] = to_properties(edge)
        row = {"from_id": props.pop("from_id"), "to_id": props.pop("to_id"), "props": props}
        (volunteers if edge.kind == "volunteer" else people).append(row)
    return [
        Step("KNOWS", MERGE_PERSON_KNOWS, people),
        Step("KNOWS", MERGE_VOLUNTEER_KNOWS, volunteers),
    ]


MERGE_SUPPORTED_BY = """
UNWIND $rows AS row
MATCH (p:Person {id: row.from_id})
MATCH (o:Organization {id: row.to_id})
MERGE (p)-[s:SUPPORTED_BY]->(o)
SET s.since = row.since, s.basis = row.basis
"""
MERGE_VOLUNTEERS_WITH = """
UNWIND $rows AS row
MATCH (v:Volunteer {id: row.from_id})
MATCH (o:Organization {id: row.to_id})
MERGE (v)-[s:VOLUNTEERS_WITH]->(o)
SET s.since = row.since
"""


def organisation_steps(
    supported: Sequence[SupportedBy], volunteering: Sequence[VolunteersWith]
) -> list[Step]:
    """Which organisations support each person and which each volunteer volunteers with
    (people, volunteers and organisations first)."""
    support_rows: list[Row] = [
        {
            "from_id": s.person_id,
            "to_id": s.organization_id,
            "since": iso_utc(s.since),
            "basis": s.basis,
        }
        for s in supported
    ]
    volunteer_rows: list[Row] = [
        {"from_id": v.volunteer_id, "to_id": v.organization_id, "since": iso_utc(v.since)}
        for v in volunteering
    ]
    return [
        Step("SUPPORTED_BY", MERGE_SUPPORTED_BY, support_rows),
        Step("VOLUNTEERS_WITH", MERGE_VOLUNTEERS_WITH, volunteer_rows),
    ]
