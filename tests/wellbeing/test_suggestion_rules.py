"""The link worker's suggestion rules (``service.connections.reasons``) on Maud's small borough
(``tests/small_borough.py``): which services fit her, in what order, and the reasons in words."""

from __future__ import annotations

from typing import Any

import pytest

from graph.analytics import PersonNotInGraph
from graph.models import Window
from graph.repo.people import create_person, update_person
from graph.store.port import GraphStore
from service.connections.reasons import (
    SuggestionFilters,
    find_services,
    service_kinds,
    suggest_services,
)
from tests.factories import make_person, make_service
from tests.small_borough import HOME, Borough, north, small_borough
from tests.world import saved


@pytest.fixture
def borough(store: GraphStore) -> Borough:
    return small_borough(store)


def ids(borough: Borough, person_id: str = "maud", **filters: Any) -> list[str]:
    """The ids of up to 10 services suggested to the person with these filters."""
    found = suggest_services(
        borough.graph(), person_id, first=10, filters=SuggestionFilters(**filters)
    )
    return [s.service_id for s in found]


def test_shared_interest_comes_first_with_reasons_from_the_graph(borough: Borough) -> None:
    best = suggest_services(borough.graph(), "maud", first=1)
    assert len(best) == 1
    assert best[0].service_id == "garden"
    assert best[0].score == 1.0
    assert best[0].distance_km == pytest.approx(0.5, abs=0.01)
    assert best[0].reasons == (
        "gardening group, 0.5 km, Tuesdays 10:00",
        "matches their interest in gardening",
        "step-free",
        "free",
        "in their area, Dalston",
    )
    assert best[0].rank_reason == (
        "First: the most closely tied to them, through their interest in gardening and their area."
    )


def test_a_new_interest_changes_the_suggestions(borough: Borough) -> None:
    assert ids(borough)[0] == "garden"
    maud = make_person(
        id="maud", lat=HOME[0], lon=HOME[1], area_id="dalston",
        interests=["chess"], access_needs=["step_free"],
    )  # fmt: skip
    update_person(store=borough.store, person=maud)
    top = suggest_services(borough.graph(), "maud", first=1)[0]
    assert top.service_id == "chess"
    assert top.reasons[:2] == (
        "chess club, 1.0 km, every other Wednesday 14:00",
        "matches their interest in chess",
    )


def test_someone_she_knows_going_somewhere_lifts_it(borough: Borough) -> None:
    borough.refer("alf", "walk", "attended")
    before = suggest_services(borough.graph(), "maud", first=10)
    assert [s.service_id for s in before[:2]] == ["garden", "walk"]
    assert before[1].reasons[0] == "walking group, 0.8 km, Tuesdays 10:00"
    borough.knows("alf", "maud", strength=0.8)
    after = suggest_services(borough.graph(), "maud", first=10)
    assert [s.service_id for s in after[:2]] == ["walk", "garden"]
    assert after[0].reasons[0] == "1 person they know goes here"
    assert after[0].rank_reason.startswith("First: the most closely tied to them, through")
    assert "1 person they know" in after[0].rank_reason
    assert after[1].rank_reason.startswith(f"Below {after[0].name}: ")


def test_two_people_she_knows_are_counted(borough: Borough) -> None:
    create_person(store=borough.store, person=make_person(id="edna", **north(0.3)))
    for friend in ("alf", "edna"):
        borough.knows(friend, "maud", strength=0.5)
        borough.refer(friend, "walk", "attended")
    walk = next(s for s in suggest_services(borough.graph(), "maud") if s.service_id == "walk")
    assert walk.reasons[0] == "2 people they know go here"


def test_referral_outcomes_change_the_ranking(borough: Borough) -> None:
    assert ids(borough)[0] == "garden"
    garden = next(s for s in suggest_services(borough.graph(), "maud") if s.service_id == "garden")
    borough.refer("maud", "garden", "made")
    assert "garden" not in ids(borough)  # waiting to hear: not suggested again
    borough.refer("maud", "garden", "declined")
    declined = next(
        s for s in suggest_services(borough.graph(), "maud", first=10) if s.service_id == "garden"
    )
    assert declined.reasons[-1] == "they declined a referral here before"
    assert declined.rank_reason.endswith("lowered because they declined a referral here before.")
    assert ids(borough)[0] != "garden"
    assert declined.distance_km == garden.distance_km
    borough.refer("maud", "garden", "not_suitable")
    assert "garden" not in ids(borough)
    borough.refer("maud", "garden", "attended")
    assert "garden" not in ids(borough)  # she already goes


def test_default_filters_keep_to_her_access_needs_and_3_km(borough: Borough) -> None:
    assert sorted(ids(borough)) == ["chess", "garden", "sunday", "walk"]


def test_distance_filter(borough: Borough) -> None:
    assert "far" in ids(borough, max_km=None)
    assert "far" not in ids(borough, max_km=9.9)
    assert ids(borough, max_km=0.6) == ["garden"]


def test_access_filter(borough: Borough) -> None:
    assert "upstairs" not in ids(borough)
    assert "upstairs" in ids(borough, access_needs=frozenset())
    assert "upstairs" in ids(borough, "alf")  # Alf has no access needs recorded
    assert ids(borough, access_needs=frozenset({"hearing_loop"})) == []


def test_day_and_time_filter(borough: Borough) -> None:
    tuesday_morning = (Window(day=1, start="09:30", end="12:00"),)
    assert sorted(ids(borough, can_make=tuesday_morning)) == ["garden", "walk"]
    early = (Window(day=1, start="09:30", end="11:45"),)
    assert ids(borough, can_make=early) == ["walk"]  # garden club runs to 12:00
    sunday = (Window(day=6, start="08:00", end="18:00"),)
    assert ids(borough, can_make=sunday) == ["sunday"]


def test_cost_filter(borough: Borough) -> None:
    assert "chess" in ids(borough, max_cost="low")
    assert "chess" not in ids(borough, max_cost="free")


def test_service_without_a_place_passes_the_distance_filter(borough: Borough) -> None:
    line = make_service(
        id="line", name="Phone friends", category="befriending", lat=None, lon=None,
        schedules=[], cost="free", accessibility=["step_free"],
    )  # fmt: skip
    saved(borough.store, line)
    found = {s.service_id: s for s in suggest_services(borough.graph(), "maud", first=10)}
    assert found["line"].distance_km is None
    assert found["line"].reasons[0] == "befriending, no fixed place"


def test_unknown_person_is_named(borough: Borough) -> None:
    with pytest.raises(PersonNotInGraph, match="nobody"):
        suggest_services(borough.graph(), "nobody")


# --- the link worker's search of the whole directory (find_services) ------------------------


def test_the_directory_search_finds_any_service_by_name_kind_day_distance_and_cost(
    borough: Borough,
) -> None:
    graph = borough.graph()

    def found(**search: Any) -> list[str]:
        return [m.service_id for m in find_services(graph, "maud", **search)]

    # Everything, nearest first, even what suggestions leave out (no step-free access, far).
    assert found() == ["garden", "upstairs", "sunday", "walk", "chess", "far"]
    assert found(name="GARDEN") == ["garden", "sunday", "far"]
    assert found(kind="gardening group", max_km=5) == ["garden", "sunday"]
    assert found(day=2) == ["chess"]
    assert found(max_cost="free", max_km=0.9) == ["garden", "upstairs", "sunday", "walk"]
    chess = find_services(graph, "maud", day=2)[0]
    assert chess.distance_km == pytest.approx(1.0, abs=0.01)
    assert chess.when == ("every other Wednesday 14:00",)
    assert service_kinds(graph) == ["chess club", "gardening group", "lunch club", "walking group"]
    borough.refer("maud", "garden", "attended")
    assert found(name="garden")[0] == "garden"  # referred before: still there to refer again
