"""CareCircles services in the Open Referral UK v3 service shape, and the check against its schema.

Ids: an imported service or organization gets its source id back when that is a UUID (ORUK v3
ids must be). Any other source id (an integer from a v1 feed) becomes a uuid5 of it, and the
source id itself goes along: an attribute of the ``CareCircles source ids`` vocabulary on a
service, an organization identifier of type ``CareCircles source id``; the import reads them
back, so the same nodes are found. A service made in CareCircles gets a uuid5 of its id.

Everything the import keeps is written where the import reads it: places as locations with
their address, the cost's words as cost options, who it is for as ``Suitability`` terms and
``minimum_age``/``maximum_age``, how to get in as ``application_process``, service areas,
languages, contacts, schedule notes, and the feed's own terms in their vocabularies. The
category (unless it was a guess from the name) and interests are written as terms of the
``CareCircles service categories`` / ``CareCircles interests`` vocabularies, which the import
maps straight back. So export then import changes nothing.
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

from graph.models import Organization, Service, ServiceContact, ServicePlace
from seed.oruk_mapping import (
    ORGANIZATION_PREFIX,
    ORUK_NAMESPACE,
    SERVICE_PREFIX,
    SOURCE_ID_TYPE,
    SOURCE_IDS,
)
from seed.oruk_rules import (
    ACCESS_PHRASES,
    CARECIRCLES_CATEGORIES,
    CARECIRCLES_INTERESTS,
    LOW_COST_MAX_GBP,
    RRULE_DAYS,
    RRULE_OF,
)

SCHEMA_PACKAGE, SCHEMA_FILE = "seed.schemas", "oruk_service.json"
AUDIENCES = "Suitability"


def oruk_id(prefix: str, graph_id: str, source_id: str | None = None) -> str:
    """The ORUK id (a UUID) of a CareCircles node: its source id when that is a UUID, else a
    stable uuid5 of the source id (or of the CareCircles id when it has none)."""
    if source_id is not None:
        if _is_uuid(source_id):
            return source_id
        return str(uuid.uuid5(ORUK_NAMESPACE, f"{prefix}{source_id}"))
    if graph_id.startswith(prefix):
        try:
            return str(uuid.UUID(graph_id[len(prefix) :]))
        except ValueError:
            pass
    return str(uuid.uuid5(ORUK_NAMESPACE, graph_id))


def _is_uuid(value: str) -> bool:
    try:
        return str(uuid.UUID(value)) == value.lower()
    except ValueError:
        return False


def _part_id(*parts: str) -> str:
    return str(uuid.uuid5(ORUK_NAMESPACE, "/".join(parts)))


def _schedules(service: Service) -> list[dict[str, Any]]:
    days_of: dict[tuple[str, str, str, str], list[str]] = {}
    for window in service.schedules:
        first = window.starts_on.isoformat() if window.starts_on else ""
        ordinal = str(window.week_of_month or "")
        at = (window.start, window.end, window.frequency, first)
        days_of.setdefault(at, []).append(f"{ordinal}{RRULE_DAYS[window.day]}")
    schedules: list[dict[str, Any]] = []
    for (start, end, frequency, first), days in sorted(days_of.items()):
        freq, interval = RRULE_OF[frequency]  # type: ignore[index]
        schedule = {
            "id": _part_id(
                service.id, "schedule", start, end, frequency, *([first] if first else [])
            ),
            "freq": freq,
            "interval": interval,
            "byday": ",".join(sorted(set(days), key=_byday_order)),
            "opens_at": f"{start}:00",
            "closes_at": f"{end}:00",
        }
        if first:
            schedule["dtstart"] = first
        schedules.append(schedule)
    if service.schedule_notes:  # read back from any schedule: on the first, or on its own
        if schedules:
            schedules[0]["notes"] = service.schedule_notes
        else:
            schedules.append(
                {"id": _part_id(service.id, "schedule notes"), "notes": service.schedule_notes}
            )
    return schedules


def _byday_order(token: str) -> tuple[int, str]:
    return RRULE_DAYS.index(token[-2:]), token


def _cost_options(service: Service) -> list[dict[str, Any]]:
    if service.cost_words:  # the feed's own words, one option per part, as the import joined them
        return [
            {"id": _part_id(service.id, "cost", str(index)), "amount_description": part}
            for index, part in enumerate(service.cost_words.split("; "))
        ]
    option: dict[str, Any] = {"id": _part_id(service.id, "cost")}
    if service.cost == "not_stated":
        return []
    if service.cost == "free":
        option.update(option="Free", amount=0)
    elif service.cost == "low":
        option.update(option="Low cost", amount_description=f"up to {LOW_COST_MAX_GBP:.0f} pounds")
    else:
        option.update(option="Paid", amount_description="charged per session")
    return [option]


def _accessibility(service: Service) -> list[dict[str, Any]]:
    description = service.accessibility_words or " ".join(
        ACCESS_PHRASES[feature] for feature in service.accessibility
    )
    if not description:
        return []
    return [{"id": _part_id(service.id, "accessibility"), "description": description}]


def _address(service: Service, index: int, place: ServicePlace) -> list[dict[str, Any]]:
    if not (place.address or place.town or place.postcode):
        return []
    return [
        {
            "id": _part_id(service.id, "address", str(index)),
            "address_1": place.address or "",
            "city": place.town or "",
            "state_province": "",
            "postal_code": place.postcode or "",
            "country": "GB",
            "address_type": "physical",
        }
    ]


def _locations(service: Service) -> list[dict[str, Any]]:
    places = list(service.places)
    if not places and (service.lat is not None or service.accessibility):
        places = [ServicePlace(lat=service.lat, lon=service.lon)]
    # The accessibility describes the building the service's place is (the first with
    # coordinates), where the import reads it from.
    described = next((i for i, place in enumerate(places) if place.lat is not None), 0)
    locations = []
    for index, place in enumerate(places):
        location: dict[str, Any] = {
            "id": _part_id(service.id, "location", str(index)),
            "location_type": "physical",
        }
        if place.name:
            location["name"] = place.name
        if place.lat is not None and place.lon is not None:
            location.update(latitude=place.lat, longitude=place.lon)
        if addresses := _address(service, index, place):
            location["addresses"] = addresses
        if index == described and (accessibility := _accessibility(service)):
            location["accessibility"] = accessibility
        locations.append(
            {
                "id": _part_id(service.id, "service_at_location", str(index)),
                "location": location,
            }
        )
    return locations


def _organization(organization: Organization) -> dict[str, Any]:
    source = organization.source_id
    exported: dict[str, Any] = {
        "id": oruk_id(ORGANIZATION_PREFIX, organization.id, source),
        "name": organization.name,
        "description": "",
    }
    if organization.email:
        exported["email"] = organization.email
    if organization.url:
        exported["website"] = organization.url
    identifiers = []
    if source is not None and not _is_uuid(source):
        identifiers.append(
            {
                "id": _part_id(organization.id, "source id"),
                "identifier_type": SOURCE_ID_TYPE,
                "identifier": source,
            }
        )
    kind_scheme = EXPORTED_SCHEMES.get(organization.kind)
    if kind_scheme is not None:
        identifiers.append(
            {
                "id": _part_id(organization.id, "kind"),
                "identifier_scheme": kind_scheme,
                "identifier_type": "kind",
                "identifier": organization.kind,
            }
        )
    if identifiers:
        exported["organization_identifiers"] = identifiers
    return exported


# The scheme an organization's kind is read back from (seed/oruk_mapping.ORGANIZATION_KINDS).
EXPORTED_SCHEMES = {"charity": "GB-CHC", "company": "GB-COH", "council": "GB-LAE"}


def _attribute(
    service_id: str, vocabulary: str, term: str, name: str, link_type: str = "service"
) -> dict[str, Any]:
    term_id = _part_id(vocabulary, term)
    return {
        "id": _part_id(service_id, "attribute", term_id),
        "link_type": link_type,
        "taxonomy_term": {
            "id": term_id,
            "name": name,
            "description": f"{name} ({vocabulary})",
            "taxonomy": vocabulary,
            "term": term,
        },
    }


def _attributes(service: Service, interest_names: dict[str, str]) -> list[dict[str, Any]]:
    attributes = []
    if service.source_id is not None and not _is_uuid(service.source_id):
        attributes.append(
            _attribute(service.id, SOURCE_IDS, service.source_id, service.source_id, "identifier")
        )
    if not service.category_guessed:  # a guess is guessed again from the name
        category_name = service.category.replace("_", " ").capitalize()
        attributes.append(
            _attribute(service.id, CARECIRCLES_CATEGORIES, service.category, category_name)
        )
    attributes.extend(
        _attribute(
            service.id, CARECIRCLES_INTERESTS, interest, interest_names.get(interest, interest)
        )
        for interest in service.interests
    )
    attributes.extend(
        _attribute(service.id, AUDIENCES, audience, audience, "audience")
        for audience in service.audiences
    )
    attributes.extend(
        _attribute(service.id, term.taxonomy, term.name, term.name) for term in service.terms
    )
    return attributes


def export_service(
    service: Service, organization: Organization | None, interest_names: dict[str, str]
) -> dict[str, Any]:
    """One CareCircles service as an ORUK service (only active services are held)."""
    exported: dict[str, Any] = {
        "id": oruk_id(SERVICE_PREFIX, service.id, service.source_id),
        "name": service.name,
    }
    if service.description:
        exported["description"] = service.description
    if service.url:
        exported["url"] = service.url
    exported["status"] = "active"
    if service.min_age is not None:
        exported["minimum_age"] = service.min_age
    if service.max_age is not None:
        exported["maximum_age"] = service.max_age
    if service.access_words:
        exported["application_process"] = service.access_words
    if organization is not None:
        exported["organization"] = _organization(organization)
        exported["organization_id"] = exported["organization"]["id"]
    exported["schedules"] = _schedules(service)
    if locations := _locations(service):
        exported["service_at_locations"] = locations
    if cost_options := _cost_options(service):
        exported["cost_options"] = cost_options
    if service.phone:
        exported["phones"] = [{"id": _part_id(service.id, "phone"), "number": service.phone}]
    if service.service_areas:
        exported["service_areas"] = [
            {"id": _part_id(service.id, "area", area), "name": area}
            for area in service.service_areas
        ]
    if service.languages:
        exported["languages"] = [
            {"id": _part_id(service.id, "language", language), "name": language}
            for language in service.languages
        ]
    if service.contacts:
        exported["contacts"] = [
            _contact(service.id, index, c) for index, c in enumerate(service.contacts)
        ]
    exported["attributes"] = _attributes(service, interest_names)
    return exported


def _contact(service_id: str, index: int, contact: ServiceContact) -> dict[str, Any]:
    exported: dict[str, Any] = {"id": _part_id(service_id, "contact", str(index))}
    if contact.name:
        exported["name"] = contact.name
    if contact.title:
        exported["title"] = contact.title
    if contact.email:
        exported["email"] = contact.email
    if contact.phone:
        exported["phones"] = [
            {"id": _part_id(service_id, "contact phone", str(index)), "number": contact.phone}
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
