"""``carecircles rota run --week 2026-W48`` and ``rota publish RUN_ID``."""

from __future__ import annotations

from typing import Annotated

import typer

from graph.store import GraphError, open_store
from service.weeks import InvalidWeek, week_label, week_start

app = typer.Typer(help="Run and publish the weekly rota.", no_args_is_help=True)


@app.command("run")
def run(
    ctx: typer.Context,
    week: Annotated[str, typer.Option("--week", help="ISO week, e.g. 2026-W48")],
    time_limit: Annotated[float, typer.Option("--time-limit", help="solver seconds")] = 10.0,
    workers: Annotated[int, typer.Option("--workers", help="solver threads")] = 2,
    organization: Annotated[
        str | None,
        typer.Option(
            "--organization",
            help="whose rota: the people this organisation supports and its volunteers "
            "(default: everyone in the store, for a deployment of one organisation)",
        ),
    ] = None,
) -> None:
    """Build the week's problem from the graph, solve it and store a draft; prints its id."""
    try:
        monday = week_start(week)
    except InvalidWeek as error:
        raise typer.BadParameter(str(error), param_hint="--week") from None
    try:
        store = open_store(ctx.obj)
    except GraphError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None
    from service.rota.runs import RotaFailed, run_rota, solution_of

    try:
        # Solved in a process of its own, as the server does; this waits for it.
        result = run_rota(
            store=store,
            week_start=monday,
            time_limit=time_limit,
            workers=workers,
            organization_id=organization,
        )
    except RotaFailed as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None
    finally:
        store.close()
    solution = solution_of(result)
    metrics = solution.metrics
    typer.echo(f"draft rota for {week_label(monday)}: {solution.status}")
    if metrics is not None:
        typer.echo(
            f"covered {metrics.visits_covered}/{metrics.visits_total} visits "
            f"(need-weighted {metrics.need_weighted_coverage:.2f}, "
            f"bound {metrics.need_weighted_upper_bound:.2f}), "
            f"continuity {metrics.continuity_share:.2f}, {metrics.travel_km:.1f} km"
        )
    for gap in solution.unassigned[:10]:
        typer.echo(f"  gap {gap.visit}: {'; '.join(gap.reasons)}")
    if len(solution.unassigned) > 10:
        typer.echo(f"  ... and {len(solution.unassigned) - 10} more gaps")
    typer.echo(result.id)


@app.command("publish")
def publish(
    ctx: typer.Context, run_id: Annotated[str, typer.Argument(help="the draft's id")]
) -> None:
    """Publish a draft: its assignments become proposed visits."""
    from service.rota.runs import RotaError, publish_rota

    try:
        store = open_store(ctx.obj)
    except GraphError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None
    try:
        published = publish_rota(store=store, run_id=run_id)
    except RotaError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None
    finally:
        store.close()
    typer.echo(f"published {run_id}: {published.proposed} proposed visits")
