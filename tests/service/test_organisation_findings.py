"""The findings of issue 18 about organisations and consent, each reproduced as it was tried
(as a curious coordinator of another organisation would, over HTTP), and now refused:

1. a coordinator of another organisation listed every person, volunteer and visit with full
   addresses, downloaded the rota CSV, changed a person, set a volunteer's DBS flag and erased
   a person it does not support;
2. any coordinator granted consent on a person's behalf, to itself or to a volunteer, then read
   the record through ``personRecord``; any coordinator revoked any grant;
3. ``visits(week)`` gave full addresses the same coordinator's ``person { address }`` withheld,
   and those reads never reached the person's access log.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta
from typing import Any

from graph.models import RotaRun, utc_now
from graph.repo import rota_runs
from graph.repo.records import node_exists
from graph.repo.volunteers import get_volunteer
from service.accounts.users import create_user, token_for
from service.consent import policy
from service.weeks import monday_of, today, week_label
from tests.service.conftest import Api, World

WEEK = monday_of(today())
MY_DATA = """query { myData {
  grants { granteeId purpose expiresAt recordedBy given active }
  accessLog { actor purpose fields } } }"""
GRANT = "mutation($input: GrantAccessInput!) { grantAccess(input: $input) { id expiresAt } }"
RECORD = "query($id: ID!) { personRecord(personId: $id) { firstName address phone need } }"
REVOKE = "mutation($id: ID!) { revokeAccess(grantId: $id) { __typename } }"


def _other_coordinator(api: Api) -> tuple[str, str]:
    """A second organisation's coordinator, made as ``carecircles users add --role coordinator
    --organization ID`` makes one (the organisation is created with it); (org id, token)."""
    org = f"org-second-{uuid.uuid4().hex[:6]}"
    user = create_user(
        store=api.store,
        email=f"co-{org}@example.org",
        password="a long password",
        role="coordinator",
        organization_id=org,
        create_organization=True,
    )
    assert node_exists(store=api.store, label="Organization", node_id=org)
    return org, token_for(key=api.key, user_id=user.id)


def _week_run(api: Api, world: World, person_id: str, visit_id: str, volunteer_id: str) -> str:
    run = RotaRun(
        id=f"run-f-{uuid.uuid4().hex[:8]}",
        week_start=WEEK,
        organization_id=world.organization_id,
        status="draft",
        problem=json.dumps({"visits": [{"id": visit_id, "person": person_id}]}),
        solution=json.dumps(
            {
                "status": "FEASIBLE",
                "assignments": [
                    {
                        "visit": visit_id,
                        "volunteer": volunteer_id,
                        "start": "10:00",
                        "reasons": ["shares language pl"],
                    }
                ],
            }
        ),
    )
    return rota_runs.create_rota_run(store=api.store, run=run).id


def _edges(body: dict[str, Any], field: str) -> list[dict[str, Any]]:
    return [e["node"] for e in body[field]["edges"]]


def test_another_organisations_coordinator_lists_changes_and_erases_nothing(
    api: Api, world: World
) -> None:
    ann = world.person("Ann", address="1 Mare Street")
    val = world.volunteer("Val", checked=False)
    visit = world.visit(ann, week_start=WEEK)
    run_id = _week_run(api, world, ann.id, visit.id, val.id)
    _, mine = world.user("coordinator")
    _, theirs = _other_coordinator(api)

    people = api.data("query { people(first: 100) { edges { node { id } } } }", token=theirs)
    volunteers = api.data(
        "query { volunteers(first: 100) { edges { node { id } } } }", token=theirs
    )
    visits = api.data(
        "query($w: String!) { visits(week: $w, first: 100) { edges { node { id address } } } }",
        {"w": week_label(WEEK)},
        token=theirs,
    )
    assert _edges(people, "people") == []
    assert _edges(volunteers, "volunteers") == []
    assert _edges(visits, "visits") == []
    csv = api.client.get(f"/rota/{run_id}.csv", headers={"Authorization": f"Bearer {theirs}"})
    assert csv.status_code == 404
    assert api.data("query { rotaRuns { id } }", token=theirs)["rotaRuns"] == []

    changed = api.gql(
        'mutation($id: ID!) { updatePerson(id: $id, input: {lastName: "X"}) { id } }',
        {"id": ann.id},
        token=theirs,
    )
    flagged = api.gql(
        "mutation($id: ID!) { updateVolunteer(id: $id, input: {checked: true}) { id } }",
        {"id": val.id},
        token=theirs,
    )
    erased = api.gql(
        "mutation($id: ID!) { erasePerson(personId: $id) { id } }", {"id": ann.id}, token=theirs
    )
    for body in (changed, flagged, erased):
        assert body["errors"][0]["message"].startswith("Not allowed"), body
    volunteer = get_volunteer(store=api.store, volunteer_id=val.id)
    assert volunteer is not None and not volunteer.checked
    assert node_exists(store=api.store, label="Person", node_id=ann.id)

    # Her own organisation's coordinator still sees and keeps her.
    listed = api.data("query { people(first: 100) { edges { node { id } } } }", token=mine)
    assert ann.id in [p["id"] for p in _edges(listed, "people")]


def test_only_the_person_gives_consent_and_staff_record_it_only_for_their_own(
    api: Api, world: World
) -> None:
    ann = world.person("Ann", address="1 Mare Street", phone="07700 900123")
    ann_token = world.user("person", person_id=ann.id)[1]
    val_user = world.user("volunteer", volunteer_id=world.volunteer("Val").id)[0]
    volunteer_id = next(
        u for u in api.store.run("MATCH (u:User {email: $e}) RETURN u.id AS id", {"e": val_user})
    )["id"]
    their_org, theirs = _other_coordinator(api)
    _, mine = world.user("coordinator")
    mine_id = api.data("query { me { id } }", token=mine)["me"]["id"]

    # Another organisation's coordinator grants to itself, or to a volunteer: refused.
    for grantee in ({"granteeOrganizationId": their_org}, {"granteeUserId": volunteer_id}):
        body = api.gql(
            GRANT,
            {
                "input": {
                    "personId": ann.id,
                    "purpose": "x",
                    "scopes": ["CONTACT", "NEEDS"],
                    "given": "BY_PHONE",
                }
                | grantee
            },
            token=theirs,
        )
        assert body["errors"][0]["message"].startswith("Not allowed"), body
    assert api.gql(RECORD, {"id": ann.id}, token=theirs)["errors"][0]["message"].startswith(
        "Not allowed"
    )

    # Her own organisation's coordinator records only a consent she gave, saying how, to the
    # organisation (not to a volunteer on her behalf).
    base = {"personId": ann.id, "purpose": "arranging visits", "scopes": ["CONTACT"]}
    body = api.gql(
        GRANT, {"input": base | {"granteeOrganizationId": world.organization_id}}, token=mine
    )
    assert body["errors"][0]["message"].startswith("given:")
    body = api.gql(
        GRANT,
        {"input": base | {"granteeUserId": volunteer_id, "given": "IN_PERSON"}},
        token=mine,
    )
    assert body["errors"][0]["message"].startswith("granteeUserId/granteeOrganizationId:")
    made = api.data(
        GRANT,
        {"input": base | {"granteeOrganizationId": world.organization_id, "given": "BY_PHONE"}},
        token=mine,
    )["grantAccess"]
    expires = datetime.fromisoformat(made["expiresAt"].replace("Z", "+00:00"))
    assert timedelta(days=364) < expires - utc_now() <= timedelta(days=365)
    shown = api.data(MY_DATA, token=ann_token)["myData"]["grants"]
    assert shown == [
        {
            "granteeId": world.organization_id,
            "purpose": "arranging visits",
            "expiresAt": made["expiresAt"],
            "recordedBy": f"coordinator at Befriending {world.tag} ({_email(api, mine_id)})",
            "given": "BY_PHONE",
            "active": True,
        }
    ]

    # Revoking: another organisation's coordinator cannot withdraw a grant made to this one.
    assert api.data(REVOKE, {"id": made["id"]}, token=theirs)["revokeAccess"] == {
        "__typename": "GrantNotFound"
    }
    to_volunteer = policy.make_grant(
        store=api.store,
        person_id=ann.id,
        grantee_user_id=volunteer_id,
        grantee_organization_id=None,
        purpose="my befriender",
        scopes=["contact"],
        expires_at=utc_now() + timedelta(days=30),
    )
    # Nor may her own organisation's coordinator withdraw what she gave someone else.
    assert api.data(REVOKE, {"id": to_volunteer.id}, token=mine)["revokeAccess"] == {
        "__typename": "GrantNotFound"
    }
    assert api.data(REVOKE, {"id": made["id"]}, token=mine)["revokeAccess"] == {
        "__typename": "AccessRevoked"
    }
    assert api.data(REVOKE, {"id": to_volunteer.id}, token=ann_token)["revokeAccess"] == {
        "__typename": "AccessRevoked"
    }


def _email(api: Api, user_id: str) -> str:
    rows = api.store.run("MATCH (u:User {id: $id}) RETURN u.email AS email", {"id": user_id})
    return str(rows[0]["email"])


def test_week_visits_show_addresses_only_as_the_person_record_does_and_log_them(
    api: Api, world: World
) -> None:
    ann = world.person("Ann", address="1 Mare Street", postcode="E8 1AB")
    ann_token = world.user("person", person_id=ann.id)[1]
    visit = world.visit(ann, week_start=WEEK)
    _, coordinator = world.user("coordinator")
    week = {"w": week_label(WEEK)}
    visits = "query($w: String!) { visits(week: $w, first: 100) { edges { node { id address } } } }"
    person = "query($id: ID!) { person(id: $id) { address } }"

    withheld = api.data(person, {"id": ann.id}, token=coordinator)["person"]["address"]
    listed = {v["id"]: v["address"] for v in _edges(api.data(visits, week, coordinator), "visits")}
    assert withheld is None and listed == {visit.id: None}
    log = api.data(MY_DATA, token=ann_token)["myData"]["accessLog"]
    assert ["first_name"] in [e["fields"] for e in log]  # the name the week's visits showed
    assert not any("address" in e["fields"] for e in log)

    policy.make_grant(
        store=api.store,
        person_id=ann.id,
        grantee_user_id=None,
        grantee_organization_id=world.organization_id,
        purpose="my visits",
        scopes=["contact"],
        expires_at=utc_now() + timedelta(days=30),
    )
    listed = {v["id"]: v["address"] for v in _edges(api.data(visits, week, coordinator), "visits")}
    assert listed == {visit.id: "1 Mare Street, E8 1AB"}
    log = api.data(MY_DATA, token=ann_token)["myData"]["accessLog"]
    address_reads = [e for e in log if "address" in e["fields"]]
    assert address_reads and address_reads[0]["purpose"] == "my visits"


def test_the_rota_csv_is_logged_and_says_nothing_of_needs_without_consent(
    api: Api, world: World
) -> None:
    ann = world.person("Ann", languages=["pl"])
    ann_token = world.user("person", person_id=ann.id)[1]
    val = world.volunteer("Val")
    visit = world.visit(ann, week_start=WEEK)
    run_id = _week_run(api, world, ann.id, visit.id, val.id)
    _, coordinator = world.user("coordinator")
    headers = {"Authorization": f"Bearer {coordinator}"}
    csv = api.client.get(f"/rota/{run_id}.csv", headers=headers)
    assert csv.status_code == 200
    assert "shares a language" in csv.text and " pl" not in csv.text
    log = api.data(MY_DATA, token=ann_token)["myData"]["accessLog"]
    assert [e["fields"] for e in log] == [["first_name"]]
    policy.make_grant(
        store=api.store,
        person_id=ann.id,
        grantee_user_id=None,
        grantee_organization_id=world.organization_id,
        purpose="my visits",
        scopes=["needs"],
        expires_at=utc_now() + timedelta(days=30),
    )
    csv = api.client.get(f"/rota/{run_id}.csv", headers=headers)
    assert "shares language pl" in csv.text
    log = api.data(MY_DATA, token=ann_token)["myData"]["accessLog"]
    assert any(e["fields"] == ["languages"] and e["purpose"] == "my visits" for e in log)


def test_a_rota_is_run_by_and_for_one_organisation(api: Api, world: World) -> None:
    """The problem of a run holds only the organisation's people and volunteers."""
    from service.rota.runs import build_problem

    other = world.organization("Other")
    ann = world.person("Ann")
    bob = world.person("Bob", organization_id=other)
    val = world.volunteer("Val")
    vic = world.volunteer("Vic", organization_id=other)
    both = world.volunteer("Bea")
    from graph.repo.organisations import volunteer_with

    volunteer_with(store=api.store, volunteer_id=both.id, organization_id=other, since=utc_now())
    week = WEEK + timedelta(weeks=5)
    world.visit(ann, week_start=week)
    world.visit(bob, week_start=week)
    problem = build_problem(store=api.store, week_start=week, organization_id=world.organization_id)
    assert {p.id for p in problem.people} == {ann.id}
    volunteer_ids = {v.id for v in problem.volunteers}
    assert {val.id, both.id} <= volunteer_ids and vic.id not in volunteer_ids

    # Bea, shared, accepted the other organisation's Tuesday visit 10:00-11:00: this rota keeps
    # that hour free for her and counts it against her weekly limit.
    bobs = world.visit(bob, week_start=week, day=1, start="10:00", status="accepted")
    api.store.run(
        "MATCH (v:Volunteer {id: $vol}), (x:Visit {id: $visit}) "
        "CREATE (v)-[:ASSIGNED {status: 'accepted', at: '2026-01-01T00:00:00Z'}]->(x)",
        {"vol": both.id, "visit": bobs.id},
    )
    problem = build_problem(store=api.store, week_start=week, organization_id=world.organization_id)
    bea = next(v for v in problem.volunteers if v.id == both.id)
    tuesday = [(w.start, w.end) for w in bea.availability if w.day == 1]
    assert tuesday == [("08:00", "10:00"), ("11:00", "20:00")]
    assert bea.max_minutes == both.max_minutes - 60
    alone = next(v for v in problem.volunteers if v.id == val.id)
    assert [(w.start, w.end) for w in alone.availability if w.day == 1] == [("08:00", "20:00")]
