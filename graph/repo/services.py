"""Local services and groups, and the organisations that run them."""

from __future__ import annotations

from graph.models import Organization, Service
from graph.repo.links import _LINK_AREA, _LINK_OFFERS, _RETURN_NODE
from graph.repo.records import (
    Page,
    create_one,
    delete_statement,
    deleted,
    found,
    get_statement,
    list_statement,
    page_params,
    read_many,
    read_one,
    read_page,
    update_one,
    update_statement,
)
from graph.store.port import GraphStore

CREATE_SERVICE = "CREATE (n:Service) SET n = $props" + _LINK_AREA + _LINK_OFFERS + _RETURN_NODE


def create_service(*, store: GraphStore, service: Service) -> Service:
    """Add a service; ``AlreadyExists`` if the id is taken."""
    return create_one(store, CREATE_SERVICE, service, label="Service")


GET_SERVICE = get_statement("Service")


def get_service(*, store: GraphStore, service_id: str) -> Service | None:
    """The service with this id, or None."""
    return read_one(store, GET_SERVICE, {"id": service_id}, Service)


def get_service_or_raise(*, store: GraphStore, service_id: str) -> Service:
    """The service with this id; ``NotFound`` if there is none."""
    service = get_service(store=store, service_id=service_id)
    return found(service, label="Service", node_id=service_id)


LIST_SERVICES = list_statement("Service")


def list_services(*, store: GraphStore, first: int = 50, after: str | None = None) -> Page[Service]:
    """Services in id order."""
    params = page_params(first=first, after=after)
    return read_page(store, LIST_SERVICES, params, Service, first=first)


LIST_SERVICES_BY_ID = "MATCH (n:Service) WHERE n.id IN $ids RETURN properties(n) AS n"


def list_services_by_id(*, store: GraphStore, service_ids: list[str]) -> list[Service]:
    """Those of these services that exist."""
    return read_many(store, LIST_SERVICES_BY_ID, {"ids": service_ids}, Service)


LIST_SERVICES_OF_ORGANIZATION = """
MATCH (n:Service) WHERE n.organization_id = $organization_id
RETURN properties(n) AS n ORDER BY n.id
"""


def list_services_of_organization(*, store: GraphStore, organization_id: str) -> list[Service]:
    """The services an organisation runs, in id order."""
    params = {"organization_id": organization_id}
    return read_many(store, LIST_SERVICES_OF_ORGANIZATION, params, Service)


UPDATE_SERVICE = update_statement("Service", _LINK_AREA, _LINK_OFFERS)


def update_service(*, store: GraphStore, service: Service) -> Service:
    """Replace the stored service (same id); ``NotFound`` if absent."""
    return update_one(store, UPDATE_SERVICE, service, label="Service")


DELETE_SERVICE = delete_statement("Service")


def delete_service(*, store: GraphStore, service_id: str) -> bool:
    """Remove the service and its edges (referrals keep its id); True if it existed."""
    return deleted(store, DELETE_SERVICE, {"id": service_id})


CREATE_ORGANIZATION = "CREATE (n:Organization) SET n = $props RETURN properties(n) AS n"


def create_organization(*, store: GraphStore, organization: Organization) -> Organization:
    """Add an organisation; ``AlreadyExists`` if the id is taken."""
    return create_one(store, CREATE_ORGANIZATION, organization, label="Organization")


GET_ORGANIZATION = get_statement("Organization")


def get_organization(*, store: GraphStore, organization_id: str) -> Organization | None:
    """The organisation with this id, or None."""
    return read_one(store, GET_ORGANIZATION, {"id": organization_id}, Organization)


def get_organization_or_raise(*, store: GraphStore, organization_id: str) -> Organization:
    """The organisation with this id; ``NotFound`` if there is none."""
    organization = get_organization(store=store, organization_id=organization_id)
    return found(organization, label="Organization", node_id=organization_id)


LIST_ORGANIZATIONS = list_statement("Organization")


def list_organizations(
    *, store: GraphStore, first: int = 50, after: str | None = None
) -> Page[Organization]:
    """Organisations in id order."""
    params = page_params(first=first, after=after)
    return read_page(store, LIST_ORGANIZATIONS, params, Organization, first=first)


ORGANIZATION_IDS = "MATCH (o:Organization) RETURN collect(o.id) AS ids"
ORGANIZATION_IDS_OF_KINDS = """
MATCH (o:Organization) WHERE o.kind IN $kinds RETURN collect(o.id) AS ids
"""


def list_organization_ids(*, store: GraphStore, kinds: list[str] | None = None) -> list[str]:
    """The ids of every organisation, or of those of one of ``kinds``."""
    if kinds is None:
        rows = store.run(ORGANIZATION_IDS, {}, write=False)
    else:
        rows = store.run(ORGANIZATION_IDS_OF_KINDS, {"kinds": kinds}, write=False)
    return list(rows[0]["ids"])


UPDATE_ORGANIZATION = update_statement("Organization")


def update_organization(*, store: GraphStore, organization: Organization) -> Organization:
    """Replace the stored organisation (same id); ``NotFound`` if absent."""
    return update_one(store, UPDATE_ORGANIZATION, organization, label="Organization")


DELETE_ORGANIZATION = delete_statement("Organization")


def delete_organization(*, store: GraphStore, organization_id: str) -> bool:
    """Remove the organisation (its services stay); True if it existed."""
    return deleted(store, DELETE_ORGANIZATION, {"id": organization_id})
