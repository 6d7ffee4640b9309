"""People met at a group become ties: once going to a group is recorded (a volunteer's log of
an accompanied visit, or the group's attendance report), the person or their link worker
records whom they met there, over real HTTP. A new tie is "met at a group"; one they had is
strengthened; either keeps where they met. Each names only whom the caller may name, bad
answers come back by field with nothing written, and the link worker's reads are logged."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from graph.models import Knows, Person
from service.weeks import today
from tests.plans.conftest import went_with_a_volunteer, worker_with_plan_consent
from tests.referrals.conftest import consenting_person, partner_organisation, refer
from tests.service.conftest import Api, World
from tests.world import save

GROUPS = """query($id: ID!) { groupsAttended(personId: $id) {
  serviceId serviceName times people { personId firstName knownAs } } }"""
MET = """mutation($input: PeopleMetInput!) { recordPeopleMet(input: $input) {
  __typename
  ... on PeopleMetRecorded { group { serviceName people { firstName knownAs } } }
  ... on InvalidPlan { field message }
  ... on NotAttended { message } } }"""
ACCEPT = "mutation($id: ID!) { acceptReferral(referralId: $id) { __typename } }"
ATTENDANCE = """mutation($id: ID!, $date: String!) {
  recordAttendance(referralId: $id, date: $date, attended: true) { __typename } }"""
MY_LOG = "query { myData { accessLog { actor fields } } }"


def _went_as_the_group_reported(api: Api, world: World, person: Person, partner: Any) -> None:
    """Referred, accepted, and reported by the group as having come yesterday."""
    _, worker = world.user("link_worker")
    referral = refer(api, worker, person, partner.service)
    assert api.data(ACCEPT, {"id": referral}, token=partner.token)["acceptReferral"]
    yesterday = (today() - timedelta(days=1)).isoformat()
    came = api.data(ATTENDANCE, {"id": referral, "date": yesterday}, token=partner.token)
    assert came["recordAttendance"]["__typename"] == "AttendanceRecorded"


def _tie(api: Api, a: Person, b: Person) -> dict[str, Any] | None:
    rows = api.store.run(
        "MATCH (:Person {id: $a})-[k:KNOWS]-(:Person {id: $b}) RETURN properties(k) AS k",
        {"a": a.id, "b": b.id},
    )
    return rows[0]["k"] if rows else None


@pytest.fixture
def lunch(api: Api, world: World) -> dict[str, Any]:
    """Ann went to the lunch club with a volunteer; Bea and Cal (Ann's sister) go, as the club
    reported; Dan goes too but is another organisation's."""
    partner = partner_organisation(world)
    ann, bea, cal = (consenting_person(world, name) for name in ("Ann", "Bea", "Cal"))
    dan = world.person("Dan", organization_id=world.organization("Elsewhere"))
    save(api.store, Knows(from_id=cal.id, to_id=ann.id, kind="family", strength=0.5))
    for person in (ann, dan):
        went_with_a_volunteer(world, person, partner.service)
    for person in (bea, cal):
        _went_as_the_group_reported(api, world, person, partner)
    _, worker = worker_with_plan_consent(world, ann)
    return {"partner": partner, "ann": ann, "bea": bea, "cal": cal, "dan": dan, "worker": worker}


def test_the_link_worker_records_a_new_tie_and_strengthens_one_with_where_they_met(
    api: Api, world: World, lunch: dict[str, Any]
) -> None:
    ann, bea, cal, worker = lunch["ann"], lunch["bea"], lunch["cal"], lunch["worker"]
    service = lunch["partner"].service
    [group] = api.data(GROUPS, {"id": ann.id}, token=worker)["groupsAttended"]
    assert (group["serviceId"], group["serviceName"], group["times"]) == (
        service.id,
        service.name,
        1,
    )
    # Dan is another organisation's: the link worker may not name him.
    assert group["people"] == [
        {"personId": bea.id, "firstName": "Bea", "knownAs": None},
        {"personId": cal.id, "firstName": "Cal", "knownAs": "family"},
    ]

    met = {"personId": ann.id, "serviceId": service.id, "metPersonIds": [bea.id, cal.id]}
    done = api.data(MET, {"input": met}, token=worker)["recordPeopleMet"]
    assert done == {
        "__typename": "PeopleMetRecorded",
        "group": {
            "serviceName": service.name,
            "people": [
                {"firstName": "Bea", "knownAs": "met at a group"},
                {"firstName": "Cal", "knownAs": "family"},
            ],
        },
    }
    new, had = _tie(api, ann, bea), _tie(api, ann, cal)
    assert new is not None and had is not None
    assert (new["kind"], new["strength"], new["met_at"]) == (
        "group",
        pytest.approx(0.2),
        service.id,
    )
    assert (had["kind"], had["strength"], had["met_at"]) == (
        "family",
        pytest.approx(0.6),
        service.id,
    )
    # Bea's first name was shown to the link worker: it is in her access log.
    _, bea_token = world.user("person", person_id=bea.id)
    log = api.data(MY_LOG, token=bea_token)["myData"]["accessLog"]
    assert any("first_name" in entry["fields"] for entry in log)


def test_the_person_strengthens_ties_with_people_they_know_there(
    api: Api, world: World, lunch: dict[str, Any]
) -> None:
    ann, bea, cal = lunch["ann"], lunch["bea"], lunch["cal"]
    service = lunch["partner"].service
    _, own = world.user("person", person_id=ann.id)
    [group] = api.data(GROUPS, {"id": ann.id}, token=own)["groupsAttended"]
    assert group["people"] == [{"personId": cal.id, "firstName": "Cal", "knownAs": "family"}]

    strangers = {"personId": ann.id, "serviceId": service.id, "metPersonIds": [bea.id]}
    refused = api.data(MET, {"input": strangers}, token=own)["recordPeopleMet"]
    assert refused["__typename"] == "InvalidPlan" and refused["field"] == "metPersonIds"
    assert _tie(api, ann, bea) is None

    known = {"personId": ann.id, "serviceId": service.id, "metPersonIds": [cal.id]}
    done = api.data(MET, {"input": known}, token=own)["recordPeopleMet"]
    assert done["__typename"] == "PeopleMetRecorded"
    tie = _tie(api, ann, cal)
    assert tie is not None and tie["strength"] == pytest.approx(0.6)


def test_bad_answers_and_callers_change_nothing(
    api: Api, world: World, lunch: dict[str, Any]
) -> None:
    ann, bea, dan, worker = lunch["ann"], lunch["bea"], lunch["dan"], lunch["worker"]
    service = lunch["partner"].service

    def met(token: str, **given: Any) -> dict[str, Any]:
        body = {"personId": ann.id, "serviceId": service.id, "metPersonIds": [bea.id]} | given
        return api.gql(MET, {"input": body}, token=token)

    answers = {
        "someone she may not name": met(worker, metPersonIds=[dan.id]),
        "nobody": met(worker, metPersonIds=[]),
        "twice": met(worker, metPersonIds=[bea.id, bea.id]),
        "herself": met(worker, metPersonIds=[ann.id]),
    }
    for what, body in answers.items():
        got = body["data"]["recordPeopleMet"]
        assert got["__typename"] == "InvalidPlan", (what, got)
        assert (got["__typename"], got["field"]) == ("InvalidPlan", "metPersonIds"), what
    elsewhere = met(worker, serviceId="svc-never-been")["data"]["recordPeopleMet"]
    assert elsewhere["__typename"] == "NotAttended"
    _, bea_own = world.user("person", person_id=bea.id)
    _, unconsented = world.user("link_worker")
    for token in (bea_own, unconsented):
        assert met(token)["errors"][0]["message"].startswith("Not allowed")
        assert api.gql(GROUPS, {"id": ann.id}, token=token)["errors"][0]["message"].startswith(
            "Not allowed"
        )
    assert _tie(api, ann, bea) is None and _tie(api, ann, dan) is None
