"""createPlan, reviewPlan, setPlanStatus, rewordGoal, myPlan and plans over real HTTP: the
journeys a link worker and the person go through, who may, typed bad answers with nothing
written, and every staff read of a plan in the person's access log."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest

from service.connections.suggestions import connections_changed
from tests.person_record_api.conftest import count, grant
from tests.plans.conftest import (
    CREATE,
    MY_PLAN,
    PLANS,
    REVIEW,
    REWORD,
    STATUS,
    a_service,
    plan_input,
    worker_with_plan_consent,
)
from tests.service.conftest import Api, World
from tests.world import saved

ACCESS_LOG = "query { myData { accessLog { actor purpose fields } } }"


def _created(api: Api, token: str, given: dict[str, Any]) -> dict[str, Any]:
    result = api.data(CREATE, {"input": given}, token=token)["createPlan"]
    assert result["__typename"] == "PlanCreated", result
    plan: dict[str, Any] = result["plan"]
    return plan


def _review(api: Api, token: str, plan: dict[str, Any], marks: list[int], ons4: list[int]) -> Any:
    goals = [
        {"goalId": g["id"], "attainment": x} for g, x in zip(plan["goals"], marks, strict=True)
    ]
    given = {"planId": plan["id"], "goals": goals, "ons4": ons4, "note": "Went twice!"}
    return api.data(REVIEW, {"input": given}, token=token)["reviewPlan"]


def _counts(api: Api) -> tuple[int, int, int]:
    return count(api, "Plan"), count(api, "Goal"), count(api, "Review")


def test_create_review_complete_then_a_new_plan(api: Api, world: World) -> None:
    ann, walk = world.person("Ann"), a_service(world)
    _, worker = worker_with_plan_consent(world, ann)
    ann_token = world.user("person", person_id=ann.id)[1]

    plan = _created(api, worker, plan_input(ann, walk))
    today = date.today()
    assert plan["status"] == "ACTIVE"
    assert plan["reviewDates"] == [(today + timedelta(weeks=w)).isoformat() for w in (4, 8, 12)]
    assert plan["nextReview"] == plan["reviewDates"][0]
    first, second = plan["goals"]
    assert first["activities"] == [
        {
            "kind": "SERVICE",
            "serviceId": walk.id,
            "serviceName": "Tuesday walking group",
            "who": None,
            "accompaniedVisits": 2,
        }
    ]
    assert second["activities"][0]["who"] == "my sister Jean"

    # The person sees it as their own.
    mine = api.data(MY_PLAN, token=ann_token)["myPlan"]
    assert mine["id"] == plan["id"]
    assert mine["whatMatters"] == "Getting out of the flat and seeing my sister again"

    # The four-week review: +2 and -1 over two goals: 50 + 10 * 1 / sqrt(2.6) = 56.20.
    reviewed = _review(api, worker, plan, [2, -1], [6, 7, 5, 3])
    assert reviewed["__typename"] == "PlanReviewed"
    assert reviewed["review"]["gasTScore"] == pytest.approx(56.2, abs=0.01)
    assert reviewed["review"]["ons4"] == [6, 7, 5, 3]
    assert reviewed["review"]["ons4InWords"][3].startswith("Anxiety yesterday: 3 out of 10, low.")
    assert reviewed["plan"]["nextReview"] == plan["reviewDates"][1]
    goals = reviewed["plan"]["reviews"][0]["goals"]
    assert [g["inWords"] for g in goals] == ["much more than expected", "less than expected"]

    done = api.data(STATUS, {"id": plan["id"], "status": "COMPLETED"}, token=worker)
    assert done["setPlanStatus"]["plan"]["status"] == "COMPLETED"
    again = _review(api, worker, plan, [0, 0], [5, 5, 5, 5])
    assert again["__typename"] == "PlanNotOpen"

    # A new plan can now be made; the earlier one is kept, listed after it.
    newer = _created(api, worker, plan_input(ann, whatMatters="Making a new friend"))
    listed = api.data(PLANS, {"id": ann.id}, token=worker)["plans"]
    assert [p["id"] for p in listed] == [newer["id"], plan["id"]]
    assert [p["status"] for p in listed] == ["ACTIVE", "COMPLETED"]
    assert listed[1]["reviews"][0]["gasTScore"] == pytest.approx(56.2, abs=0.01)


def test_every_staff_read_of_a_plan_is_in_the_persons_access_log(api: Api, world: World) -> None:
    ann = world.person("Ann")
    _, worker = worker_with_plan_consent(world, ann)
    ann_token = world.user("person", person_id=ann.id)[1]
    plan = _created(api, worker, plan_input(ann))
    api.data(PLANS, {"id": ann.id}, token=worker)
    _review(api, worker, plan, [0, 1], [5, 5, 5, 5])
    api.data(MY_PLAN, token=ann_token)  # the person's own reads are not logged
    log = api.data(ACCESS_LOG, token=ann_token)["myData"]["accessLog"]
    plan_reads = [e for e in log if e["fields"] == ["plan"]]
    assert len(plan_reads) == 3  # created, listed, reviewed
    assert {e["purpose"] for e in plan_reads} == {"my support plan"}


def test_only_a_link_worker_with_plan_consent_may(api: Api, world: World) -> None:
    ann, bob = world.person("Ann"), world.person("Bob")
    _, worker = worker_with_plan_consent(world, ann)
    _, checkins_only = worker_with_plan_consent(world, bob, "checkins")
    ann_token = world.user("person", person_id=ann.id)[1]
    _, coordinator = world.user("coordinator")
    before = _counts(api)
    for token, person in (
        (worker, bob),
        (checkins_only, bob),
        (ann_token, ann),
        (coordinator, ann),
    ):
        body = api.gql(CREATE, {"input": plan_input(person)}, token=token)
        assert body["errors"][0]["message"].startswith("Not allowed"), body
    assert _counts(api) == before
    plan = _created(api, worker, plan_input(ann))
    for token in (checkins_only, ann_token):
        body = api.gql(PLANS, {"id": ann.id}, token=token)
        assert body["errors"][0]["message"].startswith("Not allowed")
        body = api.gql(STATUS, {"id": plan["id"], "status": "PAUSED"}, token=token)
        assert body["errors"][0]["message"].startswith("Not allowed")
    # The person's grant to the organisation lets the coordinator read it, not change it.
    grant(world, ann, organization_id=world.organization_id, scopes=("plan",))
    assert api.data(PLANS, {"id": ann.id}, token=coordinator)["plans"][0]["id"] == plan["id"]
    body = api.gql(STATUS, {"id": plan["id"], "status": "PAUSED"}, token=coordinator)
    assert body["errors"][0]["message"].startswith("Not allowed")


def test_bad_plans_name_the_field_and_write_nothing(api: Api, world: World) -> None:
    ann, walk = world.person("Ann"), a_service(world)
    _, worker = worker_with_plan_consent(world, ann)
    good = plan_input(ann, walk)
    goal = good["goals"][0]
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    in_a_month = (date.today() + timedelta(days=30)).isoformat()
    cases: list[tuple[dict[str, Any], str, str]] = [
        ({"whatMatters": "  "}, "whatMatters", "expected 1..500 characters"),
        ({"goals": []}, "goals", "expected 1..5 goals, got 0"),
        ({"goals": [goal] * 6}, "goals", "got 6"),
        ({"goals": [goal | {"text": ""}]}, "goals[0].text", "expected 1..300"),
        ({"goals": [goal, goal | {"expected": "x" * 301}]}, "goals[1].expected", "got 301"),
        ({"goals": [goal | {"targetDate": yesterday}]}, "goals[0].targetDate", "from today"),
        ({"goals": [goal | {"steps": ["ok", " "]}]}, "goals[0].steps[1]", "expected 1..300"),
        (
            {"goals": [goal | {"activities": [{"kind": "SERVICE", "serviceId": "svc-none"}]}]},
            "goals[0].activities[0].serviceId",
            "a service from the directory",
        ),
        (
            {
                "goals": [
                    goal
                    | {
                        "activities": [
                            {"kind": "SERVICE", "serviceId": walk.id, "accompaniedVisits": 4}
                        ]
                    }
                ]
            },
            "goals[0].activities[0].accompaniedVisits",
            "expected 0..3, got 4",
        ),
        (
            {"goals": [goal | {"activities": [{"kind": "RECONNECT"}]}]},
            "goals[0].activities[0].who",
            "expected 1..100",
        ),
        (
            {"goals": [goal | {"activities": [{"kind": "CIRCLE_VISIT", "accompaniedVisits": 1}]}]},
            "goals[0].activities[0].serviceId",
            "only at a service",
        ),
        ({"reviewDates": [in_a_month, yesterday]}, "reviewDates[1]", "today or later"),
        ({"reviewDates": [in_a_month, in_a_month]}, "reviewDates[1]", "in order"),
        ({"reviewDates": []}, "reviewDates", "expected 1..12 dates"),
    ]
    before = _counts(api)
    for change, field, words in cases:
        result = api.data(CREATE, {"input": good | change}, token=worker)["createPlan"]
        assert result["__typename"] == "InvalidPlan", (field, result)
        assert result["field"] == field
        assert words in result["message"], (field, result["message"])
    # Malformed values are GraphQL errors naming where they are.
    body = api.gql(
        CREATE, {"input": good | {"goals": [goal | {"targetDate": "soon"}]}}, token=worker
    )
    assert "targetDate" in body["errors"][0]["message"]
    body = api.gql(CREATE, {"input": good | {"personId": "not an id!"}}, token=worker)
    assert body["errors"][0]["message"].startswith("personId: expected an id")
    assert _counts(api) == before


def test_bad_review_answers_are_typed_and_write_nothing(api: Api, world: World) -> None:
    ann = world.person("Ann")
    _, worker = worker_with_plan_consent(world, ann)
    plan = _created(api, worker, plan_input(ann))
    one, two = (g["id"] for g in plan["goals"])
    cases = [
        ([(one, 3), (two, 0)], [5, 5, 5, 5], "goals[0].attainment", "expected -2..2"),
        ([(one, 0), (two, -3)], [5, 5, 5, 5], "goals[1].attainment", "got -3"),
        ([(one, 0)], [5, 5, 5, 5], "goals", "missing 1"),
        ([(one, 0), (one, 1)], [5, 5, 5, 5], "goals[1].goalId", "once"),
        ([(one, 0), ("goal-elsewhere", 1)], [5, 5, 5, 5], "goals[1].goalId", "this plan"),
        ([(one, 0), (two, 0)], [5, 5, 5], "ons4", "expected 4 answers (0..10), got 3"),
        ([(one, 0), (two, 0)], [5, 5, 5, 11], "ons4[3]", "anxiety as 0..10, got 11"),
        ([(one, 0), (two, 0)], [-1, 5, 5, 5], "ons4[0]", "life satisfaction"),
    ]
    before = _counts(api)
    for marks, ons4, field, words in cases:
        given = {
            "planId": plan["id"],
            "goals": [{"goalId": g, "attainment": x} for g, x in marks],
            "ons4": ons4,
        }
        result = api.data(REVIEW, {"input": given}, token=worker)["reviewPlan"]
        assert result["__typename"] == "InvalidReview", (field, result)
        assert result["field"] == field
        assert words in result["message"]
    assert _counts(api) == before


def test_one_current_plan_per_person(api: Api, world: World) -> None:
    ann = world.person("Ann")
    _, worker = worker_with_plan_consent(world, ann)
    plan = _created(api, worker, plan_input(ann))
    api.data(STATUS, {"id": plan["id"], "status": "PAUSED"}, token=worker)
    before = _counts(api)
    result = api.data(CREATE, {"input": plan_input(ann)}, token=worker)["createPlan"]
    assert result == {
        "__typename": "PlanAlreadyOpen",
        "message": "This person has a current plan: review, pause or finish it first.",
        "planId": plan["id"],
    }
    assert _counts(api) == before
    held = api.store.run("MATCH (p:Person {id: $id}) RETURN properties(p) AS p", {"id": ann.id})
    assert "_lock" not in held[0]["p"]  # the guard's lock went with the refused write


def test_pause_resume_and_end_with_a_reason(api: Api, world: World) -> None:
    ann = world.person("Ann")
    _, worker = worker_with_plan_consent(world, ann)
    plan = _created(api, worker, plan_input(ann))
    paused = api.data(STATUS, {"id": plan["id"], "status": "PAUSED"}, token=worker)
    assert paused["setPlanStatus"]["plan"]["status"] == "PAUSED"
    assert _review(api, worker, plan, [0, 0], [5, 5, 5, 5])["__typename"] == "PlanNotOpen"
    resumed = api.data(STATUS, {"id": plan["id"], "status": "ACTIVE"}, token=worker)
    assert resumed["setPlanStatus"]["plan"]["status"] == "ACTIVE"
    no_reason = api.data(STATUS, {"id": plan["id"], "status": "ENDED"}, token=worker)
    assert no_reason["setPlanStatus"] == {
        "__typename": "InvalidPlan",
        "field": "reason",
        "message": "expected a reason for ending the plan",
    }
    ended = api.data(
        STATUS,
        {"id": plan["id"], "status": "ENDED", "reason": "Moved to her daughter's"},
        token=worker,
    )["setPlanStatus"]["plan"]
    assert (ended["status"], ended["endReason"]) == ("ENDED", "Moved to her daughter's")
    again = api.data(STATUS, {"id": plan["id"], "status": "ACTIVE"}, token=worker)
    assert again["setPlanStatus"]["__typename"] == "PlanNotOpen"


def test_review_dates_can_be_moved(api: Api, world: World) -> None:
    ann = world.person("Ann")
    _, worker = worker_with_plan_consent(world, ann)
    plan = _created(api, worker, plan_input(ann))
    moved = [(date.today() + timedelta(days=d)).isoformat() for d in (20, 60)]
    move = """mutation($id: ID!, $dates: [Date!]!) { movePlanReviews(planId: $id, dates: $dates) {
      __typename ... on PlanUpdated { plan { reviewDates nextReview } }
      ... on InvalidPlan { field message } } }"""
    result = api.data(move, {"id": plan["id"], "dates": moved}, token=worker)["movePlanReviews"]
    assert result["plan"] == {"reviewDates": moved, "nextReview": moved[0]}
    wrong = api.data(move, {"id": plan["id"], "dates": moved[::-1]}, token=worker)
    assert wrong["movePlanReviews"]["field"] == "dates[1]"


def test_the_person_rewords_their_own_goals(api: Api, world: World) -> None:
    ann, bob = world.person("Ann"), world.person("Bob")
    _, worker = worker_with_plan_consent(world, ann)
    ann_token = world.user("person", person_id=ann.id)[1]
    bob_token = world.user("person", person_id=bob.id)[1]
    plan = _created(api, worker, plan_input(ann))
    goal = plan["goals"][1]["id"]
    said = api.data(REWORD, {"id": goal, "text": "Ring Jean on Sundays"}, token=ann_token)
    assert said["rewordGoal"] == {
        "__typename": "GoalUpdated",
        "goal": {"id": goal, "text": "Ring Jean on Sundays"},
    }
    assert (
        api.data(MY_PLAN, token=ann_token)["myPlan"]["goals"][1]["text"] == "Ring Jean on Sundays"
    )
    empty = api.data(REWORD, {"id": goal, "text": "  "}, token=ann_token)["rewordGoal"]
    assert (empty["__typename"], empty["field"]) == ("InvalidPlan", "text")
    body = api.gql(REWORD, {"id": goal, "text": "Mine now"}, token=bob_token)
    assert body["errors"][0]["message"].startswith("Not allowed")
    assert (
        api.data(MY_PLAN, token=ann_token)["myPlan"]["goals"][1]["text"] == "Ring Jean on Sundays"
    )


def test_a_goal_achieved_or_dropped_with_the_reason(api: Api, world: World) -> None:
    ann = world.person("Ann")
    _, worker = worker_with_plan_consent(world, ann)
    plan = _created(api, worker, plan_input(ann))
    goal = plan["goals"][0]["id"]
    change = """mutation($id: ID!, $status: GoalStatus!, $reason: String) {
      setGoalStatus(goalId: $id, status: $status, reason: $reason) {
        __typename ... on GoalUpdated { goal { id status statusReason pastDate } }
        ... on InvalidPlan { field message } } }"""
    dropped = api.data(
        change, {"id": goal, "status": "DROPPED", "reason": "The group is too far"}, token=worker
    )["setGoalStatus"]
    assert dropped["goal"] == {
        "id": goal,
        "status": "DROPPED",
        "statusReason": "The group is too far",
        "pastDate": False,
    }
    assert api.data(PLANS, {"id": ann.id}, token=worker)["plans"][0]["goals"][0]["status"] == (
        "DROPPED"
    )
    too_long = api.data(
        change, {"id": goal, "status": "ACHIEVED", "reason": "x" * 301}, token=worker
    )
    assert too_long["setGoalStatus"]["field"] == "reason"
    ann_token = world.user("person", person_id=ann.id)[1]
    body = api.gql(change, {"id": goal, "status": "ACHIEVED"}, token=ann_token)
    assert body["errors"][0]["message"].startswith("Not allowed")


SUGGEST = """query($id: ID!) { suggestConnections(personId: $id, first: 10) {
  service { id name } distanceKm reasons } }"""


def test_a_dropped_group_leaves_the_suggestions_and_its_reason_shows_beside_others(
    api: Api, world: World
) -> None:
    ann = world.person("Ann", interests=[])
    near = a_service(world, "Near walkers")
    far = saved(
        api.store,
        near.model_copy(
            update={"id": f"svc-far-{world.tag}", "name": "Far walkers", "lat": 51.562}
        ),
    )
    _, worker = worker_with_plan_consent(world, ann, "plan", "needs")
    plan = _created(api, worker, plan_input(ann, far))
    connections_changed(store=api.store)
    before = api.data(SUGGEST, {"id": ann.id}, token=worker)["suggestConnections"]
    assert {s["service"]["name"] for s in before} >= {"Near walkers", "Far walkers"}
    change = """mutation($id: ID!, $reason: String) {
      setGoalStatus(goalId: $id, status: DROPPED, reason: $reason) { __typename } }"""
    api.data(change, {"id": plan["goals"][0]["id"], "reason": "it was too far"}, token=worker)
    after = api.data(SUGGEST, {"id": ann.id}, token=worker)["suggestConnections"]
    names = [s["service"]["name"] for s in after]
    assert "Far walkers" not in names
    nearby = next(s for s in after if s["service"]["name"] == "Near walkers")
    km = nearby["distanceKm"]
    assert (
        nearby["reasons"][0]
        == f"you said it was too far about Far walkers: this one is {km:.1f} km away"
    )


def test_the_persons_download_holds_their_plans(api: Api, world: World) -> None:
    ann = world.person("Ann")
    _, worker = worker_with_plan_consent(world, ann)
    plan = _created(api, worker, plan_input(ann))
    _review(api, worker, plan, [1, 0], [6, 6, 6, 2])
    ann_token = world.user("person", person_id=ann.id)[1]
    exported = json.loads(api.data("query { exportMe }", token=ann_token)["exportMe"])
    [held] = exported["plans"]
    assert held["id"] == plan["id"]
    assert [g["text"] for g in held["goals"]] == [g["text"] for g in plan["goals"]]
    assert held["reviews"][0]["ons4"] == [6, 6, 6, 2]


RANKED = """query($id: ID!) { suggestConnections(personId: $id, first: 10) {
  service { name } score distanceKm reasons } }"""
GOAL_DONE = """mutation($id: ID!, $status: GoalStatus!, $reason: String!) {
  setGoalStatus(goalId: $id, status: $status, reason: $reason) { __typename } }"""


def _ranked(api: Api, worker: str, person_id: str) -> list[dict[str, Any]]:
    return api.data(RANKED, {"id": person_id}, token=worker)["suggestConnections"]


def _groups_around_a_goal(
    api: Api, world: World, *, walkers_lat: float, lunch_lat: float
) -> tuple[str, dict[str, Any], list[str]]:
    """Ann's plan has a goal at the Canal walkers; Hill walkers (at ``walkers_lat``) and a
    lunch club (at ``lunch_lat``) are nearby. Returns the worker's token, the plan, and the
    three names (goal's group, other walkers, lunch club)."""
    ann = world.person("Ann", interests=[])
    canal = a_service(world, f"Canal walkers {world.tag}")
    others = [
        saved(
            api.store,
            canal.model_copy(
                update={"id": f"svc-{kind}-{world.tag}", "name": f"{name} {world.tag}"} | more
            ),
        )
        for kind, name, more in (
            ("hill", "Hill walkers", {"lat": walkers_lat}),
            ("lunch", "Lunch club", {"lat": lunch_lat, "category": "lunch_club"}),
        )
    ]
    _, worker = worker_with_plan_consent(world, ann, "plan", "needs")
    plan = _created(api, worker, plan_input(ann, canal))
    connections_changed(store=api.store)
    return worker, plan, [canal.name, *(o.name for o in others)]


def test_a_goal_achieved_at_a_group_lifts_groups_of_its_kind_with_the_reason(
    api: Api, world: World
) -> None:
    worker, plan, (canal, hill, lunch) = _groups_around_a_goal(
        api, world, walkers_lat=51.556, lunch_lat=51.5505
    )
    before = [s["service"]["name"] for s in _ranked(api, worker, plan["personId"])]
    assert before.index(lunch) < before.index(hill)

    done = {"id": plan["goals"][0]["id"], "status": "ACHIEVED", "reason": "I go every week now"}
    api.data(GOAL_DONE, done, token=worker)

    after = _ranked(api, worker, plan["personId"])
    names = [s["service"]["name"] for s in after]
    assert names.index(hill) < names.index(lunch)
    assert after[names.index(hill)]["reasons"][0] == f"you did what you set out to at {canal}"
    assert not any("you did what" in r for r in after[names.index(lunch)]["reasons"])


def test_a_dropped_group_sends_farther_groups_of_its_kind_down(api: Api, world: World) -> None:
    worker, plan, (canal, hill, lunch) = _groups_around_a_goal(
        api, world, walkers_lat=51.553, lunch_lat=51.556
    )
    before = [s["service"]["name"] for s in _ranked(api, worker, plan["personId"])]
    assert before.index(hill) < before.index(lunch)

    why = "it was too far to walk to"
    api.data(GOAL_DONE, {"id": plan["goals"][0]["id"], "status": "DROPPED", "reason": why}, worker)

    after = _ranked(api, worker, plan["personId"])
    names = [s["service"]["name"] for s in after]
    assert canal not in names
    assert names.index(lunch) < names.index(hill)
    km = after[names.index(hill)]["distanceKm"]
    assert after[names.index(hill)]["reasons"][0] == (
        f"you said {why} about {canal}: this one is {km:.1f} km away"
    )
