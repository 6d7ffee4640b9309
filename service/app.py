"""The FastAPI application: GraphQL at /graphql, health, calendar feed and rota export."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from strawberry.fastapi import GraphQLRouter

from graph.settings import Settings, get_settings
from graph.store.port import GraphStore
from service.api.schema import schema
from service.config import secret_key
from service.context import RequestContext
from service.users import current_user_from_header
from service.web.routes import mount_web

log = logging.getLogger("carecircles.service")

HEALTH_TIMEOUT_S = 3.0
HEALTH_QUERY = "RETURN 1 AS ok"


def _open_store(settings: Settings) -> GraphStore:
    from graph.store import open_store

    store: GraphStore = open_store(settings)
    return store


def create_app(settings: Settings | None = None, store: GraphStore | None = None) -> FastAPI:
    """The app; it opens the configured store on start-up unless one is given (and then
    leaves closing it to the caller)."""
    settings = settings or get_settings()
    key = secret_key(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = store is None
        app.state.store = (
            store if store is not None else await run_in_threadpool(_open_store, settings)
        )
        try:
            yield
        finally:
            if owned:
                await run_in_threadpool(app.state.store.close)

    app = FastAPI(title="CareCircles", lifespan=lifespan)
    app.state.settings = settings
    app.state.key = key

    async def context_getter(request: Request) -> RequestContext:
        graph_store: GraphStore = request.app.state.store
        user = await current_user_from_header(
            store=graph_store, key=key, authorization=request.headers.get("authorization")
        )
        return RequestContext(store=graph_store, settings=settings, key=key, user=user)

    app.include_router(GraphQLRouter(schema, context_getter=context_getter), prefix="/graphql")

    @app.get("/health")
    async def health(request: Request) -> JSONResponse:
        graph_store: GraphStore = request.app.state.store
        try:
            rows = await asyncio.wait_for(
                run_in_threadpool(graph_store.run, HEALTH_QUERY, {}, write=False),
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


def _down(reason: str) -> JSONResponse:
    body: dict[str, Any] = {"status": "unavailable", "graph": "down", "reason": reason}
    return JSONResponse(body, status_code=503)
