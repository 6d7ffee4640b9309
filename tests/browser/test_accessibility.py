"""axe-core finds nothing on any page of any role, on a desktop and on a phone, in each state a
user brings about: the sign-in page (empty, with its errors), the not-found page, the
coordinator's week (run, published, a circle shown), the volunteer's week (proposed, accepted,
the log form open), the link worker's list and a person's page (trend, suggestions, a directory
search, a check-in with its errors), the person's page before and after withdrawing consent, and
the box that asks to sign in again when a session has ended. Pages carry no scale code and no
bare language code either (``assert_plain_words``)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect

from graph.models import CareCircle, Interest, Knows, MemberOf, Service, Window, utc_now
from graph.repo.users import get_user_by_email
from service.consent import policy
from service.wellbeing import checkins
from tests.browser.axe import assert_accessible
from tests.browser.conftest import DESKTOP, PHONE
from tests.service.conftest import Api, World, next_monday
from tests.service.rota_runs import run_rota
from tests.world import save, saved

pytestmark = pytest.mark.browser

PUBLISH = "mutation($id: ID!) { publishRota(runId: $id) { __typename } }"
VIEWPORTS = {"desktop": DESKTOP, "phone": PHONE}
# Scale codes, and a language code standing alone (as in "pl, en").
SCALE_CODE = re.compile(r"\b(?:UCLA3|ONS1|DJG6)\b")
# Language codes that are not also everyday English words, standing alone or before
# "-speaking"; and any list of two-letter codes ("pl, en").
LANGUAGE_CODES = ("en", "pl", "gu", "bn", "ur", "tr", "pa", "fr", "pt", "ar", "zh")
BARE_CODE = re.compile(
    r"(?<![\w@./-])(?:" + "|".join(LANGUAGE_CODES) + r")(?:-speaking)?(?![\w@./-])"
    r"|(?<![\w@./-])[a-z]{2}(?:, [a-z]{2})+(?![\w@./-])"
)
FRACTION = re.compile(r"(?<![\d.])0\.\d+(?![\d.]*\s*km)")


def assert_plain_words(page: Page, what: str, *, person_page: bool = False) -> None:
    """No scale code and no bare language code in what the page shows; on a person's own page
    no number between 0 and 1 either."""
    text = page.locator("body").inner_text()
    assert not SCALE_CODE.search(text), f"a scale code on {what}: {SCALE_CODE.findall(text)}"
    assert not BARE_CODE.search(text), f"a language code on {what}: {BARE_CODE.findall(text)}"
    if person_page:
        assert not FRACTION.search(text), f"a 0..1 number on {what}: {FRACTION.findall(text)}"


def _week_label() -> str:
    year, week, _ = next_monday().isocalendar()
    return f"{year}-W{week:02d}"


@dataclass
class Scene:
    world: World
    coordinator: str
    link_worker: str
    volunteer: str
    person: str
    person_id: str
    person_name: str


@pytest.fixture(scope="module")
def scene(web_api: Api) -> Scene:
    """A small week, run and published: Ada (Polish and English, pets, a daughter who knows
    her) with a circle, a visit, check-ins, a dealt-with alert and a referral; her consent to
    the link worker; a volunteer with proposed visits."""
    world = World(web_api)
    store = web_api.store
    pets = saved(store, Interest(id=f"pets-{world.tag}", name="Pets"))
    saved(
        store,
        Service(
            id=f"svc-pets-{world.tag}",
            name=f"Pet therapy café {world.tag}",
            category="social_group",
            lat=51.551,
            lon=-0.061,
            area_id=world.area_id,
            interests=[pets.id],
        ),
    )
    ada = world.person(
        "Ada",
        last_name="Kowalska",
        languages=["pl", "en"],
        interests=[pets.id],
        access_needs=["step_free"],
        visit_windows=[Window(day=1, start="10:00", end="12:00")],
    )
    daughter = world.person("Zofia", last_name="Kowalska")
    save(store, Knows(from_id=daughter.id, to_id=ada.id, kind="family", strength=0.9))
    val = world.volunteer("Val", languages=["en", "pl"])
    circle = CareCircle(id=f"circle-{world.tag}", person_id=ada.id)
    save(
        store,
        circle,
        MemberOf(volunteer_id=val.id, circle_id=circle.id, since=datetime(2026, 3, 2, tzinfo=UTC)),
    )
    world.person("Bob", visit_windows=[Window(day=3, start="14:00", end="16:00")])
    _, coordinator = world.user("coordinator")
    run = run_rota(web_api, _week_label(), coordinator, fields="assignments { visitId }")
    web_api.data(PUBLISH, {"id": run["id"]}, token=coordinator)

    worker_email, worker = world.user("link_worker")
    worker_user = get_user_by_email(store=store, email=worker_email)
    assert worker_user is not None
    policy.make_grant(
        store=store,
        person_id=ada.id,
        grantee_user_id=worker_user.id,
        grantee_organization_id=None,
        purpose="finding groups near home",
        scopes=["checkins", "needs"],
        expires_at=utc_now() + timedelta(days=90),
    )
    for days_ago, answers in ((21, [1, 1, 2]), (7, [3, 3, 3])):
        checkins.record_check_in(
            store=store,
            person_id=ada.id,
            scale="UCLA3",
            answers=answers,
            recorded_by=worker_user.id,
            at=utc_now() - timedelta(days=days_ago),
        )
    _, person = world.user("person", person_id=ada.id)
    return Scene(
        world=world,
        coordinator=coordinator,
        link_worker=worker,
        volunteer=world.volunteer_token(val),
        person=person,
        person_id=ada.id,
        person_name="Ada",
    )


@pytest.fixture(params=sorted(VIEWPORTS))
def viewport(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def wait_ready(page: Page) -> None:
    expect(page.locator("body[data-ready=true]")).to_be_attached(timeout=30_000)


def test_sign_in_and_not_found_pages(
    viewport: str, new_context: Callable[..., object], web_api: Api
) -> None:
    context = new_context(VIEWPORTS[viewport])
    page = context.new_page()  # type: ignore[attr-defined]
    page.goto("/")
    expect(page.get_by_label("Email")).to_be_focused()
    assert_accessible(page, f"the sign-in page ({viewport})")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#email-error")).to_have_text("Enter your email address.")
    expect(page.locator("#password-error")).to_have_text("Enter your password.")  # both at once
    assert_accessible(page, f"the sign-in page with its errors ({viewport})")

    response = page.goto("/no/such/page")
    assert response is not None and response.status == 404
    expect(page).to_have_title("Page not found · CareCircles")
    assert page.locator("html").get_attribute("lang") == "en-GB"
    assert_accessible(page, f"the not-found page ({viewport})")
    # Anything but a browser still gets JSON.
    assert web_api.client.get("/no/such/page").json() == {"detail": "Not Found"}


def test_coordinator_pages(scene: Scene, viewport: str, signed_in: Callable[..., Page]) -> None:
    page = signed_in(scene.coordinator, VIEWPORTS[viewport])
    page.goto(f"/coordinator?week={_week_label()}")
    wait_ready(page)
    expect(page.locator("#gaps-section, #visits-section").first).to_be_attached()
    assert_accessible(page, f"the coordinator's week ({viewport})")
    page.locator("#visits-section summary").click()
    picker = page.get_by_label("Person", exact=True)
    picker.select_option(scene.person_id)
    page.get_by_role("button", name="Show their circle").click()
    expect(page.locator("#circle h3")).to_have_text("Ada Kowalska")
    assert_accessible(page, f"the coordinator's week with a circle shown ({viewport})")
    assert_plain_words(page, "the coordinator's page")


def test_volunteer_pages(scene: Scene, viewport: str, signed_in: Callable[..., Page]) -> None:
    page = signed_in(scene.volunteer, VIEWPORTS[viewport])
    page.goto("/volunteer")
    wait_ready(page)
    assert_accessible(page, f"the volunteer's week ({viewport})")
    proposed = page.locator("#my-visits > li[data-status=proposed]")
    if proposed.count():
        proposed.first.get_by_role("button", name=re.compile("^Accept")).click()
        expect(page.locator("#my-visits > li[data-status=accepted]").first).to_be_visible()
    accepted = page.locator("#my-visits > li[data-status=accepted]")
    if accepted.count():
        accepted.first.get_by_role("button", name=re.compile("^Log the visit")).click()
    assert_accessible(page, f"the volunteer's week, a visit accepted ({viewport})")
    assert_plain_words(page, "the volunteer's page")


def test_link_worker_pages(scene: Scene, viewport: str, signed_in: Callable[..., Page]) -> None:
    page = signed_in(scene.link_worker, VIEWPORTS[viewport])
    page.goto("/link-worker")
    wait_ready(page)
    assert_accessible(page, f"the link worker's list ({viewport})")
    page.goto(f"/link-worker/people/{scene.person_id}")
    wait_ready(page)
    expect(page.locator("#person-title")).to_have_text("Ada Kowalska")
    expect(page.locator("#suggestions-status")).not_to_contain_text("Looking for")
    expect(page.locator("#trend svg")).to_be_visible()
    assert_accessible(page, f"a person on the link worker's page ({viewport})")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#search-results > li").first).to_be_visible()
    page.locator("#check-in summary").click()
    page.get_by_label("Questions").select_option("UCLA3")
    page.get_by_role("button", name="Record the check-in").click()
    expect(page.locator("#lw-check-in-questions .field-error:visible")).to_have_count(3)
    assert_accessible(page, f"a directory search and a check-in's errors ({viewport})")
    assert_plain_words(page, "the link worker's page")


def test_person_pages(scene: Scene, viewport: str, signed_in: Callable[..., Page]) -> None:
    page = signed_in(scene.person, VIEWPORTS[viewport])
    page.goto("/person")
    wait_ready(page)
    assert_accessible(page, f"the person's page ({viewport})")
    assert_plain_words(page, "the person's page", person_page=True)
    grant = page.locator("#grants > li").first
    if grant.count():
        grant.get_by_role("button", name=re.compile("^Withdraw consent")).click()
        assert_accessible(page, f"the person's page, asked to confirm ({viewport})")
        grant.get_by_role("button", name="Yes, withdraw it").click()
        expect(page.locator("#ended > li")).to_have_count(1)
        assert_accessible(page, f"the person's page after withdrawing ({viewport})")
        page.locator("#ended > li").get_by_role("button", name="Give consent again").click()
        expect(page.locator("#grants > li")).to_have_count(1)
    assert_plain_words(page, "the person's page", person_page=True)


def test_the_sign_in_again_box(scene: Scene, viewport: str, signed_in: Callable[..., Page]) -> None:
    page = signed_in(scene.link_worker, VIEWPORTS[viewport])
    page.goto("/link-worker")
    wait_ready(page)
    page.evaluate("localStorage.setItem('carecircles.token', 'cc1.expired')")
    page.get_by_label("Show dealt-with alerts").check()
    expect(page.get_by_role("dialog", name="Your session has ended")).to_be_visible()
    assert_accessible(page, f"the sign-in-again box ({viewport})")


SCOPE_CODE = re.compile(r"\b(?:CONTACT|NEEDS|CHECKINS|VISIT_NOTES|PLAN|visit_notes|checkins)\b")


def assert_fits_a_person(page: Page, what: str) -> None:
    """Plain words for the person (``assert_plain_words``), no consent scope's code, and
    nothing wider than the screen."""
    assert_plain_words(page, what, person_page=True)
    text = page.locator("main").inner_text()
    assert not SCOPE_CODE.search(text), f"a scope code on {what}: {SCOPE_CODE.findall(text)}"
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"{what} is wider than the screen: {width}"
