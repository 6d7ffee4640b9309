"""Write a test's world into a graph store the way production writes it: the bulk steps that
``carecircles seed`` runs (graph/repo/bulk.py), MERGE-ing on ids.

``save(store, area, person, visit, ...)`` writes each model with its relationships (a person
``IN`` its area, a visit ``FOR`` its person...); models are written in an order where both ends
of an edge exist first, whatever the order they are passed in.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import TypeVar

from graph.models import (
    Area,
    CareCircle,
    Interest,
    Knows,
    MemberOf,
    Organization,
    Person,
    RotaRun,
    Service,
    SupportedBy,
    Visit,
    Volunteer,
    VolunteersWith,
)
from graph.repo import bulk
from graph.repo.records import from_properties
from graph.repo.rota_runs import create_rota_run, publish_rota
from graph.store.port import GraphStore
from solver.models import SOLUTION_FORMAT

T = TypeVar("T")

Model = (
    Area
    | Interest
    | Organization
    | Service
    | Person
    | Volunteer
    | CareCircle
    | MemberOf
    | Visit
    | Knows
    | SupportedBy
    | VolunteersWith
)


def save(store: GraphStore, *models: Model) -> None:
    """Write ``models`` (and the edges their fields name) with the seed's bulk steps."""

    def of(kind: type[T]) -> list[T]:
        return [m for m in models if isinstance(m, kind)]

    steps = [
        *bulk.area_steps(of(Area)),
        *bulk.interest_steps(of(Interest)),
        *bulk.organization_steps(of(Organization)),
        *bulk.service_steps(of(Service)),
        *bulk.volunteer_steps(of(Volunteer)),
        *bulk.person_steps(of(Person)),
        *bulk.circle_steps(of(CareCircle), of(MemberOf)),
        *bulk.visit_steps(of(Visit)),
        *bulk.knows_steps(of(Knows)),
        *bulk.organisation_steps(of(SupportedBy), of(VolunteersWith)),
    ]
    for step in steps:
        if step.rows:
            bulk.run_step(store=store, step=step)


def in_organisation(
    store: GraphStore,
    organization_id: str = "org-test",
    *,
    people: Iterable[str] = (),
    volunteers: Iterable[str] = (),
) -> None:
    """The organisation (made if missing) supports ``people`` and ``volunteers`` volunteer with
    it, by id: a volunteer is offered and may claim only the visits of their organisations'
    people."""
    save(
        store,
        Organization(id=organization_id, name=f"Befriending {organization_id}", kind="befriending"),
        *(SupportedBy(person_id=p, organization_id=organization_id) for p in people),
        *(VolunteersWith(volunteer_id=v, organization_id=organization_id) for v in volunteers),
    )


M = TypeVar("M", bound=Model)


def saved(store: GraphStore, model: M) -> M:
    """``save(store, model)``, returning ``model``."""
    save(store, model)
    return model


def propose(store: GraphStore, visit: Visit, volunteer_id: str, *, at: datetime) -> None:
    """Propose ``visit`` to the volunteer as a coordinator does: publish a draft rota run of the
    visit's week with that one assignment (which withdraws the week's other proposals)."""
    start = visit.start or visit.earliest
    assignment = {"visit": visit.id, "volunteer": volunteer_id, "start": start}
    solution = {"format": SOLUTION_FORMAT, "status": "FEASIBLE", "assignments": [assignment]}
    run = RotaRun(
        id=f"run-{uuid.uuid4().hex[:10]}",
        week_start=visit.week_start,
        created_at=at,
        metrics={},
        problem="{}",
        solution=json.dumps(solution),
    )
    create_rota_run(store=store, run=run)
    publish_rota(
        store=store,
        run_id=run.id,
        assignments=[assignment],
        unassigned=[],
        at=at,
        visit_ids=[visit.id],
    )


def stored(store: GraphStore, kind: type[M], node_id: str) -> M | None:
    """The node of ``kind`` (its label is the model's name) with this id, read back as a model,
    or None: for a test's assertions."""
    rows = store.run(
        f"MATCH (n:{kind.__name__} {{id: $id}}) RETURN properties(n) AS n", {"id": node_id}
    )
    return from_properties(kind, rows[0]["n"]) if rows else None
