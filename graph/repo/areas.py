"""Areas (wards, neighbourhoods) and interests: the small vocabularies other nodes link to."""

from __future__ import annotations

from graph.models import Area, Interest
from graph.repo.records import (
    Page,
    create_one,
    delete_statement,
    deleted,
    found,
    get_statement,
    list_statement,
    page_params,
    read_one,
    read_page,
    update_one,
    update_statement,
)
from graph.store.port import GraphStore

# A new area or interest picks up the nodes that already name it, so load order does not matter.
CREATE_AREA = """
CREATE (n:Area) SET n = $props
WITH n
OPTIONAL MATCH (member) WHERE (member:Person OR member:Volunteer OR member:Service)
  AND member.area_id = n.id
WITH n, collect(member) AS members
FOREACH (member IN members | CREATE (member)-[:IN]->(n))
RETURN properties(n) AS n
"""


def create_area(*, store: GraphStore, area: Area) -> Area:
    """Add an area; people, volunteers and services with its id are linked to it."""
    return create_one(store, CREATE_AREA, area, label="Area")


GET_AREA = get_statement("Area")


def get_area(*, store: GraphStore, area_id: str) -> Area | None:
    """The area with this id, or None."""
    return read_one(store, GET_AREA, {"id": area_id}, Area)


def get_area_or_raise(*, store: GraphStore, area_id: str) -> Area:
    """The area with this id; ``NotFound`` if there is none."""
    return found(get_area(store=store, area_id=area_id), label="Area", node_id=area_id)


AREA_EXISTS = "MATCH (a:Area {id: $id}) RETURN count(a) AS n"


def area_exists(*, store: GraphStore, area_id: str) -> bool:
    """True if there is an area with this id."""
    return bool(store.run(AREA_EXISTS, {"id": area_id}, write=False)[0]["n"])


LIST_AREAS = list_statement("Area")


def list_areas(*, store: GraphStore, first: int = 50, after: str | None = None) -> Page[Area]:
    """Areas in id order."""
    return read_page(store, LIST_AREAS, page_params(first=first, after=after), Area, first=first)


UPDATE_AREA = update_statement("Area")


def update_area(*, store: GraphStore, area: Area) -> Area:
    """Replace the stored area (same id); ``NotFound`` if absent."""
    return update_one(store, UPDATE_AREA, area, label="Area")


DELETE_AREA = delete_statement("Area")


def delete_area(*, store: GraphStore, area_id: str) -> bool:
    """Remove the area and its edges (nodes keep their ``area_id``); True if it existed."""
    return deleted(store, DELETE_AREA, {"id": area_id})


CREATE_INTEREST = """
CREATE (n:Interest) SET n = $props
WITH n
OPTIONAL MATCH (member) WHERE (member:Person OR member:Volunteer) AND n.id IN member.interests
WITH n, collect(member) AS members
FOREACH (member IN members | CREATE (member)-[:INTERESTED_IN]->(n))
WITH n
OPTIONAL MATCH (service:Service) WHERE n.id IN service.interests
WITH n, collect(service) AS services
FOREACH (service IN services | CREATE (service)-[:OFFERS]->(n))
RETURN properties(n) AS n
"""


def create_interest(*, store: GraphStore, interest: Interest) -> Interest:
    """Add an interest; people, volunteers and services naming it are linked to it."""
    return create_one(store, CREATE_INTEREST, interest, label="Interest")


GET_INTEREST = get_statement("Interest")


def get_interest(*, store: GraphStore, interest_id: str) -> Interest | None:
    """The interest with this id, or None."""
    return read_one(store, GET_INTEREST, {"id": interest_id}, Interest)


def get_interest_or_raise(*, store: GraphStore, interest_id: str) -> Interest:
    """The interest with this id; ``NotFound`` if there is none."""
    interest = get_interest(store=store, interest_id=interest_id)
    return found(interest, label="Interest", node_id=interest_id)


LIST_INTERESTS = list_statement("Interest")


def list_interests(
    *, store: GraphStore, first: int = 50, after: str | None = None
) -> Page[Interest]:
    """Interests in id order."""
    params = page_params(first=first, after=after)
    return read_page(store, LIST_INTERESTS, params, Interest, first=first)


UPDATE_INTEREST = update_statement("Interest")


def update_interest(*, store: GraphStore, interest: Interest) -> Interest:
    """Replace the stored interest (same id); ``NotFound`` if absent."""
    return update_one(store, UPDATE_INTEREST, interest, label="Interest")


DELETE_INTEREST = delete_statement("Interest")


def delete_interest(*, store: GraphStore, interest_id: str) -> bool:
    """Remove the interest and its edges; True if it existed."""
    return deleted(store, DELETE_INTEREST, {"id": interest_id})


AREA_NAMES_BY_ID = "MATCH (a:Area) WHERE a.id IN $ids RETURN a.id AS id, a.name AS name"


def area_names_by_id(*, store: GraphStore, area_ids: list[str]) -> dict[str, str]:
    """The names of the areas among ``area_ids`` that exist, by id."""
    rows = store.run(AREA_NAMES_BY_ID, {"ids": area_ids}, write=False)
    return {row["id"]: row["name"] for row in rows}


async def area_names_by_id_awaited(*, store: GraphStore, area_ids: list[str]) -> dict[str, str]:
    """``area_names_by_id`` awaited on the event loop (a loader's batch)."""
    rows = await store.arun(AREA_NAMES_BY_ID, {"ids": area_ids}, write=False)
    return {row["id"]: row["name"] for row in rows}
