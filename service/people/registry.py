"""Coordinators register people and volunteers, change their records and set a person's weekly
visit pattern (which ``service.rota.runs.plan_week`` expands into each new week's visits).

Every change is validated by the domain models in ``graph.models`` before anything is written:
a ``ValidationError`` becomes a ``RegistryError`` naming the field as the API spells it
(``visitWindows[0].end``), and nothing is written. An ``areaId`` must name an existing Area.
Updates apply only the fields given; a field given as null clears it (when it may be empty).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import ValidationError

from graph.models import Person, Volunteer, utc_now
from graph.repo import areas as areas_repo
from graph.repo import people as people_repo
from graph.repo import volunteers as volunteers_repo
from graph.repo.errors import AlreadyExists
from graph.store.port import GraphStore
from service.connections.suggestions import connections_changed
from service.visits.open_visits_snapshot import open_visits_changed

M = TypeVar("M", Person, Volunteer)

# Fields a coordinator may not set through these operations (kept by the system).
SYSTEM_FIELDS = frozenset({"id", "created_at", "need_trend"})


class RegistryError(ValueError):
    """Bad input for a person or volunteer; the message names the field. Nothing was written."""


class UnknownRecord(LookupError):
    """No person or volunteer with that id."""


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def api_field(loc: tuple[int | str, ...]) -> str:
    """A pydantic error location as the API names it: ``visit_windows.0.end`` ->
    ``visitWindows[0].end``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + _camel(part)
    return out or "input"


def _validated(model: type[M], values: Mapping[str, Any]) -> M:
    try:
        return model.model_validate(dict(values))
    except ValidationError as error:
        first = error.errors()[0]
        message = first["msg"].removeprefix("Value error, ")
        got = first.get("input")
        shown = "" if isinstance(got, dict) or got is None else f", got {str(got)[:60]!r}"
        raise RegistryError(f"{api_field(tuple(first['loc']))}: {message}{shown}") from None


def _check_changes(changes: Mapping[str, Any]) -> None:
    fixed = sorted(SYSTEM_FIELDS & set(changes))
    if fixed:
        raise RegistryError(f"{_camel(fixed[0])}: cannot be set here")


def _check_area(store: GraphStore, area_id: str | None) -> None:
    if area_id is not None and not areas_repo.area_exists(store=store, area_id=area_id):
        raise RegistryError(f"areaId: no area with id {area_id!r}")


def _check_email(store: GraphStore, volunteer: Volunteer) -> None:
    email = str(volunteer.email)
    if volunteers_repo.volunteer_email_taken(store=store, email=email, volunteer_id=volunteer.id):
        raise RegistryError(f"email: a volunteer with email {volunteer.email} already exists")


def register_person(
    *, store: GraphStore, values: Mapping[str, Any], organization_id: str
) -> Person:
    """A new person from ``values`` (Person's fields, snake_case), supported by the
    registering staff member's organisation from now (basis ``registered``)."""
    _check_changes(values)
    person = _validated(Person, {**values, "id": f"person-{uuid.uuid4().hex[:12]}"})
    _check_area(store, person.area_id)
    try:
        made = people_repo.create_supported_person(
            store=store,
            person=person,
            organization_id=organization_id,
            since=utc_now(),
            basis="registered",
        )
    except AlreadyExists:
        raise RegistryError("id: taken; try again") from None
    connections_changed(store=store, people=[made.id])
    return made


def update_person(*, store: GraphStore, person_id: str, changes: Mapping[str, Any]) -> Person:
    """The person with ``changes`` applied; ``UnknownRecord`` if there is no such person."""
    _check_changes(changes)
    found = people_repo.get_person(store=store, person_id=person_id)
    if found is None:
        raise UnknownRecord(person_id)
    person = _validated(Person, found.model_dump() | dict(changes))
    _check_area(store, person.area_id)
    changed = people_repo.update_person(store=store, person=person)
    connections_changed(store=store, people=[person_id])  # interests, area, place
    open_visits_changed(store=store)  # exclusions, languages, place...
    return changed


def set_visit_pattern(
    *,
    store: GraphStore,
    person_id: str,
    windows: list[Mapping[str, Any]],
    visits_per_week: int | None = None,
    visit_minutes: int | None = None,
) -> Person:
    """Replace the person's weekly pattern: the windows they can be visited in and, when given,
    how many visits a week and how long. Weeks planned already keep their visits; the next week
    planned follows the new pattern."""
    changes: dict[str, Any] = {"visit_windows": [dict(w) for w in windows]}
    if visits_per_week is not None:
        changes["visits_per_week"] = visits_per_week
    if visit_minutes is not None:
        changes["visit_minutes"] = visit_minutes
    return update_person(store=store, person_id=person_id, changes=changes)


def register_volunteer(
    *, store: GraphStore, values: Mapping[str, Any], organization_id: str
) -> Volunteer:
    """A new volunteer from ``values`` (Volunteer's fields, snake_case), volunteering with the
    registering coordinator's organisation."""
    _check_changes(values)
    volunteer = _validated(Volunteer, {**values, "id": f"volunteer-{uuid.uuid4().hex[:12]}"})
    _check_area(store, volunteer.area_id)
    _check_email(store, volunteer)
    try:
        return volunteers_repo.create_volunteer_with(
            store=store, volunteer=volunteer, organization_id=organization_id, since=utc_now()
        )
    except AlreadyExists:
        raise RegistryError("id: taken; try again") from None


def update_volunteer(
    *, store: GraphStore, volunteer_id: str, changes: Mapping[str, Any]
) -> Volunteer:
    """The volunteer with ``changes`` applied; ``UnknownRecord`` if there is no such one."""
    _check_changes(changes)
    found = volunteers_repo.get_volunteer(store=store, volunteer_id=volunteer_id)
    if found is None:
        raise UnknownRecord(volunteer_id)
    volunteer = _validated(Volunteer, found.model_dump() | dict(changes))
    _check_area(store, volunteer.area_id)
    _check_email(store, volunteer)
    return volunteers_repo.update_volunteer(store=store, volunteer=volunteer)
