"""Local services and groups, the organisations that run them, areas and interests."""

from __future__ import annotations

from typing import Literal

from pydantic import EmailStr, Field, field_validator, model_validator

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


class Schedule(Window):
    """When a service meets: a weekly window and how often it runs."""

    frequency: Literal["weekly", "fortnightly", "monthly"] = "weekly"


class Service(GraphModel):
    """A local service or group a link worker can refer a person to.

    ``category`` is a lower-case word (``lunch_club``, ``walking_group``, ``mens_shed``, ...).
    A service without a place (a befriending phone line) has neither ``lat`` nor ``lon``.
    """

    json_fields = ("schedules",)

    id: Id
    name: Name
    description: Text = ""
    organization_id: Id | None = None
    category: Slug
    lat: Latitude | None = None
    lon: Longitude | None = None
    area_id: Id | None = None
    schedules: list[Schedule] = []
    cost: Literal["free", "low", "paid"] = "free"
    accessibility: AccessFeatures = []
    interests: IdSet = []
    url: Url | None = None
    phone: Phone | None = None
    created_at: UtcDateTime = Field(default_factory=utc_now)

    @model_validator(mode="after")
    def _both_coordinates_or_neither(self) -> Service:
        if (self.lat is None) != (self.lon is None):
            raise ValueError("expected both lat and lon, or neither for a service with no place")
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
