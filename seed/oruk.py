"""Open Referral UK (HSDS 3, UK profile) services into the graph, and back out in that shape.

``import_services(store=..., document=...)`` takes what a feed or file gives: one service, a list
of services, a page ``{"contents": [...]}`` or an organization with its ``services``; ORUK v1
names (``regular_schedules``, ``service_taxonomys``, ``accessibility_for_disabilities``) are read
too. It returns an ``ImportReport``: created / updated / unchanged per kind, and every record or
field skipped, with its path and the reason. ``export_services(store=...)`` gives every service
back as an ORUK service, valid against ``seed/schemas/oruk_service.json`` (``schema_errors``).

Decisions where the brief left room (the mapping itself is in ``seed/oruk_rules.py``):

- Ids: a service is ``oruk-service-<ORUK id>``, an organization ``oruk-org-<ORUK id>`` (a uuid5
  of the ORUK id when that is not a valid CareCircles id). A second import of the same file
  finds the same nodes and reports them unchanged; each write is one MERGE statement per batch.
- Status: a CareCircles ``Service`` has no status, so only ``active`` services are imported (no
  one should be referred to a closed group); others are reported. Missing status reads as active.
- Coordinates: a latitude outside -90..90, a longitude outside -180..180, ``0, 0`` or a lone
  coordinate is reported and the service is imported without a place; the location's
  accessibility (it describes the building) is kept. One place per service: the first valid
  physical location; further ones are reported. Virtual locations need none.
- Schedules: ``WEEKLY`` (interval 1 weekly, 2 fortnightly) and ``MONTHLY`` (interval 1) with
  ``byday`` (or v1 ``weekday``), ``opens_at`` and ``closes_at`` give one window per day; a
  monthly ordinal (``2WE``) keeps only the day. Anything else is reported and left out.
- Taxonomy terms map by ``TERM_RULES`` to an Interest list and a category; a term no rule knows
  is reported and left out (interests are the short list people choose from). Without any
  mapped term the service's name is tried, then the category is ``other``.
- Cost: the cheapest option decides: 0 free, up to £5 a session low, else paid. With no price at
  all the ``Service`` default ``free`` is stored and reported so someone can check.
- Areas: a service with a place is put IN the area whose centre is nearest, within 3 km.
- Service email, languages, addresses, contacts and funding have no place in the graph.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from graph.models import Interest, Organization, Service
from graph.repo import oruk as repo
from graph.repo.records import from_properties, to_properties
from graph.store.port import GraphStore
from seed.oruk_export import export_service, schema_errors
from seed.oruk_mapping import (
    InvalidDocument,
    MappedService,
    Skipped,
    map_service,
    service_records,
    text,
)
from seed.oruk_rules import INTERESTS
from solver.geography import distance_km

__all__ = [
    "ImportReport",
    "InvalidDocument",
    "Skipped",
    "export_services",
    "import_services",
    "load_document",
    "schema_errors",
]

KINDS = ("organizations", "interests", "services")
# Service fields no feed carries (the partner's weekly places): an import leaves them alone.
LOCAL_FIELDS = frozenset({"weekly_places"})
AREA_RADIUS_KM = 3.0


@dataclass
class ImportReport:
    """Counts per kind and outcome (``created``, ``updated``, ``unchanged``), and what was
    skipped, each with the field path and the reason."""

    counts: dict[str, dict[str, int]] = field(
        default_factory=lambda: {kind: dict.fromkeys(repo.OUTCOMES, 0) for kind in KINDS}
    )
    skipped: list[Skipped] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def total(self, outcome: str) -> int:
        return sum(kind.get(outcome, 0) for kind in self.counts.values())

    def summary(self) -> str:
        return (
            f"{self.total('created')} created, {self.total('updated')} updated, "
            f"{self.total('unchanged')} unchanged, {len(self.skipped)} skipped"
        )


def load_document(path: Path) -> dict[str, Any] | list[Any]:
    """The JSON in ``path``; ``InvalidDocument`` says why it cannot be read."""
    try:
        content = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InvalidDocument(f"{path}: cannot read the file ({error})") from error
    try:
        document = json.loads(content)
    except json.JSONDecodeError as error:
        raise InvalidDocument(
            f"{path}: not valid JSON at line {error.lineno}, column {error.colno}: {error.msg}"
        ) from error
    if not isinstance(document, dict | list):
        raise InvalidDocument(
            f"{path}: expected a JSON object or a list of services, got {type(document).__name__}"
        )
    return cast(dict[str, Any] | list[Any], document)


def nearest_area(lat: float, lon: float, areas: list[tuple[str, float, float]]) -> str | None:
    """The id of the area whose centre is nearest to the point, if within ``AREA_RADIUS_KM``."""
    distances = [(distance_km(lat, lon, a_lat, a_lon), a_id) for a_id, a_lat, a_lon in areas]
    nearest = min(distances, default=None)
    return nearest[1] if nearest is not None and nearest[0] <= AREA_RADIUS_KM else None


def upsert_row(model: Service | Organization | Interest) -> dict[str, Any]:
    """``{id, created_at, props}`` for ``graph.repo.oruk``: ``props`` as the repository stores
    them, plus ``None`` for every empty field so an upsert removes what the feed dropped (not
    the fields a feed never carries: ``LOCAL_FIELDS``, set here by the offering organisation)."""
    fields = [f for f in type(model).model_fields if f not in LOCAL_FIELDS]
    props = dict.fromkeys(fields, None) | to_properties(model)
    for name in LOCAL_FIELDS:
        props.pop(name, None)
    return {"id": props.pop("id"), "created_at": props.pop("created_at", None), "props": props}


def _placed(service: Service, areas: list[tuple[str, float, float]]) -> Service:
    if service.lat is None or service.lon is None:
        return service
    return service.model_copy(update={"area_id": nearest_area(service.lat, service.lon, areas)})


def import_services(*, store: GraphStore, document: dict[str, Any] | list[Any]) -> ImportReport:
    """Import ORUK services (idempotent): what was created, updated, unchanged and skipped."""
    records, skipped, notes = service_records(document)
    report = ImportReport(skipped=skipped, notes=notes)
    mapped: list[MappedService] = []
    for record in records:
        if (item := map_service(record, report.skipped)) is not None:
            mapped.append(item)
    if any(text(record.data.get("email")) for record in records):
        report.notes.append(
            "Service emails are not kept: a CareCircles service has a url and a phone, "
            "its organization an email."
        )
    areas = repo.list_area_centres(store=store)
    organizations: dict[str, Organization] = {}
    interests: dict[str, Interest] = {}
    services: dict[str, Service] = {}
    for item in mapped:
        if item.service.id in services:
            reason = "the same service id appears twice; kept the first"
            report.skipped.append(Skipped(item.service.id, "service", reason))
            continue
        services[item.service.id] = _placed(item.service, areas)
        if item.organization is not None:
            organizations.setdefault(item.organization.id, item.organization)
        for interest_id, name in item.interests.items():
            category = INTERESTS[interest_id][1] if interest_id in INTERESTS else None
            interests.setdefault(
                interest_id, Interest(id=interest_id, name=name, category=category)
            )
    report.counts["organizations"] = repo.upsert_organizations(
        store=store, rows=[upsert_row(organization) for organization in organizations.values()]
    )
    report.counts["interests"] = repo.upsert_interests(
        store=store, rows=[upsert_row(interest) for interest in interests.values()]
    )
    report.counts["services"] = repo.upsert_services(
        store=store, rows=[upsert_row(service) for service in services.values()]
    )
    return report


def export_services(*, store: GraphStore) -> list[dict[str, Any]]:
    """Every service in the graph as an ORUK service, in id order."""
    exported = []
    for row in repo.list_services_with_organization(store=store):
        service = from_properties(Service, _known(Service, row["service"]))
        organization = None
        if row["organization"]:
            organization = from_properties(Organization, _known(Organization, row["organization"]))
        names = {str(i["id"]): str(i.get("name") or i["id"]) for i in row["interests"]}
        exported.append(export_service(service, organization, names))
    return exported


def _known(model: type[Service] | type[Organization], node: dict[str, Any]) -> dict[str, Any]:
    """The node's properties that are fields of ``model`` (others may hold bookkeeping)."""
    return {key: value for key, value in node.items() if key in model.model_fields}
