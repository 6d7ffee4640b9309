"""The demo's partner: the organisation running a lunch club takes 3 new people a week, and a
referral from the demo link worker waits in its inbox (``serve --demo``)."""

from __future__ import annotations

import uuid

from graph.models import Referral
from graph.repo import demo as demo_repo
from graph.repo import referrals as referrals_repo
from graph.store.port import GraphStore
from service.connections.suggestions import refer_to_service

DEMO_WEEKLY_PLACES = 3
DEMO_NOTE = "Would like company at lunch; walks with a stick, so a seat near the door helps."


def demo_partner_organization(*, store: GraphStore) -> str | None:
    """The organisation the demo partner works for (the first lunch club's), or None."""
    club = demo_repo.demo_lunch_club(store=store)
    return str(club["organization_id"]) if club else None


def seed_demo_referral(*, store: GraphStore, person_id: str | None, link_worker_id: str) -> bool:
    """Give the lunch club weekly places and, once, a referral of the person from the demo link
    worker; True if a referral was made now."""
    club = demo_repo.demo_lunch_club(store=store)
    if club is None or person_id is None:
        return False
    referrals_repo.set_weekly_places(
        store=store,
        service_id=club["service_id"],
        organization_id=club["organization_id"],
        places=DEMO_WEEKLY_PLACES,
    )
    if club["referrals"]:
        return False
    refer_to_service(
        store=store,
        referral=Referral(
            id=f"referral-{uuid.uuid4().hex[:16]}",
            person_id=person_id,
            service_id=club["service_id"],
            referred_by=link_worker_id,
            note=DEMO_NOTE,
            share_contact=True,
        ),
    )
    return True
