"""Consent: grants with a purpose, scopes and an expiry decide what others see (deny by default);
every read by someone else is logged; a person sees exactly their own log."""

from __future__ import annotations

from datetime import timedelta

from graph.models import ConsentGrant, utc_now
from graph.repo import consent as grants_repo
from service.consent import my_data
from tests.person_record_api.conftest import grant
from tests.service.conftest import Api, World

RECORD = """query($id: ID!) {
  personRecord(personId: $id) { id firstName address phone need accessNeeds checkIns { score } }
}"""
CHECK_INS = "query($id: ID!) { checkIns(personId: $id) { score } }"
GRANT = """mutation($input: GrantAccessInput!) {
  grantAccess(input: $input) { id purpose scopes expiresAt active granteeName }
}"""
REVOKE = """mutation($id: ID!) {
  revokeAccess(grantId: $id) { __typename ... on AccessRevoked { grant { revokedAt active } } }
}"""
MY_LOG = "query { myData { person { id } accessLog { at actor purpose fields } } }"


def _log_rows(api: Api, person_id: str) -> list[dict[str, object]]:
    """The stored log about the person, purposes in words (as the person is shown them)."""
    return [
        {"actor": e.entry.actor_user_id, "purpose": e.entry.purpose, "fields": e.entry.fields}
        for e in my_data.access_log_of(store=api.store, person_id=person_id)
    ]


def _stored_purposes(api: Api) -> list[str]:
    return [r["p"] for r in api.store.run("MATCH (n:AccessLog) RETURN n.purpose AS p")]


def _denied(api: Api, query: str, person_id: str, token: str) -> bool:
    body = api.gql(query, {"id": person_id}, token=token)
    return body.get("data") is None and body["errors"][0]["message"].startswith("Not allowed")


def test_no_grant_expired_or_revoked_grants_deny_and_log_nothing(api: Api, world: World) -> None:
    ann = world.person("Ann")
    _, worker = world.user("link_worker")
    assert _denied(api, RECORD, ann.id, worker)
    assert _denied(api, CHECK_INS, ann.id, worker)

    past = utc_now() - timedelta(days=10)
    grants_repo.create_grant(
        store=api.store,
        grant=ConsentGrant(
            id=f"grant-expired-{ann.id}",
            person_id=ann.id,
            grantee_id=world.organization_id,
            grantee_kind="organization",
            purpose="last month's follow-up",
            scopes=["checkins", "contact", "needs"],
            created_at=past,
            expires_at=past + timedelta(days=5),
        ),
    )
    assert _denied(api, RECORD, ann.id, worker)

    given = grant(world, ann, organization_id=world.organization_id, scopes=("checkins",))
    assert api.data(CHECK_INS, {"id": ann.id}, token=worker)["checkIns"] == []
    grants_repo.revoke_grant(store=api.store, grant_id=given.id, at=utc_now())
    assert _denied(api, CHECK_INS, ann.id, worker)
    assert len(_log_rows(api, ann.id)) == 1  # only the one read while the grant was in force


def test_scope_limits_fields_and_each_read_is_logged_with_them(api: Api, world: World) -> None:
    bea = world.person("Bea", phone="020 7946 0000", access_needs=["step_free"])
    email, worker = world.user("link_worker")
    worker_id = api.store.run("MATCH (u:User {email: $e}) RETURN u.id AS id", {"e": email})[0]["id"]
    grant(world, bea, user_id=worker_id, scopes=("needs",), purpose="finding a lunch club")

    record = api.data(RECORD, {"id": bea.id}, token=worker)["personRecord"]
    assert record["firstName"] == "Bea"
    assert record["need"] == bea.need and record["accessNeeds"] == ["step_free"]
    assert record["address"] is None and record["phone"] is None and record["checkIns"] is None
    assert _log_rows(api, bea.id) == [
        {
            "actor": worker_id,
            "purpose": "finding a lunch club",
            "fields": ["access_needs", "first_name", "need"],
        }
    ]

    grant(world, bea, user_id=worker_id, scopes=("contact",), purpose="arranging a visit")
    record = api.data(RECORD, {"id": bea.id}, token=worker)["personRecord"]
    assert record["address"] == bea.address and record["phone"] == "020 7946 0000"
    assert record["checkIns"] is None
    entries = sorted(_log_rows(api, bea.id), key=lambda r: len(str(r["fields"])))
    assert len(entries) == 2
    assert entries[1]["purpose"] == "arranging a visit; finding a lunch club"
    # The log itself holds grant ids, not the person's words (those go with the grants).
    assert not any("lunch club" in p for p in _stored_purposes(api))
    assert entries[1]["fields"] == [
        "access_needs",
        "address",
        "first_name",
        "need",
        "phone",
    ]


def test_a_person_grants_and_revokes_and_sees_exactly_their_own_log(api: Api, world: World) -> None:
    cai, dee = world.person("Cai"), world.person("Dee")
    cai_token = world.user("person", person_id=cai.id)[1]
    dee_token = world.user("person", person_id=dee.id)[1]
    _, worker = world.user("link_worker")
    expires = (utc_now() + timedelta(days=60)).isoformat()
    made = api.data(
        GRANT,
        {
            "input": {
                "granteeOrganizationId": world.organization_id,
                "purpose": "loneliness follow-up",
                "scopes": ["CHECKINS", "NEEDS"],
                "expiresAt": expires,
            }
        },
        token=cai_token,
    )["grantAccess"]
    assert made["active"] and made["scopes"] == ["CHECKINS", "NEEDS"]
    assert made["granteeName"] == f"Befriending {world.tag}"
    grant(world, dee, organization_id=world.organization_id, scopes=("checkins",))

    api.data(CHECK_INS, {"id": cai.id}, token=worker)
    api.data(CHECK_INS, {"id": dee.id}, token=worker)
    api.data(RECORD, {"id": cai.id}, token=worker)

    mine = api.data(MY_LOG, token=cai_token)["myData"]
    assert mine["person"]["id"] == cai.id
    assert len(mine["accessLog"]) == len(_log_rows(api, cai.id)) == 2
    assert {e["purpose"] for e in mine["accessLog"]} == {"loneliness follow-up"}
    assert all(
        e["actor"].startswith(f"link worker at Befriending {world.tag}") for e in mine["accessLog"]
    )
    assert sorted(tuple(e["fields"]) for e in mine["accessLog"]) == [
        ("access_needs", "check_ins", "first_name", "need"),
        ("check_ins",),
    ]
    assert len(api.data(MY_LOG, token=dee_token)["myData"]["accessLog"]) == 1
    assert api.data("query { myData { accessLog { at } } }", token=cai_token)  # own: not logged
    assert len(_log_rows(api, cai.id)) == 2

    # Dee cannot withdraw Cai's consent; Cai can, and then the link worker is denied.
    assert api.data(REVOKE, {"id": made["id"]}, token=dee_token)["revokeAccess"] == {
        "__typename": "GrantNotFound"
    }
    revoked = api.data(REVOKE, {"id": made["id"]}, token=cai_token)["revokeAccess"]
    assert revoked["grant"]["revokedAt"] and not revoked["grant"]["active"]
    assert _denied(api, CHECK_INS, cai.id, worker)


def test_bad_grants_name_the_field_and_write_nothing(api: Api, world: World) -> None:
    eve = world.person("Eve")
    token = world.user("person", person_id=eve.id)[1]
    _, worker = world.user("link_worker")
    future = (utc_now() + timedelta(days=30)).isoformat()
    base = {"granteeOrganizationId": world.organization_id, "purpose": "x", "scopes": ["NEEDS"]}
    cases = [
        (base | {"expiresAt": (utc_now() - timedelta(days=1)).isoformat()}, "expiresAt:"),
        (base | {"expiresAt": (utc_now() + timedelta(days=800)).isoformat()}, "expiresAt:"),
        (base | {"expiresAt": future, "scopes": []}, "scopes:"),
        (base | {"expiresAt": future, "purpose": "  "}, "purpose:"),
        (base | {"expiresAt": future, "granteeUserId": "u-1"}, "granteeUserId/"),
        (base | {"expiresAt": future, "granteeOrganizationId": "org-none"}, "granteeOrgan"),
    ]
    for given, field in cases:
        body = api.gql(GRANT, {"input": given}, token=token)
        assert body["errors"][0]["message"].startswith(field), (given, body)
    # Staff of her organisation may only record a consent she gave, saying how she gave it.
    body = api.gql(GRANT, {"input": base | {"expiresAt": future, "personId": eve.id}}, token=worker)
    assert body["errors"][0]["message"].startswith("given:")
    assert grants_repo.list_grants_of_person(store=api.store, person_id=eve.id) == []
