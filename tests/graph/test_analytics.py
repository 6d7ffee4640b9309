"""The connection graph, suggestions and isolation measures on a small hand-built borough.

Maud lives in Dalston, likes gardening and needs step-free access. Around her (distances from
her home): a garden club 0.5 km, a walking group 0.8 km, a chess club 1.0 km (low cost), a
second garden club 10 km away, an upstairs gardening lunch 0.6 km that is not step-free, and a
Sunday garden group 0.7 km. Alf, a neighbour, goes to the walking group.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import networkx as nx
import pytest

from graph.analytics import (
    PERSON,
    SERVICE,
    PersonNotInGraph,
    SuggestionFilters,
    isolation,
    load_connection_graph,
    personalised_pagerank,
    suggest_services,
)
from graph.models import Knows, ReferralStatus, Window
from graph.repo.areas import create_area, create_interest
from graph.repo.people import create_person, update_person
from graph.repo.referrals import create_referral, get_referral, update_referral_status
from graph.repo.relationships import save_knows
from graph.repo.services import create_service
from graph.repo.volunteers import create_volunteer
from graph.store.port import GraphStore
from tests.factories import (
    NOW,
    make_area,
    make_interest,
    make_person,
    make_referral,
    make_service,
    make_volunteer,
)

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
        save_knows(store=self.store, knows=knows)

    def refer(self, person_id: str, service_id: str, status: ReferralStatus) -> None:
        """Refer (once per person and service) and record ``status`` as the outcome."""
        referral_id = f"r-{person_id}-{service_id}"
        if get_referral(store=self.store, referral_id=referral_id) is None:
            referral = make_referral(id=referral_id, person_id=person_id, service_id=service_id)
            create_referral(store=self.store, referral=referral)
        update_referral_status(store=self.store, referral_id=referral_id, status=status, at=NOW)

    def ids(self, person_id: str = "maud", **filters: Any) -> list[str]:
        found = suggest_services(
            self.graph(), person_id, first=10, filters=SuggestionFilters(**filters)
        )
        return [s.service_id for s in found]


@pytest.fixture
def borough(store: GraphStore) -> Borough:
    create_area(store=store, area=make_area(id="dalston", name="Dalston"))
    for interest in ("gardening", "walking", "chess"):
        create_interest(store=store, interest=make_interest(id=interest, name=interest.title()))
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
        create_service(store=store, service=make_service(**fields))
    return Borough(store)


def test_projection_holds_the_graph_edges_with_their_weights(borough: Borough) -> None:
    borough.knows("alf", "maud", strength=0.6)
    borough.refer("alf", "walk", "attended")
    graph = borough.graph()
    maud, alf = (PERSON, "maud"), (PERSON, "alf")
    assert graph.edges[maud, ("Interest", "gardening")]["relation"] == "interest"
    assert graph.edges[maud, ("Area", "dalston")]["weight"] == pytest.approx(0.3)
    assert graph.edges[maud, alf]["weight"] == pytest.approx(0.6)
    assert graph.edges[alf, (SERVICE, "walk")] == {
        "relation": "referral",
        "status": "attended",
        "weight": 2.0,
    }
    assert graph.nodes[(SERVICE, "chess")]["cost"] == "low"


def test_pagerank_agrees_with_networkx(borough: Borough) -> None:
    borough.knows("alf", "maud", strength=0.6)
    borough.refer("alf", "walk", "attended")
    graph = borough.graph()
    maud = {(PERSON, "maud"): 1.0}
    ours = personalised_pagerank(graph, maud)
    # Same start as ours, so unreachable nodes hold no leftover of a uniform start.
    theirs = nx.pagerank(graph, personalization=maud, nstart=maud, weight="weight")
    for node, value in theirs.items():
        assert ours.get(node, 0.0) == pytest.approx(value, abs=1e-5)


def test_shared_interest_comes_first_with_reasons_from_the_graph(borough: Borough) -> None:
    best = suggest_services(borough.graph(), "maud", first=1)
    assert len(best) == 1
    assert best[0].service_id == "garden"
    assert best[0].score == 1.0
    assert best[0].distance_km == pytest.approx(0.5, abs=0.01)
    assert best[0].reasons == (
        "gardening group, 0.5 km, Tuesdays 10:00",
        "matches your interest in gardening",
        "step-free",
        "free",
        "in your area, Dalston",
    )


def test_a_new_interest_changes_the_suggestions(borough: Borough) -> None:
    assert borough.ids()[0] == "garden"
    maud = make_person(
        id="maud", lat=HOME[0], lon=HOME[1], area_id="dalston",
        interests=["chess"], access_needs=["step_free"],
    )  # fmt: skip
    update_person(store=borough.store, person=maud)
    top = suggest_services(borough.graph(), "maud", first=1)[0]
    assert top.service_id == "chess"
    assert top.reasons[:2] == (
        "chess club, 1.0 km, every other Wednesday 14:00",
        "matches your interest in chess",
    )


def test_someone_she_knows_going_somewhere_lifts_it(borough: Borough) -> None:
    borough.refer("alf", "walk", "attended")
    before = suggest_services(borough.graph(), "maud", first=10)
    assert [s.service_id for s in before[:2]] == ["garden", "walk"]
    assert before[1].reasons[0] == "walking group, 0.8 km, Tuesdays 10:00"
    borough.knows("alf", "maud", strength=0.8)
    after = suggest_services(borough.graph(), "maud", first=10)
    assert [s.service_id for s in after[:2]] == ["walk", "garden"]
    assert after[0].reasons[0] == "1 person you know goes here"


def test_two_people_she_knows_are_counted(borough: Borough) -> None:
    create_person(store=borough.store, person=make_person(id="edna", **north(0.3)))
    for friend in ("alf", "edna"):
        borough.knows(friend, "maud", strength=0.5)
        borough.refer(friend, "walk", "attended")
    walk = next(s for s in suggest_services(borough.graph(), "maud") if s.service_id == "walk")
    assert walk.reasons[0] == "2 people you know go here"


def test_referral_outcomes_change_the_ranking(borough: Borough) -> None:
    assert borough.ids()[0] == "garden"
    garden = next(s for s in suggest_services(borough.graph(), "maud") if s.service_id == "garden")
    borough.refer("maud", "garden", "made")
    assert "garden" not in borough.ids()  # waiting to hear: not suggested again
    borough.refer("maud", "garden", "declined")
    declined = next(
        s for s in suggest_services(borough.graph(), "maud", first=10) if s.service_id == "garden"
    )
    assert declined.reasons[-1] == "declined a referral here before"
    assert borough.ids()[0] != "garden"
    assert declined.distance_km == garden.distance_km
    borough.refer("maud", "garden", "not_suitable")
    assert "garden" not in borough.ids()
    borough.refer("maud", "garden", "attended")
    assert "garden" not in borough.ids()  # she already goes


def test_attending_lifts_where_fellow_members_also_go(borough: Borough) -> None:
    create_person(store=borough.store, person=make_person(id="edna", **north(0.3)))
    borough.refer("edna", "garden", "attended")
    borough.refer("edna", "chess", "attended")

    def chess_score() -> float:
        rank = personalised_pagerank(borough.graph(), {(PERSON, "maud"): 1.0})
        return rank[(SERVICE, "chess")]

    before = chess_score()
    borough.refer("maud", "garden", "attended")  # now Maud and Edna both go to the garden club
    assert chess_score() > before


def test_default_filters_keep_to_her_access_needs_and_3_km(borough: Borough) -> None:
    assert sorted(borough.ids()) == ["chess", "garden", "sunday", "walk"]


def test_distance_filter(borough: Borough) -> None:
    assert "far" in borough.ids(max_km=None)
    assert "far" not in borough.ids(max_km=9.9)
    assert borough.ids(max_km=0.6) == ["garden"]


def test_access_filter(borough: Borough) -> None:
    assert "upstairs" not in borough.ids()
    assert "upstairs" in borough.ids(access_needs=frozenset())
    assert "upstairs" in borough.ids("alf")  # Alf has no access needs recorded
    assert borough.ids(access_needs=frozenset({"hearing_loop"})) == []


def test_day_and_time_filter(borough: Borough) -> None:
    tuesday_morning = (Window(day=1, start="09:30", end="12:00"),)
    assert sorted(borough.ids(can_make=tuesday_morning)) == ["garden", "walk"]
    early = (Window(day=1, start="09:30", end="11:45"),)
    assert borough.ids(can_make=early) == ["walk"]  # garden club runs to 12:00
    sunday = (Window(day=6, start="08:00", end="18:00"),)
    assert borough.ids(can_make=sunday) == ["sunday"]


def test_cost_filter(borough: Borough) -> None:
    assert "chess" in borough.ids(max_cost="low")
    assert "chess" not in borough.ids(max_cost="free")


def test_service_without_a_place_passes_the_distance_filter(borough: Borough) -> None:
    line = make_service(
        id="line", name="Phone friends", category="befriending", lat=None, lon=None,
        schedules=[], cost="free", accessibility=["step_free"],
    )  # fmt: skip
    create_service(store=borough.store, service=line)
    found = {s.service_id: s for s in suggest_services(borough.graph(), "maud", first=10)}
    assert found["line"].distance_km is None
    assert found["line"].reasons[0] == "befriending, no fixed place"


def test_unknown_person_is_named(borough: Borough) -> None:
    with pytest.raises(PersonNotInGraph, match="nobody"):
        suggest_services(borough.graph(), "nobody")


def test_isolation_counts_active_contacts_and_groups(borough: Borough) -> None:
    now = NOW
    assert isolation(borough.graph(), "maud", now=now).contacts == 0
    borough.knows("alf", "maud", strength=0.6)
    borough.refer("maud", "garden", "attended")
    create_person(store=borough.store, person=make_person(id="bert", **north(0.4)))
    borough.knows("bert", "maud", strength=0.1)  # too weak to count as active
    for volunteer_id in ("v-old", "v-new"):
        create_volunteer(store=borough.store, volunteer=make_volunteer(id=volunteer_id))
    borough.knows("v-old", "maud", strength=0.7, last_seen=NOW - timedelta(days=300))
    borough.knows("v-new", "maud", strength=0.4, last_seen=NOW - timedelta(days=3))
    measured = isolation(borough.graph(), "maud", now=now)
    assert measured.contacts == 4
    assert measured.active_contacts == 2
    assert measured.strength == pytest.approx(1.0)
    assert measured.groups == 1
