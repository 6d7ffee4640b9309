"""A referral across two organisations in the browser: a link worker of organisation A refers
a person to a lunch club run by organisation B; B's partner user sees it on the partner page
with only the ward and the note, accepts it, then says she came to a session; A's link worker
sees it accepted, then attended. B's coordinator still cannot list A's people."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.axe import assert_accessible
from tests.browser.conftest import DESKTOP, PHONE, snap
from tests.referrals.conftest import consenting_person, partner_organisation
from tests.service.conftest import World

pytestmark = pytest.mark.browser

PEOPLE = "query { people(first: 100) { edges { node { id } } } }"


def _open_person(page: Page, search: str, full_name: str) -> None:
    page.get_by_label("Name", exact=True).fill(search)
    page.get_by_role("button", name=full_name).click()
    expect(page.locator("#person-title")).to_have_text(full_name)


def test_a_link_worker_refers_to_another_organisations_lunch_club_and_sees_it_accepted(
    world: World, signed_in: Callable[..., Page]
) -> None:
    b = partner_organisation(world, places=2, interests=("lunch together",))
    club, partner = b.service, b.token
    rosalind = consenting_person(
        world, "Rosalind", last_name="Okafor", interests=[club.interests[0]], phone="020 7946 0011"
    )
    _, worker = world.user("link_worker")

    # A's link worker refers Rosalind to B's lunch club from her suggestions.
    lw = signed_in(worker, DESKTOP)
    lw.goto("/link-worker")
    expect(lw.locator("body[data-ready=true]")).to_be_attached()
    _open_person(lw, "rosalind", "Rosalind Okafor")
    suggestion = lw.locator(f"#suggestions > li[data-service-id='{club.id}']")
    suggestion.get_by_label("Note for the referral (optional)").fill("Would enjoy company at lunch")
    suggestion.get_by_role("button", name=f"Refer Rosalind to {club.name}").click()
    expect(suggestion.locator(".message")).to_contain_text(f"Referred Rosalind to {club.name}.")

    # B's partner sees it waiting, with her ward and the note only: no name, no address.
    pp = signed_in(partner, DESKTOP)
    pp.goto("/partner")
    expect(pp.locator("body[data-ready=true]")).to_be_attached()
    waiting = pp.locator("#waiting > li")
    expect(waiting).to_have_count(1)
    expect(waiting.get_by_role("heading", level=3)).to_have_text(club.name)
    expect(waiting).to_contain_text(f"Lives in Ward {world.tag}.")
    expect(waiting).to_contain_text("What it is for: Would enjoy company at lunch")
    expect(waiting).to_contain_text(f"Befriending {world.tag}")
    for private in ("Rosalind", "Okafor", rosalind.address or "", "020 7946 0011"):
        expect(pp.locator("main")).not_to_contain_text(private)
    expect(pp.locator(f"#services > li[data-service-id='{club.id}']")).to_contain_text(
        "0 accepted this week (2 a week)."
    )
    snap(pp, "partner-waiting")
    assert_accessible(pp, "the partner's inbox with a referral waiting")
    pp.set_viewport_size(PHONE)
    assert_accessible(pp, "the partner's inbox with a referral waiting, on a phone")
    pp.set_viewport_size(DESKTOP)

    waiting.get_by_role("button", name=f"Accept the referral to {club.name}").click()
    expect(pp.locator("#page-message")).to_have_text(f"Accepted the referral to {club.name}.")
    expect(pp.locator("#waiting > li")).to_have_count(0)
    accepted = pp.locator("#accepted > li")
    expect(accepted).to_have_count(1)
    expect(accepted.get_by_role("heading", level=3)).to_contain_text("Rosalind")
    expect(accepted).to_contain_text("Contact them through the link worker")  # no consent to call
    expect(pp.locator("main")).not_to_contain_text("Okafor")
    expect(pp.locator(f"#services > li[data-service-id='{club.id}']")).to_contain_text(
        "1 accepted this week (2 a week)."
    )
    assert_accessible(pp, "the partner's page after accepting")
    pp.set_viewport_size(PHONE)
    assert_accessible(pp, "the partner's page after accepting, on a phone")
    pp.set_viewport_size(DESKTOP)

    # A's link worker sees it accepted.
    lw.reload()
    expect(lw.locator("#person-title")).to_have_text("Rosalind Okafor")  # the person's own address
    referral = lw.locator("#referrals > li")
    expect(referral).to_have_count(1)
    expect(referral.locator(".badge")).to_have_text("Accepted")
    expect(referral.locator(".service-answer")).to_contain_text("The service accepted")

    # B says she came to today's session; A's link worker sees it.
    accepted.get_by_label("Came", exact=True).check()
    accepted.get_by_role("button", name="Save").click()
    expect(accepted.locator(".message")).to_contain_text("Saved for")
    expect(accepted.locator(".sessions")).to_contain_text("Came:")
    snap(pp, "partner-accepted")
    lw.reload()
    expect(lw.locator("#person-title")).to_have_text("Rosalind Okafor")  # the person's own address
    expect(referral.locator(".badge")).to_have_text("Attended")
    expect(referral.locator(".service-answer")).to_contain_text(re.compile(r"Came to 1 session"))
    snap(lw, "link-worker-referral-attended")

    # Rosalind's access log names the lunch club's partner and what they saw.
    logged = world.api.store.run(
        "MATCH (n:AccessLog {person_id: $id}) WHERE n.purpose CONTAINS 'referral to' "
        "RETURN n.purpose AS purpose, n.fields AS fields",
        {"id": rosalind.id},
    )
    assert {r["purpose"] for r in logged} == {
        f"deciding on a referral to {club.name}",
        f"accepted referral to {club.name}",
    }


def test_a_partner_declines_and_the_link_worker_sees_why(
    world: World, signed_in: Callable[..., Page]
) -> None:
    b = partner_organisation(world, places=2, interests=("lunch together",))
    club, partner = b.service, b.token
    consenting_person(world, "Winifred", last_name="Hale", interests=[club.interests[0]])
    _, worker = world.user("link_worker")
    lw = signed_in(worker, DESKTOP)
    lw.goto("/link-worker")
    expect(lw.locator("body[data-ready=true]")).to_be_attached()
    _open_person(lw, "winifred", "Winifred Hale")
    suggestion = lw.locator(f"#suggestions > li[data-service-id='{club.id}']")
    suggestion.get_by_role("button", name=f"Refer Winifred to {club.name}").click()
    expect(suggestion.locator(".message")).to_contain_text("Referred Winifred")

    pp = signed_in(partner, DESKTOP)
    pp.goto("/partner")
    waiting = pp.locator("#waiting > li")
    expect(waiting).to_have_count(1)
    waiting.get_by_role("button", name="Decline").click()
    expect(waiting.locator(".message")).to_have_text("Choose why you are declining.")
    waiting.get_by_label("Another reason (say which)").check()
    waiting.get_by_role("button", name="Decline").click()
    expect(waiting.locator(".message")).to_contain_text("note: expected a few words")
    waiting.get_by_label("Not suitable for this person").check()
    waiting.get_by_label(re.compile("^A few words for the link worker")).fill(
        "we meet upstairs, no lift"
    )
    waiting.get_by_role("button", name="Decline").click()
    expect(pp.locator("#declined > li")).to_contain_text(
        "Not suitable for this person: we meet upstairs, no lift"
    )

    lw.reload()
    expect(lw.locator("#person-title")).to_have_text("Winifred Hale")  # the person's own address
    referral = lw.locator("#referrals > li")
    expect(referral.locator(".badge")).to_have_text("Declined")
    expect(referral.locator(".service-answer")).to_have_text(
        "The service declined: not suitable for them (we meet upstairs, no lift)."
    )
    again = lw.locator(f"#suggestions > li[data-service-id='{club.id}']")
    expect(again.get_by_role("list", name=f"Why {club.name}")).to_contain_text(
        "the service declined a referral here: not suitable for them (we meet upstairs, no lift)"
    )


def test_the_lunch_club_organisations_coordinator_cannot_list_a_s_people(
    world: World,
) -> None:
    """Needs the per-organisation boundaries (issue 18 item 1/2, the orgs engineer's part)."""
    org_b = partner_organisation(world).organization_id
    rosalind = consenting_person(world, "Rosalind", last_name="Okafor")
    harold = world.person("Harold", last_name="Bates")
    _, worker = world.user("link_worker")
    _, coordinator_b = world.user("coordinator", organization_id=org_b)

    seen_by_a = {e["node"]["id"] for e in world.api.data(PEOPLE, token=worker)["people"]["edges"]}
    assert {rosalind.id, harold.id} <= seen_by_a
    answer = world.api.gql(PEOPLE, token=coordinator_b)
    listed = (
        set()
        if answer.get("errors")
        else {e["node"]["id"] for e in answer["data"]["people"]["edges"]}
    )
    assert rosalind.id not in listed and harold.id not in listed
