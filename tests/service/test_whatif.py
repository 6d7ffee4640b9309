"""What-if through GraphQL: a scenario compared with its week (volunteers added where the gaps
are cover them; the real week and everyone's visits stay as they were), the recruitment heat
map, and who may ask."""

from __future__ import annotations

from typing import Any

from graph.models import Area, Window
from tests.service.conftest import Api, World, next_monday
from tests.service.rota_runs import run_rota
from tests.world import saved

SCENARIO = """
mutation($input: ScenarioInput!) {
  runScenario(input: $input) {
    __typename
    ... on ScenarioRefused { message }
    ... on ScenarioComparison {
      week runId solverStatus
      real { ...summary }
      scenario { ...summary }
    }
  }
}
fragment summary on WeekSummary {
  visitsTotal visitsCovered coverage continuityShare keptByCircle volunteers
  gapsByArea { key name visits gaps }
  gapsByTime { key name visits gaps }
}
"""
HEAT_MAP = """
query($week: String!) {
  recruitmentHeatMap(week: $week) {
    week runId method gaps areas { id name }
    cells { areaId day band visits needShare volunteer }
  }
}
"""
PUBLISH = "mutation($id: ID!) { publishRota(runId: $id) { __typename } }"
VISITS = """
query($week: String!) {
  visits(week: $week, first: 50) {
    edges { node { id status start volunteers { volunteerId status } } }
  }
}
"""
RUNS = "query($week: String!) { rotaRuns(week: $week) { id status metrics { visitsCovered } } }"
# Every node and relationship but the access log (reading the week's visits writes to it).
EVERYTHING = """
MATCH (n) WHERE NOT 'AccessLog' IN labels(n)
OPTIONAL MATCH (n)-[r]->()
RETURN count(DISTINCT n) AS nodes, count(r) AS relationships
"""


def _week() -> str:
    year, number, _ = next_monday().isocalendar()
    return f"{year}-W{number:02d}"


def _by_key(tallies: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {t["key"]: t for t in tallies}


def _far_area(api: Api, world: World) -> str:
    """A second area of the world, 7 km north of the first: beyond every volunteer's range."""
    area = saved(api.store, Area(id=f"north-{world.tag}", name=f"North {world.tag}"))
    return area.id


def _week_with_a_gap_area(
    api: Api, world: World, *, polish_too: bool = False
) -> tuple[str, str, str, dict[str, Any]]:
    """Ann and Bob in the world's ward (Val covers them), Cas and Dee in the North (nobody
    reaches them), with ``polish_too`` Eve too, in the North, who speaks only Polish; the rota
    run and published. Returns (coordinator token, Val's id, North's id, the run)."""
    _, coordinator = world.user("coordinator")
    north = _far_area(api, world)
    tuesday = [Window(day=1, start="10:00", end="13:00")]
    wednesday = [Window(day=2, start="10:00", end="13:00")]
    world.person("Ann", visit_windows=tuesday)
    world.person("Bob", visit_windows=wednesday)
    for name in ("Cas", "Dee"):
        world.person(name, visit_windows=wednesday, lat=51.615, lon=-0.06, area_id=north)
    if polish_too:
        thursday = [Window(day=3, start="10:00", end="13:00")]
        world.person(
            "Eve", visit_windows=thursday, lat=51.615, lon=-0.06, area_id=north, languages=["pl"]
        )
    val = world.volunteer("Val", max_km=3.0)
    run = run_rota(api, _week(), coordinator, fields="status")
    assert run["state"] == "DRAFT"
    assert api.data(PUBLISH, {"id": run["id"]}, coordinator)["publishRota"]["__typename"] == (
        "RotaPublished"
    )
    return coordinator, val.id, north, run


def test_volunteers_added_where_the_gaps_are_cover_them_and_the_week_stays_as_it_was(
    api: Api, world: World
) -> None:
    coordinator, val, north, run = _week_with_a_gap_area(api, world)
    week = _week()
    before = (
        api.data(VISITS, {"week": week}, coordinator),
        api.data(RUNS, {"week": week}, coordinator),
        api.store.run(EVERYTHING, {}, write=False),
    )

    answer = api.data(
        SCENARIO,
        {
            "input": {
                "week": week,
                "addVolunteers": [{"likeVolunteerId": val, "areaId": north, "count": 1}],
                "referrals": [{"areaId": world.area_id, "count": 1, "band": "AFTERNOON"}],
                "timeLimitSeconds": 2,
            }
        },
        coordinator,
    )["runScenario"]

    assert answer["__typename"] == "ScenarioComparison" and answer["runId"] == run["id"]
    real, scenario = answer["real"], answer["scenario"]
    assert (real["visitsTotal"], real["visitsCovered"]) == (4, 2)
    assert real["volunteers"] == 1 and scenario["volunteers"] == 2
    assert _by_key(real["gapsByArea"])[north] == {
        "key": north,
        "name": f"North {world.tag}",
        "visits": 2,
        "gaps": 2,
    }
    assert _by_key(scenario["gapsByArea"])[north]["gaps"] == 0
    assert _by_key(scenario["gapsByArea"])[world.area_id]["visits"] == 3  # the referral
    assert scenario["visitsTotal"] == 5 and scenario["visitsCovered"] == 5
    assert scenario["coverage"] > real["coverage"]
    assert _by_key(real["gapsByTime"])["Wed morning"] == {
        "key": "Wed morning",
        "name": "Wednesday morning",
        "visits": 3,
        "gaps": 2,
    }
    assert _by_key(scenario["gapsByTime"])["Wed morning"]["gaps"] == 0
    assert _by_key(scenario["gapsByTime"])["Wed afternoon"]["visits"] == 1

    after = (
        api.data(VISITS, {"week": week}, coordinator),
        api.data(RUNS, {"week": week}, coordinator),
        api.store.run(EVERYTHING, {}, write=False),
    )
    assert after == before  # nothing stored, no visit and no volunteer's visits changed


def test_removing_the_only_volunteer_leaves_their_visits_uncovered(api: Api, world: World) -> None:
    coordinator, val, _, _ = _week_with_a_gap_area(api, world)
    answer = api.data(
        SCENARIO,
        {"input": {"week": _week(), "removeVolunteerIds": [val], "timeLimitSeconds": 1}},
        coordinator,
    )["runScenario"]
    assert answer["scenario"]["visitsCovered"] == 0 and answer["scenario"]["volunteers"] == 0
    assert answer["real"]["visitsCovered"] == 2


def test_the_heat_map_shows_one_more_volunteer_helps_where_and_when_the_gaps_are(
    api: Api, world: World
) -> None:
    coordinator, _, north, run = _week_with_a_gap_area(api, world, polish_too=True)
    heat = api.data(HEAT_MAP, {"week": _week()}, coordinator)["recruitmentHeatMap"]
    assert heat["runId"] == run["id"] and heat["gaps"] == 3 and "re-run" in heat["method"]
    assert {a["id"] for a in heat["areas"]} == {world.area_id, north}
    assert len(heat["cells"]) == 2 * 7 * 3
    helping = [
        (c["areaId"], c["day"], c["band"], c["visits"], c["volunteer"])
        for c in heat["cells"]
        if c["visits"]
    ]
    assert helping == [
        (north, 2, "MORNING", 2, "a volunteer"),  # both Wednesday-morning gaps, by one volunteer
        (north, 3, "MORNING", 1, "a Polish-speaking volunteer"),  # Eve's
    ]


def test_a_scenario_of_a_week_without_a_run_or_with_a_wrong_change_is_refused(
    api: Api, world: World
) -> None:
    coordinator, val, north, _ = _week_with_a_gap_area(api, world)
    _, other = world.user("coordinator", organization_id=world.organization("Other"))
    refused = api.data(SCENARIO, {"input": {"week": _week()}}, other)["runScenario"]
    assert refused == {
        "__typename": "ScenarioRefused",
        "message": f"week: {_week()} has no rota run of your organisation yet; run the rota first",
    }
    assert api.data(HEAT_MAP, {"week": _week()}, other)["recruitmentHeatMap"] is None

    wrong = api.gql(
        SCENARIO,
        {
            "input": {
                "week": _week(),
                "addVolunteers": [{"likeVolunteerId": "v-nobody", "areaId": north}],
            }
        },
        coordinator,
    )
    assert wrong["errors"][0]["message"].startswith(
        "addVolunteers[0].likeVolunteerId: no volunteer"
    )
    far = api.gql(
        SCENARIO,
        {
            "input": {
                "week": _week(),
                "addVolunteers": [{"likeVolunteerId": val, "areaId": north, "count": 500}],
            }
        },
        coordinator,
    )
    assert far["errors"][0]["message"] == "addVolunteers[0].count: expected 1..50, got 500"
