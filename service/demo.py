"""``carecircles serve --demo``: a borough to look at, this week's rota of each befriending
organisation published, and a sign-in for one user of each role (a coordinator of each
befriending organisation, a link worker of the council's social prescribing team).

The demo borough has three organisations that run things (seed/borough.py): two befriending
organisations, each supporting about half the people with its own volunteers (some volunteer
with both), and the council's link-worker team supporting about half the people. Each
organisation's staff see only the people it supports.

The demo people's consent (``grant_demo_consent``), stored through ``service.consent.policy`` as
the people's own grants: most grant the befriending organisation that supports them ``needs``
and ``checkins`` "for arranging visits and support" for a year, every third of those
``contact`` too, and those the link-worker team supports grant it the same; every tenth person
grants nothing (their record shows name, area and visit times to their organisations' staff, no
more). A few of those who granted the link-worker team check-in access have a history of
check-ins over the last six weeks (``seed_demo_check_ins``, through ``wellbeing.checkins``): some
getting lonelier (which raises alerts for the link worker), some better, so the trend chart,
suggestions and alerts have something to show.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from graph.models import User, utc_now
from graph.repo import demo as demo_repo
from graph.repo import organisations as organisations_repo
from graph.repo import services as services_repo
from graph.repo import users as users_repo
from graph.repo.users import get_user_by_email
from graph.store.port import GraphStore
from service.accounts.auth import hash_password
from service.accounts.users import create_user, to_current, token_for
from service.consent.policy import make_grant
from service.referrals.demo import demo_partner_organization, seed_demo_referral
from service.rota.runs import publish_rota, run_rota
from service.weeks import monday_of, today
from service.wellbeing.checkins import record_check_in
from service.wellbeing.scales import ScaleError

DEMO_DOMAIN = "demo.carecircles.example"
DEMO_PURPOSE = "arranging visits and support"
DEMO_GRANT_DAYS = 365
DEMO_RECORDED_BY = "demo-seed"
# UCLA3 answers six, three and one week ago: getting lonelier (an alert), better, steady.
DEMO_CHECK_IN_HISTORIES = (
    ((1, 2, 1), (2, 2, 2), (3, 3, 2)),
    ((3, 3, 2), (2, 2, 2), (1, 2, 1)),
    ((2, 1, 2), (2, 2, 1), (2, 1, 2)),
)
DEMO_CHECK_IN_WEEKS_AGO = (6, 3, 1)
DEMO_PEOPLE_WITH_CHECK_INS = 12


BEFRIENDING_KINDS = ["coordinating", "befriending"]
LINK_WORKER_KINDS = ["social_prescribing"]


@dataclass(frozen=True)
class DemoSignIn:
    role: str
    email: str
    password: str
    token: str
    organization_id: str | None = None


def befriending_organizations(*, store: GraphStore) -> list[str]:
    """The organisations that run rotas in the demo: the coordinating one first."""
    first = services_repo.list_organization_ids(store=store, kinds=["coordinating"])
    more = services_repo.list_organization_ids(store=store, kinds=["befriending"])
    return sorted(first) + sorted(set(more) - set(first))


def link_worker_organization(*, store: GraphStore) -> str | None:
    found = services_repo.list_organization_ids(store=store, kinds=LINK_WORKER_KINDS)
    return sorted(found)[0] if found else None


def seed_if_empty(*, store: GraphStore) -> bool:
    """Load the demo borough (this week's visits) when there are no people; True if loaded."""
    if demo_repo.count_people(store=store):
        return False
    from seed.borough import generate_borough
    from seed.load import load_borough

    load_borough(store=store, borough=generate_borough("demo", 0, week_start=monday_of(today())))
    granted = grant_demo_consent(store=store)
    seed_demo_check_ins(store=store, person_ids=granted[:DEMO_PEOPLE_WITH_CHECK_INS])
    return True


def grant_demo_consent(*, store: GraphStore) -> list[str]:
    """The demo people's grants to the organisations that support them (see the module
    docstring); returns the ids of the people who granted the link-worker team check-in
    access, in id order."""
    expires_at = utc_now() + timedelta(days=DEMO_GRANT_DAYS)
    supported = {
        org: organisations_repo.person_ids_of(store=store, organization_id=org)
        for org in befriending_organizations(store=store)
    }
    link_team = link_worker_organization(store=store)
    with_link_team = (
        organisations_repo.person_ids_of(store=store, organization_id=link_team)
        if link_team
        else set()
    )
    granted = []
    for index, person_id in enumerate(demo_repo.list_person_ids(store=store)):
        if index % 10 == 9:
            continue
        scopes = ["needs", "checkins"] + (["contact"] if index % 3 == 0 else [])
        grantees = [org for org, people in supported.items() if person_id in people]
        if link_team and person_id in with_link_team:
            grantees.append(link_team)
        for organization_id in grantees:
            make_grant(
                store=store,
                person_id=person_id,
                grantee_user_id=None,
                grantee_organization_id=organization_id,
                purpose=DEMO_PURPOSE,
                scopes=scopes,
                expires_at=expires_at,
            )
        if link_team and person_id in with_link_team:
            granted.append(person_id)
    return granted


def seed_demo_check_ins(*, store: GraphStore, person_ids: list[str]) -> int:
    """Three UCLA3 check-ins each over the last six weeks; how many were recorded."""
    now = utc_now()
    recorded = 0
    for index, person_id in enumerate(person_ids):
        history = DEMO_CHECK_IN_HISTORIES[index % len(DEMO_CHECK_IN_HISTORIES)]
        for answers, weeks_ago in zip(history, DEMO_CHECK_IN_WEEKS_AGO, strict=True):
            result = record_check_in(
                store=store,
                person_id=person_id,
                scale="UCLA3",
                answers=list(answers),
                recorded_by=DEMO_RECORDED_BY,
                at=now - timedelta(weeks=weeks_ago),
            )
            recorded += 0 if isinstance(result, ScaleError) else 1
    return recorded


def publish_this_week(*, store: GraphStore, time_limit: float = 8.0) -> str:
    """Run and publish this week's rota of each befriending organisation; their run ids."""
    run_ids = []
    for organization_id in befriending_organizations(store=store):
        run = run_rota(
            store=store,
            week_start=monday_of(today()),
            time_limit=time_limit,
            organization_id=organization_id,
        )
        publish_rota(store=store, run_id=run.id)
        run_ids.append(run.id)
    return ", ".join(run_ids)


def demo_sign_ins(*, store: GraphStore, key: bytes) -> list[DemoSignIn]:
    """One user per role (a coordinator of each befriending organisation), created once; each
    start gives them a fresh password."""
    week_start = monday_of(today()).isoformat()
    # A volunteer with proposed visits this week, so the demo volunteer has something to answer.
    volunteer_id = demo_repo.volunteer_with_most_proposals(
        store=store, week_start=week_start
    ) or demo_repo.lowest_id_with_label(store=store, label="Volunteer")
    befriending = befriending_organizations(store=store)
    links: list[tuple[str, str, dict[str, str | None]]] = [
        ("coordinator", "coordinator", {"organization_id": befriending[0] if befriending else None})
    ]
    links += [
        ("coordinator", f"coordinator-{n}", {"organization_id": org})
        for n, org in enumerate(befriending[1:], start=2)
    ]
    links += [
        ("link_worker", "link-worker", {"organization_id": link_worker_organization(store=store)}),
        ("volunteer", "volunteer", {"volunteer_id": volunteer_id}),
        (
            "person",
            "person",
            {"person_id": demo_repo.lowest_id_with_label(store=store, label="Person")},
        ),
        ("admin", "admin", {}),
    ]
    partner_organization = demo_partner_organization(store=store)
    if partner_organization is not None:
        links.append(("partner", "partner", {"organization_id": partner_organization}))
    sign_ins = []
    for role, name, link in links:
        email = f"{name}@{DEMO_DOMAIN}"
        password = secrets.token_urlsafe(9)
        existing = get_user_by_email(store=store, email=email)
        if existing is None:
            user = create_user(
                store=store,
                email=email,
                password=password,
                role=role,
                person_id=link.get("person_id"),
                volunteer_id=link.get("volunteer_id"),
                organization_id=link.get("organization_id"),
            )
        else:
            user = users_repo.update_user(
                store=store,
                user=User.model_validate(
                    existing.model_dump() | {"password_hash": hash_password(password)}
                ),
            )
        sign_ins.append(
            DemoSignIn(
                role,
                email,
                password,
                token_for(key=key, user_id=user.id),
                organization_id=user.organization_id,
            )
        )
        if role == "link_worker":
            # A referral from the demo link worker waits in the demo partner's inbox.
            seed_demo_referral(store=store, link_worker=to_current(user))
    return sign_ins
