"""Authorisation: every role is refused what it may not see, and the refusal leaks nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from graph.models import utc_now
from service.consent import policy
from service.schema import Mutation, Query, schema
from tests.service.conftest import Api, World

PERSON = "query($id: ID!) { person(id: $id) { id firstName lastName address } }"
PEOPLE = """query { people(first: 50) {
  edges { node { id firstName address } } pageInfo { hasNextPage } } }"""
VOLUNTEERS = "query { volunteers(first: 50) { edges { node { id firstName } } } }"
OPEN = "query { openVisits { edges { node { id address } } } }"

# One cheap, valid call per root field, to prove each one refuses a caller without a token.
ROOT_CALLS = {
    "me": "query { me { id } }",
    "people": "query { people { edges { node { id } } } }",
    "person": 'query { person(id: "p1") { id } }',
    "volunteers": "query { volunteers { edges { node { id } } } }",
    "visits": 'query { visits(week: "2026-W48") { edges { node { id } } } }',
    "openVisits": "query { openVisits { edges { node { id } } } }",
    "myVisits": "query { myVisits { id } }",
    "rotaRuns": "query { rotaRuns { id } }",
    "rotaRun": 'query { rotaRun(id: "r1") { id } }',
    "runRota": 'mutation { runRota(week: "2026-W48") { id } }',
    "publishRota": 'mutation { publishRota(runId: "r1") { __typename } }',
    "cancelRotaRun": 'mutation { cancelRotaRun(id: "r1") { __typename } }',
    "claimVisit": 'mutation { claimVisit(visitId: "v1") { __typename } }',
    "acceptVisit": 'mutation { acceptVisit(visitId: "v1") { __typename } }',
    "declineVisit": 'mutation { declineVisit(visitId: "v1") { __typename } }',
    "logVisit": 'mutation { logVisit(visitId: "v1", outcome: DONE) { __typename } }',
    "cancelVisit": 'mutation { cancelVisit(visitId: "v1", reason: "ill") { __typename } }',
    "cancelMyDays": (
        'mutation { cancelMyDays(fromDate: "2030-01-01", toDate: "2030-01-02") { message } }'
    ),
    "replacementsFor": 'query { replacementsFor(visitId: "v1") { reasons } }',
    "rulesBrokenBy": 'query { rulesBrokenBy(visitId: "v1", volunteerId: "x1") }',
    "publishPreview": 'query { publishPreview(runId: "r1") { changes { added } } }',
    "nextWeekNeedingWork": "query { nextWeekNeedingWork }",
    "recruitmentHeatMap": 'query { recruitmentHeatMap(week: "2026-W48") { runId } }',
    "runScenario": ('mutation { runScenario(input: {week: "2026-W48"}) { __typename } }'),
    "reassignVisit": (
        'mutation { reassignVisit(visitId: "v1", volunteerId: "x1") { __typename } }'
    ),
    "reopenVisit": 'mutation { reopenVisit(visitId: "v1") { __typename } }',
    "markVolunteerAway": (
        'mutation { markVolunteerAway(volunteerId: "x1", fromDate: "2030-01-01", '
        'toDate: "2030-01-02") { visitIds } }'
    ),
    "markPersonAway": (
        'mutation { markPersonAway(personId: "p1", fromDate: "2030-01-01", '
        'toDate: "2030-01-02") { visitIds } }'
    ),
    "myNoticePreferences": "query { myNoticePreferences { channel } }",
    "setNoticePreferences": "mutation { setNoticePreferences(channel: NONE) { channel } }",
    "personRecord": 'query { personRecord(personId: "p1") { firstName } }',
    "checkIns": 'query { checkIns(personId: "p1") { id } }',
    "alerts": "query { alerts { id } }",
    "referrals": 'query { referrals(personId: "p1") { id } }',
    "services": "query { services { edges { node { id } } } }",
    "suggestConnections": 'query { suggestConnections(personId: "p1", first: 3) { score } }',
    "myData": "query { myData { __typename } }",
    "myCircle": "query { myCircle { __typename } }",
    "exportMe": "query { exportMe }",
    "registerPerson": (
        'mutation { registerPerson(input: {firstName: "A", lastName: "B", lat: 51.5, lon: -0.1}) '
        "{ id } }"
    ),
    "updatePerson": 'mutation { updatePerson(id: "p1", input: {firstName: "A"}) { id } }',
    "setVisitPattern": 'mutation { setVisitPattern(personId: "p1", windows: []) { id } }',
    "registerVolunteer": (
        'mutation { registerVolunteer(input: {firstName: "A", lastName: "B", '
        'email: "a@example.org", lat: 51.5, lon: -0.1}) { id } }'
    ),
    "updateVolunteer": 'mutation { updateVolunteer(id: "v1", input: {}) { id } }',
    "recordCheckIn": (
        'mutation { recordCheckIn(input: {personId: "p1", scale: UCLA3, answers: [1, 1, 1]}) '
        "{ __typename } }"
    ),
    "acknowledgeAlert": 'mutation { acknowledgeAlert(alertId: "a1") { __typename } }',
    "searchServices": '{ searchServices(personId: "p1") { kinds } }',
    "referToService": 'mutation { referToService(personId: "p1", serviceId: "s1") { __typename } }',
    "updateReferral": 'mutation { updateReferral(referralId: "r1", status: ATTENDED) { id } }',
    "grantAccess": (
        'mutation { grantAccess(input: {scopes: [CONTACT], purpose: "x", '
        'expiresAt: "2030-01-01T00:00:00Z"}) { id } }'
    ),
    "revokeAccess": 'mutation { revokeAccess(grantId: "g1") { __typename } }',
    "delegateConsent": (
        'mutation { delegateConsent(input: {delegateEmail: "a@example.org", scopes: [PLAN]}) '
        "{ id } }"
    ),
    "endDelegation": 'mutation { endDelegation(delegationId: "d1") { __typename } }',
    "actingFor": "query { actingFor { personId } }",
    "referralInbox": "query { referralInbox { id } }",
    "partnerServices": "query { partnerServices { id } }",
    "setWeeklyPlaces": 'mutation { setWeeklyPlaces(serviceId: "s1", places: 2) { id } }',
    "acceptReferral": 'mutation { acceptReferral(referralId: "r1") { __typename } }',
    "declineReferral": (
        'mutation { declineReferral(referralId: "r1", reason: NO_PLACES) { __typename } }'
    ),
    "recordAttendance": (
        'mutation { recordAttendance(referralId: "r1", date: "2026-12-01", attended: true) '
        "{ __typename } }"
    ),
    "eraseMe": "mutation { eraseMe { __typename } }",
    "erasePerson": 'mutation { erasePerson(personId: "p1") { __typename } }',
    "signOut": "mutation { signOut }",
    "changePassword": 'mutation { changePassword(current: "x", new: "y") { __typename } }',
    "rotateCalendarLink": "mutation { rotateCalendarLink }",
    "disableUser": 'mutation { disableUser(userId: "u1") { disabled } }',
    "myPlan": "query { myPlan { id } }",
    "plans": 'query { plans(personId: "p1") { id } }',
    "caseload": "query { caseload { personId } }",
    "createPlan": (
        'mutation { createPlan(input: {personId: "p1", whatMatters: "x", goals: []}) '
        "{ __typename } }"
    ),
    "reviewPlan": (
        'mutation { reviewPlan(input: {planId: "plan1", goals: [], ons4: []}) { __typename } }'
    ),
    "setPlanStatus": 'mutation { setPlanStatus(planId: "plan1", status: PAUSED) { __typename } }',
    "movePlanReviews": (
        'mutation { movePlanReviews(planId: "plan1", dates: ["2030-01-01"]) { __typename } }'
    ),
    "rewordGoal": 'mutation { rewordGoal(goalId: "g1", text: "x") { __typename } }',
    "setGoalStatus": 'mutation { setGoalStatus(goalId: "g1", status: ACHIEVED) { __typename } }',
    "groupsAttended": 'query { groupsAttended(personId: "p1") { serviceId } }',
    "recordPeopleMet": (
        'mutation { recordPeopleMet(input: {personId: "p1", serviceId: "s1", '
        'metPersonIds: ["p2"]}) { __typename } }'
    ),
}
PUBLIC = {"signIn"}


def test_every_root_field_of_the_schema_is_listed_here() -> None:
    """Every root field of the assembled schema (service/schema.py), from every domain."""
    fields = set(Query.__strawberry_definition__.fields) | set(
        Mutation.__strawberry_definition__.fields
    )
    names = {schema.config.name_converter.get_graphql_name(f) for f in fields}
    assert names == set(ROOT_CALLS) | PUBLIC


@pytest.mark.parametrize("field", sorted(ROOT_CALLS))
def test_without_a_token_every_field_is_refused(api: Api, field: str) -> None:
    body = api.gql(ROOT_CALLS[field])
    assert body["data"] in (None, {field: None})
    assert "Sign in" in body["errors"][0]["message"]


def test_a_volunteer_cannot_read_a_person_or_their_address(api: Api, world: World) -> None:
    ann = world.person("Ann")
    world.visit(ann)
    token = world.volunteer_token(world.volunteer("Val"))
    for query, variables in ((PERSON, {"id": ann.id}), (PEOPLE, {}), (VOLUNTEERS, {})):
        body = api.gql(query, variables, token=token)
        assert not any((body["data"] or {}).values())
        assert body["errors"][0]["message"] == "Not allowed."
        assert "Mare" not in str(body) and "Smith" not in str(body)
    visible = api.data(OPEN, token=token)["openVisits"]["edges"]
    assert visible and all(e["node"]["address"] is None for e in visible)


def test_a_person_reads_themselves_and_no_one_else(api: Api, world: World) -> None:
    ann, bob = world.person("Ann"), world.person("Bob")
    _, token = world.user("person", person_id=ann.id)
    me = api.data(PERSON, {"id": ann.id}, token=token)["person"]
    assert me["firstName"] == "Ann" and me["address"] == "3 Mare Street, E8 1AB"
    body = api.gql(PERSON, {"id": bob.id}, token=token)
    assert body["data"] == {"person": None} and body["errors"][0]["message"] == "Not allowed."
    assert "Bob" not in str(body)
    for query in (PEOPLE, VOLUNTEERS, OPEN):
        assert api.gql(query, token=token)["data"] is None


def test_staff_see_names_by_role_and_addresses_only_with_contact_consent(
    api: Api, world: World
) -> None:
    """The arranging-visits basis gives staff names, not addresses (tests/person_record_api/
    test_person_access.py has the whole policy, scope by scope)."""
    ann = world.person("Ann")
    _, coordinator = world.user("coordinator")
    _, link_worker = world.user("link_worker")
    for token in (coordinator, link_worker):
        node = api.data(PERSON, {"id": ann.id}, token=token)["person"]
        assert node["firstName"] == "Ann" and node["address"] is None
    policy.make_grant(
        store=api.store,
        person_id=ann.id,
        grantee_user_id=None,
        grantee_organization_id=world.organization_id,
        purpose="arranging visits",
        scopes=["contact"],
        expires_at=utc_now() + timedelta(days=7),
    )
    for token in (coordinator, link_worker):
        node = api.data(PERSON, {"id": ann.id}, token=token)["person"]
        assert node["address"] == "3 Mare Street, E8 1AB"
    body = api.gql(VOLUNTEERS, token=link_worker)
    assert body["data"] is None and body["errors"][0]["message"] == "Not allowed."


def test_staff_without_an_organisation_see_nobody(api: Api, world: World) -> None:
    world.person("Ann")
    _, token = world.user("coordinator", organization_id=None)
    body = api.gql(PEOPLE, token=token)
    assert body["data"] is None and "organisation" in body["errors"][0]["message"]


def test_people_pages_with_cursors(api: Api, world: World) -> None:
    made = {world.person(f"N{i}").id for i in range(5)}
    _, coordinator = world.user("coordinator")
    seen: list[str] = []
    after = None
    query = """query($after: String) { people(first: 2, after: $after) {
        edges { node { id } } pageInfo { hasNextPage endCursor } } }"""
    while True:
        page = api.data(query, {"after": after}, token=coordinator)["people"]
        seen += [e["node"]["id"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert made <= set(seen) and len(seen) == len(set(seen))
