"""Feeds in the shapes councils publish (ORUK v1 API pages, ORUK v3 pages) into a real graph:
each awkward part read as meant, what link workers need kept, the same counts on a second
import, and a clear error for JSON nested too deep."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from graph.models import FeedTerm, Organization, Schedule, Service, ServiceContact, ServicePlace
from graph.store import GraphStore
from seed.oruk import InvalidDocument, import_services, load_document, parse_document
from tests.oruk.conftest import DATA
from tests.world import stored

FEEDS = DATA / "feeds"
V1 = FEEDS / "oruk_v1_page.json"
V3 = FEEDS / "oruk_v3_page.json"
COFFEE = "oruk-service-5a0b7c1e-3d52-4e8a-9d1f-0c6e2b7a4f10"
SHEDS = "oruk-service-1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
MIND = "oruk-service-2c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e6f"


def _service(store: GraphStore, service_id: str) -> Service:
    service = stored(store, Service, service_id)
    assert service is not None, service_id
    return service


def test_the_v1_file_starts_with_a_byte_order_mark_and_still_reads() -> None:
    assert V1.read_bytes()[:3] == b"\xef\xbb\xbf"
    with pytest.raises(json.JSONDecodeError, match="BOM"):
        json.loads(V1.read_text(encoding="utf-8"))

    document = load_document(V1)

    assert isinstance(document, dict) and len(document["content"]) == 6


def test_a_v1_api_page_imports_with_integer_ids_and_the_british_spelling(
    store: GraphStore,
) -> None:
    report = import_services(store=store, document=load_document(V1))

    assert report.counts["services"]["created"] == 5  # 6 less the one temporarily closed
    cafe = _service(store, "oruk-service-101")
    assert cafe.source_id == "101" and cafe.name == "Forget-Me-Not Memory Café"
    organization = stored(store, Organization, "oruk-org-7")
    assert organization is not None and organization.name == "Vale Carers Centre"
    assert cafe.organization_id == "oruk-org-7"
    # GeoJSON gives longitude first: the place is in London, not in the sea off Somalia.
    assert (cafe.lat, cafe.lon) == (51.5398, -0.0472)
    assert cafe.places == [
        ServicePlace(
            name="St Mary's Church Hall",
            address="12 Church Lane",
            town="London",
            postcode="VB3 2NP",
            lat=51.5398,
            lon=-0.0472,
        ),
        ServicePlace(
            name="Northgate Library",
            address="1 Library Square, Northgate",
            town="London",
            postcode="VB3 4QT",  # "vb3 4qt" in the feed
            lat=51.5433,
            lon=-0.0521,
        ),
    ]
    assert cafe.schedules == [
        Schedule(day=1, start="10:00", end="12:00"),
        Schedule(day=4, start="14:00", end="15:30"),
    ]
    assert cafe.schedule_notes == "Every Tuesday except bank holidays"
    assert _service(store, "oruk-service-102").schedules == [
        Schedule(day=2, start="13:00", end="14:30")  # weekday 3 (1 = Monday)
    ]


def test_a_v1_service_keeps_what_a_link_worker_needs_in_its_own_words(store: GraphStore) -> None:
    import_services(store=store, document=load_document(V1))

    cafe = _service(store, "oruk-service-101")
    assert cafe.audiences == ["Carers", "Dementia"]
    assert (cafe.min_age, cafe.max_age) == (50, None)
    assert cafe.access_words == "Drop-in; self-referral welcome"
    assert cafe.access_routes == ["drop_in", "self_referral"]
    assert cafe.service_areas == ["Vale North", "Vale Central"]
    assert cafe.languages == ["English", "Polish"]
    assert cafe.contacts == [
        ServiceContact(
            name="Asha Patel",
            title="Cafe coordinator",
            phone="020 7946 0100",
            email="asha@vale-carers.example.org",
        )
    ]
    # String prices: "£3.50 per session" and "2.00" for carers; the band is the dearest.
    assert cafe.cost_words == "£3.50 per session; Carers: £2.00 concession"
    assert cafe.cost == "low"
    # As stated, and "partial wheelchair access" does not claim step-free access.
    assert cafe.accessibility_words == (
        "Partial wheelchair access: one step at the side door; Hearing loop in the main hall"
    )
    assert cafe.accessibility == ["hearing_loop"]
    assert cafe.terms == [
        FeedTerm(taxonomy="Vale Directory", name="Memory Cafes"),
        FeedTerm(taxonomy="Vale Directory", name="Loneliness and isolation"),
    ]
    assert (cafe.category, cafe.category_guessed) == ("memory_cafe", False)
    lip = _service(store, "oruk-service-102")
    assert (lip.min_age, lip.access_routes) == (18, ["professional_referral"])  # "18+"
    assert (lip.cost, lip.cost_words) == ("not_stated", None)  # no price: not "free"
    assert _service(store, "oruk-service-103").cost_words == "£4.00"  # amount "4.00"
    assert _service(store, "oruk-service-104").cost == "free"


def test_html_descriptions_become_plain_text_cut_on_a_word(store: GraphStore) -> None:
    report = import_services(store=store, document=load_document(V1))

    description = _service(store, "oruk-service-101").description
    assert description.startswith(
        "Forget-Me-Not Memory Café\n\nA friendly café for people living with dementia & their "
        "carers. No need to book.\n\n- Singing & music"
    )
    for raw in ("<", ">", "&nbsp;", "&amp;", "&eacute;", "\u00a0", "trackVisitor"):
        assert raw not in description, raw
    assert len(description) <= 2000 and description.endswith("…")
    assert description[:-1].split()[-1] in description.replace("…", "").split()  # a whole word
    [cut] = [s for s in report.skipped if s.path == "content[0].description"]
    assert "cut at a word to 2000" in cut.reason


@pytest.mark.parametrize(
    ("service_id", "category", "guessed"),
    [
        ("oruk-service-102", "other", False),  # "Lip Reading Class" is not a reading group
        ("oruk-service-103", "exercise_class", True),  # "Walking Tennis" is not a walking group
        ("oruk-service-104", "social_club", True),  # a warm space at a church is not worship
        ("oruk-service-105", "other", False),  # "Countering Digital Hate" is not digital skills
    ],
)
def test_names_guess_categories_only_from_whole_phrases_and_say_so(
    store: GraphStore, service_id: str, category: str, guessed: bool
) -> None:
    import_services(store=store, document=load_document(V1))

    service = _service(store, service_id)
    assert (service.category, service.category_guessed) == (category, guessed)


def test_a_v3_page_keeps_every_place_audiences_ages_and_notes(store: GraphStore) -> None:
    report = import_services(store=store, document=load_document(V3))

    assert report.counts["services"]["created"] == 3
    coffee = _service(store, COFFEE)
    # Two physical places (the postal address and the online meeting are not places).
    assert [(p.name, p.postcode, p.lat) for p in coffee.places] == [
        ("Vale Carers Centre", "VB3 1HS", 51.5402),
        ("Saltwell Library", "VB4 2SR", None),
    ]
    assert coffee.schedules == [
        Schedule(day=2, start="10:30", end="12:00", frequency="weekly"),
        Schedule(day=5, start="10:00", end="12:00", frequency="monthly", week_of_month=1),
    ]
    assert coffee.schedule_notes == "Term time only; First Saturday: carers' lunch"
    assert coffee.audiences == ["Carers"]
    assert (coffee.min_age, coffee.max_age) == (18, None)  # bands "Adults 18-64" and "65+"
    assert coffee.languages == ["English", "Welsh"]  # "cy" given as a code alone
    assert coffee.access_routes == ["drop_in", "self_referral"]
    assert coffee.accessibility == ["accessible_toilet", "step_free"]
    assert (coffee.cost, coffee.cost_words) == ("free", "Entry: free")
    assert coffee.terms == [FeedTerm(taxonomy="Vale Directory", name="Coffee mornings")]
    assert (coffee.category, coffee.interests) == ("social_club", ["conversation"])
    sheds = _service(store, SHEDS)
    assert (sheds.min_age, sheds.max_age) == (18, 99)  # maximum_age given as text
    # Members free, visitors £10: not "free" (the cheapest used to decide).
    assert (sheds.cost, sheds.cost_words) == ("paid", "Members: free; Visitors: £10.00 per session")
    assert sheds.access_routes == ["appointment"]
    mind = _service(store, MIND)
    assert mind.audiences == ["Mental health"]
    assert mind.access_routes == ["professional_referral"]
    assert mind.cost == "not_stated"


def test_a_taxonomy_term_is_never_overridden_by_a_guess_from_the_name(store: GraphStore) -> None:
    document: dict[str, Any] = load_document(V3)  # type: ignore[assignment]
    sheds = document["contents"][1]
    sheds["name"] = "Walking Group at the Shed"  # the name alone would guess walking_group

    import_services(store=store, document=document)

    service = _service(store, SHEDS)
    assert (service.category, service.category_guessed) == ("mens_shed", False)


@pytest.mark.parametrize("path", [V1, V3], ids=["v1", "v3"])
def test_importing_a_feed_twice_gives_the_same_counts(store: GraphStore, path: Path) -> None:
    first = import_services(store=store, document=load_document(path))
    second = import_services(store=store, document=load_document(path))

    assert second.total("created") == 0 and second.total("updated") == 0
    for kind, counts in first.counts.items():
        assert second.counts[kind]["unchanged"] == counts["created"], kind
    assert second.skipped == first.skipped


def test_json_nested_too_deep_is_a_clear_error_not_a_traceback(tmp_path: Path) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    moderately = '{"contents": [' + '{"a": [' * 40 + "]}" * 40 + "]}"

    with pytest.raises(InvalidDocument, match="nested more than 32 levels deep"):
        load_document(deep)
    with pytest.raises(InvalidDocument, match=r"page 2 \(x\): nested more than 32 levels"):
        parse_document(moderately, "page 2 (x)")


def test_a_page_of_ten_services_from_one_file_notes_the_other_pages(store: GraphStore) -> None:
    document: dict[str, Any] = load_document(V1)  # type: ignore[assignment]
    document.update(totalPages=4, number=0, last=False)

    report = import_services(store=store, document=document)

    assert report.notes[0].startswith("This file is page 1 of 4")
