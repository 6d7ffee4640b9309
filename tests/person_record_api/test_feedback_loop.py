"""The feedback loop end to end: a worse check-in raises need, and the next rota covers that
person where it did not before, when volunteers are scarce.

Its own module (so its own graph): a rota run reads every person and volunteer in the graph.
"""

from __future__ import annotations

from typing import Any

from graph.models import Person
from service.weeks import week_label
from tests.person_record_api.conftest import CHECK_IN
from tests.service.conftest import Api, World, next_monday
from tests.service.rota_runs import run_rota

RUN_FIELDS = "assignments { visitId volunteerId } gaps { visitId }"


def _covered(api: Api, run: dict[str, Any]) -> set[str]:
    visit_ids = [a["visitId"] for a in run["assignments"]]
    rows = api.store.run(
        "MATCH (v:Visit)-[:FOR]->(p:Person) WHERE v.id IN $ids RETURN p.id AS id",
        {"ids": visit_ids},
    )
    return {r["id"] for r in rows}


def test_a_very_lonely_check_in_moves_the_one_volunteer_to_that_person(
    api: Api, world: World
) -> None:
    def person(name: str, need: float) -> Person:
        return world.person(name, need=need)

    quiet = person("Quinn", 0.3)
    other = person("Olive", 0.6)
    world.volunteer("Val", max_minutes=90)  # one 60-minute visit a week, not two
    coordinator = world.user("coordinator")[1]
    _, quinn_token = world.user("person", person_id=quiet.id)
    week = week_label(next_monday())

    first = run_rota(api, week, coordinator, fields=RUN_FIELDS)
    assert _covered(api, first) == {other.id}
    assert len(first["gaps"]) == 1

    recorded = api.data(
        CHECK_IN,
        {"input": {"personId": quiet.id, "scale": "UCLA3", "answers": [3, 3, 3]}},
        token=quinn_token,
    )["recordCheckIn"]
    assert recorded["__typename"] == "CheckInRecorded"
    assert recorded["checkIn"]["score"] == 9
    assert recorded["checkIn"]["loneliness"] == 1.0
    assert recorded["person"]["need"] > other.need
    assert any(
        "three loneliness questions say they feel lonely" in r for r in recorded["alertReasons"]
    )

    second = run_rota(api, week, coordinator, fields=RUN_FIELDS)
    assert _covered(api, second) == {quiet.id}
