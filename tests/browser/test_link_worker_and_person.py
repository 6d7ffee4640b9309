"""A link worker finds a person they support and sees their circle; the person sees their own
circle. (Check-ins, suggestions, referrals, alerts and the person's record join these journeys
as the relational API lands.)"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Page, expect

from graph.models import CareCircle, Person
from graph.repo import circles
from tests.browser.conftest import DESKTOP, snap
from tests.service.conftest import World

pytestmark = pytest.mark.browser


def _circle_of(world: World, person: Person, *members: tuple[str, datetime]) -> None:
    circle = circles.create_circle(
        store=world.api.store,
        circle=CareCircle(id=f"circle-{uuid.uuid4().hex[:8]}", person_id=person.id),
    )
    for name, since in members:
        volunteer = world.volunteer(name)
        circles.add_circle_member(
            store=world.api.store, circle_id=circle.id, volunteer_id=volunteer.id, since=since
        )


def test_link_worker_finds_a_person_and_sees_their_circle(
    world: World, signed_in: Callable[..., Page]
) -> None:
    rosalind = world.person("Rosalind", last_name="Okafor")
    world.person("Rosemary", last_name="Quinn")
    _circle_of(
        world,
        rosalind,
        ("Priya", datetime(2026, 3, 2, tzinfo=UTC)),
        ("Tom", datetime(2025, 10, 14, tzinfo=UTC)),
    )
    _, link_worker = world.user("link_worker")
    page = signed_in(link_worker, DESKTOP)
    page.goto("/link-worker")
    page.get_by_label("Name", exact=True).fill("ros")
    expect(page.locator("#matches li")).to_have_count(2)
    page.get_by_label("Name", exact=True).fill("ros oka")
    expect(page.locator("#matches li")).to_have_count(1)
    page.get_by_role("button", name="Rosalind Okafor").click()
    expect(page.locator("#person-title")).to_have_text("Rosalind Okafor")
    expect(page.locator("#person-section")).to_be_focused()
    expect(page.locator("#person-line")).to_contain_text(f"Ward {world.tag}")
    expect(page.locator("#person-circle li")).to_have_text(
        ["Tom · since 14 Oct 2025", "Priya · since 2 Mar 2026"]
    )
    snap(page, "link-worker")


def test_person_sees_their_circle(world: World, signed_in: Callable[..., Page]) -> None:
    ada = world.person("Ada", last_name="Mensah")
    _circle_of(world, ada, ("Priya", datetime(2026, 3, 2, tzinfo=UTC)))
    _, token = world.user("person", person_id=ada.id)
    page = signed_in(token)
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Ada")
    expect(page.locator("#circle li")).to_have_text(["Priya · visiting you since 2 Mar 2026"])
    expect(page.locator("#held")).to_contain_text("Mensah")
    snap(page, "person")
