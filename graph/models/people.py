"""People being supported and the volunteers who visit them."""

from __future__ import annotations

from datetime import date

from pydantic import ConfigDict, EmailStr, Field, field_validator

from graph.models.base import (
    AccessFeatures,
    Fraction,
    Gender,
    GraphModel,
    Id,
    IdSet,
    Languages,
    Latitude,
    Longitude,
    Name,
    Phone,
    Postcode,
    Text,
    UtcDateTime,
    Window,
    utc_now,
)


class Person(GraphModel):
    """Someone at risk of loneliness who is supported by a care circle.

    ``visit_windows`` are the weekly times they would like visits in; ``visits_per_week`` and
    ``visit_minutes`` say how many and how long. ``interests`` are Interest ids.
    """

    json_fields = ("visit_windows",)

    id: Id
    first_name: Name
    last_name: Name
    address: Text | None = None
    postcode: Postcode | None = None
    lat: Latitude
    lon: Longitude
    area_id: Id | None = None
    need: Fraction = 0.5
    need_trend: float = Field(default=0.0, ge=-1, le=1, description="recent change in need")
    languages: Languages = []
    gender: Gender | None = None
    gender_preference: Gender | None = None
    interests: IdSet = []
    access_needs: AccessFeatures = []
    visit_windows: list[Window] = []
    visits_per_week: int = Field(default=1, ge=0, le=14)
    visit_minutes: int = Field(default=60, ge=15, le=480)
    requires_check: bool = True
    circle_max: int = Field(default=4, ge=1, le=12)
    excluded_volunteers: IdSet = []
    away_dates: list[date] = Field(default=[], description="days the person cannot be visited")
    phone: Phone | None = None
    date_of_birth: date | None = None
    created_at: UtcDateTime = Field(default_factory=utc_now)

    @field_validator("date_of_birth")
    @classmethod
    def _born_in_the_past(cls, value: date | None) -> date | None:
        if value is not None and value > date.today():
            raise ValueError(f"expected a date of birth in the past, got {value.isoformat()}")
        return value


class VolunteerTerms(GraphModel):
    """What the eligibility rules read of a volunteer: where they are, how far and how long
    they go, when they are free, their languages and gender, and their check. Validated from a
    Volunteer node's properties with the rest ignored, so openVisits, asked for on every page a
    volunteer opens, does not parse a name, e-mail address and phone it never shows (the
    e-mail check is a measurable share of that request's CPU: benchmarks/API.md).

    ``checked`` means they hold a DBS check and ``check_expires`` is when it runs out (an expired
    check may still say ``checked``; use ``check_valid_on``).
    """

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True, validate_assignment=True)

    json_fields = ("availability",)

    id: Id
    lat: Latitude
    lon: Longitude
    max_km: float = Field(default=5.0, gt=0, le=100)
    max_minutes: int = Field(default=240, ge=0, le=10080)
    availability: list[Window] = []
    languages: Languages = []
    gender: Gender | None = None
    checked: bool = False
    check_expires: date | None = None
    away_dates: list[date] = Field(
        default=[], description="days the volunteer cannot visit (cancelled or marked away)"
    )

    def check_valid_on(self, day: date) -> bool:
        """True if the volunteer holds a DBS check that has not run out by ``day``."""
        return self.checked and (self.check_expires is None or self.check_expires >= day)


class Volunteer(VolunteerTerms):
    """Someone who visits. ``max_minutes`` is their weekly limit, ``max_km`` their range (the
    fields the rules read are ``VolunteerTerms``'; a Volunteer rejects unknown fields)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, validate_assignment=True)

    first_name: Name
    last_name: Name
    email: EmailStr
    phone: Phone | None = None
    area_id: Id | None = None
    interests: IdSet = []
    created_at: UtcDateTime = Field(default_factory=utc_now)

    @field_validator("email")
    @classmethod
    def _lower_email(cls, value: str) -> str:
        return value.lower()


class NeedUpdate(GraphModel):
    """A new ``need`` (0..1) and ``need_trend`` (-1..1) for a person, after a check-in."""

    need: Fraction
    need_trend: float = Field(ge=-1, le=1)
