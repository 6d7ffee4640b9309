"""One Open Referral UK service as CareCircles models, with a note of everything left behind.

Pure: no store. ``service_records`` finds the services in any accepted document shape,
``map_service`` turns one into a ``Service`` (and its ``Organization`` and interests), adding a
``Skipped`` (field path, what, why) for each record or field it could not take as given.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import ValidationError

from graph.models import Organization, Schedule, Service
from graph.models.base import ID_PATTERN, SLUG_PATTERN
from seed.oruk_rules import (
    BYDAY_TOKEN,
    CARECIRCLES_CATEGORIES,
    CARECIRCLES_INTERESTS,
    DEFAULT_CATEGORY,
    FREQUENCIES,
    INTERESTS,
    RRULE_DAYS,
    TIME_TEXT,
    WEEKDAY_NAMES,
    Cost,
    access_features,
    cost_band,
    matching_rules,
    price_in_words,
    weekly_price,
)

SERVICE_PREFIX = "oruk-service-"
ORGANIZATION_PREFIX = "oruk-org-"
ORUK_NAMESPACE = uuid.UUID("0d4f5c2e-6b8a-4c1e-9f3a-2b7d8e6a1c50")
SERVICE_STATUSES = ("active", "inactive", "defunct", "temporarily closed")
NAME_MAX = 100
DESCRIPTION_MAX = 2000
ORGANIZATION_KINDS = {
    "GB-CHC": "charity",
    "GB-SC": "charity",
    "GB-NIC": "charity",
    "GB-COH": "company",
    "GB-LAE": "council",
    "GB-LAS": "council",
}


M = TypeVar("M", Service, Organization)


class InvalidDocument(ValueError):
    """The file is not JSON, or not one of the ORUK shapes; nothing was written."""


@dataclass(frozen=True)
class Skipped:
    """Something in the document not imported as given: where (field path), what, and why."""

    path: str
    what: str
    reason: str


@dataclass(frozen=True)
class ServiceRecord:
    path: str
    data: dict[str, Any]
    organization: dict[str, Any] | None  # the enclosing organization of an organization document


def at(path: str, *keys: str | int) -> str:
    """``path`` extended by keys and indexes: ``at("contents", 0, "name")`` is
    ``contents[0].name``."""
    for key in keys:
        if isinstance(key, int):
            path = f"{path}[{key}]"
        else:
            path = f"{path}.{key}" if path else key
    return path


def _looks_like_taxonomy_term(item: dict[str, Any]) -> bool:
    service_keys = {"status", "organization", "service_at_locations", "schedules", "url"}
    return bool({"taxonomy", "term", "vocabulary"} & item.keys()) and not (
        service_keys & item.keys()
    )


def service_records(
    document: dict[str, Any] | list[Any],
) -> tuple[list[ServiceRecord], list[Skipped], list[str]]:
    """The services of one service, a list, a page ``{"contents": [...]}`` or an organization
    with ``services``; what in it was not a service; and notes about the document."""
    skipped: list[Skipped] = []
    notes: list[str] = []
    parent: dict[str, Any] | None = None
    items: list[tuple[str, Any]]
    if isinstance(document, list):
        items = [(at("", index), item) for index, item in enumerate(document)]
    elif isinstance(document.get("contents"), list):
        items = [(at("contents", index), item) for index, item in enumerate(document["contents"])]
        pages, page = document.get("total_pages"), document.get("page_number")
        if isinstance(pages, int) and isinstance(page, int) and pages > 1:
            notes.append(f"This file is page {page} of {pages}: import the other pages as well.")
    elif isinstance(document.get("services"), list):
        items = [(at("services", index), item) for index, item in enumerate(document["services"])]
        parent = {key: value for key, value in document.items() if key != "services"}
    elif "id" in document and "name" in document:
        items = [("", document)]
    else:
        keys = ", ".join(sorted(map(str, document.keys()))[:12]) or "none"
        raise InvalidDocument(
            "expected an ORUK service (with 'id' and 'name'), a list of services, a page "
            f"{{'contents': [...]}} or an organization with 'services'; got an object with keys "
            f"{keys}"
        )
    records: list[ServiceRecord] = []
    for path, item in items:
        if not isinstance(item, dict):
            reason = f"expected a service object, got {type(item).__name__}"
            skipped.append(Skipped(path, "record", reason))
        elif _looks_like_taxonomy_term(item):
            reason = "a taxonomy term, not a service: terms come in with the services using them"
            skipped.append(Skipped(path, "taxonomy term", reason))
        else:
            records.append(ServiceRecord(path, item, parent))
    return records, skipped, notes


def graph_id(prefix: str, oruk_id: str) -> str:
    """The CareCircles id of an ORUK record: stable, so a second import finds the same node."""
    candidate = f"{prefix}{oruk_id}"
    if ID_PATTERN.fullmatch(candidate):
        return candidate
    return f"{prefix}{uuid.uuid5(ORUK_NAMESPACE, oruk_id)}"


def text(value: Any) -> str | None:
    """``value`` stripped if it is non-blank text, else None."""
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def indexed_objects(value: Any) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(index, item)`` of the objects in ``value`` if it is a list."""
    if isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, dict):
                yield index, item


def _shortened(value: str, limit: int, path: str, skipped: list[Skipped]) -> str:
    if len(value) <= limit:
        return value
    reason = f"{len(value)} characters, more than {limit}; cut to {limit}"
    skipped.append(Skipped(path, "text", reason))
    return value[: limit - 1].rstrip() + "…"


# --- place and accessibility -------------------------------------------------------------------


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def coordinate_problem(latitude: Any, longitude: Any) -> tuple[str, str] | None:
    """``(field, reason)`` when a latitude/longitude pair is not a place on Earth, else None."""
    if latitude is None and longitude is None:
        return "latitude", "no latitude or longitude"
    for name, value in (("latitude", latitude), ("longitude", longitude)):
        if not _is_number(value):
            return name, f"expected a number, got {value!r}"
    if not -90 <= latitude <= 90:
        return "latitude", f"{latitude} is outside -90..90 (longitude {longitude})"
    if not -180 <= longitude <= 180:
        return "longitude", f"{longitude} is outside -180..180 (latitude {latitude})"
    if latitude == 0 and longitude == 0:
        return "latitude", "0, 0 is a placeholder, not a place"
    return None


@dataclass
class ServiceLocation:
    lat: float | None = None
    lon: float | None = None
    accessibility: list[str] = field(default_factory=list)


def _service_location(
    service: dict[str, Any], path: str, skipped: list[Skipped]
) -> ServiceLocation:
    """The first physical location with valid coordinates, and the access its texts describe."""
    place = ServiceLocation()
    described: dict[str, Any] | None = None  # the building whose accessibility counts
    kept: str | None = None
    for index, link in indexed_objects(service.get("service_at_locations")):
        location = link.get("location")
        if not isinstance(location, dict) or location.get("location_type") == "virtual":
            continue
        location_path = at(path, "service_at_locations", index, "location")
        described = described or location
        problem = coordinate_problem(location.get("latitude"), location.get("longitude"))
        if problem is not None:
            reason = f"{problem[1]}; the service is imported without a place"
            skipped.append(Skipped(at(location_path, problem[0]), "location coordinates", reason))
        elif kept is not None:
            reason = f"a service keeps one place in CareCircles; kept {kept}"
            skipped.append(Skipped(location_path, "location", reason))
        else:
            kept = location_path
            place.lat, place.lon = float(location["latitude"]), float(location["longitude"])
            described = location
    if described is not None:
        texts = [
            value
            for key in ("accessibility", "accessibility_for_disabilities")  # ORUK 3, ORUK v1
            for _, entry in indexed_objects(described.get(key))
            for name in ("description", "details", "accessibility")
            if (value := text(entry.get(name)))
        ]
        place.accessibility = access_features(" ".join(texts))
    return place


# --- cost --------------------------------------------------------------------------------------


def _option_price(option: dict[str, Any], path: str, skipped: list[Skipped]) -> float | None:
    labels = (text(option.get("option")), text(option.get("amount_description")))
    words = " ".join(label for label in labels if label)
    if not _is_number(option.get("amount")):
        return price_in_words(words)
    amount = float(option["amount"])
    if amount < 0:
        skipped.append(Skipped(at(path, "amount"), "cost option", f"{amount} is negative"))
        return None
    return weekly_price(amount, words)


def _cost(service: dict[str, Any], path: str, skipped: list[Skipped]) -> Cost:
    prices = [
        price
        for index, option in indexed_objects(service.get("cost_options"))
        if (price := _option_price(option, at(path, "cost_options", index), skipped)) is not None
    ]
    if not prices and (fees := text(service.get("fees"))):
        price = price_in_words(fees)
        prices = [price] if price is not None else []
    if not prices:
        reason = "no price given; stored as 'free' (the default): check with the provider"
        skipped.append(Skipped(at(path, "cost_options"), "cost", reason))
        return "free"
    return cost_band(prices)


# --- schedules ---------------------------------------------------------------------------------


def _clock_time_or_none(value: Any) -> str | None:
    match = TIME_TEXT.fullmatch(value.strip()) if isinstance(value, str) else None
    if match is None or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        return None
    return f"{int(match.group(1)):02d}:{match.group(2)}"


def _days(entry: dict[str, Any]) -> list[int] | str:
    """Days 0..6 of a schedule entry (``byday``, or ORUK v1 ``weekday``), or why not."""
    byday, weekday = entry.get("byday"), entry.get("weekday")
    if isinstance(byday, str) and byday.strip():
        days = set()
        for token in byday.replace(" ", "").upper().split(","):
            match = BYDAY_TOKEN.fullmatch(token)
            if match is None:
                return f"byday {byday!r}: expected days like 'MO,WE' or '2TU', got {token!r}"
            days.add(RRULE_DAYS.index(match.group(2)))
        return sorted(days)
    if isinstance(weekday, str) and weekday.strip().lower() in WEEKDAY_NAMES:
        return [WEEKDAY_NAMES.index(weekday.strip().lower())]
    if isinstance(weekday, int) and not isinstance(weekday, bool) and 1 <= weekday <= 7:
        return [weekday - 1]
    return "byday: missing, expected days like 'MO,WE'"


def schedule_windows(entry: dict[str, Any]) -> list[Schedule] | str:
    """The weekly windows of one ORUK schedule, or why it cannot become any."""
    freq = str(entry.get("freq") or "WEEKLY").upper()
    interval = entry.get("interval")
    interval = 1 if interval is None else interval
    key = (freq, int(interval)) if _is_number(interval) and interval == int(interval) else None
    if key is None or key not in FREQUENCIES:
        return (
            f"freq {freq} with interval {interval!r}: CareCircles keeps weekly, fortnightly "
            "(WEEKLY, interval 2) and monthly (MONTHLY, interval 1) schedules"
        )
    days = _days(entry)
    if isinstance(days, str):
        return days
    opens, closes = (
        _clock_time_or_none(entry.get("opens_at")),
        _clock_time_or_none(entry.get("closes_at")),
    )
    for name, value in (("opens_at", opens), ("closes_at", closes)):
        if value is None:
            return f"{name}: expected a time like '10:00:00', got {entry.get(name)!r}"
    assert opens is not None and closes is not None
    if closes <= opens:
        return f"closes_at {closes} is not after opens_at {opens}"
    frequency = FREQUENCIES[key]
    return [Schedule(day=day, start=opens, end=closes, frequency=frequency) for day in days]


def _schedules(service: dict[str, Any], path: str, skipped: list[Skipped]) -> list[Schedule]:
    windows: dict[tuple[int, str, str, str], Schedule] = {}
    for key in ("schedules", "regular_schedules"):  # ORUK 3, ORUK v1
        for index, entry in indexed_objects(service.get(key)):
            result = schedule_windows(entry)
            if isinstance(result, str):
                skipped.append(Skipped(at(path, key, index), "schedule", result))
                continue
            for window in result:
                windows[(window.day, window.start, window.end, window.frequency)] = window
    return [windows[key] for key in sorted(windows)]


# --- taxonomy terms ----------------------------------------------------------------------------


@dataclass
class CategoryAndInterests:
    category: str | None = None
    interests: dict[str, str] = field(default_factory=dict)  # id -> name

    def add_rules_for(self, words: str) -> bool:
        rules = matching_rules(words)
        for rule in rules:
            self.category = self.category or rule.category
            for interest in rule.interests:
                self.interests.setdefault(interest, INTERESTS[interest][0])
        return bool(rules)


def _taxonomy_terms(service: dict[str, Any], path: str) -> Iterator[tuple[str, dict[str, Any]]]:
    for index, attribute in indexed_objects(service.get("attributes")):
        if isinstance(term := attribute.get("taxonomy_term"), dict):
            yield at(path, "attributes", index, "taxonomy_term"), term
    for index, link in indexed_objects(service.get("service_taxonomys")):  # ORUK v1
        if isinstance(term := link.get("taxonomy"), dict):
            yield at(path, "service_taxonomys", index, "taxonomy"), term


def _terms(service: dict[str, Any], path: str, skipped: list[Skipped]) -> CategoryAndInterests:
    terms = CategoryAndInterests()
    for term_path, term in _taxonomy_terms(service, path):
        words = text(term.get("term")) or text(term.get("name"))
        vocabulary = text(term.get("taxonomy")) or text(term.get("vocabulary")) or "no taxonomy"
        if words is None:
            skipped.append(Skipped(term_path, "taxonomy term", "no term or name"))
        elif vocabulary == CARECIRCLES_INTERESTS and ID_PATTERN.fullmatch(words):
            terms.interests.setdefault(words, text(term.get("name")) or words)
        elif vocabulary == CARECIRCLES_CATEGORIES and SLUG_PATTERN.fullmatch(words):
            terms.category = terms.category or words
        elif not terms.add_rules_for(words):
            reason = (
                f"{words!r} ({vocabulary}) matches no CareCircles interest or category; "
                "add a rule to TERM_RULES in seed/oruk_rules.py to map it"
            )
            skipped.append(Skipped(term_path, "taxonomy term", reason))
    if terms.category is None:  # a feed without usable terms: try the service's own name
        from_name = CategoryAndInterests()
        if from_name.add_rules_for(str(service.get("name", ""))):
            terms.category = from_name.category
            terms.interests = terms.interests or from_name.interests
    return terms


# --- validating into models --------------------------------------------------------------------


def _phone(service: dict[str, Any]) -> tuple[str, str] | None:
    for index, phone in indexed_objects(service.get("phones")):
        if number := text(phone.get("number")):
            return at("phones", index, "number"), number
    for index, contact in indexed_objects(service.get("contacts")):
        for inner, phone in indexed_objects(contact.get("phones")):
            if number := text(phone.get("number")):
                return at("contacts", index, "phones", inner, "number"), number
    return None


def _validated(
    model: type[M], fields: dict[str, Any], sources: dict[str, str], skipped: list[Skipped]
) -> M | None:
    """``model`` from ``fields``. An optional field that fails is left out and reported;
    any other failure skips the record. ``sources`` maps fields to their ORUK paths."""
    what = model.__name__.lower()
    while True:
        try:
            return model.model_validate(fields)
        except ValidationError as error:
            problems = [(str(e["loc"][0]) if e["loc"] else "", e["msg"]) for e in error.errors()]
            optional = {
                name
                for name, _ in problems
                if name in sources and name in fields and model.model_fields[name].default is None
            }
            if len(optional) < len({name for name, _ in problems}):
                for name, message in problems:
                    reason = f"{message}; the {what} is not imported"
                    skipped.append(Skipped(sources.get(name, name), what, reason))
                return None
            for name, message in problems:
                skipped.append(Skipped(sources[name], name, f"{message}; left out"))
                fields.pop(name, None)


def _id_and_name(
    data: dict[str, Any], path: str, what: str, skipped: list[Skipped]
) -> tuple[str, str] | None:
    """The record's id and name, or None (reported: the record is not imported)."""
    oruk_id, name = text(data.get("id")), text(data.get("name"))
    if oruk_id is not None and name is not None:
        return oruk_id, name
    missing = "id" if oruk_id is None else "name"
    reason = f"missing, expected the {what}'s {missing} as text"
    skipped.append(Skipped(at(path, missing), what, reason))
    return None


def _organization(data: dict[str, Any], path: str, skipped: list[Skipped]) -> Organization | None:
    identity = _id_and_name(data, path, "organization", skipped)
    if identity is None:
        return None
    oruk_id, name = identity
    fields: dict[str, Any] = {
        "id": graph_id(ORGANIZATION_PREFIX, oruk_id),
        "name": _shortened(name, NAME_MAX, at(path, "name"), skipped),
    }
    for _, identifier in indexed_objects(data.get("organization_identifiers")):
        scheme = str(identifier.get("identifier_scheme", "")).upper()
        if scheme in ORGANIZATION_KINDS:
            fields["kind"] = ORGANIZATION_KINDS[scheme]
            break
    if email := text(data.get("email")):
        fields["email"] = email
    if url := text(data.get("website")) or text(data.get("uri")):
        fields["url"] = url
    sources = {"email": at(path, "email"), "url": at(path, "website")}
    return _validated(Organization, fields, sources, skipped)


@dataclass(frozen=True)
class MappedService:
    service: Service
    organization: Organization | None
    interests: dict[str, str]  # id -> name of the interests it offers


def _status_problem(status: Any) -> str | None:
    if status not in SERVICE_STATUSES:
        return f"{status!r} is not one of {', '.join(SERVICE_STATUSES)}"
    if status != "active":
        return (
            f"{status!r}: only active services are imported, so no one is referred to a group "
            "that is not running"
        )
    return None


def map_service(record: ServiceRecord, skipped: list[Skipped]) -> MappedService | None:
    """One ORUK service as CareCircles models, or None with the reason added to ``skipped``."""
    data, path = record.data, record.path
    identity = _id_and_name(data, path, "service", skipped)
    if identity is None:
        return None
    oruk_id, name = identity
    if data.get("status") is None:
        skipped.append(Skipped(at(path, "status"), "status", "missing; read as active"))
    elif (problem := _status_problem(data["status"])) is not None:
        skipped.append(Skipped(at(path, "status"), "service", problem))
        return None
    organization = None
    if isinstance(data.get("organization"), dict):
        organization = _organization(data["organization"], at(path, "organization"), skipped)
    elif record.organization is not None:
        organization = _organization(record.organization, "", skipped)
    place = _service_location(data, path, skipped)
    terms = _terms(data, path, skipped)
    description = text(data.get("description")) or ""
    fields: dict[str, Any] = {
        "id": graph_id(SERVICE_PREFIX, oruk_id),
        "name": _shortened(name, NAME_MAX, at(path, "name"), skipped),
        "description": _shortened(description, DESCRIPTION_MAX, at(path, "description"), skipped),
        "organization_id": organization.id if organization else None,
        "category": terms.category or DEFAULT_CATEGORY,
        "lat": place.lat,
        "lon": place.lon,
        "schedules": _schedules(data, path, skipped),
        "cost": _cost(data, path, skipped),
        "accessibility": place.accessibility,
        "interests": sorted(terms.interests),
    }
    sources = {"url": at(path, "url")}
    if url := text(data.get("url")):
        fields["url"] = url
    if phone := _phone(data):
        sources["phone"] = at(path, phone[0])
        fields["phone"] = phone[1]
    service = _validated(Service, fields, sources, skipped)
    return MappedService(service, organization, terms.interests) if service else None
