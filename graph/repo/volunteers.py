"""Volunteers who visit people."""

from __future__ import annotations

from datetime import datetime

from graph.models import Volunteer, iso_utc
from graph.repo.links import _LINK_AREA, _LINK_INTERESTS, _LINK_VOLUNTEERS_WITH, _RETURN_NODE
from graph.repo.records import (
    Page,
    create_one,
    get_statement,
    list_statement,
    page_params,
    read_one,
    read_page,
    update_one,
    update_statement,
)
from graph.store.port import GraphStore

CREATE_VOLUNTEER = (
    "CREATE (n:Volunteer) SET n = $props" + _LINK_AREA + _LINK_INTERESTS + _RETURN_NODE
)


def create_volunteer(*, store: GraphStore, volunteer: Volunteer) -> Volunteer:
    """Add a volunteer; ``AlreadyExists`` if the id is taken."""
    return create_one(store, CREATE_VOLUNTEER, volunteer, label="Volunteer")


CREATE_VOLUNTEER_WITH = (
    "CREATE (n:Volunteer) SET n = $props"
    + _LINK_AREA
    + _LINK_INTERESTS
    + _LINK_VOLUNTEERS_WITH
    + _RETURN_NODE
)


def create_volunteer_with(
    *, store: GraphStore, volunteer: Volunteer, organization_id: str, since: datetime
) -> Volunteer:
    """Add a volunteer who volunteers with ``organization_id``, in one statement."""
    return create_one(
        store,
        CREATE_VOLUNTEER_WITH,
        volunteer,
        label="Volunteer",
        organization_id=organization_id,
        since=iso_utc(since),
    )


GET_VOLUNTEER = get_statement("Volunteer")


def get_volunteer(*, store: GraphStore, volunteer_id: str) -> Volunteer | None:
    """The volunteer with this id, or None."""
    return read_one(store, GET_VOLUNTEER, {"id": volunteer_id}, Volunteer)


VOLUNTEER_EMAIL_TAKEN = """
MATCH (v:Volunteer) WHERE v.email = $email AND v.id <> $id RETURN count(v) AS n
"""


def volunteer_email_taken(*, store: GraphStore, email: str, volunteer_id: str) -> bool:
    """True if a volunteer other than ``volunteer_id`` has this email."""
    params = {"email": email, "id": volunteer_id}
    return bool(store.run(VOLUNTEER_EMAIL_TAKEN, params, write=False)[0]["n"])


LIST_VOLUNTEERS = list_statement("Volunteer")


def list_volunteers(
    *, store: GraphStore, first: int = 50, after: str | None = None
) -> Page[Volunteer]:
    """Volunteers in id order."""
    params = page_params(first=first, after=after)
    return read_page(store, LIST_VOLUNTEERS, params, Volunteer, first=first)


UPDATE_VOLUNTEER = update_statement("Volunteer", _LINK_AREA, _LINK_INTERESTS)


def update_volunteer(*, store: GraphStore, volunteer: Volunteer) -> Volunteer:
    """Replace the stored volunteer (same id); ``NotFound`` if absent."""
    return update_one(store, UPDATE_VOLUNTEER, volunteer, label="Volunteer")
