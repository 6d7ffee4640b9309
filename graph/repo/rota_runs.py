"""Rota runs: a week's draft or published rota with its problem, solution and metrics."""

from __future__ import annotations

from datetime import date, datetime

from graph.models import RotaRun, iso_utc
from graph.repo.records import (
    Page,
    create_one,
    delete_statement,
    deleted,
    found,
    from_properties,
    get_statement,
    page_params,
    read_one,
    read_page,
    update_one,
    update_statement,
)
from graph.store.port import GraphStore

CREATE_ROTA_RUN = "CREATE (n:RotaRun) SET n = $props RETURN properties(n) AS n"


def create_rota_run(*, store: GraphStore, run: RotaRun) -> RotaRun:
    """Store a run; ``AlreadyExists`` if the id is taken."""
    return create_one(store, CREATE_ROTA_RUN, run, label="RotaRun")


GET_ROTA_RUN = get_statement("RotaRun")


def get_rota_run(*, store: GraphStore, run_id: str) -> RotaRun | None:
    """The run with this id, or None."""
    return read_one(store, GET_ROTA_RUN, {"id": run_id}, RotaRun)


def get_rota_run_or_raise(*, store: GraphStore, run_id: str) -> RotaRun:
    """The run with this id; ``NotFound`` if there is none."""
    return found(get_rota_run(store=store, run_id=run_id), label="RotaRun", node_id=run_id)


LIST_ROTA_RUNS = """
MATCH (n:RotaRun)
WHERE ($week_start IS NULL OR n.week_start = $week_start) AND ($after IS NULL OR n.id > $after)
RETURN properties(n) AS n ORDER BY n.id LIMIT $limit
"""


def list_rota_runs(
    *,
    store: GraphStore,
    week_start: date | None = None,
    first: int = 50,
    after: str | None = None,
) -> Page[RotaRun]:
    """Runs in id order, optionally one week's."""
    params = page_params(first=first, after=after) | {
        "week_start": None if week_start is None else week_start.isoformat()
    }
    return read_page(store, LIST_ROTA_RUNS, params, RotaRun, first=first)


UPDATE_ROTA_RUN = update_statement("RotaRun")


def update_rota_run(*, store: GraphStore, run: RotaRun) -> RotaRun:
    """Replace the stored run (same id); ``NotFound`` if absent."""
    return update_one(store, UPDATE_ROTA_RUN, run, label="RotaRun")


PUBLISH_ROTA_RUN = """
MATCH (n:RotaRun {id: $id}) WHERE n.status = 'draft'
SET n.status = 'published', n.published_at = $at
RETURN properties(n) AS n
"""


def publish_rota_run(*, store: GraphStore, run_id: str, at: datetime) -> RotaRun | None:
    """Mark a draft published; None if there is no such draft (missing or published already),
    so two publishers cannot both win."""
    rows = store.run(PUBLISH_ROTA_RUN, {"id": run_id, "at": iso_utc(at)})
    return from_properties(RotaRun, rows[0]["n"]) if rows else None


DELETE_ROTA_RUN = delete_statement("RotaRun")


def delete_rota_run(*, store: GraphStore, run_id: str) -> bool:
    """Remove the run; True if it existed."""
    return deleted(store, DELETE_ROTA_RUN, {"id": run_id})
