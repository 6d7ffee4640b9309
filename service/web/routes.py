"""Serves the web pages: ``/`` (sign in), one page per role, and their scripts and styles.

The pages are static files in this folder; everything they show comes from ``/graphql``.
Only the files listed here are served, so the Python beside them never is.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from pathlib import Path

from fastapi import FastAPI, HTTPException
from fastapi.responses import FileResponse

WEB_DIR = Path(__file__).resolve().parent
PAGES = {
    "/": "index.html",
    "/volunteer": "volunteer.html",
    "/coordinator": "coordinator.html",
    "/link-worker": "link-worker.html",
    "/person": "person.html",
    "/plan": "plan.html",
    "/partner": "partner.html",
}
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
    """Adds the pages at ``/``, ``/volunteer``, ``/coordinator``, ``/link-worker``,
    ``/person``, ``/plan``, ``/partner`` and their assets at ``/assets/NAME``."""
    for path, filename in PAGES.items():
        app.add_api_route(path, _page(WEB_DIR / filename), methods=["GET"], include_in_schema=False)

    @app.get("/assets/{name}", include_in_schema=False)
    async def asset(name: str) -> FileResponse:
        file = WEB_DIR / name
        if not ASSET_NAME.fullmatch(name) or not file.is_file():
            raise HTTPException(status_code=404, detail="No such file.")
        return FileResponse(file, media_type=MEDIA_TYPES[file.suffix], headers=SECURITY_HEADERS)


def _page(file: Path) -> Callable[[], Awaitable[FileResponse]]:
    async def page() -> FileResponse:
        return FileResponse(file, media_type="text/html; charset=utf-8", headers=SECURITY_HEADERS)

    return page
