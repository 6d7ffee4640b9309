"""Small factories for valid domain models: ``make_person(need=0.9)``.

Each call gets fresh ids (``p-1``, ``p-2``, ...) unless ``id`` is given; every other field can be
overridden by keyword. Places are around Hackney, London.
"""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from typing import Any

from graph.models import (
    AccessLogEntry,
    Area,
    CareCircle,
    CheckIn,
    ConsentGrant,
    Interest,
    Organization,
    Person,
    Referral,
    RotaRun,
    Service,
    User,
    Visit,
    Volunteer,
)

_counter = itertools.count(1)

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
WEEK = date(2026, 11, 23)  # a Monday


def new_id(prefix: str) -> str:
    """A fresh id, unique within this process (xdist workers each use their own graph)."""
    return f"{prefix}-{next(_counter)}"


def make_area(**overrides: Any) -> Area:
    fields: dict[str, Any] = {"id": new_id("a"), "name": "Dalston", "lat": 51.546, "lon": -0.075}
    return Area(**(fields | overrides))


def make_interest(**overrides: Any) -> Interest:
    fields: dict[str, Any] = {"id": new_id("i"), "name": "Gardening", "category": "outdoors"}
    return Interest(**(fields | overrides))


def make_organization(**overrides: Any) -> Organization:
    fields: dict[str, Any] = {
        "id": new_id("o"),
        "name": "Hackney Good Neighbours",
        "kind": "coordinating",
        "email": "hello@goodneighbours.org.uk",
        "created_at": NOW,
    }
    return Organization(**(fields | overrides))


def make_person(**overrides: Any) -> Person:
    fields: dict[str, Any] = {
        "id": new_id("p"),
        "first_name": "Maud",
        "last_name": "Hartley",
        "address": "12 Navarino Road",
        "postcode": "E8 1AB",
        "lat": 51.545,
        "lon": -0.062,
        "need": 0.7,
        "languages": ["en"],
        "interests": [],
        "visit_windows": [{"day": 1, "start": "10:00", "end": "13:00"}],
        "phone": "020 7946 0000",
        "date_of_birth": date(1938, 4, 2),
        "created_at": NOW,
    }
    return Person(**(fields | overrides))


def make_volunteer(**overrides: Any) -> Volunteer:
    volunteer_id = overrides.get("id") or new_id("v")
    fields: dict[str, Any] = {
        "id": volunteer_id,
        "first_name": "Sam",
        "last_name": "Okafor",
        "email": f"{volunteer_id}@volunteers.example.org",
        "phone": "07700 900123",
        "lat": 51.548,
        "lon": -0.07,
        "max_km": 5,
        "max_minutes": 240,
        "availability": [{"day": 1, "start": "09:00", "end": "17:00"}],
        "languages": ["en"],
        "checked": True,
        "check_expires": date(2028, 1, 1),
        "created_at": NOW,
    }
    return Volunteer(**(fields | overrides))


def make_service(**overrides: Any) -> Service:
    fields: dict[str, Any] = {
        "id": new_id("s"),
        "name": "Tuesday Lunch Club",
        "description": "Hot lunch and company",
        "category": "lunch_club",
        "lat": 51.547,
        "lon": -0.068,
        "schedules": [{"day": 1, "start": "12:00", "end": "14:00", "frequency": "weekly"}],
        "cost": "low",
        "accessibility": ["step_free"],
        "url": "https://lunchclub.example.org",
        "created_at": NOW,
    }
    return Service(**(fields | overrides))


def make_circle(**overrides: Any) -> CareCircle:
    fields: dict[str, Any] = {"id": new_id("c"), "person_id": "p-missing", "created_at": NOW}
    return CareCircle(**(fields | overrides))


def make_visit(**overrides: Any) -> Visit:
    fields: dict[str, Any] = {
        "id": new_id("visit"),
        "person_id": "p-missing",
        "week_start": WEEK,
        "day": 1,
        "earliest": "10:00",
        "latest": "13:00",
        "duration_minutes": 60,
        "created_at": NOW,
    }
    return Visit(**(fields | overrides))


def make_checkin(**overrides: Any) -> CheckIn:
    fields: dict[str, Any] = {
        "id": new_id("ci"),
        "person_id": "p-missing",
        "scale": "UCLA3",
        "answers": [2, 3, 2],
        "score": 7,
        "loneliness": 0.67,
        "recorded_by": "u-recorder",
        "at": NOW,
        "note": "Missing her sister since the move",
    }
    return CheckIn(**(fields | overrides))


def make_referral(**overrides: Any) -> Referral:
    fields: dict[str, Any] = {
        "id": new_id("r"),
        "person_id": "p-missing",
        "service_id": "s-missing",
        "referred_by": "u-link-worker",
        "note": "Likes cooking, would enjoy a lunch club",
        "created_at": NOW,
    }
    return Referral(**(fields | overrides))


def make_user(**overrides: Any) -> User:
    user_id = overrides.get("id") or new_id("u")
    fields: dict[str, Any] = {
        "id": user_id,
        "email": f"{user_id}@carecircles.example.org",
        "role": "coordinator",
        "password_hash": "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA",
        "created_at": NOW,
    }
    return User(**(fields | overrides))


def make_grant(**overrides: Any) -> ConsentGrant:
    fields: dict[str, Any] = {
        "id": new_id("g"),
        "person_id": "p-missing",
        "grantee_id": "u-missing",
        "grantee_kind": "user",
        "purpose": "social prescribing",
        "scopes": ["contact", "needs"],
        "created_at": NOW,
        "expires_at": NOW + timedelta(days=90),
    }
    return ConsentGrant(**(fields | overrides))


def make_rota_run(**overrides: Any) -> RotaRun:
    fields: dict[str, Any] = {
        "id": new_id("run"),
        "week_start": WEEK,
        "created_at": NOW,
        "metrics": {"visits_total": 2, "visits_covered": 1, "coverage": 0.5},
        "problem": '{"format": "carecircles.rota/1"}',
        "solution": '{"format": "carecircles.rota-solution/1"}',
    }
    return RotaRun(**(fields | overrides))


def make_access_entry(**overrides: Any) -> AccessLogEntry:
    fields: dict[str, Any] = {
        "id": new_id("log"),
        "at": NOW,
        "actor_user_id": "u-missing",
        "person_id": "p-missing",
        "purpose": "planning visits",
        "fields": ["address", "phone"],
    }
    return AccessLogEntry(**(fields | overrides))
