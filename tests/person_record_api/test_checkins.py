"""recordCheckIn: who may record, typed errors for bad answers with nothing written, need and
alerts for the person's link worker."""

from __future__ import annotations

from typing import Any

from tests.person_record_api.conftest import CHECK_IN, count, grant
from tests.service.conftest import Api, World

ALERTS = "query { alerts(first: 20) { personId personFirstName at reasons reason } }"
CLAIM = "mutation($id: ID!) { claimVisit(visitId: $id) { __typename } }"
LOG = 'mutation($id: ID!) { logVisit(visitId: $id, outcome: DONE, note: "tea") { __typename } }'


def _check_in(
    api: Api, token: str, person_id: str | None, scale: str, answers: list[Any], **extra: Any
) -> dict[str, Any]:
    given: dict[str, Any] = {"scale": scale, "answers": answers, **extra}
    if person_id is not None:
        given["personId"] = person_id
    return api.gql(CHECK_IN, {"input": given}, token=token)


def test_bad_answers_are_typed_name_the_item_and_write_nothing(api: Api, world: World) -> None:
    ann = world.person("Ann")
    token = world.user("person", person_id=ann.id)[1]
    before = (count(api, "CheckIn"), count(api, "Alert"))
    cases = [
        ("UCLA3", [1, 2], "answers", "UCLA3 expects 3 answers, got 2"),
        ("UCLA3", [1, 4, 1], "answers[1]", "expected 1..3"),
        ("ONS1", [0], "answers[0]", "expected 1..5"),
        ("DJG6", [1, 1, 1, 1, 1, 9], "answers[5]", "expected 1..3 (yes, more or less, no)"),
        ("DJG6", [], "answers", "DJG6 expects 6 answers, got 0"),
    ]
    for scale, answers, field, words in cases:
        result = _check_in(api, token, ann.id, scale, answers)["data"]["recordCheckIn"]
        assert result["__typename"] == "InvalidAnswers"
        assert result["field"] == field
        assert words in result["message"]
    assert (count(api, "CheckIn"), count(api, "Alert")) == before
    stored = api.store.run("MATCH (p:Person {id: $id}) RETURN p.need AS need", {"id": ann.id})
    assert stored[0]["need"] == ann.need


def test_malformed_input_is_an_error_naming_the_field(api: Api, world: World) -> None:
    ann = world.person("Ann")
    token = world.user("person", person_id=ann.id)[1]
    body = api.gql(
        'mutation { recordCheckIn(input: {personId: "' + ann.id + '", scale: UCLA9, '
        "answers: [1, 1, 1]}) { __typename } }",
        token=token,
    )
    assert "UCLA9" in body["errors"][0]["message"]
    body = _check_in(api, token, ann.id, "ONS1", [3], note="x" * 501)
    assert body["errors"][0]["message"].startswith("note: expected at most 500")
    body = _check_in(api, token, None, "ONS1", [3])
    assert body["errors"][0]["message"].startswith("personId:")


def test_who_may_record(api: Api, world: World) -> None:
    ann, bob = world.person("Ann"), world.person("Bob")
    ann_token = world.user("person", person_id=ann.id)[1]
    _, worker = world.user("link_worker")
    volunteer = world.volunteer("Val")
    volunteer_token = world.volunteer_token(volunteer)
    before = count(api, "CheckIn")

    # The person, for themselves only.
    assert _check_in(api, ann_token, ann.id, "ONS1", [3])["data"]["recordCheckIn"]
    assert _check_in(api, ann_token, bob.id, "ONS1", [3])["errors"][0]["message"].startswith(
        "Not allowed"
    )
    # A link worker without consent may not; with check-in consent to their organisation, may.
    assert "errors" in _check_in(api, worker, bob.id, "ONS1", [3])
    grant(world, bob, organization_id=world.organization_id, scopes=("checkins",))
    done = _check_in(api, worker, bob.id, "ONS1", [3])["data"]["recordCheckIn"]
    assert done["__typename"] == "CheckInRecorded"
    assert done["person"]["need"] is None  # check-ins consent, not needs
    # A volunteer only after a visit they held with that person.
    assert "errors" in _check_in(api, volunteer_token, ann.id, "ONS1", [3])
    visit = world.visit(ann)
    assert api.data(CLAIM, {"id": visit.id}, token=volunteer_token)
    assert "errors" in _check_in(api, volunteer_token, None, "ONS1", [3], visitId=visit.id)
    world.time_passes(visit)
    api.data(LOG, {"id": visit.id}, token=volunteer_token)
    held = _check_in(api, volunteer_token, None, "ONS1", [2], visitId=visit.id)
    assert held["data"]["recordCheckIn"]["__typename"] == "CheckInRecorded"
    assert "errors" in _check_in(api, volunteer_token, bob.id, "ONS1", [2])
    assert count(api, "CheckIn") == before + 3


def test_a_loneliest_band_check_in_alerts_the_link_worker_with_consent(
    api: Api, world: World
) -> None:
    cai = world.person("Cai")
    token = world.user("person", person_id=cai.id)[1]
    _, worker = world.user("link_worker")
    _, other_worker = world.user("link_worker", organization_id=None)
    grant(world, cai, organization_id=world.organization_id, scopes=("checkins", "needs"))

    mild = _check_in(api, token, cai.id, "DJG6", [3, 3, 3, 1, 1, 1])["data"]["recordCheckIn"]
    assert mild["checkIn"]["score"] == 0 and mild["alertReasons"] == []
    assert mild["person"]["need"] == 0.0  # the first check-in sets need
    severe = _check_in(api, token, cai.id, "DJG6", [1, 1, 2, 3, 3, 2])["data"]["recordCheckIn"]
    assert severe["checkIn"]["score"] == 6
    assert severe["alertReasons"] == [
        "Cai's answers to the six loneliness statements say they feel severely lonely, "
        "the loneliest their answers can say."
    ]
    assert 0.0 < severe["person"]["need"] < 1.0  # weighted, not replaced

    alerts = [a for a in api.data(ALERTS, token=worker)["alerts"] if a["personId"] == cai.id]
    assert [a["reasons"] for a in alerts] == [severe["alertReasons"]]
    assert alerts[0]["personFirstName"] == "Cai"
    assert api.gql(ALERTS, token=other_worker)["errors"][0]["message"].startswith("Not allowed")
