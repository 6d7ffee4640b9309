"""Write a test's world into a graph store the way production writes it: the bulk steps that
``carecircles seed`` runs (graph/repo/bulk.py), MERGE-ing on ids.

``save(store, area, person, visit, ...)`` writes each model with its relationships (a person
``IN`` its area, a visit ``FOR`` its person...); models are written in an order where both ends
of an edge exist first, whatever the order they are passed in.
"""

from __future__ import annotations

from typing import TypeVar

from graph.models import (
    Area,
    CareCircle,
    Interest,
    Knows,
    MemberOf,
    Organization,
    Person,
    Service,
    Visit,
    Volunteer,
)
from graph.repo import bulk
from graph.store.port import GraphStore

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
    ]
    for step in steps:
        if step.rows:
            bulk.run_step(store=store, step=step)


M = TypeVar("M", bound=Model)


def saved(store: GraphStore, model: M) -> M:
    """``save(store, model)``, returning ``model``."""
    save(store, model)
    return model
