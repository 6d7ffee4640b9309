"""The ``person``/``people`` queries through consent.policy: staff of the organisation see what
arranging visits needs (name, area, visit pattern, circle) by role; contact details, needs,
check-ins and visit notes only with a grant in force for that scope (null otherwise, nothing
leaks); every field returned to someone else is in the access log, and the person sees exactly
those reads in myData.accessLog."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from graph.models import ConsentGrant, Person, utc_now
from graph.repo import consent as grants_repo
from service.consent.policy import ARRANGING_VISITS
from service.wellbeing.checkins import record_check_in
from tests.person_record_api.conftest import grant
from tests.service.conftest import Api, World

PERSON = """query($id: ID!) { person(id: $id) {
  id firstName lastName area visitsPerWeek visitMinutes visitWindows { day start end }
  circle { firstName }
  address phone need needTrend languages accessNeeds checkIns { score } visitNotes { note }
} }"""
BASIS_FIELDS = [
    "area",
    "circle",
    "first_name",
    "last_name",
    "visit_minutes",
    "visit_windows",
    "visits_per_week",
]
MY_LOG = "query { myData { accessLog { actor purpose fields } } }"
CLAIM = "mutation($id: ID!) { claimVisit(visitId: $id) { __typename } }"
LOG = """mutation($id: ID!, $note: String) {
  logVisit(visitId: $id, outcome: DONE, note: $note) { __typename } }"""

# scope -> (GraphQL fields it opens on Person, the logged field names)
SCOPE_FIELDS: dict[str, tuple[list[str], list[str]]] = {
    "contact": (["address", "phone"], ["address", "phone"]),
    "needs": (
        ["need", "needTrend", "languages", "accessNeeds"],
        ["access_needs", "languages", "need", "need_trend"],
    ),
    "checkins": (["checkIns"], ["check_ins"]),
    "visit_notes": (["visitNotes"], ["visit_notes"]),
}
SECRETS = ("Quince Lane", "ZZ9", "07700 900456", "allotment-secret", "step_free")


def _user_id(api: Api, email: str) -> str:
    rows = api.store.run("MATCH (u:User {email: $e}) RETURN u.id AS id", {"e": email})
    return str(rows[0]["id"])


def _entries(api: Api, person_id: str) -> list[dict[str, Any]]:
    rows = api.store.run(
        "MATCH (n:AccessLog) WHERE n.person_id = $id "
        "RETURN n.actor_user_id AS actor, n.purpose AS purpose, n.fields AS fields",
        {"id": person_id},
    )
    return sorted(
        ({"actor": r["actor"], "purpose": r["purpose"], "fields": list(r["fields"])} for r in rows),
        key=lambda e: (e["purpose"], e["fields"]),
    )


def _values(node: dict[str, Any], fields: list[str]) -> list[Any]:
    return [node[f] for f in fields]


def _recorded_person(api: Api, world: World) -> Person:
    """A person with contact details, needs, a check-in and a volunteer's visit note."""
    ann = world.person(
        "Ann",
        address="12 Quince Lane",
        postcode="ZZ9 9ZZ",
        phone="07700 900456",
        languages=["en", "pl"],
        access_needs=["step_free"],
        need=0.7,
    )
    recorded = record_check_in(
        store=api.store, person_id=ann.id, scale="UCLA3", answers=[2, 2, 2], recorded_by="u-x"
    )
    assert not hasattr(recorded, "field")
    volunteer_token = world.volunteer_token(world.volunteer("Val", languages=["en"]))
    visit = world.visit(ann)
    claimed = api.data(CLAIM, {"id": visit.id}, token=volunteer_token)["claimVisit"]
    assert claimed["__typename"] == "VisitClaimed", claimed
    world.time_passes(visit)
    logged = api.data(LOG, {"id": visit.id, "note": "allotment-secret"}, token=volunteer_token)
    assert logged["logVisit"]["__typename"] == "VisitLogged"
    return ann


def test_a_coordinator_without_consent_sees_what_arranging_visits_needs_and_no_more(
    api: Api, world: World
) -> None:
    ann = _recorded_person(api, world)
    email, coordinator = world.user("coordinator")
    body = api.gql(PERSON, {"id": ann.id}, token=coordinator)
    assert "errors" not in body, body
    node = body["data"]["person"]
    assert node["firstName"] == "Ann" and node["lastName"] == "Smith"
    assert node["area"] == f"Ward {world.tag}" and node["visitsPerWeek"] == 1
    assert node["visitWindows"] == [{"day": 1, "start": "10:00", "end": "13:00"}]
    for fields, _ in SCOPE_FIELDS.values():
        assert all(node[f] is None for f in fields)
    assert not any(secret in str(body) for secret in SECRETS)
    assert _entries(api, ann.id) == [
        {"actor": _user_id(api, email), "purpose": ARRANGING_VISITS, "fields": BASIS_FIELDS}
    ]


@pytest.mark.parametrize("scope", sorted(SCOPE_FIELDS))
def test_each_scope_needs_a_grant_in_force_and_each_read_is_logged(
    api: Api, world: World, scope: str
) -> None:
    ann = _recorded_person(api, world)
    fields, logged = SCOPE_FIELDS[scope]
    email, coordinator = world.user("coordinator")
    actor = _user_id(api, email)
    selection = " ".join(
        f"{f} {{ __typename }}" if f in ("checkIns", "visitNotes") else f for f in fields
    )
    query = "query($id: ID!) { person(id: $id) { firstName " + selection + " } }"

    def read() -> dict[str, Any]:
        body = api.gql(query, {"id": ann.id}, token=coordinator)
        assert "errors" not in body, body
        node: dict[str, Any] = body["data"]["person"]
        return node

    def grant_fields_logged() -> list[list[str]]:
        return [e["fields"] for e in _entries(api, ann.id) if e["purpose"] != ARRANGING_VISITS]

    # No grant; then a grant of every other scope; then an expired one: null, nothing logged.
    assert all(v is None for v in _values(read(), fields))
    others = tuple(s for s in SCOPE_FIELDS if s != scope)
    grant(world, ann, organization_id=world.organization_id, scopes=others)
    past = utc_now() - timedelta(days=10)
    grants_repo.create_grant(
        store=api.store,
        grant=ConsentGrant(
            id=f"grant-expired-{ann.id}",
            person_id=ann.id,
            grantee_id=world.organization_id,
            grantee_kind="organization",
            purpose="last month",
            scopes=[scope],
            created_at=past,
            expires_at=past + timedelta(days=5),
        ),
    )
    assert all(v is None for v in _values(read(), fields))
    assert grant_fields_logged() == []

    # A grant in force: the fields come back and the entry names them and the purpose.
    given = grant(
        world, ann, organization_id=world.organization_id, scopes=(scope,), purpose="for arranging"
    )
    assert all(v not in (None, []) for v in _values(read(), fields))
    assert grant_fields_logged() == [logged]
    purposes = {e["purpose"] for e in _entries(api, ann.id)}
    assert purposes == {ARRANGING_VISITS, f"consent {given.id}"}
    assert all(e["actor"] == actor for e in _entries(api, ann.id))

    # Revoked: null again, and no further entry for those fields.
    grants_repo.revoke_grant(store=api.store, grant_id=given.id, at=utc_now())
    assert all(v is None for v in _values(read(), fields))
    assert grant_fields_logged() == [logged]

    # The person's own log shows exactly these reads, with the purpose in their words.
    _, own = world.user("person", person_id=ann.id)
    shown = api.data(MY_LOG, token=own)["myData"]["accessLog"]
    assert sorted((e["purpose"], e["fields"]) for e in shown) == sorted(
        [(ARRANGING_VISITS, ["first_name"])] * 4 + [("for arranging", logged)]
    )
    assert len({e["actor"] for e in shown}) == 1 and email in shown[0]["actor"]


def test_the_person_reading_themselves_is_not_logged(api: Api, world: World) -> None:
    ann = _recorded_person(api, world)
    _, own = world.user("person", person_id=ann.id)
    node = api.data(PERSON, {"id": ann.id}, token=own)["person"]
    assert node["address"] == "12 Quince Lane, ZZ9 9ZZ" and node["phone"] == "07700 900456"
    assert node["checkIns"] == [{"score": 6}] and node["visitNotes"] == [
        {"note": "allotment-secret"}
    ]
    me = api.data("query { me { person { firstName need } } }", token=own)["me"]["person"]
    assert me == {"firstName": "Ann", "need": node["need"]}
    assert _entries(api, ann.id) == []


def test_a_page_of_people_logs_one_entry_per_person_in_one_statement(
    api: Api, world: World
) -> None:
    made = [world.person(f"Pg{i}", phone="07700 900456") for i in range(3)]
    grant(world, made[0], organization_id=world.organization_id, scopes=("contact",))
    email, worker = world.user("link_worker")
    ids = {p.id for p in made}
    seen: dict[str, dict[str, Any]] = {}
    after = None
    query = """query($after: String) { people(first: 100, after: $after) {
        edges { node { id firstName phone } } pageInfo { hasNextPage endCursor } } }"""
    while True:
        response = api.client.post(
            "/graphql",
            json={"query": query, "variables": {"after": after}},
            headers={"Authorization": f"Bearer {worker}"},
        )
        page = response.json()["data"]["people"]
        # the page, the grants of everyone on it in one batch, the log in one statement
        assert int(response.headers["X-Graph-Queries"]) <= 3
        seen |= {e["node"]["id"]: e["node"] for e in page["edges"] if e["node"]["id"] in ids}
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen[made[0].id]["phone"] == "07700 900456"
    assert seen[made[1].id]["phone"] is None and seen[made[2].id]["phone"] is None
    actor = _user_id(api, email)
    assert _entries(api, made[1].id) == [
        {"actor": actor, "purpose": ARRANGING_VISITS, "fields": ["first_name"]}
    ]
    assert [e["fields"] for e in _entries(api, made[0].id)] == [["first_name"], ["phone"]]


def test_volunteers_and_other_people_are_refused_and_nothing_is_logged(
    api: Api, world: World
) -> None:
    ann = _recorded_person(api, world)
    bob = world.person("Bob")
    _, bob_token = world.user("person", person_id=bob.id)
    volunteer_token = world.volunteer_token(world.volunteer("Vic"))
    _, admin = world.user("admin")
    for token in (bob_token, volunteer_token, admin):
        body = api.gql(PERSON, {"id": ann.id}, token=token)
        assert body["data"] == {"person": None}
        assert body["errors"][0]["message"] == "Not allowed."
        assert not any(secret in str(body) for secret in SECRETS) and "Ann" not in str(body)
    assert _entries(api, ann.id) == []
