"""Local services and groups, the organisations that run them, areas and interests."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Literal

from pydantic import AfterValidator, EmailStr, Field, field_validator, model_validator

from graph.models.base import (
    AccessFeatures,
    GraphModel,
    Id,
    IdSet,
    Latitude,
    Longitude,
    Name,
    Phone,
    Slug,
    Text,
    Url,
    UtcDateTime,
    Window,
    utc_now,
)

WEEKLY_PLACES_MAX = 1000


# A fortnightly schedule with no first date is taken to meet in the weeks an even number of
# weeks from this Monday (the directory did not say which weeks; this keeps the choice stable).
FORTNIGHT_ANCHOR = date(2024, 1, 1)
WeekOfMonth = Literal[1, 2, 3, 4, -1]
MONTH_WEEKS: dict[int, WeekOfMonth] = {1: 1, 2: 2, 3: 3, 4: 4, -1: -1}  # -1: the last


class Schedule(Window):
    """When a service meets: a weekly window and how often it runs.

    ``starts_on`` (the directory's first date, ORUK ``dtstart``) fixes which weeks a fortnightly
    one meets: that date's week and every other week after it (without it, the weeks an even
    number of weeks from ``FORTNIGHT_ANCHOR``). ``week_of_month`` says which ``day`` of the
    month a monthly one meets: 1 the first .. 4 the fourth, -1 the last (ORUK ``byday`` 2TU is
    the second Tuesday); without it, the first. No meeting before ``starts_on``.
    """

    frequency: Literal["weekly", "fortnightly", "monthly"] = "weekly"
    starts_on: date | None = None
    week_of_month: WeekOfMonth | None = None

    def meets_in_week(self, week_start: date) -> date | None:
        """The date it meets in the week starting on the Monday ``week_start``, or None."""
        on = week_start + timedelta(days=self.day)
        if self.starts_on is not None and on < self.starts_on:
            return None
        if self.frequency == "fortnightly":
            anchor = self.starts_on or FORTNIGHT_ANCHOR
            anchor_monday = anchor - timedelta(days=anchor.weekday())
            return on if (week_start - anchor_monday).days // 7 % 2 == 0 else None
        if self.frequency == "monthly":
            nth = self.week_of_month or 1
            if nth == -1:
                return on if (on + timedelta(days=7)).month != on.month else None
            return on if (on.day - 1) // 7 + 1 == nth else None
        return on


ShortText = Annotated[str, Field(min_length=1, max_length=300)]
AccessRoute = Literal["drop_in", "self_referral", "professional_referral", "appointment"]
Cost = Literal["free", "low", "paid", "not_stated"]


class ServicePlace(GraphModel):
    """One place a service meets, as its directory gives it: the building's name, the street
    address, the town and the postcode (any of them may be missing), and where it is."""

    name: ShortText | None = None
    address: ShortText | None = None
    town: ShortText | None = None
    postcode: Annotated[str, Field(max_length=16)] | None = None
    lat: Latitude | None = None
    lon: Longitude | None = None


class ServiceContact(GraphModel):
    """Someone to ask about a service: name, role, phone and email as the directory gives them."""

    name: ShortText | None = None
    title: ShortText | None = None
    phone: ShortText | None = None
    email: ShortText | None = None


class FeedTerm(GraphModel):
    """A taxonomy term as the directory gave it: its vocabulary and its words."""

    taxonomy: ShortText
    name: ShortText


def _sorted_unique(values: list[str]) -> list[str]:
    return sorted(set(values))


class Service(GraphModel):
    """A local service or group a link worker can refer a person to.

    ``category`` is a lower-case word (``lunch_club``, ``walking_group``, ``mens_shed``, ...);
    ``category_guessed`` says it was guessed from the name (no taxonomy term gave it).
    A service without a place (a befriending phone line) has neither ``lat`` nor ``lon``.

    What a directory says about who it is for, how to get in, where and what it costs is kept
    in its own words (``audiences``, ``access_words``, ``service_areas``, ``places``,
    ``contacts``, ``cost_words``, ``accessibility_words``, ``languages``, ``schedule_notes``,
    ``terms``); ``min_age``/``max_age``, ``access_routes``, ``cost`` and ``accessibility`` are
    what suggestions filter on. ``cost`` is ``not_stated`` when the directory gives no price.
    ``source_id`` is the directory's own id of the service, kept so an export gives it back.
    """

    json_fields = ("schedules", "places", "contacts", "terms")

    id: Id
    name: Name
    description: Text = ""
    organization_id: Id | None = None
    category: Slug
    lat: Latitude | None = None
    lon: Longitude | None = None
    area_id: Id | None = None
    schedules: list[Schedule] = []
    cost: Cost = "free"
    accessibility: AccessFeatures = []
    interests: IdSet = []
    url: Url | None = None
    phone: Phone | None = None
    weekly_places: int | None = Field(
        default=None,
        ge=0,
        le=WEEKLY_PLACES_MAX,
        description="new referrals the offering organisation accepts per week (None: no limit)",
    )
    source_id: ShortText | None = None
    category_guessed: bool = False
    audiences: Annotated[list[ShortText], AfterValidator(_sorted_unique)] = []
    min_age: Annotated[int, Field(ge=0, le=130)] | None = None
    max_age: Annotated[int, Field(ge=0, le=130)] | None = None
    access_routes: Annotated[list[AccessRoute], AfterValidator(_sorted_unique)] = []
    access_words: Text | None = None
    service_areas: list[ShortText] = []
    places: list[ServicePlace] = []
    contacts: list[ServiceContact] = []
    cost_words: Text | None = None
    accessibility_words: Text | None = None
    languages: list[ShortText] = []
    schedule_notes: Text | None = None
    terms: list[FeedTerm] = []
    created_at: UtcDateTime = Field(default_factory=utc_now)

    @model_validator(mode="after")
    def _both_coordinates_or_neither(self) -> Service:
        if (self.lat is None) != (self.lon is None):
            raise ValueError("expected both lat and lon, or neither for a service with no place")
        return self

    @model_validator(mode="after")
    def _ages_in_order(self) -> Service:
        if self.min_age is not None and self.max_age is not None and self.min_age > self.max_age:
            raise ValueError(f"expected min_age {self.min_age} at most max_age {self.max_age}")
        return self


class Organization(GraphModel):
    """A body that runs services or coordinates volunteers (``kind``: a lower-case word)."""

    id: Id
    name: Name
    kind: Slug = "community_group"
    email: EmailStr | None = None
    phone: Phone | None = None
    url: Url | None = None
    area_id: Id | None = None
    source_id: ShortText | None = None
    created_at: UtcDateTime = Field(default_factory=utc_now)

    @field_validator("email")
    @classmethod
    def _lower_email(cls, value: str | None) -> str | None:
        return value.lower() if value is not None else None


SupportBasis = Literal["befriending", "social_prescribing", "referral", "registered"]


class SupportedBy(GraphModel):
    """``(Person)-[:SUPPORTED_BY {since, basis}]->(Organization)``: the organisation supports
    the person, since when and on what basis (befriending, social prescribing, an accepted
    referral, registered by its staff). Its staff see the person for arranging support."""

    person_id: Id
    organization_id: Id
    since: UtcDateTime = Field(default_factory=utc_now)
    basis: SupportBasis = "registered"


class VolunteersWith(GraphModel):
    """``(Volunteer)-[:VOLUNTEERS_WITH {since}]->(Organization)``: a volunteer may volunteer
    with several organisations; each organisation's rota uses only its own volunteers."""

    volunteer_id: Id
    organization_id: Id
    since: UtcDateTime = Field(default_factory=utc_now)


class Area(GraphModel):
    """A ward or neighbourhood, with its centre when known."""

    id: Id
    name: Name
    lat: Latitude | None = None
    lon: Longitude | None = None


class Interest(GraphModel):
    """Something people enjoy and services offer (``walking``, ``gardening``, ``chess``)."""

    id: Id
    name: Name
    category: Slug | None = None
