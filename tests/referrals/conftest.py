"""The real API server and world of tests/service, with a second organisation that runs a lunch
club and a partner user of it, and the person's consent for needs to the referring one."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from graph.models import Interest, Organization, Person, Schedule, Service, utc_now
from service.consent import policy
from tests.service.conftest import Api, World
from tests.service.conftest import api as api  # noqa: F401  (fixture)
from tests.service.conftest import world as world  # noqa: F401  (fixture)
from tests.world import saved

REFER = """mutation($p: ID!, $s: ID!, $note: String, $contact: Boolean) {
  referToService(personId: $p, serviceId: $s, note: $note, shareContact: $contact) {
    __typename ... on ReferralMade { referral { id status } }
  }
}"""
INBOX = """query($status: [ReferralState!]) {
  referralInbox(status: $status) {
    id serviceId serviceName status referredFrom area firstName note phone contactAgreed
    declineReason declineNote attended missed
  }
}"""
REFERRALS = """query($id: ID!) {
  referrals(personId: $id) {
    id status declineReason declineInWords decidedAt attended missed contactAgreed
  }
}"""


@dataclass
class Partner:
    """Organisation B: runs ``service`` (a lunch club); ``token`` is its partner user's."""

    organization_id: str
    service: Service
    token: str
    user_id: str


def partner_organisation(
    world: World, *, places: int | None = None, interests: tuple[str, ...] = ()
) -> Partner:
    """Organisation B with its lunch club (``places`` a week; ``interests`` are the names of
    interests it serves, saved as Interest nodes) and a partner user of B."""
    store = world.api.store
    tag = uuid.uuid4().hex[:6]
    org = saved(
        store, Organization(id=f"org-lunch-{tag}", name=f"Lunch Club Trust {tag}", kind="charity")
    )
    interest_ids = [
        saved(store, Interest(id=f"{n.replace(' ', '-')}-{tag}", name=n)).id for n in interests
    ]
    service = saved(
        store,
        Service(
            id=f"svc-lunch-{tag}",
            name=f"Tuesday lunch club {tag}",
            category="lunch_club",
            organization_id=org.id,
            lat=51.551,
            lon=-0.061,
            area_id=world.area_id,
            interests=interest_ids,
            schedules=[Schedule(day=1, start="12:00", end="14:00")],
            weekly_places=places,
        ),
    )
    email, token = world.user("partner", organization_id=org.id)
    from graph.repo.users import get_user_by_email

    user = get_user_by_email(store=store, email=email)
    assert user is not None
    return Partner(organization_id=org.id, service=service, token=token, user_id=user.id)


def consenting_person(world: World, name: str = "Ann", **fields: object) -> Person:
    """A person of the world's organisation who granted it ``needs`` (what referring needs)."""
    person = world.person(name, **({"phone": "020 7946 0000"} | fields))
    policy.make_grant(
        store=world.api.store,
        person_id=person.id,
        grantee_user_id=None,
        grantee_organization_id=world.organization_id,
        purpose="finding local groups",
        scopes=["needs"],
        expires_at=utc_now() + timedelta(days=60),
    )
    return person


def refer(api: Api, token: str, person: Person, service: Service, *, contact: bool = False) -> str:
    made = api.data(
        REFER,
        {"p": person.id, "s": service.id, "note": "Loves a chat over lunch", "contact": contact},
        token=token,
    )["referToService"]
    assert made["__typename"] == "ReferralMade", made
    return str(made["referral"]["id"])
