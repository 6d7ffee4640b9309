"""Suggestions use what an ORUK import keeps (age, cost not stated, how to get in), and the
API shows those facts to link workers: services imported from the v1 and v3 fixtures."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from graph.analytics import load_connection_graph
from graph.repo.people import create_person
from graph.store.port import GraphStore
from seed.oruk import import_services, load_document
from service.connections.reasons import SuggestionFilters, suggest_services
from tests.factories import make_person
from tests.oruk.conftest import DATA
from tests.person_record_api.conftest import grant
from tests.service.conftest import Api, World
from tests.service.conftest import api as api  # noqa: F401  (fixture)
from tests.service.conftest import world as world  # noqa: F401  (fixture)

FEEDS = DATA / "feeds"
TODAY = date(2026, 12, 7)
CAFE, LIP, TENNIS, WARM = (
    "oruk-service-101",
    "oruk-service-102",
    "oruk-service-103",
    "oruk-service-104",
)
COFFEE = "oruk-service-5a0b7c1e-3d52-4e8a-9d1f-0c6e2b7a4f10"
SHEDS = "oruk-service-1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
MIND = "oruk-service-2c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e6f"
DIGITAL_HATE = "oruk-service-105"


@pytest.fixture
def imported(store: GraphStore) -> GraphStore:
    for name in ("oruk_v1_page.json", "oruk_v3_page.json"):
        import_services(store=store, document=load_document(FEEDS / name))
    for person_id, born in (("ida", date(1938, 4, 2)), ("jo", date(1996, 5, 1))):
        person = make_person(
            id=person_id, lat=51.54, lon=-0.05, interests=[], access_needs=[], date_of_birth=born
        )
        create_person(store=store, person=person)
    return store


def _ids(store: GraphStore, person_id: str, **filters: Any) -> set[str]:
    found = suggest_services(
        load_connection_graph(store=store),
        person_id,
        first=20,
        filters=SuggestionFilters(today=TODAY, **filters),
    )
    return {s.service_id for s in found}


def test_a_service_for_other_ages_is_not_suggested(imported: GraphStore) -> None:
    everything = {CAFE, LIP, TENNIS, WARM, COFFEE, SHEDS, MIND, DIGITAL_HATE}
    assert _ids(imported, "ida") == everything  # 88: every age range includes her
    assert _ids(imported, "jo") == everything - {CAFE}  # 30: the café is for 50 and over
    assert _ids(imported, "jo", fits_age=False) == everything


def test_cost_not_stated_is_not_free_and_can_be_left_out(imported: GraphStore) -> None:
    not_stated = {LIP, MIND, DIGITAL_HATE}
    assert not_stated <= _ids(imported, "ida", max_cost="free")
    assert _ids(imported, "ida", cost_not_stated=False).isdisjoint(not_stated)
    assert _ids(imported, "ida", max_cost="free", cost_not_stated=False) == {WARM, COFFEE}


def test_suggestions_can_ask_for_a_way_in_without_a_referral(imported: GraphStore) -> None:
    routes = frozenset({"drop_in", "self_referral"})
    assert _ids(imported, "ida", access_routes=routes) == {CAFE, COFFEE}
    assert _ids(imported, "ida", access_routes=frozenset({"professional_referral"})) == {
        LIP,
        MIND,
    }


def test_the_reasons_say_ages_cost_and_how_to_get_in(imported: GraphStore) -> None:
    found = suggest_services(
        load_connection_graph(store=imported),
        "ida",
        first=20,
        filters=SuggestionFilters(today=TODAY),
    )
    reasons = {s.service_id: s.reasons for s in found}
    assert "for ages 50 and over" in reasons[CAFE]
    assert "drop-in and self-referral" in reasons[CAFE]
    assert "cost not stated: check with them" in reasons[LIP]
    assert "needs a professional referral" in reasons[MIND]
    assert "free" not in reasons[LIP]


SERVICES = """query {
  services(first: 50) { edges { node {
    id name cost costWords audiences minAge maxAge ages accessRoutes howToGetIn serviceAreas
    places { name address town postcode } contacts { name title phone email }
    accessibility accessibilityWords languages scheduleNotes categoryGuessed
    terms { taxonomy name }
  } } }
}"""
SUGGEST = """query($id: ID!, $routes: [AccessRoute!], $stated: Boolean!) {
  suggestConnections(personId: $id, first: 20, accessRoutes: $routes, costNotStated: $stated) {
    service { id ages howToGetIn } reasons
  }
}"""


def test_link_workers_see_the_facts_and_filter_suggestions_through_the_api(
    api: Api, world: World
) -> None:
    import_services(store=api.store, document=load_document(FEEDS / "oruk_v1_page.json"))
    _, worker = world.user("link_worker")

    nodes = api.data(SERVICES, token=worker)["services"]["edges"]
    cafe = next(edge["node"] for edge in nodes if edge["node"]["id"] == CAFE)
    assert cafe["costWords"] == "£3.50 per session; Carers: £2.00 concession"
    assert cafe["audiences"] == ["Carers", "Dementia"]
    assert (cafe["minAge"], cafe["maxAge"], cafe["ages"]) == (50, None, "ages 50 and over")
    assert cafe["accessRoutes"] == ["DROP_IN", "SELF_REFERRAL"]
    assert cafe["howToGetIn"] == "Drop-in; self-referral welcome"
    assert cafe["places"][1] == {
        "name": "Northgate Library",
        "address": "1 Library Square, Northgate",
        "town": "London",
        "postcode": "VB3 4QT",
    }
    assert cafe["contacts"][0]["name"] == "Asha Patel"
    assert cafe["accessibilityWords"].startswith("Partial wheelchair access")
    assert cafe["accessibility"] == ["hearing_loop"]
    assert cafe["languages"] == ["English", "Polish"]
    assert cafe["scheduleNotes"] == "Every Tuesday except bank holidays"
    assert cafe["categoryGuessed"] is False
    assert {"taxonomy": "Vale Directory", "name": "Memory Cafes"} in cafe["terms"]
    tennis = next(edge["node"] for edge in nodes if edge["node"]["id"] == TENNIS)
    assert tennis["categoryGuessed"] is True
    lip = next(edge["node"] for edge in nodes if edge["node"]["id"] == LIP)
    assert (lip["cost"], lip["costWords"]) == ("not_stated", None)

    ann = world.person("Ann", lat=51.54, lon=-0.05, date_of_birth=date(1950, 1, 1))
    grant(world, ann, organization_id=world.organization_id, scopes=("needs",))
    variables = {"id": ann.id, "routes": ["DROP_IN", "SELF_REFERRAL"], "stated": True}
    walk_in = api.data(SUGGEST, variables, token=worker)["suggestConnections"]
    assert [s["service"]["id"] for s in walk_in] == [CAFE]
    assert "for ages 50 and over" in walk_in[0]["reasons"]
    stated_only = api.data(SUGGEST, {"id": ann.id, "routes": None, "stated": False}, token=worker)[
        "suggestConnections"
    ]
    assert LIP not in {s["service"]["id"] for s in stated_only}
    assert CAFE in {s["service"]["id"] for s in stated_only}
