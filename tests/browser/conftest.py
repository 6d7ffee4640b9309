"""Browser tests: Debian's chromium driven by Playwright against a real server.

``web_api`` serves the app with its web pages (uvicorn in a thread) on a graph of this test
module's own, on the embedded graph server; tests build the world through the same functions
users call (``World`` from the service tests) or load a seeded borough. ``browser`` is one
headless chromium per pytest process; ``signed_in(token)`` opens a fresh browser context (its
own sessionStorage, so its own user) already holding that user's token. Screenshots go to
``test-artifacts/`` (gitignored) through ``snap``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from tests.conftest import GraphServer
from tests.service.conftest import Api, World, running_api

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PHONE = {"width": 412, "height": 915}
DESKTOP = {"width": 1100, "height": 900}
TOKEN_KEY = "carecircles.token"


@pytest.fixture(scope="module")
def web_api(graph_server: GraphServer) -> Iterator[Api]:
    with running_api(graph_server, name="web", client_timeout=60.0) as served:
        yield served


@pytest.fixture
def world(web_api: Api) -> World:
    return World(web_api)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page_errors() -> Iterator[list[str]]:
    """Uncaught script errors on any page of the test; the test fails if there are any."""
    errors: list[str] = []
    yield errors
    assert errors == [], f"script errors on the page: {errors}"


@pytest.fixture
def new_context(
    browser: Browser, web_api: Api, page_errors: list[str]
) -> Iterator[Callable[..., BrowserContext]]:
    """Opens browser contexts on the server; all are closed after the test."""
    contexts: list[BrowserContext] = []

    def open_context(viewport: dict[str, int] | None = None) -> BrowserContext:
        context = browser.new_context(base_url=web_api.url, viewport=viewport or PHONE)
        context.set_default_timeout(15_000)
        context.on("weberror", lambda error: page_errors.append(str(error.error)))
        contexts.append(context)
        return context

    yield open_context
    for context in contexts:
        context.close()


@pytest.fixture
def signed_in(new_context: Callable[..., BrowserContext]) -> Callable[..., Page]:
    """A page in a fresh context whose sessionStorage already holds ``token``."""

    def open_page(token: str, viewport: dict[str, int] | None = None) -> Page:
        context = new_context(viewport)
        context.add_init_script(
            f"if (location.protocol === 'http:') sessionStorage.setItem({TOKEN_KEY!r}, {token!r});"
        )
        return context.new_page()

    return open_page


def snap(page: Page, name: str) -> Path:
    """Saves a full-page screenshot as ``test-artifacts/NAME.png``."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=path, full_page=True)
    return path
