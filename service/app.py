"""The FastAPI application: GraphQL at /graphql, health, calendar feed and rota export."""

from __future__ import annotations

import asyncio
import gc
import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.routing import Route
from strawberry.asgi import GraphQL

from graph.store.errors import GraphUnavailable
from graph.store.port import GraphStore
from service.accounts.users import current_user_from_header
from service.api.errors import RETRY_AFTER_S, UNAVAILABLE_STATUS, unavailable_body
from service.config import ServiceSettings, read_settings, secret_key
from service.context import RequestContext, off_loop
from service.notices.delivery import SmtpServer
from service.notices.sender import NoticeSender
from service.rota.jobs import RotaJobs
from service.schema import schema
from service.web.routes import mount_web

log = logging.getLogger("carecircles.service")

HEALTH_TIMEOUT_S = 3.0
HEALTH_QUERY = "RETURN 1 AS ok"


def _open_store(settings: ServiceSettings) -> GraphStore:
    from graph.store import open_store

    store: GraphStore = open_store(settings)
    return store


def create_app(settings: ServiceSettings | None = None, store: GraphStore | None = None) -> FastAPI:
    """The app; it opens the configured store on start-up unless one is given (and then
    leaves closing it to the caller). Without ``settings``, they are read from the
    environment now."""
    settings = settings or read_settings()
    key = secret_key(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = store is None
        app.state.store = (
            store if store is not None else await off_loop(partial(_open_store, settings))
        )
        # Everything loaded so far (modules, the schema, models) lives as long as the process:
        # move it out of the collector's sight, so a full collection scans only what requests
        # made and does not stall every request (benchmarks/API.md).
        gc.collect()
        gc.freeze()
        _warm_open_visits(app.state.store, settings.open_visits_max_age_s)
        # Rota runs are solved in processes of their own; stopping the app stops them (and
        # marks their runs cancelled) before the store closes.
        app.state.rota_jobs = RotaJobs(store=app.state.store)
        # Notices are delivered by e-mail only when CARECIRCLES_SMTP_URL says where to.
        sender = (
            NoticeSender(store=app.state.store, server=SmtpServer.of_url(settings.smtp_url))
            if settings.smtp_url
            else None
        )
        if sender is not None:
            sender.start()
        try:
            yield
        finally:
            if sender is not None:
                await sender.stop()
            await off_loop(app.state.rota_jobs.shutdown)
            await app.state.store.aclose()  # this loop's connections (``arun``)
            if owned:
                await off_loop(app.state.store.close)

    app = FastAPI(title="CareCircles", lifespan=lifespan)
    app.state.settings = settings
    app.state.key = key
    app.add_exception_handler(GraphUnavailable, _store_unavailable)

    # A plain route (a mount would redirect /graphql to /graphql/).
    graphql_app = GraphQLApp(schema, settings=settings, key=key)
    app.router.routes.append(Route("/graphql", graphql_app, methods=["GET", "POST"]))

    @app.get("/health")
    async def health(request: Request) -> JSONResponse:
        graph_store: GraphStore = request.app.state.store
        try:
            rows = await asyncio.wait_for(
                off_loop(partial(graph_store.run, HEALTH_QUERY, {}, write=False)),
                timeout=HEALTH_TIMEOUT_S,
            )
            if rows != [{"ok": 1}]:
                raise RuntimeError(f"unexpected answer {rows!r}")
        except TimeoutError:
            return _down(f"graph store did not answer within {HEALTH_TIMEOUT_S:.0f} s")
        except Exception as error:  # any failure means "down"; say which
            log.warning("health check failed: %s", error)
            return _down(f"graph store unavailable: {type(error).__name__}: {error}")
        return JSONResponse({"status": "ok", "graph": "ok"})

    from service.http import add_routes

    add_routes(app)
    mount_web(app)
    return app


class GraphQLApp(GraphQL[RequestContext, None]):
    """Strawberry's ASGI app, mounted beside FastAPI's routes rather than through FastAPI's
    router: a request then skips FastAPI's dependency solving, which costs more than running
    a small query (benchmarks/API.md)."""

    def __init__(self, schema: Any, *, settings: ServiceSettings, key: bytes) -> None:
        super().__init__(schema)
        self._settings = settings
        self._key = key

    async def get_context(self, request: Any, response: Any) -> RequestContext:
        graph_store: GraphStore = request.app.state.store
        user = await current_user_from_header(
            store=graph_store,
            key=self._key,
            authorization=request.headers.get("authorization"),
        )
        context = RequestContext(
            store=graph_store, settings=self._settings, key=self._key, user=user
        )
        context.request = request
        context.response = response
        return context


def _warm_open_visits(store: GraphStore, max_age: float) -> None:
    """With the open-visits snapshot on, load it now in the background, so the first
    volunteer to ask does not wait for it (nor, with several workers, the first in each)."""
    if max_age <= 0:
        return
    threading.Thread(
        target=load_open_visits, args=(store, max_age), name="open-visits-warm", daemon=True
    ).start()


def load_open_visits(store: GraphStore, max_age: float) -> bool:
    """Load this week's open-visits snapshot and freeze it (``gc.freeze``); False when it
    could not be loaded (the first request will try again, and say why).

    The snapshot (tens of thousands of dicts and lists) lives until a reload replaces what
    changed: out of the collector's sight, since otherwise every full collection scans it and
    stalls every request its worker holds (benchmarks/API.md). A one-off, at start-up: whatever
    else is alive then is frozen with it."""
    from service.visits.open_visits_snapshot import OpenVisitsSnapshot
    from service.weeks import monday_of, today

    try:
        OpenVisitsSnapshot.of(store, max_age=max_age).current(monday_of(today()).isoformat())
    except Exception as error:
        log.warning("could not load the open visits at start-up: %s", error)
        return False
    gc.freeze()
    return True


async def _store_unavailable(request: Request, error: Exception) -> JSONResponse:
    """The store could not be reached outside a resolver (signing the caller in, a plain
    route): a GraphQL-shaped 503, as a resolver's failure gets (service/api/errors.py)."""
    log.warning("graph store unavailable (%s %s): %s", request.method, request.url.path, error)
    return JSONResponse(
        unavailable_body(),
        status_code=UNAVAILABLE_STATUS,
        headers={"Retry-After": str(RETRY_AFTER_S)},
    )


def _down(reason: str) -> JSONResponse:
    body: dict[str, Any] = {"status": "unavailable", "graph": "down", "reason": reason}
    return JSONResponse(body, status_code=503)
