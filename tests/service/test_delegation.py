"""Delegation journeys over real HTTP: Ann lets her daughter Dee decide who may see her plan
until a date; Dee lets a link worker organisation see it, cannot decide anything else, and is
refused once Ann ends it or it expires; Ann sees every grant and withdrawal Dee made as hers."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from graph.models import Delegation, Person, utc_now
from graph.repo import delegations as delegations_repo
from service.consent import policy
from tests.service.conftest import Api, World

DELEGATE = """mutation($input: DelegateInput!) {
  delegateConsent(input: $input) { id delegateName scopes expiresAt active }
}"""
END = """mutation($id: ID!) { endDelegation(delegationId: $id) {
  __typename ... on DelegationEnded { delegation { id active endedAt } }
  ... on DelegationNotFound { message } } }"""
GRANT = """mutation($input: GrantAccessInput!) {
  grantAccess(input: $input) { id granteeName scopes madeBy recordedBy active }
}"""
REVOKE = """mutation($id: ID!) { revokeAccess(grantId: $id) {
  __typename ... on AccessRevoked { grant { id active revokedBy } } } }"""
ACTING_FOR = """query { actingFor { delegationId personId personFirstName scopes expiresAt
  organisations { id name } grants { id granteeName scopes active madeBy } } }"""
MY_DATA = """query { myData {
  grants { id granteeName scopes active madeBy revokedBy createdAt expiresAt }
  delegates { id delegateName scopes active endedAt expiresAt }
  organisations { id name }
  accessLog { actor purpose fields } } }"""
PLANS = "query($id: ID!) { plans(personId: $id) { id } }"


class Family:
    """Ann (supported by the world's organisation), her daughter Dee (a person with an account
    of her own) and a council link-worker team that does not support Ann yet."""

    def __init__(self, api: Api, world: World) -> None:
        self.api = api
        self.ann = world.person("Ann")
        self.ann_token = world.user("person", person_id=self.ann.id)[1]
        self.dee: Person = world.person("Dee", organization_id=None)
        self.dee_email, self.dee_token = world.user("person", person_id=self.dee.id)
        self.council = world.organization("Council")
        self.worker_token = world.user("link_worker", organization_id=self.council)[1]
        self.org_a = world.organization_id

    def delegate(self, scopes: list[str], days: int = 30) -> dict[str, Any]:
        until = (utc_now() + timedelta(days=days)).isoformat()
        data = self.api.data(
            DELEGATE,
            {"input": {"delegateEmail": self.dee_email, "scopes": scopes, "expiresAt": until}},
            self.ann_token,
        )
        result: dict[str, Any] = data["delegateConsent"]
        return result

    def dee_grants(self, scopes: list[str], org: str | None = None) -> dict[str, Any]:
        return self.api.gql(
            GRANT,
            {
                "input": {
                    "personId": self.ann.id,
                    "granteeOrganizationId": org or self.council,
                    "purpose": "my link worker helping with my plan",
                    "scopes": scopes,
                }
            },
            self.dee_token,
        )

    def my_data(self) -> dict[str, Any]:
        result: dict[str, Any] = self.api.data(MY_DATA, token=self.ann_token)["myData"]
        return result

    def grant_count(self) -> int:
        rows = self.api.store.run(
            "MATCH (:Person {id: $id})-[:GRANTS]->(g:ConsentGrant) RETURN count(g) AS n",
            {"id": self.ann.id},
        )
        return int(rows[0]["n"])


def dee_user_id(api: Api, f: Family) -> str:
    """Dee's user id."""
    return str(api.data("query { me { id } }", token=f.dee_token)["me"]["id"])


def _refused(body: dict[str, Any]) -> bool:
    return body.get("data") is None and body["errors"][0]["message"].startswith("Not allowed")


def test_daughter_grants_the_plan_within_her_delegation_and_is_refused_after_it_ends(
    api: Api, world: World
) -> None:
    f = Family(api, world)
    made = f.delegate(["PLAN"], days=30)
    assert made["active"] and made["scopes"] == ["PLAN"]
    assert made["delegateName"] == f"Dee Smith ({f.dee_email})"

    acting = api.data(ACTING_FOR, token=f.dee_token)["actingFor"]
    assert [(a["personId"], a["personFirstName"], a["scopes"]) for a in acting] == [
        (f.ann.id, "Ann", ["PLAN"])
    ]
    assert [o["id"] for o in acting[0]["organisations"]] == [f.org_a]

    # Before: the council's link worker may not see Ann's plan.
    assert _refused(api.gql(PLANS, {"id": f.ann.id}, f.worker_token))
    given = f.dee_grants(["PLAN"])["data"]["grantAccess"]
    assert given["active"] and given["scopes"] == ["PLAN"]
    assert given["madeBy"] == f"Dee Smith ({f.dee_email})"
    assert given["recordedBy"] is None
    assert api.data(PLANS, {"id": f.ann.id}, f.worker_token)["plans"] == []

    # Dee cannot decide what she was not asked to: contact alone, or contact with the plan.
    before = f.grant_count()
    assert _refused(f.dee_grants(["CONTACT"]))
    assert _refused(f.dee_grants(["PLAN", "CONTACT"]))
    assert f.grant_count() == before

    # Ann sees the grant as made by Dee, and Dee's look at her consents in her log.
    mine = f.my_data()
    shown = next(g for g in mine["grants"] if g["id"] == given["id"])
    assert shown["madeBy"] == f"Dee Smith ({f.dee_email})" and shown["active"]
    assert any(
        e["purpose"] == "acting for you on who may see your record (you chose them)"
        and "consents" in e["fields"]
        for e in mine["accessLog"]
    )

    # Ann ends it: Dee is refused, and sees no one to act for; the grant she made stays.
    ended = api.data(END, {"id": made["id"]}, f.ann_token)["endDelegation"]
    assert ended["__typename"] == "DelegationEnded" and not ended["delegation"]["active"]
    assert _refused(f.dee_grants(["PLAN"]))
    assert api.data(ACTING_FOR, token=f.dee_token)["actingFor"] == []
    revoked = api.data(REVOKE, {"id": given["id"]}, f.dee_token)["revokeAccess"]
    assert revoked["__typename"] == "GrantNotFound"
    assert f.grant_count() == before
    delegates = f.my_data()["delegates"]
    assert [(d["id"], d["active"]) for d in delegates] == [(made["id"], False)]
    assert delegates[0]["endedAt"] is not None
    exported = json.loads(api.data("query { exportMe }", token=f.ann_token)["exportMe"])
    assert [(d["id"], d["delegate_email"]) for d in exported["delegations"]] == [
        (made["id"], f.dee_email)
    ]
    assert [g["made_by"] for g in exported["consent_grants"]] == [dee_user_id(api, f)]


def test_daughter_withdraws_only_within_her_scopes_and_ann_sees_who_withdrew(
    api: Api, world: World
) -> None:
    f = Family(api, world)
    plan = policy.make_grant(
        store=api.store,
        person_id=f.ann.id,
        grantee_user_id=None,
        grantee_organization_id=f.org_a,
        purpose="my plan",
        scopes=["plan"],
        expires_at=utc_now() + timedelta(days=60),
    )
    contact = policy.make_grant(
        store=api.store,
        person_id=f.ann.id,
        grantee_user_id=None,
        grantee_organization_id=f.org_a,
        purpose="visits",
        scopes=["contact", "plan"],
        expires_at=utc_now() + timedelta(days=60),
    )
    f.delegate(["PLAN", "NEEDS"])
    acting = api.data(ACTING_FOR, token=f.dee_token)["actingFor"][0]
    assert [g["id"] for g in acting["grants"]] == [plan.id]  # the contact one is not hers

    out = api.data(REVOKE, {"id": contact.id}, f.dee_token)["revokeAccess"]
    assert out["__typename"] == "GrantNotFound"
    out = api.data(REVOKE, {"id": plan.id}, f.dee_token)["revokeAccess"]
    assert out["__typename"] == "AccessRevoked" and not out["grant"]["active"]

    grants = {g["id"]: g for g in f.my_data()["grants"]}
    assert grants[plan.id]["revokedBy"] == f"Dee Smith ({f.dee_email})"
    assert grants[plan.id]["madeBy"] is None  # Ann made it herself
    assert grants[contact.id]["active"] and grants[contact.id]["revokedBy"] is None


def test_an_expired_delegation_refuses_and_a_new_one_replaces_the_last(
    api: Api, world: World
) -> None:
    f = Family(api, world)
    dee_user = api.data("query { me { id } }", token=f.dee_token)["me"]["id"]
    long_ago = utc_now() - timedelta(days=40)
    delegations_repo.create_delegation(
        store=api.store,
        delegation=Delegation(
            id="delegation-expired-" + f.ann.id,
            person_id=f.ann.id,
            delegate_id=dee_user,
            scopes=["plan"],
            created_at=long_ago,
            expires_at=long_ago + timedelta(days=10),
        ),
    )
    assert _refused(f.dee_grants(["PLAN"]))
    assert api.data(ACTING_FOR, token=f.dee_token)["actingFor"] == []

    first = f.delegate(["PLAN"])
    second = f.delegate(["NEEDS"])
    by_id = {d["id"]: d for d in f.my_data()["delegates"]}
    assert not by_id[first["id"]]["active"] and by_id[second["id"]]["active"]
    assert _refused(f.dee_grants(["PLAN"]))  # replaced: the plan is no longer hers to decide
    assert "errors" not in f.dee_grants(["NEEDS"])


def test_bad_delegations_name_the_field_and_write_nothing(api: Api, world: World) -> None:
    f = Family(api, world)
    ann_email = api.store.run(
        "MATCH (u:User {person_id: $id}) RETURN u.email AS e", {"id": f.ann.id}
    )[0]["e"]
    admin_email, _ = world.user("admin")
    future = (utc_now() + timedelta(days=30)).isoformat()
    past = (utc_now() - timedelta(days=1)).isoformat()
    cases = {
        "scopes": {"delegateEmail": f.dee_email, "scopes": ["BOGUS"], "expiresAt": future},
        "expiresAt": {"delegateEmail": f.dee_email, "scopes": ["PLAN"], "expiresAt": past},
        "delegateEmail": {"delegateEmail": ann_email, "scopes": ["PLAN"], "expiresAt": future},
    }
    for field, given in cases.items():
        body = api.gql(DELEGATE, {"input": given}, f.ann_token)
        assert body.get("data") is None, body
        assert field in body["errors"][0]["message"], (field, body)
    for given in (
        {"delegateEmail": "nobody-here@example.org", "scopes": ["PLAN"]},
        {"delegateEmail": admin_email, "scopes": ["PLAN"]},
        {"delegateEmail": f.dee_email, "scopes": []},
        {"delegateEmail": f.dee_email, "delegateUserId": "u-x", "scopes": ["PLAN"]},
        {"delegateEmail": f.dee_email, "scopes": ["PLAN"], "expiresAt": "2026-01-01T00:00:00"},
    ):
        body = api.gql(DELEGATE, {"input": given}, f.ann_token)
        assert body.get("data") is None and ":" in body["errors"][0]["message"], body
    # Dee may not grant to herself even within her delegation.
    dee_user = api.data("query { me { id } }", token=f.dee_token)["me"]["id"]
    f.delegate(["PLAN"])
    before = f.grant_count()
    body = api.gql(
        GRANT,
        {
            "input": {
                "personId": f.ann.id,
                "granteeUserId": dee_user,
                "purpose": "me",
                "scopes": ["PLAN"],
            }
        },
        f.dee_token,
    )
    assert body["errors"][0]["message"].startswith("granteeUserId:")
    assert f.grant_count() == before
    rows = api.store.run(
        "MATCH (:Person {id: $id})-[d:DELEGATES]->() RETURN count(d) AS n", {"id": f.ann.id}
    )
    assert rows[0]["n"] == 1  # only the good one
    # Only the person delegates and ends their own.
    worker = world.user("link_worker")[1]
    body = api.gql(DELEGATE, {"input": cases["scopes"] | {"scopes": ["PLAN"]}}, worker)
    assert _refused(body)


def test_me_says_how_many_chose_you_to_decide_and_no_longer_once_it_ends(
    api: Api, world: World
) -> None:
    """A coordinator chosen by Ann sees ``decidingFor`` 1 (their pages then show the way to
    "Deciding for someone"), 0 again once Ann ends it; nobody else's count moves."""
    ann = world.person("Ann")
    ann_token = world.user("person", person_id=ann.id)[1]
    staff_email, staff_token = world.user("coordinator")
    other_token = world.user("coordinator")[1]
    me = "query { me { decidingFor } }"
    assert api.data(me, token=staff_token)["me"]["decidingFor"] == 0
    until = (utc_now() + timedelta(days=30)).isoformat()
    made = api.data(
        DELEGATE,
        {"input": {"delegateEmail": staff_email, "scopes": ["PLAN"], "expiresAt": until}},
        ann_token,
    )["delegateConsent"]
    assert api.data(me, token=staff_token)["me"]["decidingFor"] == 1
    assert api.data(me, token=other_token)["me"]["decidingFor"] == 0
    api.data(END, {"id": made["id"]}, ann_token)
    assert api.data(me, token=staff_token)["me"]["decidingFor"] == 0
