"""Pages that hold up: one sign-in for every tab (and one sign-out), an action whose session had
ended carries on once the user signs in again, a slow Accept says so and holds Decline back,
the link worker searches the whole directory (name, kind, day, distance, cost) and refers from
it, and the coordinator's tables read as cards on a phone and scroll from the keyboard."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from playwright.sync_api import BrowserContext, Page, Route, expect

from graph.models import Schedule, Service, Window, utc_now
from graph.repo.users import get_user_by_email
from service.connections.suggestions import connections_changed
from service.consent import policy
from tests.browser.conftest import DESKTOP, PHONE
from tests.service.conftest import PASSWORD, Api, World, next_monday
from tests.service.rota_runs import run_rota
from tests.world import saved

pytestmark = pytest.mark.browser

PUBLISH = "mutation($id: ID!) { publishRota(runId: $id) { __typename } }"
REFERRALS = "MATCH (r:Referral)-[:FOR]->(:Person {id: $id}) RETURN r.service_id AS s, r.note AS n"


def _week() -> str:
    year, week, _ = next_monday().isocalendar()
    return f"{year}-W{week:02d}"


def _sign_in(page: Page, email: str) -> None:
    page.goto("/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def _link_worker_with_consent(world: World, person_id: str) -> tuple[str, str]:
    email, token = world.user("link_worker")
    user = get_user_by_email(store=world.api.store, email=email)
    assert user is not None
    policy.make_grant(
        store=world.api.store,
        person_id=person_id,
        grantee_user_id=user.id,
        grantee_organization_id=None,
        purpose="finding groups",
        scopes=["needs", "checkins"],
        expires_at=utc_now() + timedelta(days=30),
    )
    return email, token


def test_one_sign_in_for_every_tab_and_one_sign_out(
    world: World, new_context: Callable[..., BrowserContext]
) -> None:
    email, _ = world.user("coordinator")
    context = new_context(DESKTOP)
    first = context.new_page()
    _sign_in(first, email)
    expect(first).to_have_url(re.compile(r"/coordinator$"))
    second = context.new_page()
    second.goto("/coordinator")  # a new tab: already signed in
    expect(second.locator("#who")).to_contain_text(email)
    second.get_by_role("button", name="Sign out").click()
    expect(second).to_have_url(re.compile(r"/$"))
    expect(first).to_have_url(re.compile(r"/$"))  # the first tab follows
    first.goto("/coordinator")
    expect(first).to_have_url(re.compile(r"/$"))


def test_a_referral_made_after_the_session_ended_goes_through_once_signed_in_again(
    world: World, new_context: Callable[..., BrowserContext]
) -> None:
    store = world.api.store
    ada = world.person("Ada", last_name="Osei")
    walk = saved(
        store,
        Service(
            id=f"svc-walk-{world.tag}",
            name=f"Walking group {world.tag}",
            category="walking_group",
            lat=51.551,
            lon=-0.061,
        ),
    )
    connections_changed(store=store)
    email, _ = _link_worker_with_consent(world, ada.id)
    page = new_context(DESKTOP).new_page()
    _sign_in(page, email)
    expect(page).to_have_url(re.compile(r"/link-worker$"))
    page.goto(f"/link-worker/people/{ada.id}")
    item = page.locator(f"#suggestions > li[data-service-id='{walk.id}']")
    item.get_by_label("Note for the referral (optional)").fill("Tuesdays suit her")
    # The session ends (here: the token is no longer one the server accepts).
    page.evaluate("localStorage.setItem('carecircles.token', 'cc1.ended')")
    item.get_by_role("button", name=f"Refer Ada to {walk.name}").click()
    dialog = page.get_by_role("dialog", name="Your session has ended")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label("Email")).to_be_focused()
    dialog.get_by_role("button", name="Sign in").click()  # every error at once
    expect(dialog.locator(".field-error")).to_have_text(
        ["Enter your email address.", "Enter your password."]
    )
    assert store.run(REFERRALS, {"id": ada.id}) == []
    dialog.get_by_label("Email").fill(email)
    dialog.get_by_label("Password").fill(PASSWORD)
    dialog.get_by_role("button", name="Sign in").click()
    expect(dialog).to_have_count(0)
    expect(item.locator(".message")).to_have_text(
        f"Referred Ada to {walk.name}. Record how it went under Referrals."
    )
    assert [(r["s"], r["n"]) for r in store.run(REFERRALS, {"id": ada.id})] == [
        (walk.id, "Tuesdays suit her")
    ]


def test_a_slow_accept_says_so_and_holds_decline_back(
    web_api: Api, world: World, signed_in: Callable[..., Page]
) -> None:
    _, coordinator = world.user("coordinator")
    world.person("Ann", visit_windows=[Window(day=1, start="10:00", end="12:00")])
    val = world.volunteer("Val", languages=["en"])
    run = run_rota(web_api, _week(), coordinator, fields="assignments { visitId }")
    web_api.data(PUBLISH, {"id": run["id"]}, token=coordinator)
    page = signed_in(world.volunteer_token(val), DESKTOP)
    held: list[Route] = []
    page.route(
        "**/graphql",
        lambda route: (
            held.append(route)
            if "acceptVisit" in (route.request.post_data or "")
            else route.continue_()
        ),
    )
    page.goto("/volunteer")
    proposed = page.locator("#my-visits > li[data-status=proposed]").first
    accept = proposed.get_by_role("button", name=re.compile("^Accept"))
    decline = proposed.get_by_role("button", name=re.compile("^Decline"))
    accept.click()
    expect(accept).to_have_text("Accepting…")
    expect(accept).to_be_disabled()
    expect(decline).to_be_disabled()
    for _ in range(100):  # each round trip lets Playwright hand the request to the route
        if held:
            break
        page.evaluate("0")
    held.pop().continue_()
    expect(page.locator("#my-visits > li[data-status=accepted]")).to_have_count(1)


def test_the_link_worker_searches_the_whole_directory_and_refers_from_it(
    world: World, signed_in: Callable[..., Page]
) -> None:
    store = world.api.store
    ada = world.person("Ada", last_name="Boateng", access_needs=["hearing_loop"])

    def service(name: str, category: str, km_north: float | None, day: int, cost: str) -> Service:
        place = {} if km_north is None else {"lat": 51.55 + km_north / 111.2, "lon": -0.06}
        return saved(
            store,
            Service(
                id=f"svc-{name.lower().replace(' ', '-')}-{world.tag}",
                name=f"{name} {world.tag}",
                category=category,
                schedules=[Schedule(day=day, start="10:00", end="12:00")],
                cost=cost,  # type: ignore[arg-type]
                **place,
            ),
        )

    choir = service("Silver choir", "choir", 0.5, 2, "free")
    chess = service("Chess club", "chess_club", 1.5, 2, "low")
    far_choir = service("Far choir", "choir", 4.0, 4, "paid")
    phone = service("Phone friends", "befriending", None, 0, "free")
    connections_changed(store=store)
    _, worker = _link_worker_with_consent(world, ada.id)
    page = signed_in(worker, DESKTOP)
    page.goto(f"/link-worker/people/{ada.id}")
    expect(page.locator("#person-title")).to_have_text("Ada Boateng")
    # None of them has a hearing loop: nothing is suggested, yet each can be found.
    expect(page.locator("#suggestions-status")).to_have_text("Nothing nearby fits Ada right now.")
    search = page.locator("#service-search")
    results = page.locator("#search-results > li")

    names = results.locator("h4")
    search.get_by_label("Service name").fill(f"choir {world.tag}")
    search.get_by_role("button", name="Search").click()
    expect(names).to_have_text([choir.name, far_choir.name])  # nearest first
    expect(results.first.locator(".meta")).to_contain_text("0.5 km from their home")
    search.get_by_label("Service name").fill(world.tag)
    search.get_by_label("Kind").select_option("choir")
    search.get_by_role("button", name="Search").click()
    expect(names).to_have_text([choir.name, far_choir.name])
    search.get_by_label("Kind").select_option("")
    search.get_by_label("Day").select_option("Wednesday")
    search.get_by_role("button", name="Search").click()
    expect(names).to_have_text([choir.name, chess.name])
    search.get_by_label("Day").select_option("")
    search.get_by_label("Distance from their home").select_option("1")
    search.get_by_role("button", name="Search").click()
    expect(names).to_have_text([choir.name])
    search.get_by_label("Distance from their home").select_option("")
    search.get_by_label("Cost").select_option("free")
    search.get_by_role("button", name="Search").click()
    expect(names).to_have_text([choir.name, phone.name])  # no fixed place: last
    expect(page.locator("#search-status")).to_have_text("2 services match, nearest first.")

    found = results.filter(has_text=phone.name)
    found.get_by_label("Note for the referral (optional)").fill("calls on Mondays")
    found.get_by_role("button", name=f"Refer Ada to {phone.name}").click()
    expect(found.locator(".message")).to_be_focused()
    expect(page.locator("#referrals > li strong")).to_have_text([phone.name])
    assert [(r["s"], r["n"]) for r in store.run(REFERRALS, {"id": ada.id})] == [
        (phone.id, "calls on Mondays")
    ]


def test_the_coordinators_tables_are_cards_on_a_phone_and_scroll_from_the_keyboard(
    web_api: Api, world: World, signed_in: Callable[..., Page]
) -> None:
    _, coordinator = world.user("coordinator")
    world.person("Ann", visit_windows=[Window(day=1, start="10:00", end="12:00")])
    world.person("Bob", visit_windows=[Window(day=6, start="10:00", end="11:00")])
    world.volunteer("Val", availability=[Window(day=1, start="08:00", end="20:00")])
    run_rota(web_api, _week(), coordinator)
    page = signed_in(coordinator, PHONE)
    page.goto(f"/coordinator?week={_week()}")
    expect(page.locator("body[data-ready=true]")).to_be_attached()
    wrap = page.locator("#visits-section .table-wrap")
    expect(wrap).to_have_attribute("tabindex", "0")
    expect(wrap).to_have_attribute("aria-label", "Table: Planned visits")
    page.locator("#visits-section summary").click()
    cell = page.locator("#visits tbody tr").first.locator("td").first
    expect(cell).to_have_attribute("data-label", "Person")
    assert cell.evaluate("td => getComputedStyle(td).display") == "block"
    assert cell.evaluate("td => getComputedStyle(td, '::before').content") == '"Person: "'
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
