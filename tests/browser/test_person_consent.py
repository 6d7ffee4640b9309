"""The person's consent choices in Chromium, on a phone and on a desktop: Ann sees who can see
what about her, lets the council's link workers see her plan, chooses her daughter to decide for
her, sees what her daughter gave in her name, and stops it; in large type and plain words (no
scope codes), with axe-core finding nothing in each state."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from graph.models import utc_now
from graph.repo import organisations
from tests.browser.axe import assert_accessible
from tests.browser.conftest import DESKTOP, PHONE, snap
from tests.browser.test_accessibility import assert_fits_a_person, wait_ready
from tests.service.conftest import World

pytestmark = pytest.mark.browser

GRANT = """mutation($input: GrantAccessInput!) { grantAccess(input: $input) { madeBy } }"""
PLANS = "query($id: ID!) { plans(personId: $id) { id } }"


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_ann_lets_the_council_see_her_plan_and_her_daughter_decide_for_her(
    world: World, signed_in: Callable[..., Page], viewport: str
) -> None:
    api = world.api
    ann = world.person("Ann", last_name="Okafor")
    council = world.organization("Council")
    organisations.support_person(
        store=api.store,
        person_id=ann.id,
        organization_id=council,
        since=utc_now(),
        basis="social_prescribing",
    )
    council_name = f"Council {world.tag}"
    worker = world.user("link_worker", organization_id=council)[1]
    dee = world.person("Dee", last_name="Okafor", organization_id=None)
    dee_email, dee_token = world.user("person", person_id=dee.id)
    _, ann_token = world.user("person", person_id=ann.id)

    page = signed_in(ann_token, PHONE if viewport == "phone" else DESKTOP)
    page.goto("/person")
    wait_ready(page)
    expect(page.locator("#plan-seen-by")).to_have_text(
        "Nobody else may see your plan. You can let an organisation that supports you see it, "
        "below."
    )
    expect(page.locator("#delegates-status")).to_have_text("Nobody decides for you: only you do.")
    size = page.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('#give-why')).fontSize)"
    )
    assert size >= 19, f"the consent form's type is {size}px"
    assert_accessible(page, f"the person's consent choices ({viewport})")
    assert_fits_a_person(page, "the person's consent choices")

    # Nothing chosen: each field says what it needs, and nothing is given.
    form = page.locator("#give-form")
    form.get_by_role("button", name="Give consent").click()
    expect(form.locator(".field-error:visible")).to_have_count(3)
    expect(page.locator("#give-who input").first).to_be_focused()
    assert_accessible(page, f"the give-consent form's errors ({viewport})")

    # Ann lets the council's link workers see her plan.
    form.get_by_role("radio", name=council_name).check()
    form.get_by_role("checkbox", name=re.compile("^Your support plan")).check()
    form.get_by_label("Why, in your own words").fill("help with my plan")
    form.get_by_role("button", name="Give consent").click()
    expect(page.locator("#give-status")).to_contain_text(
        f"Done: {council_name} may now see your support plan"
    )
    given = page.locator("#grants > li").filter(has_text=council_name)
    expect(given).to_contain_text("Why: “help with my plan”. Since ")
    expect(given).to_contain_text("You gave it yourself.")
    expect(page.locator("#plan-seen-by")).to_have_text(f"Who may see your plan: {council_name}.")
    assert api.data(PLANS, {"id": ann.id}, worker)["plans"] == []  # allowed now

    # Someone without an account: said beside the email address.
    delegating = page.locator("#delegate-form")
    delegating.get_by_label("Their email address").fill("nobody-here@example.org")
    delegating.get_by_role("checkbox", name=re.compile("^Your support plan")).check()
    delegating.get_by_role("button", name="Let them decide for me").click()
    expect(page.locator("#delegate-email-error")).to_have_text(
        "Nobody has an account with that email address."
    )
    expect(delegating.get_by_label("Their email address")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page, f"the delegate form's errors ({viewport})")

    # Her daughter, for her plan, for three months.
    until = (utc_now() + timedelta(days=90)).date()
    delegating.get_by_label("Their email address").fill(dee_email)
    delegating.get_by_label("Until").fill(until.isoformat())
    delegating.get_by_role("button", name="Let them decide for me").click()
    expect(page.locator("#delegate-status")).to_contain_text(
        f"Done: Dee Okafor ({dee_email}) can decide who may see your support plan"
    )
    chosen = page.locator("#delegates > li")
    expect(chosen).to_have_count(1)
    expect(chosen).to_contain_text(f"until {until.day} {until.strftime('%b %Y')}")

    # Dee lets Ann's befriending organisation see the plan; Ann sees it was Dee.
    api.data(
        GRANT,
        {
            "input": {
                "personId": ann.id,
                "granteeOrganizationId": world.organization_id,
                "purpose": "so her befriender knows her goals",
                "scopes": ["PLAN"],
            }
        },
        dee_token,
    )
    page.reload()
    wait_ready(page)
    by_dee = page.locator("#grants > li").filter(has_text="so her befriender knows her goals")
    expect(by_dee.locator(".made-by")).to_have_text(
        f"Given for you by Dee Okafor ({dee_email}), whom you chose to decide for you."
    )
    expect(page.locator("#plan-seen-by")).to_contain_text(f"Befriending {world.tag}")
    assert_accessible(page, f"the person's page with a delegate ({viewport})")
    assert_fits_a_person(page, "the person's page with a delegate")
    snap(page, f"person-consent-{viewport}")

    # Ann stops it: Dee can no longer decide, and the page says so.
    chosen.get_by_role("button", name=f"Stop Dee Okafor ({dee_email}) deciding for me").click()
    expect(page.locator("#delegates-status")).to_contain_text("Stopped: Dee Okafor")
    expect(page.locator("#delegates-status")).to_be_focused()
    expect(chosen).to_contain_text("You stopped this on")
    refused = api.gql(
        GRANT,
        {
            "input": {
                "personId": ann.id,
                "granteeOrganizationId": council,
                "purpose": "again",
                "scopes": ["PLAN"],
            }
        },
        dee_token,
    )
    assert refused["errors"][0]["message"].startswith("Not allowed")
    assert_accessible(page, f"the person's page after stopping a delegate ({viewport})")
    assert_fits_a_person(page, "the person's page after stopping a delegate")
