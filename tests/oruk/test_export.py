"""Exporting services as Open Referral UK: valid against the profile's schema, and round-trips."""

from __future__ import annotations

import subprocess
import sys
import uuid
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from graph.models import Organization, Schedule, Service
from graph.repo.records import from_properties
from graph.store import GraphStore
from seed.oruk import export_services, import_services, load_document, schema_errors
from seed.oruk_mapping import ORUK_NAMESPACE
from tests.oruk.conftest import DATA, REFERENCE_FILES, read_json
from tests.world import saved


def test_every_exported_service_is_valid_against_the_oruk_schema(
    store: GraphStore, sample: dict[str, Any], service_full: dict[str, Any]
) -> None:
    import_services(store=store, document=sample)
    import_services(store=store, document=service_full)

    exported = export_services(store=store)

    assert len(exported) == 15
    assert {name: schema_errors(service) for name, service in _by_name(exported).items()} == {
        name: [] for name in _by_name(exported)
    }


def test_export_keeps_the_oruk_ids_and_what_the_import_read(
    store: GraphStore, sample: dict[str, Any]
) -> None:
    import_services(store=store, document=sample)

    lunch = _by_name(export_services(store=store))["Hollins Friendship Lunch Club"]

    original = next(s for s in sample["contents"] if s["name"] == lunch["name"])
    assert lunch["id"] == original["id"]
    assert lunch["organization"]["id"] == original["organization"]["id"]
    assert lunch["organization"]["name"] == "Vale Age Concern"
    assert [(s["freq"], s["byday"], s["opens_at"], s["closes_at"]) for s in lunch["schedules"]] == [
        ("WEEKLY", "TU,TH", "12:00:00", "14:00:00")
    ]
    location = lunch["service_at_locations"][0]["location"]
    assert (location["latitude"], location["longitude"]) == (51.5398, -0.0472)
    terms = {a["taxonomy_term"]["term"] for a in lunch["attributes"]}
    # ours (category and interests) and the feed's own term, kept as it was
    assert terms == {"lunch_club", "cooking", "conversation", "Lunch clubs"}
    assert [option["amount_description"] for option in lunch["cost_options"]] == [
        "Two-course lunch: £4.50 per lunch, pay on the day"
    ]


def test_export_then_import_changes_nothing(store: GraphStore, sample: dict[str, Any]) -> None:
    import_services(store=store, document=sample)
    exported = export_services(store=store)

    report = import_services(store=store, document={"contents": exported})

    assert report.total("created") == 0 and report.total("updated") == 0
    assert report.counts["services"]["unchanged"] == 14
    # Only the feed's terms outside our vocabulary are reported again (kept, not mapped).
    assert {(s.what, s.group) for s in report.skipped} == {
        ("taxonomy term", "a taxonomy term outside our vocabulary: kept as the feed's term")
    }
    assert export_services(store=store) == exported


def test_services_made_in_carecircles_export_with_stable_uuids(store: GraphStore) -> None:
    organization = saved(
        store,
        Organization(id="org-1", name="Friends of Ashby", email="hi@ashby.example"),
    )
    saved(
        store,
        Service(
            id="svc-1",
            name="Ashby Coffee Morning",
            category="social_club",
            organization_id=organization.id,
            schedules=[Schedule(day=4, start="10:00", end="11:30")],
            accessibility=["step_free", "transport"],
            cost="paid",
            phone="020 7946 0999",
        ),
    )

    first, second = export_services(store=store), export_services(store=store)

    assert first == second and schema_errors(first[0]) == []
    [service] = first
    assert service["organization"]["email"] == "hi@ashby.example"
    accessibility = service["service_at_locations"][0]["location"]["accessibility"][0]
    assert accessibility["description"] == "Step-free access. Transport can be arranged."
    assert "latitude" not in service["service_at_locations"][0]["location"]
    assert service["phones"][0]["number"] == "020 7946 0999"


@pytest.mark.parametrize("name", ["service_full.json", "organization_full.json"])
def test_the_schema_check_accepts_the_reference_services(name: str) -> None:
    document = read_json(DATA / name)
    service = document["services"][0] if "services" in document else document

    assert name in REFERENCE_FILES and schema_errors(service) == []


def test_the_schema_check_names_what_is_wrong(service_full: dict[str, Any]) -> None:
    del service_full["status"]
    service_full["id"] = "not-a-uuid"
    service_full["url"] = "no scheme"
    service_full["schedules"][0]["freq"] = "DAILY"

    errors = schema_errors(service_full)

    assert "$: 'status' is a required property" in errors
    assert "$.id: 'not-a-uuid' is not a 'uuid'" in errors
    assert "$.url: 'no scheme' is not a 'uri'" in errors
    assert any(error.startswith("$.schedules[0].freq: 'DAILY' is not one of") for error in errors)


def _by_name(services: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {service["name"]: service for service in services}


def test_a_generated_borough_exports_validly_and_reads_back_the_same() -> None:
    from seed.borough import generate_borough
    from seed.oruk_export import export_service
    from seed.oruk_mapping import map_service, service_records

    borough = generate_borough("tiny", seed=3)
    organizations = {organization.id: organization for organization in borough.organizations}
    names = {interest.id: interest.name for interest in borough.interests}
    exported = [
        export_service(service, organizations.get(service.organization_id or ""), names)
        for service in borough.services
    ]
    records, skipped, _ = service_records(exported)
    read_back = [map_service(record, skipped) for record in records]

    assert [schema_errors(service) for service in exported] == [[] for _ in exported]
    assert skipped == []
    fields = (
        "name",
        "description",
        "category",
        "lat",
        "lon",
        "schedules",
        "cost",
        "accessibility",
        "interests",
        "url",
        "phone",
    )
    for original, mapped in zip(borough.services, read_back, strict=True):
        assert mapped is not None
        assert mapped.service.model_dump(include=set(fields)) == original.model_dump(
            include=set(fields)
        ), original.name


FEEDS = DATA / "feeds"
COMPILED_SCHEMA = Path(__file__).resolve().parents[3] / "shared" / "data" / "oruk"


def _properties(store: GraphStore) -> dict[str, dict[str, Any]]:
    rows = store.run(
        "MATCH (n) WHERE n:Service OR n:Organization OR n:Interest "
        "RETURN n.id AS id, properties(n) AS props",
        write=False,
    )
    return {row["id"]: row["props"] for row in rows}


def test_feeds_in_both_shapes_export_validly_and_reimport_with_no_change(
    store: GraphStore,
) -> None:
    for name in ("oruk_v1_page.json", "oruk_v3_page.json"):
        import_services(store=store, document=load_document(FEEDS / name))
    before = _properties(store)
    exported = export_services(store=store)

    report = import_services(store=store, document={"contents": exported})

    assert len(exported) == 8
    assert [schema_errors(service) for service in exported] == [[] for _ in exported]
    assert report.total("created") == 0 and report.total("updated") == 0
    assert report.counts["services"]["unchanged"] == 8
    assert _properties(store) == before  # every property as it was, ids included
    assert export_services(store=store) == exported


def test_integer_source_ids_go_out_as_uuids_with_the_source_id_alongside(
    store: GraphStore,
) -> None:
    import_services(store=store, document=load_document(FEEDS / "oruk_v1_page.json"))

    cafe = _by_name(export_services(store=store))["Forget-Me-Not Memory Café"]

    assert cafe["id"] == str(uuid.uuid5(ORUK_NAMESPACE, "oruk-service-101"))
    [source] = [a["taxonomy_term"] for a in cafe["attributes"] if a["link_type"] == "identifier"]
    assert (source["taxonomy"], source["term"]) == ("CareCircles source ids", "101")
    identifiers = cafe["organization"]["organization_identifiers"]
    assert [(i["identifier_type"], i["identifier"]) for i in identifiers] == [
        ("CareCircles source id", "7")
    ]
    assert cafe["minimum_age"] == 50 and "maximum_age" not in cafe
    assert cafe["application_process"] == "Drop-in; self-referral welcome"
    assert [a["name"] for a in cafe["service_areas"]] == ["Vale North", "Vale Central"]
    assert [o["amount_description"] for o in cafe["cost_options"]] == [
        "£3.50 per session",
        "Carers: £2.00 concession",
    ]
    audiences = [
        a["taxonomy_term"]["name"] for a in cafe["attributes"] if a["link_type"] == "audience"
    ]
    assert audiences == ["Carers", "Dementia"]


def test_the_shipped_schema_is_the_compiled_profile_schema() -> None:
    shipped = Path(__file__).resolve().parents[2] / "seed" / "schemas" / "oruk_service.json"
    reference = COMPILED_SCHEMA / "schema_compiled_service.json"
    if reference.exists():  # the shared reference data, beside the worktrees
        assert read_json(shipped) == read_json(reference)
    assert read_json(shipped)["properties"]["id"]["format"] == "uuid"


def test_export_services_writes_a_file_that_imports_with_no_change(
    graph_env: dict[str, str], store: GraphStore, tmp_path: Path
) -> None:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "service.cli", *args],
            env=graph_env | {"COLUMNS": "200"},
            capture_output=True,
            text=True,
            timeout=300,
        )

    imported = run("import-services", str(FEEDS / "oruk_v1_page.json"))
    exported_file = tmp_path / "services.json"
    exported = run("export-services", str(exported_file))
    again = run("import-services", str(exported_file))

    assert imported.returncode == 0, imported.stderr
    assert exported.returncode == 0, exported.stderr
    assert f"Wrote 5 services to {exported_file}" in " ".join(exported.stdout.split())
    page = read_json(exported_file)
    assert page["total_items"] == 5 and page["page_number"] == 1
    assert [schema_errors(service) for service in page["contents"]] == [[]] * 5
    assert again.returncode == 0, again.stderr
    assert "0 created, 0 updated" in again.stdout


def test_which_weeks_a_group_meets_goes_out_and_comes_back(store: GraphStore) -> None:
    schedules = [
        Schedule(day=1, start="14:00", end="15:00", frequency="monthly", week_of_month=2),
        Schedule(
            day=2, start="10:00", end="11:00", frequency="fortnightly", starts_on=date(2026, 1, 7)
        ),
        Schedule(day=4, start="14:00", end="15:00", frequency="monthly", week_of_month=-1),
    ]
    walkers = Service(id="svc-weeks", name="Ashby Walkers", category="walking_group")
    saved(store, walkers.model_copy(update={"schedules": schedules}))

    [service] = export_services(store=store)

    assert schema_errors(service) == []
    said = [(s["freq"], s["interval"], s["byday"], s.get("dtstart")) for s in service["schedules"]]
    assert sorted(said) == [("MONTHLY", 1, "2TU,-1FR", None), ("WEEKLY", 2, "WE", "2026-01-07")]
    store.run("MATCH (s:Service {id: $id}) DETACH DELETE s", {"id": walkers.id})
    import_services(store=store, document={"contents": [service]})
    [row] = store.run(
        "MATCH (s:Service {name: $name}) RETURN properties(s) AS s", {"name": walkers.name}
    )
    assert from_properties(Service, row["s"]).schedules == schedules
