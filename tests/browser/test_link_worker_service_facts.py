"""The link worker's suggestion cards show what the directory says about a service (imported
from an ORUK v1 feed): who it is for and the ages, how to get in, the cost in its own words,
where, when, access as stated and whom to contact."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from graph.models import utc_now
from graph.repo.users import get_user_by_email
from seed.oruk import import_services, load_document
from service.consent import policy
from tests.browser.conftest import DESKTOP
from tests.service.conftest import World

pytestmark = pytest.mark.browser

V1 = Path(__file__).resolve().parents[1] / "oruk" / "data" / "feeds" / "oruk_v1_page.json"


def test_a_suggestion_card_shows_the_directory_facts(
    world: World, signed_in: Callable[..., Page]
) -> None:
    store = world.api.store
    import_services(store=store, document=load_document(V1))
    ida = world.person(
        "Ida", last_name="Marsh", lat=51.54, lon=-0.05, date_of_birth=date(1940, 2, 1)
    )
    email, token = world.user("link_worker")
    user = get_user_by_email(store=store, email=email)
    assert user is not None
    policy.make_grant(
        store=store,
        person_id=ida.id,
        grantee_user_id=user.id,
        grantee_organization_id=None,
        purpose="finding local groups",
        scopes=["needs"],
        expires_at=utc_now() + timedelta(days=30),
    )

    page = signed_in(token, DESKTOP)
    page.goto("/link-worker")
    expect(page.locator("body[data-ready=true]")).to_be_attached()
    page.get_by_label("Name", exact=True).fill("ida mar")
    page.get_by_role("button", name="Ida Marsh").click()

    card = page.locator("#suggestions > li[data-service-id='oruk-service-101']")
    facts = card.get_by_role("definition")
    expect(card.locator("dl.facts dt")).to_have_text(
        ["For", "How to get in", "Cost", "Where", "When", "Access", "Contact"]
    )
    expect(facts).to_have_text(
        [
            "Carers, Dementia; ages 50 and over",
            "Drop-in; self-referral welcome",
            "£3.50 per session; Carers: £2.00 concession",
            "12 Church Lane, VB3 2NP; 1 Library Square, Northgate, VB3 4QT",
            "Every Tuesday except bank holidays",
            "Partial wheelchair access: one step at the side door; Hearing loop in the main hall",
            "Asha Patel, 020 7946 0100",
        ]
    )
    lip = page.locator("#suggestions > li[data-service-id='oruk-service-102']")
    expect(lip.locator("dl.facts")).to_contain_text("not stated: check with them")
