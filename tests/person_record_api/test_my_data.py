"""The person's own view: myData, myCircle, exportMe; erasure by the person or a coordinator
leaves no personal value of theirs anywhere in the graph."""

from __future__ import annotations

import json
from typing import Any

from graph.models import Person, Referral, Service
from service.connections.suggestions import refer_to_service
from tests.person_record_api.conftest import CHECK_IN, grant
from tests.service.conftest import Api, World
from tests.world import saved

CLAIM = "mutation($id: ID!) { claimVisit(visitId: $id) { __typename } }"
LOG = """mutation($id: ID!, $note: String) {
  logVisit(visitId: $id, outcome: DONE, note: $note) { __typename }
}"""
MY_DATA = """query {
  myData {
    person { id firstName address need checkIns { score } visitNotes { note volunteerFirstName } }
    checkIns { score note } referrals { serviceName status } grants { purpose scopes active }
    accessLog { at actor purpose fields }
  }
}"""
MY_CIRCLE = "query { myCircle { visits { date start status volunteers { firstName } } } }"
ERASURE = "{ id at checkIns consentGrants referrals visitsStripped }"


def _richly_recorded(
    api: Api, world: World, tag: str, number: int
) -> tuple[Person, str, dict[str, Any]]:
    """A person with a user, check-ins with a note, a grant, an alert, a referral, a visit with
    a volunteer's note, and an access-log entry; returns them, their token, their values."""
    person = world.person(
        f"Zelda{tag}",
        last_name=f"Quayle{tag}",
        address=f"{tag} Unusual Row",
        postcode=f"ZE9 {number}QX",
        phone=f"07700 90012{number}",
    )
    email, token = world.user("person", person_id=person.id)
    volunteer = world.volunteer("Val")
    volunteer_token = world.volunteer_token(volunteer)
    _, worker = world.user("link_worker")
    check_in_note = f"misses her sister {tag}"
    visit_note = f"talked about the allotment {tag}"
    api.data(
        CHECK_IN,
        {
            "input": {
                "personId": person.id,
                "scale": "UCLA3",
                "answers": [3, 3, 3],
                "note": check_in_note,
            }
        },
        token=token,
    )
    purpose = f"befriending follow-up {tag}"
    grant(
        world,
        person,
        organization_id=world.organization_id,
        scopes=("checkins", "needs"),
        purpose=purpose,
    )
    api.data(
        "query($id: ID!) { checkIns(personId: $id) { score } }", {"id": person.id}, token=worker
    )
    service = saved(
        api.store,
        Service(
            id=f"svc-{tag}", name=f"Lunch club {tag}", category="lunch_club", lat=51.55, lon=-0.06
        ),
    )
    referral_note = f"likes {tag} crosswords"
    refer_to_service(
        store=api.store,
        referral=Referral(
            id=f"ref-{tag}",
            person_id=person.id,
            service_id=service.id,
            referred_by="u-worker",
            note=referral_note,
        ),
    )
    visit = world.visit(person)
    api.data(CLAIM, {"id": visit.id}, token=volunteer_token)
    api.data(LOG, {"id": visit.id, "note": visit_note}, token=volunteer_token)
    values = {
        "id": person.id,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "address": person.address,
        "phone": person.phone,
        "postcode": person.postcode,
        "email": email,
        "check_in_note": check_in_note,
        "visit_note": visit_note,
        "referral_note": referral_note,
        "purpose": purpose,
    }
    return person, token, values


def _everything(api: Api) -> list[tuple[str, Any]]:
    """Every property value of every node (by label) and every relationship in the graph."""
    labels = [
        r["label"]
        for r in api.store.run("MATCH (n) UNWIND labels(n) AS label RETURN DISTINCT label")
    ]
    found: list[tuple[str, Any]] = []
    for label in labels:
        for row in api.store.run(f"MATCH (n:{label}) RETURN properties(n) AS p"):
            found.extend((label, v) for v in row["p"].values())
    for row in api.store.run("MATCH ()-[r]->() RETURN type(r) AS t, properties(r) AS p"):
        found.extend((row["t"], v) for v in row["p"].values())
    return found


def _holds(value: Any, personal: str) -> bool:
    if isinstance(value, list):
        return any(_holds(v, personal) for v in value)
    return isinstance(value, str) and personal.lower() in value.lower()


def _assert_gone(api: Api, values: dict[str, Any]) -> None:
    everything = _everything(api)
    assert len(everything) > 50  # the rest of the world is still there
    for name, personal in values.items():
        hits = [(where, v) for where, v in everything if _holds(v, str(personal))]
        assert hits == [], f"{name} {personal!r} is still in the graph: {hits[:3]}"


def test_my_data_shows_everything_held_and_my_circle_who_visits(api: Api, world: World) -> None:
    person, token, values = _richly_recorded(api, world, "md1", 1)
    data = api.data(MY_DATA, token=token)["myData"]
    assert data["person"]["id"] == person.id and data["person"]["address"] == person.address
    assert data["person"]["need"] == 1.0
    assert data["person"]["visitNotes"] == [
        {"note": values["visit_note"], "volunteerFirstName": "Val"}
    ]
    assert data["checkIns"] == [{"score": 9, "note": values["check_in_note"]}]
    assert data["referrals"] == [{"serviceName": "Lunch club md1", "status": "made"}]
    assert data["grants"] == [
        {"purpose": values["purpose"], "scopes": ["CHECKINS", "NEEDS"], "active": True}
    ]
    assert [e["fields"] for e in data["accessLog"]] == [["check_ins"]]
    assert data["accessLog"][0]["purpose"] == values["purpose"]

    circle = api.data(MY_CIRCLE, token=token)["myCircle"]
    assert [v["volunteers"] for v in circle["visits"]] == [[{"firstName": "Val"}]]
    assert circle["visits"][0]["status"] == "done"

    exported = json.loads(api.data("query { exportMe }", token=token)["exportMe"])
    assert exported["person"]["phone"] == person.phone
    assert exported["check_ins"][0]["answers"] == [3, 3, 3]
    assert exported["visits"][0]["volunteers"][0]["note"] == values["visit_note"]
    assert exported["access_log"][0]["fields"] == ["check_ins"]

    _, worker = world.user("link_worker")
    assert api.gql("query { myData { person { id } } }", token=worker)["errors"]


def test_erase_me_leaves_nothing_personal_anywhere(api: Api, world: World) -> None:
    _, token, values = _richly_recorded(api, world, "er1", 2)
    alerts_before = api.store.run(
        "MATCH (a:Alert) WHERE a.person_id = $id RETURN count(a) AS n", {"id": values["id"]}
    )[0]["n"]
    assert alerts_before == 1
    erased = api.data(f"mutation {{ eraseMe {ERASURE} }}", token=token)["eraseMe"]
    assert erased["checkIns"] == 1 and erased["consentGrants"] == 1 and erased["referrals"] == 1
    assert erased["visitsStripped"] == 1
    _assert_gone(api, values)
    record = api.store.run(
        "MATCH (e:Erasure {id: $id}) RETURN properties(e) AS p", {"id": erased["id"]}
    )[0]["p"]
    assert record["requested_by"] == "self"
    assert api.gql("query { myData { person { id } } }", token=token)["errors"]


def test_a_coordinator_erases_on_request(api: Api, world: World) -> None:
    _, _, values = _richly_recorded(api, world, "er2", 3)
    coordinator = world.user("coordinator")[1]
    _, worker = world.user("link_worker")
    denied = api.gql(
        "mutation($id: ID!) { erasePerson(personId: $id) { id } }",
        {"id": values["id"]},
        token=worker,
    )
    assert denied["errors"][0]["message"].startswith("Not allowed")
    erased = api.data(
        f"mutation($id: ID!) {{ erasePerson(personId: $id) {ERASURE} }}",
        {"id": values["id"]},
        token=coordinator,
    )["erasePerson"]
    assert erased["checkIns"] == 1
    _assert_gone(api, values)
    again = api.gql(
        "mutation($id: ID!) { erasePerson(personId: $id) { id } }",
        {"id": values["id"]},
        token=coordinator,
    )
    # Gone: nothing is said about who was there (as to staff of another organisation).
    assert again["errors"][0]["message"].startswith("Not allowed")
