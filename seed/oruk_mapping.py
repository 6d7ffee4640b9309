"""One Open Referral UK service as CareCircles models, with a note of everything left behind.

Pure: no store. ``service_records`` finds the services in any accepted document shape (one
service, a list, an ORUK v3 page ``{"contents": [...]}``, an ORUK v1 API page
``{"content": [...]}``, an organization with ``services``); ``map_service`` turns one into a
``Service`` (and its ``Organization`` and interests), adding a ``Skipped`` (field path, what,
why, and the group the report counts it under) for each record or field it could not take as
given.

Real feeds differ from the spec's examples, and both are read: integer or text ids,
``organization`` or ``organisation``, ``service_at_locations[].location`` or
``locations[]`` with ``latitude``/``longitude`` or GeoJSON ``geometry.coordinates``
(longitude first), addresses as v3 ``addresses``, v1 ``physical_addresses`` or one
``address``, ``schedules`` or v1 ``regular_schedules``, amounts as numbers or strings
("4.00", "£3.50 per session"), who a service is for as ``suitabilities``, v1
``service_suitabilitys``, terms of a suitability / audience vocabulary, age bands and v1
``eligibilitys``.
"""

from __future__ import annotations

import math
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from pydantic import ValidationError

from graph.models import FeedTerm, Organization, Schedule, Service, ServiceContact, ServicePlace
from graph.models.base import ID_PATTERN, SLUG_PATTERN, UK_POSTCODE_PATTERN
from graph.models.places import MONTH_WEEKS
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
    TermRule,
    access_features,
    cost_band,
    matching_rules,
    name_guess,
    price_in_words,
    weekly_price,
)
from seed.oruk_text import access_routes, age_range, cut_on_word, one_line, plain_text

SERVICE_PREFIX = "oruk-service-"
ORGANIZATION_PREFIX = "oruk-org-"
ORUK_NAMESPACE = uuid.UUID("0d4f5c2e-6b8a-4c1e-9f3a-2b7d8e6a1c50")
# Where an export keeps a source id that is not a UUID (ORUK ids must be UUIDs): an attribute
# of this vocabulary on a service, an organization identifier of this type on an organization.
SOURCE_IDS = "CareCircles source ids"
SOURCE_ID_TYPE = "CareCircles source id"
SERVICE_STATUSES = ("active", "inactive", "defunct", "temporarily closed")
NAME_MAX = 100
DESCRIPTION_MAX = 2000
SHORT_MAX = 300
ORGANIZATION_KINDS = {
    "GB-CHC": "charity",
    "GB-SC": "charity",
    "GB-NIC": "charity",
    "GB-COH": "company",
    "GB-LAE": "council",
    "GB-LAS": "council",
}
AUDIENCE_VOCABULARY = re.compile(
    r"suitab|audience|target|client group|who (?:it|this) is for", re.I
)
AGE_VOCABULARY = re.compile(r"\bage", re.I)


M = TypeVar("M", Service, Organization)


class InvalidDocument(ValueError):
    """The file is not JSON, or not one of the ORUK shapes; nothing was written."""


@dataclass(frozen=True)
class Skipped:
    """Something in the document not imported as given: where (field path), what, and why.
    ``group`` is the reason without the particulars, which the report counts by (the reason
    itself when empty)."""

    path: str
    what: str
    reason: str
    group: str = ""

    @property
    def kind(self) -> str:
        return self.group or self.reason


@dataclass(frozen=True)
class ServiceRecord:
    path: str
    data: dict[str, Any]
    organization: dict[str, Any] | None  # the enclosing organization of an organization document


@dataclass(frozen=True)
class Paging:
    """Where a page sits in its feed: its number as the feed counts, whether pages count from
    0, how many pages there are (None: unknown) and whether the feed says it is the last."""

    number: int
    zero_based: bool
    total_pages: int | None
    last: bool | None
    total_items: int | None

    @property
    def is_last(self) -> bool:
        if self.last is not None:
            return self.last
        if self.total_pages is None:
            return True
        return self.number + (1 if self.zero_based else 0) >= self.total_pages


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


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def paging(document: dict[str, Any]) -> Paging | None:
    """The paging of an ORUK v3 (``contents``, ``page_number``, ``total_pages``, ``last_page``)
    or ORUK v1 (``content``, ``number``, ``totalPages``, ``last``) page; None for other shapes."""
    if isinstance(document.get("contents"), list):
        number, pages = _int(document.get("page_number")), _int(document.get("total_pages"))
        last, items = document.get("last_page"), _int(document.get("total_items"))
        zero_based = number == 0
    elif isinstance(document.get("content"), list):
        number, pages = _int(document.get("number")), _int(document.get("totalPages"))
        last, items = document.get("last"), _int(document.get("totalElements"))
        zero_based = number == 0
    else:
        return None
    return Paging(
        number=1 if number is None else number,
        zero_based=zero_based,
        total_pages=pages,
        last=last if isinstance(last, bool) else None,
        total_items=items,
    )


def service_records(
    document: dict[str, Any] | list[Any], *, prefix: str = ""
) -> tuple[list[ServiceRecord], list[Skipped], list[str]]:
    """The services of one service, a list, a page (ORUK v3 ``contents``, v1 ``content``) or an
    organization with ``services``; what in it was not a service; and notes about the document.
    ``prefix`` goes before every path (``page 2: ``)."""
    skipped: list[Skipped] = []
    notes: list[str] = []
    parent: dict[str, Any] | None = None
    items: list[tuple[str, Any]]
    if isinstance(document, list):
        items = [(at("", index), item) for index, item in enumerate(document)]
    elif (key := _page_key(document)) is not None:
        items = [(at(key, index), item) for index, item in enumerate(document[key])]
        page = paging(document)
        if page is not None and page.total_pages and page.total_pages > 1 and not prefix:
            shown = page.number + (1 if page.zero_based else 0)
            notes.append(
                f"This file is page {shown} of {page.total_pages}: import the other pages as "
                "well, or give import-services the feed's URL to follow every page."
            )
    elif isinstance(document.get("services"), list):
        items = [(at("services", index), item) for index, item in enumerate(document["services"])]
        parent = {key: value for key, value in document.items() if key != "services"}
    elif "id" in document and "name" in document:
        items = [("", document)]
    else:
        keys = ", ".join(sorted(map(str, document.keys()))[:12]) or "none"
        raise InvalidDocument(
            "expected an ORUK service (with 'id' and 'name'), a list of services, a page "
            "{'contents': [...]} (ORUK v3) or {'content': [...]} (ORUK v1) or an organization "
            f"with 'services'; got an object with keys {keys}"
        )
    records: list[ServiceRecord] = []
    for path, item in items:
        path = prefix + path
        if not isinstance(item, dict):
            reason = f"expected a service object, got {type(item).__name__}"
            skipped.append(Skipped(path, "record", reason, "not a service object"))
        elif _looks_like_taxonomy_term(item):
            reason = "a taxonomy term, not a service: terms come in with the services using them"
            skipped.append(Skipped(path, "taxonomy term", reason))
        else:
            records.append(ServiceRecord(path, item, parent))
    return records, skipped, notes


def _page_key(document: dict[str, Any]) -> str | None:
    for key in ("contents", "content"):
        if isinstance(document.get(key), list):
            return key
    return None


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


def ident(value: Any) -> str | None:
    """An id as text: feeds give text or integers."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return text(value)


def words(value: Any, limit: int = SHORT_MAX) -> str | None:
    """Plain text on one line (HTML converted, entities decoded), cut on a word at ``limit``."""
    if (found := text(value)) is None:
        return None
    plain = one_line(found)
    return cut_on_word(plain, limit) if plain else None


def indexed_objects(value: Any) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(index, item)`` of the objects in ``value`` if it is a list."""
    if isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, dict):
                yield index, item


def _joined(parts: list[str], limit: int = DESCRIPTION_MAX) -> str | None:
    unique = list(dict.fromkeys(part for part in parts if part))
    return cut_on_word("; ".join(unique), limit) if unique else None


def _shortened(value: str, limit: int, path: str, skipped: list[Skipped]) -> str:
    if len(value) <= limit:
        return value
    reason = f"{len(value)} characters, more than {limit}; cut at a word to {limit}"
    skipped.append(Skipped(path, "text", reason, f"text longer than {limit}: cut at a word"))
    return cut_on_word(value, limit)


# --- places and accessibility ------------------------------------------------------------------


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


def _coordinates(location: dict[str, Any]) -> tuple[Any, Any, str]:
    """(latitude, longitude, the field they came from): ``latitude``/``longitude``, or GeoJSON
    ``geometry.coordinates`` / ``point.coordinates`` (longitude first)."""
    for key in ("geometry", "point", "geo"):
        shape = location.get(key)
        if isinstance(shape, dict) and isinstance(shape.get("coordinates"), list):
            pair = shape["coordinates"]
            if len(pair) >= 2:
                return pair[1], pair[0], f"{key}.coordinates"
    if location.get("latitude") is None and location.get("longitude") is None:
        return location.get("lat"), location.get("lon", location.get("lng")), "lat"
    return location.get("latitude"), location.get("longitude"), "latitude"


def _addresses(location: dict[str, Any]) -> list[dict[str, Any]]:
    found = [
        address
        for key in ("addresses", "physical_addresses")
        for _, address in indexed_objects(location.get(key))
        if str(address.get("address_type", "physical")).lower() != "postal"
    ]
    if isinstance(location.get("address"), dict):
        found.append(location["address"])
    elif isinstance(location.get("address"), str):
        found.append({"address_1": location["address"]})
    return found


def _place_words(address: dict[str, Any]) -> tuple[str | None, str | None, str | None]:
    lines = [
        line
        for key in ("address_1", "address_2", "address_3", "address_4", "street")
        if (line := words(address.get(key)))
    ]
    town = words(address.get("city")) or words(address.get("town"))
    postcode = next(
        (
            code
            for key in ("postal_code", "postcode", "post_code")
            if (code := words(address.get(key), 16))
        ),
        None,
    )
    if postcode and (match := UK_POSTCODE_PATTERN.fullmatch(postcode.upper().replace(" ", ""))):
        postcode = f"{match.group(1)} {match.group(2)}"
    street = cut_on_word(", ".join(dict.fromkeys(lines)), SHORT_MAX) if lines else None
    return street, town, postcode


@dataclass
class Places:
    lat: float | None = None
    lon: float | None = None
    places: list[ServicePlace] = field(default_factory=list)
    accessibility_words: str | None = None
    accessibility: list[str] = field(default_factory=list)


def _locations(service: dict[str, Any], path: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """(path, location) of the service's physical locations, in either shape."""
    for key in ("service_at_locations", "locations"):
        for index, link in indexed_objects(service.get(key)):
            nested = link.get("location")
            if isinstance(nested, dict):
                location, where = nested, at(path, key, index, "location")
            elif key == "locations":
                location, where = link, at(path, key, index)
            else:
                continue
            if str(location.get("location_type", "physical")).lower() == "virtual":
                continue
            yield where, location


def _service_places(service: dict[str, Any], path: str, skipped: list[Skipped]) -> Places:
    """Every physical location with its address; the first with valid coordinates is the
    service's place; accessibility as its building's texts say."""
    found = Places()
    described: dict[str, Any] | None = None  # the building whose accessibility counts
    for location_path, location in _locations(service, path):
        latitude, longitude, source = _coordinates(location)
        problem = coordinate_problem(latitude, longitude)
        lat = lon = None
        if problem is None:
            lat, lon = float(latitude), float(longitude)
            if found.lat is None:
                found.lat, found.lon, described = lat, lon, location
        elif problem[1] != "no latitude or longitude":
            where = source if "coordinates" in source else problem[0]
            reason = f"{problem[1]}; the place is kept without coordinates"
            group = "location coordinates are not a place on Earth"
            skipped.append(Skipped(at(location_path, where), "location coordinates", reason, group))
        described = described or location
        name = words(location.get("name"))
        addresses = _addresses(location) or [{}]
        for address in addresses:
            line, town, postcode = _place_words(address)
            if not any((name, line, town, postcode, lat is not None)):
                continue
            place = ServicePlace(
                name=name, address=line, town=town, postcode=postcode, lat=lat, lon=lon
            )
            if place not in found.places:
                found.places.append(place)
    if described is not None:
        texts = [
            value
            for key in ("accessibility", "accessibility_for_disabilities")  # ORUK 3, ORUK v1
            for _, entry in indexed_objects(described.get(key))
            for name in ("description", "details", "accessibility")
            if (value := words(entry.get(name), DESCRIPTION_MAX))
        ]
        found.accessibility_words = _joined(texts)
        found.accessibility = access_features(found.accessibility_words or "")
    return found


# --- cost --------------------------------------------------------------------------------------

AMOUNT_TEXT = re.compile(r"^\s*£?\s*(\d+(?:\.\d{1,2})?)\s*$")


def _amount(value: Any) -> float | None:
    if _is_number(value):
        return float(value)
    if isinstance(value, str) and (match := AMOUNT_TEXT.fullmatch(value)):
        return float(match.group(1))
    return None


def _option_words_and_price(
    option: dict[str, Any], path: str, skipped: list[Skipped]
) -> tuple[str | None, float | None]:
    """The option in words ("Adults: £4.00 per session") and its price per session."""
    label = words(option.get("option"))
    described = words(option.get("amount_description"), DESCRIPTION_MAX) or ""
    amount = _amount(option.get("amount"))
    amount_words = ""
    if amount is not None and amount < 0:
        skipped.append(Skipped(at(path, "amount"), "cost option", f"{amount} is negative"))
        amount = None
    elif amount is not None:
        amount_words = "free" if amount == 0 else f"£{amount:.2f}"
    elif isinstance(option.get("amount"), str):
        amount_words = words(option["amount"]) or ""
    if amount_words and amount_words.lower() in described.lower():
        amount_words = ""
    body = " ".join(part for part in (amount_words, described) if part)
    said = f"{label}: {body}" if label and body else (label or body or None)
    if said is None:
        return None, None
    price = weekly_price(amount, said) if amount is not None else price_in_words(said)
    return said, price


def _cost(service: dict[str, Any], path: str, skipped: list[Skipped]) -> tuple[Cost, str | None]:
    """The band (``not_stated`` when no price is given) and the cost in the feed's words."""
    said: list[str] = []
    prices: list[float] = []
    for index, option in indexed_objects(service.get("cost_options")):
        option_words, price = _option_words_and_price(
            option, at(path, "cost_options", index), skipped
        )
        if option_words:
            said.append(option_words)
        if price is not None:
            prices.append(price)
    if not said:
        for key in ("fees", "fees_description"):
            if fees := words(service.get(key), DESCRIPTION_MAX):
                said.append(fees)
                if (price := price_in_words(fees)) is not None:
                    prices.append(price)
    cost_words = _joined(said)
    if not prices:
        reason = (
            "no price given; stored as 'not stated' (not free): check with the provider"
            if cost_words is None
            else f"{cost_words!r} names no price; stored as 'not stated' with these words"
        )
        group = "no price given: cost kept as 'not stated'"
        skipped.append(Skipped(at(path, "cost_options"), "cost", reason, group))
        return "not_stated", cost_words
    return cost_band(prices), cost_words


# --- schedules ---------------------------------------------------------------------------------


def _clock_time_or_none(value: Any) -> str | None:
    match = TIME_TEXT.fullmatch(value.strip()) if isinstance(value, str) else None
    if match is None or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        return None
    return f"{int(match.group(1)):02d}:{match.group(2)}"


def _days(entry: dict[str, Any]) -> list[tuple[int, int | None]] | str:
    """Days 0..6 of a schedule entry (``byday``, or ORUK v1 ``weekday``), each with its monthly
    ordinal (``2TU``: 2; ``-1FR``: -1; none: None), or why not."""
    byday, weekday = entry.get("byday"), entry.get("weekday")
    if isinstance(byday, str) and byday.strip():
        days = set()
        for token in byday.replace(" ", "").upper().split(","):
            match = BYDAY_TOKEN.fullmatch(token)
            if match is None:
                return f"byday {byday!r}: expected days like 'MO,WE' or '2TU', got {token!r}"
            ordinal = int(match.group(1)) if match.group(1) else None
            days.add((RRULE_DAYS.index(match.group(2)), ordinal))
        return sorted(days, key=lambda d: (d[0], d[1] or 0))
    if isinstance(weekday, str) and weekday.strip().lower() in WEEKDAY_NAMES:
        return [(WEEKDAY_NAMES.index(weekday.strip().lower()), None)]
    if isinstance(weekday, str) and weekday.strip().upper()[:2] in RRULE_DAYS:
        return [(RRULE_DAYS.index(weekday.strip().upper()[:2]), None)]
    if isinstance(weekday, int) and not isinstance(weekday, bool) and 1 <= weekday <= 7:
        return [(weekday - 1, None)]
    return "byday: missing, expected days like 'MO,WE'"


def _first_date(entry: dict[str, Any]) -> date | None:
    """The schedule's first date (``dtstart``, else ``valid_from``); None when neither is a
    date (a date-time counts by its date)."""
    for key in ("dtstart", "valid_from"):
        value = entry.get(key)
        if isinstance(value, str):
            try:
                return date.fromisoformat(value.strip()[:10])
            except ValueError:
                continue
    return None


def schedule_windows(entry: dict[str, Any]) -> list[Schedule] | str:
    """The weekly windows of one ORUK schedule, or why it cannot become any."""
    freq = str(entry.get("freq") or "WEEKLY").upper()
    interval: Any = entry.get("interval")
    if interval is None:
        interval = 1
    elif isinstance(interval, str):
        interval = _int(interval)
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
    starts_on = _first_date(entry) if frequency != "weekly" else None
    return [
        Schedule(
            day=day,
            start=opens,
            end=closes,
            frequency=frequency,
            starts_on=starts_on,
            week_of_month=MONTH_WEEKS.get(ordinal or 0) if frequency == "monthly" else None,
        )
        for day, ordinal in days
    ]


TIMING_KEYS = ("freq", "byday", "weekday", "opens_at", "closes_at")


def _schedules(
    service: dict[str, Any], path: str, skipped: list[Skipped]
) -> tuple[list[Schedule], str | None]:
    """The weekly windows, and the schedules' notes in their own words (``description``,
    ``notes``; a schedule with only a note is a note, not a problem)."""
    windows: dict[tuple[int, str, str, str, int], Schedule] = {}
    notes: list[str] = []
    for key in ("schedules", "regular_schedules"):  # ORUK 3, ORUK v1
        for index, entry in indexed_objects(service.get(key)):
            notes.extend(
                note
                for name in ("description", "notes")
                if (note := words(entry.get(name), DESCRIPTION_MAX))
            )
            if not any(entry.get(name) for name in TIMING_KEYS):
                continue
            result = schedule_windows(entry)
            if isinstance(result, str):
                group = "a schedule CareCircles cannot keep as weekly windows"
                skipped.append(Skipped(at(path, key, index), "schedule", result, group))
                continue
            for window in result:
                when = (window.day, window.start, window.end, window.frequency)
                windows[(*when, window.week_of_month or 0)] = window
    return [windows[key] for key in sorted(windows)], _joined(notes)


# --- taxonomy terms, audiences and ages --------------------------------------------------------


@dataclass
class CategoryAndInterests:
    category: str | None = None
    interests: dict[str, str] = field(default_factory=dict)  # id -> name
    guessed: bool = False
    audiences: list[str] = field(default_factory=list)
    ages: list[tuple[int | None, int | None]] = field(default_factory=list)
    kept: list[FeedTerm] = field(default_factory=list)
    source_id: str | None = None

    def add(self, rules: list[TermRule]) -> bool:
        for rule in rules:
            self.category = self.category or rule.category
            for interest in rule.interests:
                self.interests.setdefault(interest, INTERESTS[interest][0])
        return bool(rules)


def _taxonomy_terms(
    service: dict[str, Any], path: str
) -> Iterator[tuple[str, dict[str, Any], str | None]]:
    """(path, term, link type) of every taxonomy term the service carries, in any shape."""
    for index, attribute in indexed_objects(service.get("attributes")):
        if isinstance(term := attribute.get("taxonomy_term"), dict):
            link = text(attribute.get("link_type"))
            yield at(path, "attributes", index, "taxonomy_term"), term, link
    for key in ("service_taxonomys", "service_taxonomies", "taxonomies"):  # ORUK v1 and others
        for index, item in indexed_objects(service.get(key)):
            nested = item.get("taxonomy")
            yield at(path, key, index), nested if isinstance(nested, dict) else item, None


def _audience_items(service: dict[str, Any], path: str) -> Iterator[tuple[str, str]]:
    """(path, words) of each suitability the service lists (``suitabilities``, v1
    ``service_suitabilitys``)."""
    for key in ("suitabilities", "service_suitabilitys", "service_suitabilities"):
        value = service.get(key)
        for index, item in enumerate(value if isinstance(value, list) else []):
            if isinstance(item, dict) and isinstance(item.get("suitability"), dict):
                item = item["suitability"]
            said = (
                words(item.get("name") or item.get("suitability"))
                if isinstance(item, dict)
                else words(item)
            )
            if said:
                yield at(path, key, index), said


def _age_items(service: dict[str, Any], path: str) -> Iterator[tuple[str, Any, Any, str | None]]:
    """(path, minimum, maximum, band words) of each age limit the service gives."""
    yield path, service.get("minimum_age"), service.get("maximum_age"), None
    for key in ("eligibilitys", "eligibilities"):  # ORUK v1
        for index, entry in indexed_objects(service.get(key)):
            band = words(entry.get("eligibility"))
            yield at(path, key, index), entry.get("minimum_age"), entry.get("maximum_age"), band
    for key in ("age_bands", "age_groups", "age_ranges"):
        value = service.get(key)
        for index, item in enumerate(value if isinstance(value, list) else []):
            if isinstance(item, dict):
                band = words(item.get("name") or item.get("age_band") or item.get("label"))
                low, high = (
                    item.get("minimum_age", item.get("min")),
                    item.get("maximum_age", item.get("max")),
                )
                yield at(path, key, index), low, high, band
            else:
                yield at(path, key, index), None, None, words(item)


def _terms(service: dict[str, Any], path: str, skipped: list[Skipped]) -> CategoryAndInterests:
    terms = CategoryAndInterests()
    for term_path, term, link in _taxonomy_terms(service, path):
        said = text(term.get("term")) or text(term.get("name"))
        vocabulary = text(term.get("taxonomy")) or text(term.get("vocabulary")) or "no taxonomy"
        if said is None:
            skipped.append(Skipped(term_path, "taxonomy term", "no term or name"))
        elif vocabulary == SOURCE_IDS:
            terms.source_id = said
        elif vocabulary == CARECIRCLES_INTERESTS and ID_PATTERN.fullmatch(said):
            terms.interests.setdefault(said, text(term.get("name")) or said)
        elif vocabulary == CARECIRCLES_CATEGORIES and SLUG_PATTERN.fullmatch(said):
            terms.category = terms.category or said
        elif AUDIENCE_VOCABULARY.search(vocabulary) or (link or "").lower() in {
            "audience",
            "suitability",
        }:
            terms.audiences.append(words(text(term.get("name")) or said) or said)
        elif AGE_VOCABULARY.search(vocabulary) and (ages := age_range(said)) is not None:
            terms.ages.append(ages)
        else:
            name = words(text(term.get("name")) or said) or said
            kept = FeedTerm(taxonomy=cut_on_word(vocabulary, SHORT_MAX), name=name)
            if kept not in terms.kept:
                terms.kept.append(kept)
            if not terms.add(matching_rules(name)):
                reason = (
                    f"{name!r} ({vocabulary}) matches no CareCircles interest or category: kept "
                    "as the feed's own term; add a rule to TERM_RULES in seed/oruk_rules.py to "
                    "map it"
                )
                group = "a taxonomy term outside our vocabulary: kept as the feed's term"
                skipped.append(Skipped(term_path, "taxonomy term", reason, group))
    if terms.category is None:  # no term gives one: guess from the name, and say it is a guess
        guess = CategoryAndInterests()
        if guess.add(name_guess(str(service.get("name", "")))) and guess.category:
            terms.category, terms.guessed = guess.category, True
            terms.interests = terms.interests or guess.interests
    return terms


def _audiences_and_ages(
    service: dict[str, Any], path: str, terms: CategoryAndInterests, skipped: list[Skipped]
) -> tuple[list[str], int | None, int | None]:
    audiences = list(terms.audiences) + [said for _, said in _audience_items(service, path)]
    ranges = list(terms.ages)
    for where, low, high, band in _age_items(service, path):
        low_age, high_age = (
            _age(low, where, "minimum_age", skipped),
            _age(high, where, "maximum_age", skipped),
        )
        if low_age is not None or high_age is not None:
            ranges.append((low_age, high_age))
        elif band and (from_band := age_range(band)) is not None:
            ranges.append(from_band)
        elif band:
            audiences.append(band)
    youngest: int | None = None
    oldest: int | None = None
    if ranges:  # the union of the bands: open at an end if any band is
        lows = [low for low, _ in ranges]
        highs = [high for _, high in ranges]
        youngest = None if None in lows else min(low for low in lows if low is not None)
        oldest = None if None in highs else max(high for high in highs if high is not None)
        if youngest is not None and oldest is not None and youngest > oldest:
            reason = f"ages {youngest} to {oldest} are the wrong way round; left out"
            skipped.append(Skipped(at(path, "minimum_age"), "ages", reason))
            youngest = oldest = None
    return sorted(set(audiences)), youngest, oldest


def _age(value: Any, path: str, name: str, skipped: list[Skipped]) -> int | None:
    if value is None or value == "":
        return None
    number = _amount(value) if not isinstance(value, bool) else None
    if number is None or not 0 <= number <= 130:
        reason = f"expected an age 0..130, got {value!r}; left out"
        skipped.append(Skipped(at(path, name), "ages", reason, "an age that is not an age"))
        return None
    return int(number)


# --- access, areas, languages, contacts --------------------------------------------------------


def _access_words(service: dict[str, Any]) -> str | None:
    said = [
        value
        for key in ("attending_access", "application_process", "referral_method", "how_to_access")
        if (value := words(service.get(key), DESCRIPTION_MAX))
    ]
    return _joined(said)


def _service_areas(service: dict[str, Any]) -> list[str]:
    found = [
        said
        for _, area in indexed_objects(service.get("service_areas"))
        if (said := words(area.get("service_area")) or words(area.get("name")))
    ]
    return list(dict.fromkeys(found))


# Language names for the codes feeds give alone (a link worker reads "Welsh", not "cy"); any
# other code is kept as given.
LANGUAGE_NAMES = {
    "ar": "Arabic",
    "bn": "Bengali",
    "cy": "Welsh",
    "en": "English",
    "es": "Spanish",
    "fa": "Persian",
    "fr": "French",
    "gd": "Scottish Gaelic",
    "gu": "Gujarati",
    "it": "Italian",
    "ku": "Kurdish",
    "lt": "Lithuanian",
    "pa": "Punjabi",
    "pl": "Polish",
    "pt": "Portuguese",
    "ro": "Romanian",
    "so": "Somali",
    "ta": "Tamil",
    "tr": "Turkish",
    "ur": "Urdu",
    "zh": "Chinese",
}


def _languages(service: dict[str, Any]) -> list[str]:
    found: list[str] = []
    value = service.get("languages")
    for item in value if isinstance(value, list) else []:
        if isinstance(item, dict):
            said = words(item.get("name")) or words(item.get("language"))
            if said is None and (code := words(item.get("code"))):
                said = LANGUAGE_NAMES.get(code.lower(), code)
        else:
            said = words(item)
        if said:
            found.append(said)
    return list(dict.fromkeys(found))


def _contacts(service: dict[str, Any]) -> list[ServiceContact]:
    found: list[ServiceContact] = []
    for _, contact in indexed_objects(service.get("contacts")):
        phone = next(
            (
                number
                for _, item in indexed_objects(contact.get("phones"))
                if (number := words(item.get("number")))
            ),
            None,
        )
        person = ServiceContact(
            name=words(contact.get("name")),
            title=words(contact.get("title")),
            phone=phone,
            email=words(contact.get("email")),
        )
        if any((person.name, person.title, person.phone, person.email)) and person not in found:
            found.append(person)
    return found


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
    """``model`` from ``fields``. A field named in ``sources`` (its ORUK path) that fails is
    left out and reported; any other failure skips the record."""
    what = model.__name__.lower()
    while True:
        try:
            return model.model_validate(fields)
        except ValidationError as error:
            problems = [(str(e["loc"][0]) if e["loc"] else "", e["msg"]) for e in error.errors()]
            optional = {name for name, _ in problems if name in sources and name in fields}
            if len(optional) < len({name for name, _ in problems}):
                for name, message in problems:
                    reason = f"{message}; the {what} is not imported"
                    skipped.append(Skipped(sources.get(name, name), what, reason))
                return None
            for name, message in problems:
                group = f"a {name} that is not valid: left out"
                skipped.append(Skipped(sources[name], name, f"{message}; left out", group))
                fields.pop(name, None)


def _id_and_name(
    data: dict[str, Any], path: str, what: str, skipped: list[Skipped]
) -> tuple[str, str] | None:
    """The record's id and name, or None (reported: the record is not imported)."""
    oruk_id, name = ident(data.get("id")), words(data.get("name"), 10 * NAME_MAX)
    if oruk_id is not None and name is not None:
        return oruk_id, name
    missing = "id" if oruk_id is None else "name"
    reason = f"missing, expected the {what}'s {missing} as text or a number"
    skipped.append(Skipped(at(path, missing), what, reason, f"a {what} with no {missing}"))
    return None


def _organization(data: dict[str, Any], path: str, skipped: list[Skipped]) -> Organization | None:
    identity = _id_and_name(data, path, "organization", skipped)
    if identity is None:
        return None
    oruk_id, name = identity
    fields: dict[str, Any] = {"name": _shortened(name, NAME_MAX, at(path, "name"), skipped)}
    for key in ("organization_identifiers", "organisation_identifiers"):
        for _, identifier in indexed_objects(data.get(key)):
            scheme = str(identifier.get("identifier_scheme", "")).upper()
            if identifier.get("identifier_type") == SOURCE_ID_TYPE:
                oruk_id = ident(identifier.get("identifier")) or oruk_id
            elif scheme in ORGANIZATION_KINDS and "kind" not in fields:
                fields["kind"] = ORGANIZATION_KINDS[scheme]
    fields["id"] = graph_id(ORGANIZATION_PREFIX, oruk_id)
    fields["source_id"] = oruk_id
    if email := text(data.get("email")):
        fields["email"] = email
    if url := text(data.get("website")) or text(data.get("uri")) or text(data.get("url")):
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


def _organization_data(data: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    for key in ("organization", "organisation"):
        if isinstance(data.get(key), dict):
            return key, data[key]
    return None


def map_service(record: ServiceRecord, skipped: list[Skipped]) -> MappedService | None:
    """One ORUK service as CareCircles models, or None with the reason added to ``skipped``."""
    data, path = record.data, record.path
    identity = _id_and_name(data, path, "service", skipped)
    if identity is None:
        return None
    oruk_id, name = identity
    status = data.get("status")
    if isinstance(status, str):
        status = status.strip().lower()
    if status is None:
        group = "no status: read as active"
        skipped.append(Skipped(at(path, "status"), "status", "missing; read as active", group))
    elif (problem := _status_problem(status)) is not None:
        group = "not active: not imported"
        skipped.append(Skipped(at(path, "status"), "service", problem, group))
        return None
    organization = None
    if (found := _organization_data(data)) is not None:
        organization = _organization(found[1], at(path, found[0]), skipped)
    elif record.organization is not None:
        organization = _organization(record.organization, "", skipped)
    where = _service_places(data, path, skipped)
    terms = _terms(data, path, skipped)
    source_id = terms.source_id or oruk_id
    audiences, youngest, oldest = _audiences_and_ages(data, path, terms, skipped)
    schedules, schedule_notes = _schedules(data, path, skipped)
    cost, cost_words = _cost(data, path, skipped)
    access_words = _access_words(data)
    description = plain_text(text(data.get("description")) or "")
    fields: dict[str, Any] = {
        "id": graph_id(SERVICE_PREFIX, source_id),
        "source_id": source_id,
        "name": _shortened(name, NAME_MAX, at(path, "name"), skipped),
        "description": _shortened(description, DESCRIPTION_MAX, at(path, "description"), skipped),
        "organization_id": organization.id if organization else None,
        "category": terms.category or DEFAULT_CATEGORY,
        "category_guessed": terms.guessed,
        "lat": where.lat,
        "lon": where.lon,
        "places": where.places,
        "schedules": schedules,
        "schedule_notes": schedule_notes,
        "cost": cost,
        "cost_words": cost_words,
        "accessibility": where.accessibility,
        "accessibility_words": where.accessibility_words,
        "interests": sorted(terms.interests),
        "audiences": audiences,
        "min_age": youngest,
        "max_age": oldest,
        "access_words": access_words,
        "access_routes": access_routes(access_words or ""),
        "service_areas": _service_areas(data),
        "languages": _languages(data),
        "contacts": _contacts(data),
        "terms": terms.kept,
    }
    sources = {"url": at(path, "url")}
    if url := text(data.get("url")):
        fields["url"] = url
    if phone := _phone(data):
        sources["phone"] = at(path, phone[0])
        fields["phone"] = phone[1]
    service = _validated(Service, fields, sources, skipped)
    return MappedService(service, organization, terms.interests) if service else None
