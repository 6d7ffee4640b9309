"""Coordinators register people and volunteers, change them and set visit patterns: round trips
through the API, bad input named by field with nothing written, and only coordinators."""

from __future__ import annotations

from typing import Any

import pytest

from graph.repo import people as people_repo
from graph.repo import volunteers as volunteers_repo
from service.rota.runs import plan_week
from tests.service.conftest import Api, World, next_monday

PERSON_FIELDS = (
    "id firstName lastName area visitsPerWeek visitMinutes visitWindows { day start end }"
)
REGISTER_PERSON = (
    "mutation($input: PersonInput!) { registerPerson(input: $input) { " + PERSON_FIELDS + " } }"
)
UPDATE_PERSON = """mutation($id: ID!, $input: PersonUpdateInput!) {
  updatePerson(id: $id, input: $input) { id firstName lastName area } }"""
SET_PATTERN = """mutation($id: ID!, $windows: [WindowInput!]!, $n: Int, $minutes: Int) {
  setVisitPattern(personId: $id, windows: $windows, visitsPerWeek: $n, visitMinutes: $minutes) {
    visitsPerWeek visitMinutes visitWindows { day start end } } }"""
VOLUNTEER_FIELDS = "id firstName lastName checked maxKm maxMinutes area availability { day start }"
REGISTER_VOLUNTEER = (
    "mutation($input: VolunteerInput!) { registerVolunteer(input: $input) { "
    + VOLUNTEER_FIELDS
    + " } }"
)
UPDATE_VOLUNTEER = """mutation($id: ID!, $input: VolunteerUpdateInput!) {
  updateVolunteer(id: $id, input: $input) { id firstName maxKm checked } }"""


def _count(api: Api, label: str) -> int:
    return int(api.store.run(f"MATCH (n:{label}) RETURN count(n) AS n")[0]["n"])


def _person_input(world: World, **changes: Any) -> dict[str, Any]:
    return {
        "firstName": "Iris",
        "lastName": "Okafor",
        "lat": 51.55,
        "lon": -0.06,
        "address": "4 Elm Row",
        "postcode": "e8 2ab",
        "areaId": world.area_id,
        "need": 0.7,
        "languages": ["EN", "yo"],
        "visitWindows": [{"day": 2, "start": "10:00", "end": "12:00"}],
        "visitsPerWeek": 1,
        "visitMinutes": 60,
    } | changes


def _volunteer_input(world: World, **changes: Any) -> dict[str, Any]:
    return {
        "firstName": "Sol",
        "lastName": "Berg",
        "email": f"sol-{world.tag}@example.org",
        "lat": 51.552,
        "lon": -0.061,
        "areaId": world.area_id,
        "maxKm": 3.5,
        "maxMinutes": 180,
        "checked": True,
        "availability": [{"day": 2, "start": "09:00", "end": "17:00"}],
    } | changes


def test_a_person_round_trip_and_their_pattern_plans_the_next_week(api: Api, world: World) -> None:
    _, coordinator = world.user("coordinator")
    made = api.data(REGISTER_PERSON, {"input": _person_input(world)}, token=coordinator)[
        "registerPerson"
    ]
    assert made["firstName"] == "Iris" and made["area"] == f"Ward {world.tag}"
    stored = people_repo.get_person(store=api.store, person_id=made["id"])
    assert stored is not None
    assert stored.postcode == "E8 2AB" and stored.languages == ["en", "yo"] and stored.need == 0.7

    changed = api.data(
        UPDATE_PERSON,
        {"id": made["id"], "input": {"lastName": "Okafor-Reid", "phone": "020 7946 0001"}},
        token=coordinator,
    )["updatePerson"]
    assert changed["lastName"] == "Okafor-Reid" and changed["firstName"] == "Iris"
    stored = people_repo.get_person(store=api.store, person_id=made["id"])
    assert stored is not None and stored.phone == "020 7946 0001" and stored.address == "4 Elm Row"

    windows = [
        {"day": 0, "start": "14:00", "end": "16:00"},
        {"day": 3, "start": "10:00", "end": "12:30"},
    ]
    pattern = api.data(
        SET_PATTERN,
        {"id": made["id"], "windows": windows, "n": 2, "minutes": 90},
        token=coordinator,
    )["setVisitPattern"]
    assert pattern == {"visitsPerWeek": 2, "visitMinutes": 90, "visitWindows": windows}
    monday = next_monday()
    plan_week(store=api.store, week_start=monday)
    planned = api.store.run(
        "MATCH (v:Visit)-[:FOR]->(:Person {id: $id}) WHERE v.week_start = $w "
        "RETURN v.day AS day, v.duration_minutes AS minutes ORDER BY day",
        {"id": made["id"], "w": monday.isoformat()},
    )
    assert planned == [{"day": 0, "minutes": 90}, {"day": 3, "minutes": 90}]


def test_a_volunteer_round_trip(api: Api, world: World) -> None:
    _, coordinator = world.user("coordinator")
    made = api.data(REGISTER_VOLUNTEER, {"input": _volunteer_input(world)}, token=coordinator)[
        "registerVolunteer"
    ]
    assert made["firstName"] == "Sol" and made["maxKm"] == 3.5 and made["checked"] is True
    assert made["availability"] == [{"day": 2, "start": "09:00"}]
    changed = api.data(
        UPDATE_VOLUNTEER,
        {"id": made["id"], "input": {"maxKm": 8, "checked": False}},
        token=coordinator,
    )["updateVolunteer"]
    assert changed == {"id": made["id"], "firstName": "Sol", "maxKm": 8.0, "checked": False}
    stored = volunteers_repo.get_volunteer(store=api.store, volunteer_id=made["id"])
    assert stored is not None and stored.max_minutes == 180 and stored.email.startswith("sol-")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"lat": 123.0}, "lat:"),
        ({"need": 1.5}, "need:"),
        ({"postcode": "not a postcode"}, "postcode:"),
        ({"visitWindows": [{"day": 1, "start": "12:00", "end": "11:00"}]}, "visitWindows[0].end:"),
        ({"visitWindows": [{"day": 9, "start": "10:00", "end": "11:00"}]}, "visitWindows[0].day:"),
        ({"languages": ["english"]}, "languages[0]:"),
        ({"areaId": "area-nowhere"}, "areaId: no area"),
        ({"firstName": ""}, "firstName:"),
    ],
)
def test_bad_person_input_names_the_field_and_writes_nothing(
    api: Api, world: World, changes: dict[str, Any], field: str
) -> None:
    _, coordinator = world.user("coordinator")
    before = _count(api, "Person")
    body = api.gql(REGISTER_PERSON, {"input": _person_input(world, **changes)}, token=coordinator)
    assert body["data"] is None
    assert body["errors"][0]["message"].startswith(field), body
    assert _count(api, "Person") == before


def test_bad_updates_name_the_field_and_change_nothing(api: Api, world: World) -> None:
    ann = world.person("Ann")
    val = world.volunteer("Val")
    _, coordinator = world.user("coordinator")
    for variables, start in (
        ({"id": ann.id, "input": {"lat": -91.0}}, "lat:"),
        ({"id": ann.id, "input": {"need": -0.1}}, "need:"),
        ({"id": ann.id, "input": {"firstName": None}}, "firstName: cannot be emptied"),
        # No such person, or one of another organisation: the same answer, saying nothing more.
        ({"id": "person-missing", "input": {"need": 0.2}}, "Not allowed"),
    ):
        body = api.gql(UPDATE_PERSON, variables, token=coordinator)
        assert body["data"] is None and body["errors"][0]["message"].startswith(start), body
    assert people_repo.get_person(store=api.store, person_id=ann.id) == ann

    body = api.gql(
        SET_PATTERN,
        {"id": ann.id, "windows": [{"day": 1, "start": "25:00", "end": "26:00"}]},
        token=coordinator,
    )
    assert body["errors"][0]["message"].startswith("windows[0].start:"), body
    body = api.gql(SET_PATTERN, {"id": ann.id, "windows": [], "minutes": 5}, token=coordinator)
    assert body["errors"][0]["message"].startswith("visitMinutes:"), body
    assert people_repo.get_person(store=api.store, person_id=ann.id) == ann

    for changes, start in (
        ({"email": "not-an-email"}, "email:"),
        ({"maxKm": 0}, "maxKm:"),
        ({"availability": [{"day": 1, "start": "10:00", "end": "09:00"}]}, "availability[0].end:"),
    ):
        body = api.gql(UPDATE_VOLUNTEER, {"id": val.id, "input": changes}, token=coordinator)
        assert body["data"] is None and body["errors"][0]["message"].startswith(start), body
    assert volunteers_repo.get_volunteer(store=api.store, volunteer_id=val.id) == val


def test_bad_volunteer_input_names_the_field_and_writes_nothing(api: Api, world: World) -> None:
    _, coordinator = world.user("coordinator")
    taken = world.volunteer("Taken")
    before = _count(api, "Volunteer")
    for changes, start in (
        ({"email": "sol at example"}, "email:"),
        ({"email": taken.email}, "email: a volunteer with email"),
        ({"lon": 200.0}, "lon:"),
        ({"maxMinutes": -5}, "maxMinutes:"),
    ):
        body = api.gql(
            REGISTER_VOLUNTEER, {"input": _volunteer_input(world, **changes)}, token=coordinator
        )
        assert body["data"] is None and body["errors"][0]["message"].startswith(start), body
    assert _count(api, "Volunteer") == before


def test_only_coordinators_register_and_change_records(api: Api, world: World) -> None:
    ann = world.person("Ann")
    _, worker = world.user("link_worker")
    _, own = world.user("person", person_id=ann.id)
    volunteer = world.volunteer_token(world.volunteer("Val"))
    _, admin = world.user("admin")
    before = (_count(api, "Person"), _count(api, "Volunteer"))
    for token in (None, worker, own, volunteer, admin):
        for query, variables in (
            (REGISTER_PERSON, {"input": _person_input(world)}),
            (REGISTER_VOLUNTEER, {"input": _volunteer_input(world)}),
            (UPDATE_PERSON, {"id": ann.id, "input": {"lastName": "X"}}),
            (SET_PATTERN, {"id": ann.id, "windows": []}),
        ):
            body = api.gql(query, variables, token=token)
            assert body["data"] is None
            assert body["errors"][0]["message"].startswith(("Not allowed", "Sign in"))
    assert (_count(api, "Person"), _count(api, "Volunteer")) == before
    assert people_repo.get_person(store=api.store, person_id=ann.id) == ann
