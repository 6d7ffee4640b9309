"""Retakes docs/screenshots/*.png from a demo world of its own.

    python -m tests.browser.readme_screenshots

Starts an embedded graph server in a temporary directory, loads what ``serve --demo`` loads
(the demo borough, this week's rota published, one user per role), then adds what the demo does
not make yet, through the same functions users call: the demo person's consent for the demo link
worker (check-ins and needs) and a few weeks of their check-ins. It serves the app (uvicorn in a
thread) and photographs each role's page at a 1100 px wide viewport, and the coordinator's heat
map of where one more volunteer would help this week; the link worker opens the
demo person from their alert (and searches the directory from their home), so the person's page
then shows that read in "who looked".
"""

from __future__ import annotations

import re
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

import httpx
import uvicorn
from playwright.sync_api import Browser, Page, expect, sync_playwright

from graph.models import utc_now
from graph.repo.users import get_user_by_email, update_user
from graph.store import GraphStore, open_store
from graph.store.embedded import ensure_server, stop_server
from service.app import create_app
from service.config import ServiceSettings as Settings
from service.config import secret_key
from service.consent import policy
from service.demo import demo_sign_ins, publish_this_week, seed_if_empty
from service.weeks import monday_of, today, week_label
from service.wellbeing import checkins
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, TOKEN_KEY
from tests.service.conftest import _free_port

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
WIDE = 1100
# (days ago, UCLA3 answers): a person getting lonelier over two months.
CHECK_INS = ((56, [1, 2, 1]), (35, [2, 2, 1]), (21, [2, 2, 2]), (7, [3, 2, 3]))


def _add_consent_and_check_ins(store: GraphStore, person_id: str, worker_email: str) -> None:
    worker = get_user_by_email(store=store, email=worker_email)
    assert worker is not None
    policy.make_grant(
        store=store,
        person_id=person_id,
        grantee_user_id=worker.id,
        grantee_organization_id=None,
        purpose="finding groups near home after a hospital stay",
        scopes=["checkins", "needs"],
        expires_at=utc_now() + timedelta(days=180),
    )
    for days_ago, answers in CHECK_INS:
        checkins.record_check_in(
            store=store,
            person_id=person_id,
            scale="UCLA3",
            answers=answers,
            recorded_by=worker.id,
            at=utc_now() - timedelta(days=days_ago),
        )


# Someone with volunteers in their circle and a visit someone is on this week.
PERSON_WITH_A_CIRCLE = """
MATCH (vol:Volunteer)-[:MEMBER_OF]->(:CareCircle)-[:SUPPORTS]->(p:Person)
WITH p, count(vol) AS members WHERE members >= 2
MATCH (:Volunteer)-[a:ASSIGNED]->(v:Visit)-[:FOR]->(p)
WHERE v.week_start = $week_start AND a.status IN ['proposed', 'accepted']
RETURN p.id AS id ORDER BY members DESC, id LIMIT 1
"""


def _person_with_a_circle(store: GraphStore, email: str) -> str:
    """Signs the demo person user in as someone with a circle and a visit this week (the demo
    links it to the first person, who may have neither)."""
    found = store.run(
        PERSON_WITH_A_CIRCLE, {"week_start": monday_of(today()).isoformat()}, write=False
    )
    user = get_user_by_email(store=store, email=email)
    assert user is not None
    if found:
        user = update_user(store=store, user=user.model_copy(update={"person_id": found[0]["id"]}))
    assert user.person_id is not None
    return user.person_id


def _serve(settings: Settings, store: GraphStore) -> tuple[str, uvicorn.Server]:
    port = _free_port()
    app = create_app(settings=settings, store=store)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:  # readiness poll: the server answers /health once it is up
        try:
            if httpx.get(f"{url}/health").status_code == 200:
                return url, server
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError("the web server did not start")
        time.sleep(0.05)


def _page(browser: Browser, url: str, token: str, path: str, width: int, height: int) -> Page:
    context = browser.new_context(base_url=url, viewport={"width": width, "height": height})
    context.add_init_script(f"sessionStorage.setItem({TOKEN_KEY!r}, {token!r});")
    page = context.new_page()
    page.goto(path)
    expect(page.locator("body[data-ready=true]")).to_be_attached(timeout=30_000)
    return page


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="carecircles-screens-") as data:
        data_dir = Path(data)
        embedded = ensure_server(data_dir, stop_at_exit=True)
        settings = Settings(
            graph_uri=embedded.uri,
            data_dir=data_dir,
            graph_name="readme_demo",
            secret_key="readme-screenshots-only",
        )
        store = open_store(settings)
        try:
            seed_if_empty(store=store)
            publish_this_week(store=store)
            tokens = {s.role: s for s in demo_sign_ins(store=store, key=secret_key(settings))}
            person_id = _person_with_a_circle(store, tokens["person"].email)
            _add_consent_and_check_ins(store, person_id, tokens["link_worker"].email)
            url, server = _serve(settings, store)
            _photograph(url, {role: s.token for role, s in tokens.items()}, person_id)
            server.should_exit = True
        finally:
            store.close()
            stop_server(data_dir)


def _photograph(url: str, tokens: dict[str, str], person_id: str) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        page = _page(browser, url, tokens["volunteer"], "/volunteer", WIDE, 1100)
        # A proposed visit still to come (past ones offer no Accept).
        proposed = page.locator("#my-visits > li[data-status=proposed]").filter(
            has=page.get_by_role("button", name=re.compile("^Accept"))
        )
        if proposed.count():
            proposed.first.get_by_role("button", name=re.compile("^Accept")).click()
            expect(page.locator("#week-status")).to_contain_text("You accepted")
        page.screenshot(path=OUT / "volunteer.png")

        page = _page(browser, url, tokens["coordinator"], "/coordinator", WIDE, 1350)
        page.screenshot(path=OUT / "coordinator.png")

        # The week published above, and where one more volunteer would help it most.
        week = week_label(monday_of(today()))
        page = _page(browser, url, tokens["coordinator"], f"/coordinator?week={week}", WIDE, 900)
        expect(page.locator("#heat-map tbody tr").first).to_be_visible(timeout=30_000)
        page.locator("#heat-section").screenshot(path=OUT / "heat-map.png")

        page = _page(browser, url, tokens["link_worker"], "/link-worker", WIDE, 900)
        alert = page.locator(f"#alerts > li[data-person-id='{person_id}']")
        alert.get_by_role("button", name=re.compile("^Look at")).click()
        expect(page.locator("#person-section")).to_be_visible()
        expect(page.locator("#trend svg")).to_be_visible()
        expect(page.locator("#suggestions-status")).not_to_contain_text("Looking for")
        # The directory, nearest first: what meets on Tuesdays within 2 km of home.
        page.get_by_label("Day").select_option("Tuesday")
        page.get_by_label("Distance from their home").select_option("2")
        page.get_by_role("button", name="Search").click()
        expect(page.locator("#search-status")).to_contain_text("nearest first")
        page.screenshot(path=OUT / "link-worker.png", full_page=True)

        page = _page(browser, url, tokens["person"], "/person", WIDE, 900)
        expect(page.locator("#access-log > li").first).to_be_visible()
        page.screenshot(path=OUT / "person.png", full_page=True)
        browser.close()


if __name__ == "__main__":
    main()
