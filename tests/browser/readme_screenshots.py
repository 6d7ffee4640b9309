"""Retakes docs/screenshots/*.png from a running ``carecircles serve --demo``.

    python -m tests.browser.readme_screenshots --url http://127.0.0.1:8000 \\
        --password volunteer=... --password coordinator=... \\
        --password link_worker=... --password person=...

The passwords are the ones ``serve --demo`` prints at start.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
DEMO_DOMAIN = "demo.carecircles.example"


def _sign_in(browser: Browser, url: str, role: str, password: str, size: tuple[int, int]) -> Page:
    page = browser.new_page(viewport={"width": size[0], "height": size[1]})
    page.goto(url)
    page.get_by_label("Email").fill(f"{role.replace('_', '-')}@{DEMO_DOMAIN}")
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("body[data-ready=true]")).to_be_attached(timeout=30_000)
    return page


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--password", action="append", default=[], help="ROLE=PASSWORD")
    args = parser.parse_args()
    passwords = dict(item.split("=", 1) for item in args.password)
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        page = _sign_in(browser, args.url, "volunteer", passwords["volunteer"], (412, 1300))
        proposed = page.locator("#my-visits > li[data-status=proposed]")
        if proposed.count():
            proposed.first.get_by_role("button", name=re.compile("^Accept")).click()
            expect(page.locator("#week-status")).to_contain_text("You accepted")
        page.screenshot(path=OUT / "volunteer.png")

        page = _sign_in(browser, args.url, "coordinator", passwords["coordinator"], (1100, 1350))
        page.screenshot(path=OUT / "coordinator.png")

        page = _sign_in(browser, args.url, "link_worker", passwords["link_worker"], (1000, 1000))
        page.get_by_label("Name", exact=True).fill("ab")
        page.locator("#matches button").first.click()
        expect(page.locator("#person-section")).to_be_visible()
        expect(page.locator("#suggestions-status")).not_to_contain_text("Looking for")
        page.screenshot(path=OUT / "link-worker.png", full_page=True)

        page = _sign_in(browser, args.url, "person", passwords["person"], (412, 1100))
        page.screenshot(path=OUT / "person.png", full_page=True)
        browser.close()


if __name__ == "__main__":
    main()
