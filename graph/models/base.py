"""Shared field types for the domain models: ids, places, times, languages.

Decisions where DESIGN.md leaves room:

- Ids: 1-128 characters, letters, digits and ``- _ . :``, starting with a letter or digit;
  surrounding whitespace is stripped.
- Languages: two- or three-letter ISO 639 codes. Upper case is lower-cased (``"PL"`` -> ``"pl"``)
  rather than rejected, because that is what a person typing a form expects; duplicates are
  dropped, order kept.
- Times of day are ``"HH:MM"`` 24-hour strings from ``00:00`` to ``23:59`` (ROTA_FORMAT.md).
- Instants are timezone-aware and held in UTC to the second; in the graph and in JSON they are
  ``"YYYY-MM-DDTHH:MM:SSZ"`` strings, fixed width so they sort and compare as text in Cypher.
  A time without a zone is rejected; other zones are converted to UTC.
- Nested values (windows, schedules, metrics) are stored in the graph as JSON text; lists of
  plain strings are stored as string arrays. See ``GraphModel.json_fields``.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    ValidationInfo,
    field_validator,
)

from clock import minutes_of

ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$")
TIME_PATTERN = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
LANGUAGE_PATTERN = re.compile(r"^[a-z]{2,3}$")
PHONE_PATTERN = re.compile(r"^\+?[0-9][0-9 ()-]{5,19}$")
UK_POSTCODE_PATTERN = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})$")
SLUG_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
URL_PATTERN = re.compile(r"^https?://[^\s/$.?#][^\s]*$")
INSTANT_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def _check_id(value: str) -> str:
    if not ID_PATTERN.fullmatch(value):
        raise ValueError(
            "expected an id of 1-128 letters, digits, '-', '_', '.' or ':' "
            f"starting with a letter or digit, got {value!r}"
        )
    return value


def _check_time(value: str) -> str:
    if not TIME_PATTERN.fullmatch(value):
        raise ValueError(f"expected a 24-hour time 'HH:MM' from 00:00 to 23:59, got {value!r}")
    return value


def _lower_language(value: Any) -> Any:
    return value.strip().lower() if isinstance(value, str) else value


def _check_language(value: str) -> str:
    if not LANGUAGE_PATTERN.fullmatch(value):
        raise ValueError(f"expected a 2- or 3-letter ISO 639 code like 'en', got {value!r}")
    return value


def _check_phone(value: str) -> str:
    if not PHONE_PATTERN.fullmatch(value):
        raise ValueError(f"expected a phone number of digits, spaces, '()-', got {value!r}")
    return value


def _normalise_postcode(value: str) -> str:
    compact = value.strip().upper().replace(" ", "")
    match = UK_POSTCODE_PATTERN.fullmatch(compact)
    if not match:
        raise ValueError(f"expected a UK postcode like 'E8 1AB', got {value!r}")
    return f"{match.group(1)} {match.group(2)}"


def _check_slug(value: str) -> str:
    if not SLUG_PATTERN.fullmatch(value):
        raise ValueError(f"expected a lower-case word like 'lunch_club', got {value!r}")
    return value


def _check_url(value: str) -> str:
    if not URL_PATTERN.fullmatch(value):
        raise ValueError(f"expected an http(s) URL, got {value!r}")
    return value


def _to_utc(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("expected a time with a zone, like '2026-11-23T10:00:00Z'")
    return value.astimezone(UTC).replace(microsecond=0)


def iso_utc(value: datetime) -> str:
    """The stored text of an instant: ``YYYY-MM-DDTHH:MM:SSZ`` (use it for Cypher parameters)."""
    return _to_utc(value).strftime(INSTANT_FORMAT)


def utc_now() -> datetime:
    """Now, in UTC to the second (the precision instants are held at)."""
    return datetime.now(UTC).replace(microsecond=0)


def _unique(values: list[Any]) -> list[Any]:
    return list(dict.fromkeys(values))


def _unique_sorted(values: list[Any]) -> list[Any]:
    return sorted(set(values))


Id = Annotated[str, Field(max_length=128), AfterValidator(_check_id)]
Name = Annotated[str, Field(min_length=1, max_length=100)]
Text = Annotated[str, Field(max_length=2000)]
Latitude = Annotated[float, Field(ge=-90, le=90)]
Longitude = Annotated[float, Field(ge=-180, le=180)]
Fraction = Annotated[float, Field(ge=0, le=1)]
Day = Annotated[int, Field(ge=0, le=6, description="0 = Monday .. 6 = Sunday")]
TimeOfDay = Annotated[str, AfterValidator(_check_time)]
LanguageCode = Annotated[str, BeforeValidator(_lower_language), AfterValidator(_check_language)]
Languages = Annotated[list[LanguageCode], AfterValidator(_unique)]
IdSet = Annotated[list[Id], AfterValidator(_unique_sorted)]
Phone = Annotated[str, AfterValidator(_check_phone)]
Postcode = Annotated[str, AfterValidator(_normalise_postcode)]
Slug = Annotated[str, AfterValidator(_check_slug)]
Url = Annotated[str, Field(max_length=2000), AfterValidator(_check_url)]
UtcDateTime = Annotated[
    datetime,
    AfterValidator(_to_utc),
    PlainSerializer(iso_utc, return_type=str, when_used="json"),
]

Gender = Literal["female", "male", "non_binary", "other"]
AccessFeature = Literal[
    "step_free", "hearing_loop", "accessible_toilet", "large_print", "quiet_space", "transport"
]
AccessFeatures = Annotated[list[AccessFeature], AfterValidator(_unique_sorted)]


def _check_monday(value: date) -> date:
    if value.weekday() != 0:
        raise ValueError(f"expected a Monday (weeks start on Monday), got {value.isoformat()}")
    return value


WeekStart = Annotated[date, AfterValidator(_check_monday)]


class GraphModel(BaseModel):
    """Base of every model held in the graph: unknown fields are rejected.

    ``json_fields`` names the fields stored as JSON text in the graph (nested values that
    neither FalkorDB nor Neo4j can hold as a property).
    """

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, validate_assignment=True)

    json_fields: ClassVar[tuple[str, ...]] = ()


class Window(GraphModel):
    """A weekly time window: ``day`` 0 (Monday) .. 6, ``start`` before ``end``."""

    day: Day
    start: TimeOfDay
    end: TimeOfDay

    @field_validator("end")
    @classmethod
    def _ends_after_start(cls, end: str, info: ValidationInfo) -> str:
        start = info.data.get("start")
        if start is not None and minutes_of(end) <= minutes_of(start):
            raise ValueError(f"expected an end after the start {start}, got {end}")
        return end

    @property
    def length_minutes(self) -> int:
        return minutes_of(self.end) - minutes_of(self.start)
