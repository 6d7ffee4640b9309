"""``serve --demo``'s data: the demo people's consent and check-ins are there, made through the
consent and check-in use-cases, so the link worker sees check-ins, alerts and suggestions."""

from __future__ import annotations

from collections import Counter

from service.demo import (
    DEMO_PEOPLE_WITH_CHECK_INS,
    DEMO_PURPOSE,
    demo_sign_ins,
    seed_if_empty,
)
from service.referrals.demo import DEMO_NOTE, DEMO_WEEKLY_PLACES
from tests.service.conftest import Api

ALERTS = "query { alerts(first: 50) { personId reasons } }"
CHECK_INS = "query($id: ID!) { checkIns(personId: $id) { score } }"
SUGGEST = "query($id: ID!) { suggestConnections(personId: $id, first: 3) { reasons } }"
PERSON = "query($id: ID!) { person(id: $id) { firstName need address } }"
INBOX = "query { referralInbox { serviceId status firstName note area } }"
SERVICES = "query { partnerServices { id category weeklyPlaces } }"
GRANTS = """
MATCH (p:Person)
OPTIONAL MATCH (p)-[:GRANTS]->(g:ConsentGrant)-[:TO]->(o:Organization)
WITH p, g, o ORDER BY o.kind
RETURN p.id AS person, collect(g.scopes) AS scopes, collect(g.purpose) AS purposes,
       collect(o.kind) AS kinds, collect(o.id) AS grantees
ORDER BY person
"""
SUPPORTERS = """
MATCH (p:Person)-[:SUPPORTED_BY]->(o:Organization)
RETURN p.id AS person, collect(o.id) AS orgs
"""


def test_the_demo_people_grant_consent_and_have_check_ins(api: Api) -> None:
    assert seed_if_empty(store=api.store)
    assert not seed_if_empty(store=api.store)  # once only
    rows = api.store.run(GRANTS)
    granted = [r for r in rows if r["scopes"]]
    nothing = [r["person"] for r in rows if not r["scopes"]]
    assert len(rows) == 300 and len(nothing) == 30
    # Each grants to the organisations that support them, and to no other.
    supporters = {r["person"]: sorted(r["orgs"]) for r in api.store.run(SUPPORTERS)}
    assert all(sorted(r["grantees"]) == supporters[r["person"]] for r in granted)
    befriending = [[k for k in r["kinds"] if k in ("befriending", "coordinating")] for r in granted]
    assert all(len(kinds) == 1 for kinds in befriending)
    assert {k[0] for k in befriending} == {"befriending", "coordinating"}
    assert 0 < sum("social_prescribing" in r["kinds"] for r in granted) < len(granted)
    assert all(set(r["purposes"]) == {DEMO_PURPOSE} for r in granted)
    shapes = Counter(tuple(sorted(r["scopes"][0])) for r in granted)
    assert shapes == {("checkins", "needs"): 180, ("checkins", "contact", "needs"): 90}

    sign_ins = {s.email.split("@")[0]: s for s in demo_sign_ins(store=api.store, key=api.key)}
    assert sign_ins["coordinator"].organization_id != sign_ins["coordinator-2"].organization_id
    worker, coordinator = sign_ins["link-worker"].token, sign_ins["coordinator"].token
    own = sign_ins["coordinator"].organization_id
    nothing = [p for p in nothing if own in supporters[p]]
    alerts = api.data(ALERTS, token=worker)["alerts"]
    assert alerts and all(a["reasons"] for a in alerts)
    to_link_team = [r["person"] for r in granted if "social_prescribing" in r["kinds"]]
    first = to_link_team[: DEMO_PEOPLE_WITH_CHECK_INS + 3]
    counts = [len(api.data(CHECK_INS, {"id": p}, token=worker)["checkIns"]) for p in first]
    assert counts == [3] * DEMO_PEOPLE_WITH_CHECK_INS + [0, 0, 0]
    with_check_ins = first[:DEMO_PEOPLE_WITH_CHECK_INS]
    assert {a["personId"] for a in alerts} <= set(with_check_ins)
    assert api.data(SUGGEST, {"id": with_check_ins[0]}, token=worker)["suggestConnections"]

    # Someone who granted nothing: staff see their name, not their need or address.
    refused = api.data(PERSON, {"id": nothing[0]}, token=coordinator)["person"]
    assert refused["firstName"] and refused["need"] is None and refused["address"] is None
    body = api.gql(CHECK_INS, {"id": nothing[0]}, token=worker)
    assert body["errors"][0]["message"].startswith("Not allowed")

    # The demo partner (the first lunch club's organisation) has a referral waiting, from the
    # demo link worker, and the club takes 3 new people a week; a restart adds no other.
    partner = sign_ins["partner"].token
    again = {s.role: s.token for s in demo_sign_ins(store=api.store, key=api.key)}
    inbox = api.data(INBOX, token=again["partner"])["referralInbox"]
    assert [(r["status"], r["firstName"]) for r in inbox] == [("MADE", None)]
    assert inbox[0]["note"] == DEMO_NOTE and inbox[0]["area"]
    services = api.data(SERVICES, token=partner)["partnerServices"]
    club = next(s for s in services if s["id"] == inbox[0]["serviceId"])
    assert club["category"] == "lunch_club" and club["weeklyPlaces"] == DEMO_WEEKLY_PLACES
