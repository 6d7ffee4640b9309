"""A small hand-built borough for the connection graph and the suggestion rules.

Maud lives in Dalston, likes gardening and needs step-free access. Around her (distances from
her home): a garden club 0.5 km, a walking group 0.8 km, a chess club 1.0 km (low cost), a
second garden club 10 km away, an upstairs gardening lunch 0.6 km that is not step-free, and a
Sunday garden group 0.7 km. Alf, a neighbour, goes to the walking group.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import networkx as nx

from graph.analytics import load_connection_graph
from graph.models import Knows, ReferralStatus
from graph.repo.people import create_person
from graph.repo.referrals import create_referral, get_referral, update_referral_status
from graph.store.port import GraphStore
from tests.factories import NOW, make_area, make_interest, make_person, make_referral, make_service
from tests.world import save, saved

HOME = (51.545, -0.062)
KM_NORTH = 1 / 111.195  # degrees of latitude per km (Earth radius 6371.0088 km)


def north(km: float) -> dict[str, float]:
    return {"lat": HOME[0] + km * KM_NORTH, "lon": HOME[1]}


def tuesday(start: str, end: str) -> list[dict[str, Any]]:
    return [{"day": 1, "start": start, "end": end, "frequency": "weekly"}]


@dataclass
class Borough:
    store: GraphStore

    def graph(self) -> nx.Graph:
        return load_connection_graph(store=self.store)

    def knows(self, from_id: str, to_id: str, *, strength: float, **extra: Any) -> None:
        kind = "volunteer" if from_id.startswith("v-") else "neighbour"
        knows = Knows(from_id=from_id, to_id=to_id, kind=kind, strength=strength, **extra)
        save(self.store, knows)

    def refer(self, person_id: str, service_id: str, status: ReferralStatus) -> None:
        """Refer (once per person and service) and record ``status`` as the outcome."""
        referral_id = f"r-{person_id}-{service_id}"
        if get_referral(store=self.store, referral_id=referral_id) is None:
            referral = make_referral(id=referral_id, person_id=person_id, service_id=service_id)
            create_referral(store=self.store, referral=referral)
        update_referral_status(store=self.store, referral_id=referral_id, status=status, at=NOW)


def small_borough(store: GraphStore) -> Borough:
    """Maud's borough (see the module docstring), written through the repository."""
    saved(store, make_area(id="dalston", name="Dalston"))
    for interest in ("gardening", "walking", "chess"):
        saved(store, make_interest(id=interest, name=interest.title()))
    create_person(
        store=store,
        person=make_person(
            id="maud", lat=HOME[0], lon=HOME[1], area_id="dalston",
            interests=["gardening"], access_needs=["step_free"],
        ),
    )  # fmt: skip
    create_person(
        store=store,
        person=make_person(id="alf", first_name="Alf", area_id="dalston", **north(0.2)),
    )
    services: list[dict[str, Any]] = [
        {"id": "garden", "name": "Garden club", "category": "gardening_group",
         "interests": ["gardening"], "area_id": "dalston", "cost": "free", **north(0.5),
         "schedules": tuesday("10:00", "12:00")},
        {"id": "walk", "name": "Walking group", "category": "walking_group",
         "interests": ["walking"], "area_id": "dalston", "cost": "free", **north(0.8),
         "schedules": tuesday("10:00", "11:30")},
        {"id": "chess", "name": "Chess club", "category": "chess_club", "interests": ["chess"],
         "cost": "low", **north(1.0),
         "schedules": [{"day": 2, "start": "14:00", "end": "16:00", "frequency": "fortnightly"}]},
        {"id": "far", "name": "Far garden", "category": "gardening_group",
         "interests": ["gardening"], "cost": "free", **north(10.0),
         "schedules": tuesday("10:00", "12:00")},
        {"id": "upstairs", "name": "Upstairs lunch", "category": "lunch_club",
         "interests": ["gardening"], "cost": "free", "accessibility": [], **north(0.6),
         "schedules": tuesday("12:00", "14:00")},
        {"id": "sunday", "name": "Sunday garden", "category": "gardening_group",
         "interests": ["gardening"], "cost": "free", **north(0.7),
         "schedules": [{"day": 6, "start": "10:00", "end": "12:00", "frequency": "weekly"}]},
    ]  # fmt: skip
    for fields in services:
        saved(store, make_service(**fields))
    return Borough(store)
