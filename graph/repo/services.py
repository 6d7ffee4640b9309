"""Local services and groups, and the organisations that run them."""

from __future__ import annotations

from graph.models import Service
from graph.repo.records import (
    Page,
    list_statement,
    page_params,
    read_many,
    read_page,
)
from graph.store.port import GraphStore

LIST_SERVICES = list_statement("Service")


def list_services(*, store: GraphStore, first: int = 50, after: str | None = None) -> Page[Service]:
    """Services in id order."""
    params = page_params(first=first, after=after)
    return read_page(store, LIST_SERVICES, params, Service, first=first)


LIST_SERVICES_BY_ID = "MATCH (n:Service) WHERE n.id IN $ids RETURN properties(n) AS n"


def list_services_by_id(*, store: GraphStore, service_ids: list[str]) -> list[Service]:
    """Those of these services that exist."""
    return read_many(store, LIST_SERVICES_BY_ID, {"ids": service_ids}, Service)


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
