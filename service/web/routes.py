"""Serves the web pages: ``/`` (sign in), one page per role, and their scripts and styles.

The pages are static files in this folder; everything they show comes from ``/graphql``.
Only the files listed here are served, so the Python beside them never is. The pages' words
come from ``words`` as ``/assets/vocabulary.js``. A path that is no page answers 404 with a
page of its own to a browser (``not-found.html``), and JSON to anything else.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from pathlib import Path

from fastapi import FastAPI, HTTPException, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import FileResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

import words

WEB_DIR = Path(__file__).resolve().parent
PAGES = {
    "/": "index.html",
    "/volunteer": "volunteer.html",
    "/coordinator": "coordinator.html",
    "/link-worker": "link-worker.html",
    "/person": "person.html",
    "/plan": "plan.html",
    # Each person the link worker opens has an address of its own.
    "/link-worker/people/{person_id}": "link-worker.html",
    "/partner": "partner.html",
    # Someone a person chose to decide for them: whom, about what, and their consents.
    "/deciding-for": "deciding-for.html",
}
NOT_FOUND_PAGE = WEB_DIR / "not-found.html"
ASSET_NAME = re.compile(r"[a-z][a-z0-9-]*\.(?:js|css)")
MEDIA_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}
# Scripts, styles and data come from this origin only; no inline script or style.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}


def mount_web(app: FastAPI) -> None:
    """Adds the pages at ``/``, ``/volunteer``, ``/coordinator``, ``/link-worker`` (and
    ``/link-worker/people/ID``), ``/person``, ``/plan``, ``/partner``, ``/deciding-for``, their
    assets at ``/assets/NAME``, the vocabulary at ``/assets/vocabulary.js`` and the not-found
    page."""
    for path, filename in PAGES.items():
        app.add_api_route(path, _page(WEB_DIR / filename), methods=["GET"], include_in_schema=False)

    vocabulary = (
        "// Made from the words package (words/__init__.py): the one home of these words.\n"
        f"export const VOCABULARY = {json.dumps(words.for_pages(), indent=1, sort_keys=True)};\n"
    )

    @app.get("/assets/vocabulary.js", include_in_schema=False)
    async def vocabulary_js() -> Response:
        return Response(vocabulary, media_type=MEDIA_TYPES[".js"], headers=SECURITY_HEADERS)

    @app.exception_handler(StarletteHTTPException)
    async def not_found(request: Request, error: StarletteHTTPException) -> Response:
        wants_page = "text/html" in request.headers.get("accept", "")
        if error.status_code == 404 and request.method == "GET" and wants_page:
            return FileResponse(
                NOT_FOUND_PAGE,
                status_code=404,
                media_type="text/html; charset=utf-8",
                headers=SECURITY_HEADERS,
            )
        return await http_exception_handler(request, error)

    @app.get("/assets/{name}", include_in_schema=False)
    async def asset(name: str) -> FileResponse:
        file = WEB_DIR / name
        if not ASSET_NAME.fullmatch(name) or not file.is_file():
            raise HTTPException(status_code=404, detail="No such file.")
        return FileResponse(file, media_type=MEDIA_TYPES[file.suffix], headers=SECURITY_HEADERS)


def _page(file: Path) -> Callable[..., Awaitable[FileResponse]]:
    async def page() -> FileResponse:
        return FileResponse(file, media_type="text/html; charset=utf-8", headers=SECURITY_HEADERS)

    return page
