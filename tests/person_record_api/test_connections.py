"""services, suggestConnections, referToService and updateReferral through the API: consent
for needs first, reasons from the graph, and outcomes that change later suggestions."""

from __future__ import annotations

from graph.models import Interest, Service
from tests.person_record_api.conftest import grant
from tests.service.conftest import Api, World
from tests.world import saved

SUGGEST = """query($id: ID!) {
  suggestConnections(personId: $id, first: 5) { service { id name } score reasons }
}"""
REFER = """mutation($p: ID!, $s: ID!) {
  referToService(personId: $p, serviceId: $s, note: "call first") {
    __typename ... on ReferralMade { referral { id status serviceId serviceName } }
  }
}"""
UPDATE = """mutation($id: ID!, $status: ReferralOutcome!) {
  updateReferral(referralId: $id, status: $status) { id status updatedAt serviceName }
}"""
REFERRALS = """query($id: ID!) {
  referrals(personId: $id) { id serviceId serviceName status note createdAt updatedAt }
}"""
SERVICES = """query($after: String) {
  services(first: 2, after: $after) {
    edges { node { id name } } pageInfo { hasNextPage endCursor }
  }
}"""


def test_suggestions_need_consent_and_carry_reasons_and_outcomes_count(
    api: Api, world: World
) -> None:
    interest = saved(api.store, Interest(id=f"gardening-{world.tag}", name="gardening"))
    garden, chess = (
        saved(
            api.store,
            Service(
                id=f"svc-{name}-{world.tag}",
                name=f"{name.title()} club {world.tag}",
                category=f"{name}_club",
                lat=51.551,
                lon=-0.061,
                area_id=world.area_id,
                interests=[interest.id] if name == "garden" else [],
            ),
        )
        for name in ("garden", "chess")
    )
    ann = world.person("Ann", interests=[interest.id])
    _, worker = world.user("link_worker")

    denied = api.gql(SUGGEST, {"id": ann.id}, token=worker)
    assert denied["errors"][0]["message"] == "Not allowed: no consent in force for needs."
    grant(world, ann, organization_id=world.organization_id, scopes=("needs",))

    suggested = api.data(SUGGEST, {"id": ann.id}, token=worker)["suggestConnections"]
    ids = [s["service"]["id"] for s in suggested]
    assert ids.index(garden.id) < ids.index(chess.id)
    assert any("gardening" in r for r in suggested[0]["reasons"])

    made = api.data(REFER, {"p": ann.id, "s": garden.id}, token=worker)["referToService"]
    assert made["__typename"] == "ReferralMade" and made["referral"]["status"] == "made"
    assert made["referral"]["serviceName"] == garden.name
    updated = api.data(
        UPDATE, {"id": made["referral"]["id"], "status": "NOT_SUITABLE"}, token=worker
    )["updateReferral"]
    assert updated["status"] == "not_suitable" and updated["updatedAt"]
    assert updated["serviceName"] == garden.name
    after = api.data(SUGGEST, {"id": ann.id}, token=worker)["suggestConnections"]
    assert garden.id not in [s["service"]["id"] for s in after]
    assert chess.id in [s["service"]["id"] for s in after]

    bad = api.gql(REFER, {"p": ann.id, "s": "svc-none"}, token=worker)
    assert bad["errors"][0]["message"] == "serviceId: no such service"


def test_services_are_paged(api: Api, world: World) -> None:
    token = world.user("link_worker")[1]
    for n in range(3):
        saved(
            api.store,
            Service(id=f"svc-{n}-{world.tag}", name=f"Group {n}", category="group"),
        )
    seen: list[str] = []
    after = None
    while True:
        page = api.data(SERVICES, {"after": after}, token=token)["services"]
        seen += [e["node"]["id"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    stored = api.store.run("MATCH (s:Service) RETURN s.id AS id ORDER BY s.id")
    assert len(seen) >= 3 and seen == [r["id"] for r in stored]
    assert api.gql(SERVICES, {"after": None})["errors"][0]["message"].startswith("Sign in")


def test_a_link_worker_lists_a_persons_referrals_with_consent_for_needs(
    api: Api, world: World
) -> None:
    lunch, walk = (
        saved(
            api.store,
            Service(id=f"svc-{name}-{world.tag}", name=f"{name} {world.tag}", category=name),
        )
        for name in ("lunch", "walk")
    )
    bea = world.person("Bea")
    _, worker = world.user("link_worker")
    assert api.gql(REFERRALS, {"id": bea.id}, token=worker)["errors"][0]["message"] == (
        "Not allowed: no consent in force for needs."
    )
    grant(world, bea, organization_id=world.organization_id)  # check-ins only
    denied = api.gql(REFERRALS, {"id": bea.id}, token=worker)
    assert denied["errors"][0]["message"] == "Not allowed: no consent in force for needs."
    needs = grant(
        world, bea, organization_id=world.organization_id, scopes=("needs",), purpose="groups"
    )
    assert api.data(REFERRALS, {"id": bea.id}, token=worker)["referrals"] == []

    first = api.data(REFER, {"p": bea.id, "s": lunch.id}, token=worker)["referToService"]
    api.data(REFER, {"p": bea.id, "s": walk.id}, token=worker)
    api.data(UPDATE, {"id": first["referral"]["id"], "status": "ATTENDED"}, token=worker)
    listed = api.data(REFERRALS, {"id": bea.id}, token=worker)["referrals"]
    # Oldest first; made within the same second here, so compared by service.
    listed.sort(key=lambda r: r["serviceName"])
    assert [(r["serviceName"], r["status"], r["note"]) for r in listed] == [
        (lunch.name, "attended", "call first"),
        (walk.name, "made", "call first"),
    ]
    assert listed[0]["updatedAt"] and listed[1]["updatedAt"] is None
    assert all(r["createdAt"] for r in listed)
    logged = api.store.run(
        "MATCH (n:AccessLog {person_id: $id}) WHERE 'referrals' IN n.fields "
        "RETURN n.purpose AS purpose",
        {"id": bea.id},
    )
    # One entry per read, naming the grant covering needs (its purpose, as the person sees it).
    assert [r["purpose"] for r in logged] == [f"consent {needs.id}"] * 2
    # Another organisation's link worker, without a grant, sees nothing.
    other = World(api).user("link_worker")[1]
    refused = api.gql(REFERRALS, {"id": bea.id}, token=other)
    assert refused["errors"][0]["message"] == "Not allowed: no consent in force for needs."
