"""The page of someone a person chose to decide for them, in Chromium on a phone and a desktop:
Ann lets her daughter Dee decide who may see her plan; Dee opens "Deciding for someone", sees
for whom, about what and until when, gives Ann's befriending organisation the plan, withdraws
it and gives it again; Ann's page shows it given by Dee; Ann stops it, and Dee's page says she
can no longer decide for Ann. Large type, plain words (no scope codes), axe-core finding
nothing in each state."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from graph.models import utc_now
from tests.browser.axe import assert_accessible
from tests.browser.conftest import DESKTOP, PHONE, snap
from tests.browser.test_accessibility import assert_fits_a_person, wait_ready
from tests.service.conftest import World

pytestmark = pytest.mark.browser

DELEGATE = """mutation($input: DelegateInput!) { delegateConsent(input: $input) { id } }"""
PLANS = "query($id: ID!) { plans(personId: $id) { id } }"


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_dee_decides_for_ann_until_ann_stops_it(
    world: World, signed_in: Callable[..., Page], viewport: str
) -> None:
    api = world.api
    ann = world.person("Ann", last_name="Okafor")
    _, ann_token = world.user("person", person_id=ann.id)
    dee = world.person("Dee", last_name="Okafor", organization_id=None)
    dee_email, dee_token = world.user("person", person_id=dee.id)
    befriending = f"Befriending {world.tag}"
    worker = world.user("link_worker")[1]
    until = (utc_now() + timedelta(days=90)).date()
    api.data(
        DELEGATE,
        {
            "input": {
                "delegateEmail": dee_email,
                "scopes": ["PLAN"],
                "expiresAt": f"{until.isoformat()}T23:59:00Z",
            }
        },
        ann_token,
    )
    size = PHONE if viewport == "phone" else DESKTOP

    # Dee finds the page from her own, and sees whom she decides for, about what, until when.
    page = signed_in(dee_token, size)
    page.goto("/person")
    wait_ready(page)
    page.get_by_role("link", name="Deciding for someone").click()
    wait_ready(page)
    section = page.get_by_role("region", name="Deciding for Ann")
    expect(section.locator(".chosen")).to_have_text(
        "Ann chose you to decide who may see their support plan (what matters to them, their "
        f"goals and how they are going), until {until.day} {until.strftime('%b %Y')}."
    )
    expect(section.locator(".none")).to_have_text("Nobody may see it at the moment.")
    font = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.chosen')).fontSize)")
    assert font >= 19, f"the page's type is {font}px"
    assert_accessible(page, f"deciding for someone ({viewport})")
    assert_fits_a_person(page, "deciding for someone")

    # Nothing chosen: each field says what it needs.
    section.get_by_role("button", name="Give consent").click()
    expect(section.locator(".field-error:visible")).to_have_count(3)
    assert_accessible(page, f"deciding for someone, the form's errors ({viewport})")

    # Dee lets Ann's befriending organisation see her plan; only the plan is offered.
    assert section.get_by_role("checkbox").count() == 1
    assert _refused(api.gql(PLANS, {"id": ann.id}, worker))

    def give() -> None:
        section.get_by_role("radio", name=befriending).check()
        section.get_by_role("checkbox", name=re.compile("^Their support plan")).check()
        section.get_by_label("Why, in Ann's words or yours").fill("so her befriender knows")
        section.get_by_role("button", name="Give consent").click()
        expect(page.locator("#status")).to_contain_text(
            f"Done: {befriending} may now see their support plan"
        )

    give()
    given = section.locator("ul.grants > li")
    expect(given).to_have_count(1)
    expect(given).to_contain_text("You gave it for Ann.")
    assert api.data(PLANS, {"id": ann.id}, worker)["plans"] == []  # allowed now

    # She withdraws it (asked first), and gives it again.
    given.get_by_role("button", name=f"Withdraw Ann's consent from {befriending}").click()
    given.get_by_role("button", name="Yes, withdraw it").click()
    expect(page.locator("#status")).to_contain_text(f"Withdrawn: {befriending} can no longer")
    expect(page.locator("#status")).to_be_focused()
    expect(section.locator(".none")).to_be_visible()
    assert _refused(api.gql(PLANS, {"id": ann.id}, worker))
    give()
    assert_accessible(page, f"deciding for someone, a consent given ({viewport})")
    assert_fits_a_person(page, "deciding for someone, a consent given")
    snap(page, f"deciding-for-{viewport}")

    # Ann's page shows it given by her daughter; Ann stops her deciding.
    ann_page = signed_in(ann_token, size)
    ann_page.goto("/person")
    wait_ready(ann_page)
    by_dee = ann_page.locator("#grants > li").filter(has_text="so her befriender knows")
    expect(by_dee.locator(".made-by")).to_have_text(
        f"Given for you by Dee Okafor ({dee_email}), whom you chose to decide for you."
    )
    ann_page.get_by_role("button", name=f"Stop Dee Okafor ({dee_email}) deciding for me").click()
    expect(ann_page.locator("#delegates-status")).to_contain_text("Stopped: Dee Okafor")

    # Dee, her page still open, tries to withdraw it: refused, and the page says why.
    given.get_by_role("button", name=f"Withdraw Ann's consent from {befriending}").click()
    given.get_by_role("button", name="Yes, withdraw it").click()
    expect(page.locator("#status")).to_have_text(
        "You can no longer decide for Ann: Ann stopped it, or it has ended. What you gave for "
        "Ann stays until it ends or Ann withdraws it."
    )
    expect(page.locator("#status")).to_be_focused()
    expect(page.get_by_role("region", name="Deciding for Ann")).to_have_count(0)
    assert api.data(PLANS, {"id": ann.id}, worker)["plans"] == []  # what she gave stays
    assert_accessible(page, f"deciding for someone, stopped ({viewport})")

    page.reload()
    wait_ready(page)
    expect(page.locator("#nobody")).to_contain_text(
        "Nobody has chosen you to decide for them at the moment, so you cannot give or "
        "withdraw consent for anyone."
    )
    assert_accessible(page, f"deciding for nobody ({viewport})")
    assert_fits_a_person(page, "deciding for nobody")


def _refused(body: dict[str, object]) -> bool:
    errors = body.get("errors")
    return isinstance(errors, list) and str(errors[0]["message"]).startswith("Not allowed")


def test_a_volunteer_chosen_to_decide_finds_the_page_from_their_own(
    world: World, signed_in: Callable[..., Page]
) -> None:
    """Val volunteers; once Ann chooses her, her own page's header leads to "Deciding for
    someone" (and only then), where Ann is listed."""
    api = world.api
    ann = world.person("Ann")
    _, ann_token = world.user("person", person_id=ann.id)
    val = world.volunteer("Val")
    val_email, val_token = world.user("volunteer", volunteer_id=val.id)
    page = signed_in(val_token, DESKTOP)
    page.goto("/volunteer")
    wait_ready(page)
    expect(page.locator("#who")).to_contain_text("Signed in as Val")
    expect(page.get_by_role("link", name="Deciding for someone")).to_have_count(0)

    until = (utc_now() + timedelta(days=30)).date()
    api.data(
        DELEGATE,
        {
            "input": {
                "delegateEmail": val_email,
                "scopes": ["PLAN"],
                "expiresAt": f"{until.isoformat()}T23:59:00Z",
            }
        },
        ann_token,
    )
    page.reload()
    wait_ready(page)
    page.locator("#who").get_by_role("link", name="Deciding for someone").click()
    wait_ready(page)
    expect(page).to_have_url(re.compile(r"/deciding-for$"))
    expect(page.get_by_role("region", name="Deciding for Ann")).to_be_visible()
    expect(page.locator("#who").get_by_role("link", name="Deciding for someone")).to_have_count(0)
    assert_accessible(page, "deciding for someone, from a volunteer's page")
