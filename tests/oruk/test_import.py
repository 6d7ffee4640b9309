"""Importing Open Referral UK files into a real graph: idempotence, skips and the mapping."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from graph.models import Area, Interest, Organization, Schedule, Service
from graph.store import GraphStore
from seed.oruk import InvalidDocument, import_services
from tests.oruk.conftest import DATA, REFERENCE_FILES, SAMPLE, read_json, sample_id
from tests.world import saved, stored

FULL_ID = "oruk-service-ac148810-d857-441c-9679-408f346de14b"


def _service(store: GraphStore, service_id: str) -> Service:
    service = stored(store, Service, service_id)
    assert service is not None, service_id
    return service


def _offered(store: GraphStore, service_id: str) -> list[str]:
    rows = store.run(
        "MATCH (:Service {id: $id})-[:OFFERS]->(i:Interest) RETURN i.id AS id ORDER BY id",
        {"id": service_id},
        write=False,
    )
    return [row["id"] for row in rows]


def _count(store: GraphStore, label: str) -> int:
    rows = store.run(f"MATCH (n:{label}) RETURN count(n) AS n", write=False)
    return int(rows[0]["n"])


@pytest.mark.parametrize("name", [*REFERENCE_FILES, "sample"])
def test_each_file_imports_twice_and_the_second_time_creates_nothing(
    store: GraphStore, name: str
) -> None:
    document = read_json(SAMPLE if name == "sample" else DATA / name)
    first = import_services(store=store, document=document)
    nodes = {label: _count(store, label) for label in ("Service", "Organization", "Interest")}
    second = import_services(store=store, document=document)

    assert second.total("created") == 0 and second.total("updated") == 0
    for kind, counts in first.counts.items():
        assert second.counts[kind]["unchanged"] == counts["created"], kind
    assert second.skipped == first.skipped
    assert second.summary().startswith(f"0 created, 0 updated, {first.total('created')} unchanged")
    assert {label: _count(store, label) for label in nodes} == nodes


def test_the_sample_brings_in_its_fourteen_active_services(store: GraphStore) -> None:
    report = import_services(store=store, document=read_json(SAMPLE))

    assert report.counts["services"] == {"created": 14, "updated": 0, "unchanged": 0}
    assert report.counts["organizations"]["created"] == 9
    assert _count(store, "Service") == 14
    closed = [s for s in report.skipped if s.path == "contents[12].status"]
    assert len(closed) == 1 and "'temporarily closed'" in closed[0].reason


def test_invalid_coordinates_are_reported_and_the_service_kept_without_a_place(
    store: GraphStore, service_full: dict[str, Any]
) -> None:
    report = import_services(store=store, document=service_full)

    [where] = [s for s in report.skipped if s.what == "location coordinates"]
    assert where.path == "service_at_locations[0].location.latitude"
    assert "100 is outside -90..90" in where.reason and "without coordinates" in where.reason
    service = _service(store, FULL_ID)
    assert (service.lat, service.lon, service.area_id) == (None, None, None)
    # The building's accessibility text still counts: induction loop and wheelchair access.
    assert service.accessibility == ["hearing_loop", "step_free"]
    assert service.cost == "paid"  # one option, 35 per session
    assert [(w.day, w.start, w.end, w.frequency) for w in service.schedules] == [
        (3, "10:00", "18:00", "weekly"),
        (4, "10:00", "18:00", "weekly"),
    ]
    organization = stored(store, Organization, "oruk-org-d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610")
    assert organization is not None and organization.kind == "company"  # GB-COH identifier
    assert service.organization_id == organization.id
    [term] = [s for s in report.skipped if s.what == "taxonomy term"]
    assert term.path == "attributes[0].taxonomy_term" and "'name'" in term.reason
    assert service.category == "other" and service.interests == []


def test_coordinates_out_of_longitude_range_or_at_zero_zero_are_rejected(
    store: GraphStore, service_full: dict[str, Any]
) -> None:
    location = service_full["service_at_locations"][0]["location"]
    second = copy.deepcopy(service_full)
    second["id"] = "7c1f0a54-2a1e-4a53-8d8e-0a1c9b1f7e01"
    second["service_at_locations"][0]["location"].update(latitude=0, longitude=0)
    location.update(latitude=51.5, longitude=-181.0)

    report = import_services(store=store, document=[service_full, second])

    reasons = {s.path: s.reason for s in report.skipped if s.what == "location coordinates"}
    assert (
        "-181.0 is outside -180..180" in reasons["[0].service_at_locations[0].location.longitude"]
    )
    assert "placeholder" in reasons["[1].service_at_locations[0].location.latitude"]
    assert report.counts["services"]["created"] == 2
    assert _service(store, FULL_ID).lat is None


def test_taxonomy_terms_become_interests_with_offers_edges(
    store: GraphStore, sample: dict[str, Any]
) -> None:
    report = import_services(store=store, document=sample)

    shed = _service(store, sample_id(sample, "Carrow Men's Shed"))
    assert shed.category == "mens_shed"
    assert shed.interests == ["conversation", "crafts", "woodwork"]
    assert _offered(store, shed.id) == ["conversation", "crafts", "woodwork"]
    woodwork = stored(store, Interest, "woodwork")
    assert woodwork is not None and woodwork.name == "Woodwork and DIY"  # seed/catalogue.py
    choir = _service(store, sample_id(sample, "Sing for Joy Community Choir"))
    assert (choir.category, choir.interests) == ("choir", ["music", "singing"])
    unmapped = {s.reason.split(" (")[0] for s in report.skipped if s.what == "taxonomy term"}
    assert unmapped == {"'Loneliness and isolation'", "'Dementia'"}
    memory = _service(store, sample_id(sample, "Memory Cafe"))
    assert (memory.category, memory.interests) == ("memory_cafe", ["conversation", "music"])


def test_an_import_adds_missing_interests_but_never_renames_ours(
    store: GraphStore, sample: dict[str, Any]
) -> None:
    from graph.models import Interest

    saved(store, Interest(id="walking", name="Strolling", category="x"))

    report = import_services(store=store, document=sample)

    walking = stored(store, Interest, "walking")
    assert walking is not None and walking.name == "Strolling"
    assert report.counts["interests"]["unchanged"] == 1


def test_schedules_become_weekly_fortnightly_and_monthly_windows(
    store: GraphStore, sample: dict[str, Any]
) -> None:
    contents = sample["contents"]
    contents[1]["schedules"][0]["interval"] = 2  # the health walk, every other week
    contents[2]["schedules"].append(
        {
            "id": "1b9e5b8e-1d76-4d43-9d3c-2ad5b5f2e0aa",
            "freq": "DAILY",
            "byday": "MO",
            "opens_at": "09:00",
            "closes_at": "10:00",
        }
    )
    contents[5]["schedules"][0]["closes_at"] = "18:00:00"  # before it opens at 19:00

    report = import_services(store=store, document=sample)

    lunch = _service(store, sample_id(sample, "Hollins Friendship Lunch Club"))
    assert lunch.schedules == [
        Schedule(day=1, start="12:00", end="14:00", frequency="weekly"),
        Schedule(day=3, start="12:00", end="14:00", frequency="weekly"),
    ]
    walk = _service(store, sample_id(sample, "Brookfield Park Health Walk"))
    assert walk.schedules == [Schedule(day=2, start="10:00", end="11:30", frequency="fortnightly")]
    reading = _service(store, sample_id(sample, "Northgate Library Reading Group"))
    assert reading.schedules == [  # byday 2WE: the second Wednesday of the month
        Schedule(day=2, start="14:00", end="15:30", frequency="monthly", week_of_month=2)
    ]
    reasons = {s.path: s.reason for s in report.skipped if s.what == "schedule"}
    assert "freq DAILY" in reasons["contents[2].schedules[1]"]
    assert reasons["contents[5].schedules[0]"] == "closes_at 18:00 is not after opens_at 19:00"
    choir = _service(store, sample_id(sample, "Sing for Joy Community Choir"))
    assert choir.schedules == []


@pytest.mark.parametrize(
    ("name", "cost"),
    [
        ("Brookfield Park Health Walk", "free"),  # amount 0
        ("Hollins Friendship Lunch Club", "low"),  # 4.50 a lunch
        ("Carrow Men's Shed", "low"),  # 20 a year
        ("Sing for Joy Community Choir", "low"),  # pay what you can, 3
        ("Tea Dance", "paid"),  # 8 a session
    ],
)
def test_cost_options_become_free_low_or_paid(
    store: GraphStore, sample: dict[str, Any], name: str, cost: str
) -> None:
    import_services(store=store, document=sample)

    assert _service(store, sample_id(sample, name)).cost == cost


@pytest.mark.parametrize(
    ("name", "features"),
    [
        ("Get Online: Digital Skills Drop-in", ["accessible_toilet", "hearing_loop", "step_free"]),
        ("Northgate Library Reading Group", ["large_print", "step_free"]),
        ("Knit and Natter", ["hearing_loop", "quiet_space", "step_free"]),
        ("Klub Seniora (Polish Seniors Club)", []),  # "first floor, no lift"
        ("Carrow Men's Shed", []),  # "one step at the door"
        ("Vale Telephone Befriending", []),  # by telephone: no building
    ],
)
def test_accessibility_text_sets_access_features(
    store: GraphStore, sample: dict[str, Any], name: str, features: list[str]
) -> None:
    import_services(store=store, document=sample)

    assert _service(store, sample_id(sample, name)).accessibility == features


def test_a_phone_line_has_a_phone_and_no_place(store: GraphStore, sample: dict[str, Any]) -> None:
    import_services(store=store, document=sample)

    line = _service(store, sample_id(sample, "Vale Telephone Befriending"))
    assert (line.phone, line.lat, line.lon, line.category) == (
        "020 7946 0321",
        None,
        None,
        "befriending_line",
    )


def test_services_with_a_place_go_in_the_nearest_area(
    store: GraphStore, sample: dict[str, Any]
) -> None:
    saved(store, Area(id="hollins", name="Hollins", lat=51.540, lon=-0.047))
    saved(store, Area(id="far", name="Far Away", lat=52.5, lon=-1.9))

    import_services(store=store, document=sample)

    lunch = _service(store, sample_id(sample, "Hollins Friendship Lunch Club"))
    assert lunch.area_id == "hollins"
    rows = store.run(
        "MATCH (:Service {id: $id})-[:IN]->(a:Area) RETURN a.id AS id", {"id": lunch.id}
    )
    assert rows == [{"id": "hollins"}]
    line = _service(store, sample_id(sample, "Vale Telephone Befriending"))
    assert line.area_id is None


def test_a_changed_feed_updates_only_what_changed(
    store: GraphStore, sample: dict[str, Any]
) -> None:
    import_services(store=store, document=sample)
    changed = copy.deepcopy(sample)
    shed = changed["contents"][2]
    shed["name"] = "Carrow Workshop"
    shed["attributes"] = shed["attributes"][1:]  # drops "Men's sheds", keeps "Woodwork"

    report = import_services(store=store, document=changed)

    assert report.counts["services"] == {"created": 0, "updated": 1, "unchanged": 13}
    assert report.counts["organizations"] == {"created": 0, "updated": 0, "unchanged": 9}
    service = _service(store, sample_id(sample, "Carrow Men's Shed"))
    assert service.name == "Carrow Workshop"
    assert service.category == "other"
    assert _offered(store, service.id) == ["woodwork"]


def test_bad_records_are_skipped_with_their_field_and_the_rest_imported(
    store: GraphStore, sample: dict[str, Any]
) -> None:
    contents = sample["contents"]
    del contents[0]["name"]
    contents[1]["status"] = "open"
    contents[2]["url"] = "valesheds.example.org"  # no scheme: left out, service kept
    contents[3]["organization"]["email"] = "not an email"
    contents.append("a string, not a service")

    report = import_services(store=store, document=sample)

    reasons = {s.path: (s.what, s.reason) for s in report.skipped}
    assert reasons["contents[0].name"] == (
        "service",
        "missing, expected the service's name as text or a number",
    )
    assert reasons["contents[1].status"][0] == "service"
    assert "'open' is not one of active" in reasons["contents[1].status"][1]
    assert reasons["contents[2].url"][0] == "url" and "http(s) URL" in reasons["contents[2].url"][1]
    assert reasons["contents[3].organization.email"][0] == "email"
    assert reasons["contents[15]"] == ("record", "expected a service object, got str")
    assert report.counts["services"]["created"] == 12  # 14 active, less the two broken
    assert _service(store, sample_id(sample, "Carrow Men's Shed")).url is None


def test_a_document_of_the_wrong_shape_writes_nothing(store: GraphStore) -> None:
    with pytest.raises(InvalidDocument, match="got an object with keys items, total"):
        import_services(store=store, document={"items": [], "total": 0})

    assert _count(store, "Service") == 0 and _count(store, "Organization") == 0


def test_services_made_in_carecircles_are_untouched_by_an_import(
    store: GraphStore, sample: dict[str, Any]
) -> None:
    ours = saved(store, Service(id="svc-ours", name="Our own group", category="choir"))

    report = import_services(store=store, document=sample)

    assert report.counts["services"]["created"] == 14
    assert _service(store, "svc-ours") == ours


def test_an_organization_document_gives_its_services_the_organization(store: GraphStore) -> None:
    report = import_services(store=store, document=read_json(DATA / "organization_full.json"))

    assert report.counts["organizations"]["created"] == 1
    assert _service(store, FULL_ID).organization_id == (
        "oruk-org-d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610"
    )
    assert "services[0].service_at_locations[0].location.latitude" in {
        s.path for s in report.skipped
    }


def test_a_taxonomy_term_list_is_reported_not_imported(store: GraphStore) -> None:
    report = import_services(store=store, document=read_json(DATA / "taxonomy_term_list.json"))

    assert report.total("created") == 0
    assert [(s.path, s.what) for s in report.skipped] == [("contents[0]", "taxonomy term")]
    assert report.notes == [
        "This file is page 1 of 10: import the other pages as well, or give import-services "
        "the feed's URL to follow every page."
    ]
