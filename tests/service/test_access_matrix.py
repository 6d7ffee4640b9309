"""The access matrix: every role, from the organisation that supports the person (A) and from
another (B), without and then with the person's consent, against every query and mutation on
personal data, over real HTTP against the real store. The expected answer of each cell comes
from ``expected`` below, the policy written out as a reader would state it (service/access.py):

- staff see the people their organisation supports (arranging visits: name, area, pattern)
  and coordinators their own volunteers, visits and rota; more only by the person's consent;
- staff of another organisation see nothing without consent, and with it only what it names;
  lists, rotas and changes stay their own organisation's;
- the person sees their own record; a volunteer what a consent to them names, and the open
  visits (first name, area) of the people their organisation supports, which they may claim;
  admin nothing;
- a partner (even of the organisation the person consented to) nothing: it sees a person only
  through a referral to its services (tests/referrals);
- only the person chooses who acts for them on their consent (delegates) and ends it; their
  daughter, once chosen (with consent: for needs and the plan), grants and withdraws within
  that and sees whom she acts for; nobody else does (tests/service/test_delegation.py).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from graph.models import Person, RotaRun, utc_now
from graph.repo import rota_runs
from service.consent import delegation, policy
from service.weeks import monday_of, today, week_label
from tests.service.conftest import Api, World


@dataclass(frozen=True)
class Caller:
    name: str
    role: str
    org: str | None  # "A", "B" or None
    token: str


@dataclass
class Setting:
    world: World
    org_a: str
    org_b: str
    ann_id: str  # supported by A
    val_id: str  # volunteers with A
    run_id: str  # A's rota run, naming Ann's visit
    callers: list[Caller]
    coordinator_a: str
    daughter_email: str  # Ann's daughter Dee: a person with an account of her own
    lunch_club: str  # an organisation nobody in the matrix works for
    ann: Person
    open_visit_id: str  # an open visit of Ann's next week
    claims_made: int = 0


WEEK = monday_of(today())
LANGUAGE_REASON = "shares language pl"


@pytest.fixture(scope="module")
def setting(api: Api) -> Setting:
    world = World(api)
    org_a, org_b = world.organization_id, world.organization("Other")
    ann = world.person(
        "Ann", address="1 Mare Street", phone="07700 900001", languages=["pl"], need=0.7
    )
    world.person("Bob", organization_id=org_b)
    val = world.volunteer("Val", languages=["pl"])  # eligible for Ann's visits
    other_val = world.volunteer("Vic", organization_id=org_b, languages=["pl"])  # eligible too
    visit = world.visit(ann, week_start=WEEK)
    problem = {  # a ROTA_FORMAT problem, as a run keeps it (a scenario starts from it)
        "format": "carecircles.rota/1",
        "week_start": WEEK.isoformat(),
        "people": [{"id": ann.id, "lat": ann.lat, "lon": ann.lon, "languages": ["pl"]}],
        "visits": [
            {
                "id": visit.id,
                "person": ann.id,
                "day": visit.day,
                "earliest": visit.earliest,
                "latest": visit.latest,
                "duration_minutes": visit.duration_minutes,
            }
        ],
        "volunteers": [
            {"id": val.id, "lat": val.lat, "lon": val.lon, "max_km": 5, "max_minutes": 600}
        ],
    }
    solution = {
        "status": "FEASIBLE",
        "assignments": [
            {"visit": visit.id, "volunteer": val.id, "start": "10:00", "reasons": [LANGUAGE_REASON]}
        ],
        "unassigned": [],
    }
    run = RotaRun(
        id=f"run-matrix-{uuid.uuid4().hex[:8]}",
        week_start=WEEK,
        organization_id=org_a,
        status="draft",
        problem=json.dumps(problem),
        solution=json.dumps(solution),
    )
    rota_runs.create_rota_run(store=api.store, run=run)

    def user(name: str, role: str, org: str | None, **links: Any) -> Caller:
        org_id = {"A": org_a, "B": org_b}.get(org or "")
        if org_id:
            links["organization_id"] = org_id
        return Caller(name, role, org, world.user(role, **links)[1])

    callers = [
        user("coordinator A", "coordinator", "A"),
        user("link worker A", "link_worker", "A"),
        user("coordinator B", "coordinator", "B"),
        user("link worker B", "link_worker", "B"),
        user("volunteer A", "volunteer", None, volunteer_id=val.id),
        user("volunteer B", "volunteer", None, volunteer_id=other_val.id),
        user("Ann herself", "person", None, person_id=ann.id),
        user("admin", "admin", None),
        user("partner A", "partner", "A"),
        user("partner B", "partner", "B"),
    ]
    dee = world.person("Dee", organization_id=None)
    dee_email, dee_token = world.user("person", person_id=dee.id)
    callers.append(Caller("Ann's daughter", "person", None, dee_token))
    return Setting(
        world,
        org_a,
        org_b,
        ann.id,
        val.id,
        run.id,
        callers,
        callers[0].token,
        dee_email,
        world.organization("Lunch"),
        ann,
        world.visit(ann).id,
    )


def _give_consent(api: Api, s: Setting) -> None:
    """Ann consents (contact, needs, check-ins) to both organisations and to volunteer B."""
    vb = next(c for c in s.callers if c.name == "volunteer B")
    vb_user = api.data("query { me { id } }", token=vb.token)["me"]["id"]
    for org in (s.org_a, s.org_b):
        policy.make_grant(
            store=api.store,
            person_id=s.ann_id,
            grantee_user_id=None,
            grantee_organization_id=org,
            purpose="my support",
            scopes=["contact", "needs", "checkins"],
            expires_at=utc_now() + timedelta(days=30),
        )
    policy.make_grant(
        store=api.store,
        person_id=s.ann_id,
        grantee_user_id=vb_user,
        grantee_organization_id=None,
        purpose="my befriender",
        scopes=["contact", "needs"],
        expires_at=utc_now() + timedelta(days=30),
    )
    delegation.delegate(
        store=api.store,
        person_id=s.ann_id,
        own_user_id="",
        delegate_user_id=None,
        delegate_email=s.daughter_email,
        scopes=["needs", "plan"],
        expires_at=utc_now() + timedelta(days=30),
    )


# --- what each operation does, and the outcome it gave ---------------------------------------

Outcome = str  # "denied", or a word for what was given


def _errors(body: dict[str, Any]) -> bool:
    return bool(body.get("errors"))


def _answer(api: Api, c: Caller, query: str, variables: dict[str, Any]) -> Outcome:
    """The ``__typename`` of the answer to a one-field mutation, or "denied"."""
    body = api.gql(query, variables, c.token)
    if _errors(body):
        return "denied"
    [answer] = body["data"].values()
    return str(answer["__typename"])


Op = Callable[[Api, Setting, Caller], Outcome]
Variables = Callable[[Setting], dict[str, Any]]


def _answered(query: str, variables: Variables, given: Outcome) -> Op:
    """An operation whose outcome is whether it was refused: ``given`` when it was not."""

    def run(api: Api, s: Setting, c: Caller) -> Outcome:
        return "denied" if _errors(api.gql(query, variables(s), c.token)) else given

    return run


def _lists(query: str, field: str, wanted: Callable[[Setting], str]) -> Op:
    """A list query: denied, or whether ``wanted``'s id is among the nodes listed."""

    def run(api: Api, s: Setting, c: Caller) -> Outcome:
        body = api.gql(query, token=c.token)
        if _errors(body):
            return "denied"
        ids = [e["node"]["id"] for e in body["data"][field]["edges"]]
        return "listed" if wanted(s) in ids else "not listed"

    return run


def _ann(s: Setting) -> dict[str, Any]:
    return {"id": s.ann_id}


def _ann_id(s: Setting) -> str:
    return s.ann_id


def op_person_address(api: Api, s: Setting, c: Caller) -> Outcome:
    body = api.gql("query($id: ID!) { person(id: $id) { address need } }", _ann(s), c.token)
    if _errors(body):
        return "denied"
    person = body["data"]["person"]
    return "address" if person["address"] else "no address"


def op_visits(api: Api, s: Setting, c: Caller) -> Outcome:
    body = api.gql(
        "query($w: String!) { visits(week: $w, first: 100) "
        "{ edges { node { personFirstName address } } } }",
        {"w": week_label(WEEK)},
        c.token,
    )
    if _errors(body):
        return "denied"
    mine = [e["node"] for e in body["data"]["visits"]["edges"] if e["node"]["personFirstName"]]
    if not mine:
        return "not listed"
    return "address" if mine[0]["address"] else "no address"


def op_rota_run(api: Api, s: Setting, c: Caller) -> Outcome:
    body = api.gql(
        "query($id: ID!) { rotaRun(id: $id) { assignments { reasons } } }",
        {"id": s.run_id},
        c.token,
    )
    if _errors(body):
        return "denied"
    run = body["data"]["rotaRun"]
    if run is None:
        return "not found"
    reasons = [r for a in run["assignments"] for r in a["reasons"]]
    return "languages" if LANGUAGE_REASON in reasons else "no languages"


def op_rota_csv(api: Api, s: Setting, c: Caller) -> Outcome:
    response = api.client.get(
        f"/rota/{s.run_id}.csv", headers={"Authorization": f"Bearer {c.token}"}
    )
    if response.status_code != 200:
        return "denied"
    return "languages" if LANGUAGE_REASON in response.text else "no languages"


def _fresh_person(name: str) -> Variables:
    """One of A's, made afresh for each call (an allowed erasure erases them)."""
    return lambda s: {"id": s.world.person(name).id}


def _fresh_open_visit(s: Setting) -> dict[str, Any]:
    """An open visit of Ann's next week, made afresh for each call (a claim takes it), on a
    day of its own so that one volunteer's claims never overlap."""
    s.claims_made += 1
    return {"id": s.world.visit(s.ann, day=s.claims_made % 7).id}


def op_claim_visit(api: Api, s: Setting, c: Caller) -> Outcome:
    claim = "mutation($id: ID!) { claimVisit(visitId: $id) { __typename } }"
    answer = _answer(api, c, claim, _fresh_open_visit(s))
    return "claimed" if answer == "VisitClaimed" else answer


def op_record_consent(api: Api, s: Setting, c: Caller) -> Outcome:
    someone = s.world.person("Fay")
    org = {"A": s.org_a, "B": s.org_b}.get(c.org or "", s.org_a)
    body = api.gql(
        "mutation($input: GrantAccessInput!) { grantAccess(input: $input) { id } }",
        {
            "input": {
                "personId": someone.id,
                "granteeOrganizationId": org,
                "purpose": "support",
                "scopes": ["CONTACT"],
                "given": "BY_PHONE",
            }
        },
        c.token,
    )
    return "denied" if _errors(body) else "recorded"


def _revokes(person: Callable[[Setting], str], grantee: Callable[[Setting], str]) -> Op:
    """Revoke a needs grant of ``person``'s to the organisation ``grantee``, made afresh."""

    def run(api: Api, s: Setting, c: Caller) -> Outcome:
        grant = policy.make_grant(
            store=api.store,
            person_id=person(s),
            grantee_user_id=None,
            grantee_organization_id=grantee(s),
            purpose="support",
            scopes=["needs"],
            expires_at=utc_now() + timedelta(days=30),
        )
        revoke = "mutation($id: ID!) { revokeAccess(grantId: $id) { __typename } }"
        answer = _answer(api, c, revoke, {"id": grant.id})
        return "revoked" if answer == "AccessRevoked" else "denied"

    return run


def _ann_token(s: Setting) -> str:
    return next(c.token for c in s.callers if c.name == "Ann herself")


def op_grant_on_behalf(api: Api, s: Setting, c: Caller) -> Outcome:
    body = api.gql(
        "mutation($input: GrantAccessInput!) { grantAccess(input: $input) { madeBy } }",
        {
            "input": {
                "personId": s.ann_id,
                "granteeOrganizationId": s.lunch_club,
                "purpose": "the lunch club",
                "scopes": ["PLAN"],
            }
        },
        c.token,
    )
    if _errors(body):
        return "denied"
    return "granted as delegate" if body["data"]["grantAccess"]["madeBy"] else "granted"


def op_delegate(api: Api, s: Setting, c: Caller) -> Outcome:
    someone, _ = s.world.user("volunteer", volunteer_id=s.val_id)  # fresh each time
    body = api.gql(
        "mutation($e: String!) { delegateConsent(input: {delegateEmail: $e, scopes: [NEEDS]}) "
        "{ id } }",
        {"e": someone},
        c.token,
    )
    if _errors(body):
        return "denied"
    anns = api.store.run(
        "MATCH (:Person {id: $p})-[d:DELEGATES]->(:User) WHERE d.id = $id RETURN d.id AS id",
        {"p": s.ann_id, "id": body["data"]["delegateConsent"]["id"]},
    )
    return "Ann's delegated" if anns else "their own delegated"


def op_end_delegation(api: Api, s: Setting, c: Caller) -> Outcome:
    someone, _ = s.world.user("volunteer", volunteer_id=s.val_id)
    made = api.data(
        "mutation($e: String!) { delegateConsent(input: {delegateEmail: $e, scopes: [NEEDS]}) "
        "{ id } }",
        {"e": someone},
        _ann_token(s),
    )["delegateConsent"]
    end = "mutation($id: ID!) { endDelegation(delegationId: $id) { __typename } }"
    answer = _answer(api, c, end, {"id": made["id"]})
    return "ended" if answer == "DelegationEnded" else "denied"


def op_acting_for(api: Api, s: Setting, c: Caller) -> Outcome:
    body = api.gql("query { actingFor { personId } }", token=c.token)
    if _errors(body):
        return "denied"
    ids = [a["personId"] for a in body["data"]["actingFor"]]
    return "acts for Ann" if s.ann_id in ids else "nobody"


def op_run_scenario(api: Api, s: Setting, c: Caller) -> Outcome:
    scenario = "mutation($input: ScenarioInput!) { runScenario(input: $input) { __typename } }"
    kind = _answer(api, c, scenario, {"input": {"week": week_label(WEEK), "timeLimitSeconds": 1}})
    if kind == "denied":
        return kind
    return "compared" if kind == "ScenarioComparison" else "no run"


def op_heat_map(api: Api, s: Setting, c: Caller) -> Outcome:
    body = api.gql(
        "query($w: String!) { recruitmentHeatMap(week: $w) { runId } }",
        {"w": week_label(WEEK)},
        c.token,
    )
    if _errors(body):
        return "denied"
    return "no run" if body["data"]["recruitmentHeatMap"] is None else "heat map"


OPERATIONS: dict[str, Op] = {
    "person.firstName": _answered(
        "query($id: ID!) { person(id: $id) { firstName } }", _ann, "name"
    ),
    "person.address": op_person_address,
    "people": _lists("query { people(first: 100) { edges { node { id } } } }", "people", _ann_id),
    "volunteers": _lists(
        "query { volunteers(first: 100) { edges { node { id } } } }",
        "volunteers",
        lambda s: s.val_id,
    ),
    "personRecord": _answered(
        "query($id: ID!) { personRecord(personId: $id) { firstName phone } }", _ann, "record"
    ),
    "visits": op_visits,
    "openVisits": _lists(
        "query { openVisits(first: 100) { edges { node { id personFirstName } } } }",
        "openVisits",
        lambda s: s.open_visit_id,
    ),
    "claimVisit": op_claim_visit,
    "rotaRun": op_rota_run,
    "rota CSV": op_rota_csv,
    "checkIns": _answered("query($id: ID!) { checkIns(personId: $id) { id } }", _ann, "check-ins"),
    "updatePerson": _answered(
        'mutation($id: ID!) { updatePerson(id: $id, input: {lastName: "Smith"}) { id } }',
        _ann,
        "changed",
    ),
    "setVisitPattern": _answered(
        "mutation($id: ID!) { setVisitPattern(personId: $id, "
        'windows: [{day: 1, start: "10:00", end: "13:00"}]) { id } }',
        _ann,
        "changed",
    ),
    "updateVolunteer": _answered(
        "mutation($id: ID!) { updateVolunteer(id: $id, input: {checked: true}) { id } }",
        lambda s: {"id": s.val_id},
        "changed",
    ),
    "erasePerson": _answered(
        "mutation($id: ID!) { erasePerson(personId: $id) { id } }", _fresh_person("Eve"), "erased"
    ),
    "grantAccess (recorded by staff)": op_record_consent,
    "revokeAccess (a grant to A)": _revokes(lambda s: s.world.person("Gus").id, lambda s: s.org_a),
    "groupsAttended": _answered(
        "query($id: ID!) { groupsAttended(personId: $id) { serviceId } }", _ann, "groups"
    ),
    "recordPeopleMet": _answered(
        "mutation($input: PeopleMetInput!) { recordPeopleMet(input: $input) { __typename } }",
        lambda s: {
            "input": {"personId": s.ann_id, "serviceId": "svc-none", "metPersonIds": ["p-none"]}
        },
        "answered",
    ),
    "grantAccess (plan, on Ann's behalf)": op_grant_on_behalf,
    "revokeAccess (needs, on Ann's behalf)": _revokes(_ann_id, lambda s: s.lunch_club),
    "delegateConsent": op_delegate,
    "endDelegation (Ann's)": op_end_delegation,
    "actingFor": op_acting_for,
    "runScenario (A's week)": op_run_scenario,
    "recruitmentHeatMap (A's week)": op_heat_map,
}


def expected(op: str, c: Caller, consent: bool) -> Outcome:
    """The policy, cell by cell. Consent (when given) is Ann's to A, to B and to volunteer B."""
    staff = c.role in ("coordinator", "link_worker")
    own = staff and c.org == "A"
    coordinator_a = c.role == "coordinator" and c.org == "A"
    itself = c.name == "Ann herself"
    daughter = consent and c.name == "Ann's daughter"
    grantee = consent and (staff or c.name == "volunteer B")
    sees_person = itself or own or grantee
    if op == "person.firstName":
        return "name" if sees_person else "denied"
    if op == "person.address":
        if not sees_person:
            return "denied"
        return "address" if itself or grantee else "no address"
    if op == "people":
        return ("listed" if own else "not listed") if staff else "denied"
    if op == "volunteers":
        if c.role != "coordinator":
            return "denied"
        return "listed" if c.org == "A" else "not listed"
    if op == "personRecord":
        return "record" if itself or grantee else "denied"
    if op == "openVisits":  # a volunteer of A's is offered A's people's visits, consent or not
        if c.role != "volunteer":
            return "denied"
        return "listed" if c.name == "volunteer A" else "not listed"
    if op == "claimVisit":
        return "claimed" if c.name == "volunteer A" else "denied"
    if op == "visits":
        if c.role != "coordinator":
            return "denied"
        if c.org != "A":
            return "not listed"
        return "address" if consent else "no address"
    if op == "rotaRun":
        if c.role != "coordinator":
            return "denied"
        if c.org != "A":
            return "not found"
        return "languages" if consent else "no languages"
    if op == "rota CSV":
        if not coordinator_a:
            return "denied"
        return "languages" if consent else "no languages"
    if op == "checkIns":
        return "check-ins" if itself or (consent and staff) else "denied"
    if op in ("updatePerson", "setVisitPattern", "updateVolunteer"):
        return "changed" if coordinator_a else "denied"
    if op == "erasePerson":
        return "erased" if coordinator_a else "denied"
    if op == "grantAccess (recorded by staff)":
        return "recorded" if own else "denied"
    if op == "revokeAccess (a grant to A)":
        return "revoked" if own else "denied"
    if op == "groupsAttended":  # the person, or a link worker with plan consent (not given)
        return "groups" if itself else "denied"
    if op == "recordPeopleMet":
        return "answered" if itself else "denied"
    if op == "grantAccess (plan, on Ann's behalf)":
        return "granted" if itself else "granted as delegate" if daughter else "denied"
    if op == "revokeAccess (needs, on Ann's behalf)":
        return "revoked" if itself or daughter else "denied"
    if op == "delegateConsent":  # a person's own only: Ann's daughter has an account as one
        if itself:
            return "Ann's delegated"
        return "their own delegated" if c.name == "Ann's daughter" else "denied"
    if op == "endDelegation (Ann's)":
        return "ended" if itself else "denied"
    if op == "actingFor":
        return "acts for Ann" if daughter else "nobody"
    if op in ("runScenario (A's week)", "recruitmentHeatMap (A's week)"):
        if c.role != "coordinator":
            return "denied"
        if c.org != "A":
            return "no run"  # B's week has no run: A's is not B's to copy
        return "compared" if op.startswith("runScenario") else "heat map"
    raise AssertionError(op)


def _matrix(api: Api, s: Setting, consent: bool) -> list[str]:
    wrong = []
    for op, run in OPERATIONS.items():
        for caller in s.callers:
            got, want = run(api, s, caller), expected(op, caller, consent)
            if got != want:
                wrong.append(f"{op} by {caller.name} (consent: {consent}): got {got}, want {want}")
    return wrong


def test_every_role_from_either_organisation_without_and_with_consent(
    api: Api, setting: Setting
) -> None:
    without = _matrix(api, setting, consent=False)
    _give_consent(api, setting)
    with_consent = _matrix(api, setting, consent=True)
    assert not without + with_consent, "\n".join(without + with_consent)
    cells = len(OPERATIONS) * len(setting.callers) * 2
    assert cells >= 200
