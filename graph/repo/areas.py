"""Areas (wards, neighbourhoods) and interests: the small vocabularies other nodes link to."""

from __future__ import annotations

from graph.models import Area, Interest
from graph.repo.errors import NotFound
from graph.repo.records import (
    Page,
    create_one,
    deleted,
    page_params,
    read_one,
    read_page,
    to_properties,
    write_one,
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


GET_AREA = "MATCH (n:Area {id: $id}) RETURN properties(n) AS n"


def get_area(*, store: GraphStore, area_id: str) -> Area | None:
    """The area with this id, or None."""
    return read_one(store, GET_AREA, {"id": area_id}, Area)


def get_area_or_raise(*, store: GraphStore, area_id: str) -> Area:
    """The area with this id; ``NotFound`` if there is none."""
    area = get_area(store=store, area_id=area_id)
    if area is None:
        raise NotFound("Area", area_id)
    return area


LIST_AREAS = """
MATCH (n:Area) WHERE $after IS NULL OR n.id > $after
RETURN properties(n) AS n ORDER BY n.id LIMIT $limit
"""


def list_areas(*, store: GraphStore, first: int = 50, after: str | None = None) -> Page[Area]:
    """Areas in id order."""
    return read_page(store, LIST_AREAS, page_params(first=first, after=after), Area, first=first)


UPDATE_AREA = "MATCH (n:Area {id: $id}) SET n = $props RETURN properties(n) AS n"


def update_area(*, store: GraphStore, area: Area) -> Area:
    """Replace the stored area (same id); ``NotFound`` if absent."""
    params = {"id": area.id, "props": to_properties(area)}
    return write_one(store, UPDATE_AREA, params, Area, missing=NotFound("Area", area.id))


DELETE_AREA = "MATCH (n:Area {id: $id}) DETACH DELETE n RETURN count(n) AS deleted"


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


GET_INTEREST = "MATCH (n:Interest {id: $id}) RETURN properties(n) AS n"


def get_interest(*, store: GraphStore, interest_id: str) -> Interest | None:
    """The interest with this id, or None."""
    return read_one(store, GET_INTEREST, {"id": interest_id}, Interest)


def get_interest_or_raise(*, store: GraphStore, interest_id: str) -> Interest:
    """The interest with this id; ``NotFound`` if there is none."""
    interest = get_interest(store=store, interest_id=interest_id)
    if interest is None:
        raise NotFound("Interest", interest_id)
    return interest


LIST_INTERESTS = """
MATCH (n:Interest) WHERE $after IS NULL OR n.id > $after
RETURN properties(n) AS n ORDER BY n.id LIMIT $limit
"""


def list_interests(
    *, store: GraphStore, first: int = 50, after: str | None = None
) -> Page[Interest]:
    """Interests in id order."""
    params = page_params(first=first, after=after)
    return read_page(store, LIST_INTERESTS, params, Interest, first=first)


UPDATE_INTEREST = "MATCH (n:Interest {id: $id}) SET n = $props RETURN properties(n) AS n"


def update_interest(*, store: GraphStore, interest: Interest) -> Interest:
    """Replace the stored interest (same id); ``NotFound`` if absent."""
    params = {"id": interest.id, "props": to_properties(interest)}
    missing = NotFound("Interest", interest.id)
    return write_one(store, UPDATE_INTEREST, params, Interest, missing=missing)


DELETE_INTEREST = "MATCH (n:Interest {id: $id}) DETACH DELETE n RETURN count(n) AS deleted"


def delete_interest(*, store: GraphStore, interest_id: str) -> bool:
    """Remove the interest and its edges; True if it existed."""
    return deleted(store, DELETE_INTEREST, {"id": interest_id})
