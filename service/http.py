"""Plain HTTP routes beside GraphQL: the calendar feed and the rota CSV export."""

from __future__ import annotations

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import Response

from graph.models.base import ID_PATTERN
from graph.repo.users import get_user
from graph.store.port import GraphStore
from service.accounts.auth import read_token
from service.accounts.users import current_user_from_header
from service.context import off_loop
from service.rota.runs import get_rota_run, run_csv_for
from service.visits.calendar import volunteer_calendar


def add_routes(app: FastAPI) -> None:
    @app.get("/calendar/{token}.ics")
    async def calendar_feed(token: str, request: Request) -> Response:
        store: GraphStore = request.app.state.store
        claims = read_token(key=request.app.state.key, token=token, use="calendar")
        if claims is None:
            raise HTTPException(status_code=404, detail="No such calendar.")
        user = await off_loop(lambda: get_user(store=store, user_id=claims.user_id))
        if user is None or user.volunteer_id is None:
            raise HTTPException(status_code=404, detail="No such calendar.")
        volunteer_id = user.volunteer_id
        body = await off_loop(lambda: volunteer_calendar(store=store, volunteer_id=volunteer_id))
        return Response(body, media_type="text/calendar; charset=utf-8")

    @app.get("/rota/{run_id}.csv")
    async def rota_export(run_id: str, request: Request) -> Response:
        store: GraphStore = request.app.state.store
        user = await current_user_from_header(
            store=store,
            key=request.app.state.key,
            authorization=request.headers.get("authorization"),
        )
        if user is None:
            raise HTTPException(status_code=401, detail="Sign in first.")
        if user.role != "coordinator" or user.organization_id is None:
            raise HTTPException(status_code=403, detail="Not allowed.")
        if not ID_PATTERN.fullmatch(run_id):
            raise HTTPException(status_code=422, detail="runId: expected a rota run id")
        run = await off_loop(lambda: get_rota_run(store=store, run_id=run_id))
        if run is None or run.organization_id != user.organization_id:
            raise HTTPException(status_code=404, detail="No such rota run.")
        if run.solution is None:
            raise HTTPException(
                status_code=409, detail=f"This run has no rota: it is {run.status}."
            )
        body = await off_loop(lambda: run_csv_for(store=store, user=user, run=run))
        return Response(
            body,
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{run_id}.csv"'},
        )
