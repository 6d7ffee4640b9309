"""CareCircles services in the Open Referral UK service shape, and the check against its schema.

Ids: an imported service or organization gets its ORUK id back; anything else a uuid5 of its
CareCircles id, so exporting twice gives the same ids. The category and interests are written as
taxonomy terms of the ``CareCircles service categories`` / ``CareCircles interests``
vocabularies, which the import maps straight back, so export then import changes nothing.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from functools import lru_cache
from importlib import resources
from typing import Any, cast
from urllib.parse import urlsplit

import jsonschema

from graph.models import Organization, Service
from seed.oruk_mapping import ORGANIZATION_PREFIX, ORUK_NAMESPACE, SERVICE_PREFIX
from seed.oruk_rules import (
    ACCESS_PHRASES,
    CARECIRCLES_CATEGORIES,
    CARECIRCLES_INTERESTS,
    LOW_COST_MAX_GBP,
    RRULE_DAYS,
    RRULE_OF,
)

SCHEMA_PACKAGE, SCHEMA_FILE = "seed.schemas", "oruk_service.json"


def oruk_id(prefix: str, graph_id: str) -> str:
    """The ORUK id (a UUID) of a CareCircles node: the imported one, or a stable uuid5."""
    if graph_id.startswith(prefix):
        try:
            return str(uuid.UUID(graph_id[len(prefix) :]))
        except ValueError:
            pass
    return str(uuid.uuid5(ORUK_NAMESPACE, graph_id))


def _part_id(*parts: str) -> str:
    return str(uuid.uuid5(ORUK_NAMESPACE, "/".join(parts)))


def _schedules(service: Service) -> list[dict[str, Any]]:
    days_of: dict[tuple[str, str, str], list[int]] = {}
    for window in service.schedules:
        days_of.setdefault((window.start, window.end, window.frequency), []).append(window.day)
    schedules = []
    for (start, end, frequency), days in sorted(days_of.items()):
        freq, interval = RRULE_OF[frequency]  # type: ignore[index]
        schedules.append(
            {
                "id": _part_id(service.id, "schedule", start, end, frequency),
                "freq": freq,
                "interval": interval,
                "byday": ",".join(RRULE_DAYS[day] for day in sorted(set(days))),
                "opens_at": f"{start}:00",
                "closes_at": f"{end}:00",
            }
        )
    return schedules


def _cost_options(service: Service) -> list[dict[str, Any]]:
    option: dict[str, Any] = {"id": _part_id(service.id, "cost")}
    if service.cost == "free":
        option.update(option="Free", amount=0)
    elif service.cost == "low":
        option.update(option="Low cost", amount_description=f"up to {LOW_COST_MAX_GBP:.0f} pounds")
    else:
        option.update(option="Paid", amount_description="charged per session")
    return [option]


def _location(service: Service) -> dict[str, Any]:
    location: dict[str, Any] = {"id": _part_id(service.id, "location"), "location_type": "physical"}
    if service.lat is not None and service.lon is not None:
        location.update(latitude=service.lat, longitude=service.lon)
    if service.accessibility:
        description = " ".join(ACCESS_PHRASES[feature] for feature in service.accessibility)
        location["accessibility"] = [
            {"id": _part_id(service.id, "accessibility"), "description": description}
        ]
    return location


def _organization(organization: Organization) -> dict[str, Any]:
    exported: dict[str, Any] = {
        "id": oruk_id(ORGANIZATION_PREFIX, organization.id),
        "name": organization.name,
        "description": "",
    }
    if organization.email:
        exported["email"] = organization.email
    if organization.url:
        exported["website"] = organization.url
    return exported


def _attribute(service_id: str, vocabulary: str, term: str, name: str) -> dict[str, Any]:
    term_id = _part_id(vocabulary, term)
    return {
        "id": _part_id(service_id, "attribute", term_id),
        "link_type": "service",
        "taxonomy_term": {
            "id": term_id,
            "name": name,
            "description": f"{name} ({vocabulary})",
            "taxonomy": vocabulary,
            "term": term,
        },
    }


def export_service(
    service: Service, organization: Organization | None, interest_names: dict[str, str]
) -> dict[str, Any]:
    """One CareCircles service as an ORUK service (only active services are held)."""
    exported: dict[str, Any] = {"id": oruk_id(SERVICE_PREFIX, service.id), "name": service.name}
    if service.description:
        exported["description"] = service.description
    if service.url:
        exported["url"] = service.url
    exported["status"] = "active"
    if organization is not None:
        exported["organization"] = _organization(organization)
        exported["organization_id"] = exported["organization"]["id"]
    exported["schedules"] = _schedules(service)
    if service.lat is not None or service.accessibility:
        location = _location(service)
        exported["service_at_locations"] = [
            {"id": _part_id(service.id, "service_at_location"), "location": location}
        ]
    exported["cost_options"] = _cost_options(service)
    if service.phone:
        exported["phones"] = [{"id": _part_id(service.id, "phone"), "number": service.phone}]
    category_name = service.category.replace("_", " ").capitalize()
    exported["attributes"] = [
        _attribute(service.id, CARECIRCLES_CATEGORIES, service.category, category_name)
    ] + [
        _attribute(
            service.id, CARECIRCLES_INTERESTS, interest, interest_names.get(interest, interest)
        )
        for interest in service.interests
    ]
    return exported


# --- the ORUK schema ---------------------------------------------------------------------------


def _is_uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return bool(parts.scheme) and (bool(parts.netloc) or parts.scheme in {"mailto", "tel", "urn"})


def _is_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    return "T" in value.upper() and datetime.fromisoformat(value).tzinfo is not None


# jsonschema checks uuid and email itself; uri and date-time need extra packages, so these two
# small checks stand in for them.
FORMAT_CHECKER = jsonschema.FormatChecker()
FORMAT_CHECKER.checks("uri", raises=ValueError)(_is_uri)
FORMAT_CHECKER.checks("date-time", raises=ValueError)(_is_date_time)


@lru_cache(maxsize=1)
def service_schema() -> dict[str, Any]:
    """The ORUK UK profile's compiled service schema, shipped in ``seed/schemas/``."""
    schema_text = resources.files(SCHEMA_PACKAGE).joinpath(SCHEMA_FILE).read_text(encoding="utf-8")
    return cast(dict[str, Any], json.loads(schema_text))


def schema_errors(service: dict[str, Any]) -> list[str]:
    """Why ``service`` is not a valid ORUK service, each with its field path; empty if valid."""
    validator = jsonschema.Draft202012Validator(service_schema(), format_checker=FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(service), key=lambda error: error.json_path)
    return [f"{error.json_path}: {error.message}" for error in errors]
