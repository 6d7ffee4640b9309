"""The demo's partner: the organisation running a lunch club takes 3 new people a week, and a
referral from the demo link worker waits in its inbox (``serve --demo``)."""

from __future__ import annotations

import uuid

from graph.models import Referral
from graph.repo import demo as demo_repo
from graph.repo import organisations as organisations_repo
from graph.repo import referrals as referrals_repo
from graph.store.port import GraphStore
from service.connections.suggestions import refer_to_service
from service.consent import policy
from service.context import CurrentUser

DEMO_WEEKLY_PLACES = 3
DEMO_PEOPLE_TRIED = 20
DEMO_NOTE = "Would like company at lunch; walks with a stick, so a seat near the door helps."


def demo_partner_organization(*, store: GraphStore) -> str | None:
    """The organisation the demo partner works for (the first lunch club's), or None."""
    club = demo_repo.demo_lunch_club(store=store)
    return str(club["organization_id"]) if club else None


def seed_demo_referral(*, store: GraphStore, link_worker: CurrentUser) -> bool:
    """Give the lunch club weekly places and, once, a referral from the demo link worker of
    the first person they may refer (their organisation supports them, with ``needs`` consent);
    True if a referral was made now."""
    club = demo_repo.demo_lunch_club(store=store)
    if club is None:
        return False
    referrals_repo.set_weekly_places(
        store=store,
        service_id=club["service_id"],
        organization_id=club["organization_id"],
        places=DEMO_WEEKLY_PLACES,
    )
    if club["referrals"] or link_worker.organization_id is None:
        return False
    people = sorted(
        organisations_repo.person_ids_of(store=store, organization_id=link_worker.organization_id)
    )
    person_id = next(
        (
            p
            for p in people[:DEMO_PEOPLE_TRIED]
            if policy.access_to_person(store=store, user=link_worker, person_id=p).allows("needs")
        ),
        None,
    )
    if person_id is None:
        return False
    refer_to_service(
        store=store,
        referral=Referral(
            id=f"referral-{uuid.uuid4().hex[:16]}",
            person_id=person_id,
            service_id=club["service_id"],
            referred_by=link_worker.id,
            note=DEMO_NOTE,
            share_contact=True,
        ),
    )
    return True
