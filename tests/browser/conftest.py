"""Browser tests: Debian's chromium driven by Playwright against a real server.

``web_api`` serves the app with its web pages (uvicorn in a thread) on a graph of this test
module's own, on the embedded graph server; tests build the world through the same functions
users call (``World`` from the service tests) or load a seeded borough. ``browser`` is one
headless chromium per pytest process; ``signed_in(token)`` opens a fresh browser context (its
own sessionStorage, so its own user) already holding that user's token. Screenshots go to
``test-artifacts/`` (gitignored) through ``snap``.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from graph.store import drop_graph, open_store
from service.app import create_app
from service.web.routes import mount_web
from tests.conftest import GraphServer
from tests.service.conftest import Api, World, _free_port

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
SERVER_START_TIMEOUT_S = 20.0
PHONE = {"width": 412, "height": 915}
DESKTOP = {"width": 1100, "height": 900}
TOKEN_KEY = "carecircles.token"


@pytest.fixture(scope="module")
def web_api(graph_server: GraphServer) -> Iterator[Api]:
    settings = graph_server.settings.model_copy(
        update={
            "graph_name": f"t_web_{uuid.uuid4().hex[:10]}",
            "secret_key": f"test-key-{uuid.uuid4().hex}",
        }
    )
    store = open_store(settings)
    app = create_app(settings=settings, store=store)
    mount_web(app)
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, name="web-server", daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    client = httpx.Client(base_url=url, timeout=60.0)
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while True:  # readiness poll: the server answers /health once it is up
        try:
            if client.get("/health").status_code == 200:
                break
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the web server did not start")
        time.sleep(0.02)
    try:
        yield Api(
            url=url, store=store, settings=settings, key=settings.secret_key.encode(), client=client
        )
    finally:
        client.close()
        server.should_exit = True
        thread.join(timeout=10)
        drop_graph(store)
        store.close()


@pytest.fixture
def world(web_api: Api) -> World:
    return World(web_api)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
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
