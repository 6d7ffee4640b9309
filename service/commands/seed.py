"""``carecircles seed``: load a synthetic borough into the configured store.

``import_services`` is still a placeholder here; the real ``import-services`` command lives in
service/commands/import_services.py.
"""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from graph.store import GraphError, UnknownGraphURI, drop_graph, open_store
from seed.borough import SIZES, generate_borough
from seed.load import count_graph, load_borough


def _monday(value: str | None) -> date:
    if value is None:
        today = datetime.now(UTC).date()
        return today - timedelta(days=today.weekday())
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(
            f"expected a date YYYY-MM-DD, got {value!r}", param_hint="--week"
        ) from None
    if day.weekday() != 0:
        raise typer.BadParameter(
            f"expected a Monday, got {value} (a {day:%A})", param_hint="--week"
        )
    return day


def seed(
    ctx: typer.Context,
    size: Annotated[
        str, typer.Option("--size", help="tiny (~30 people), demo (~300) or borough (5,000)")
    ] = "tiny",
    seed: Annotated[int, typer.Option("--seed", help="same seed, same borough")] = 0,
    reset: Annotated[bool, typer.Option("--reset", help="empty the graph first")] = False,
    week: Annotated[
        str | None,
        typer.Option("--week", help="Monday YYYY-MM-DD of the visits' week (default: this week)"),
    ] = None,
) -> None:
    """Load a synthetic borough into the configured store, with a progress bar."""
    if size not in SIZES:
        raise typer.BadParameter(
            f"expected one of {', '.join(SIZES)}, got {size!r}", param_hint="--size"
        )
    week_start = _monday(week)
    err = Console(stderr=True)
    started = time.perf_counter()
    borough = generate_borough(size, seed, week_start=week_start)
    try:
        store = open_store(ctx.obj)
    except (GraphError, UnknownGraphURI) as error:
        typer.echo(f"cannot open the graph store: {error}", err=True)
        raise typer.Exit(1) from None
    try:
        if reset:
            drop_graph(store)
            store.ensure_schema()
        before = sum(count_graph(store=store).nodes.values())
        if before:
            typer.echo(
                f"The graph already holds {before} nodes; loading over them "
                "(--reset starts empty).",
                err=True,
            )
        with Progress(
            TextColumn("{task.description:<14}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err,
        ) as bar:
            task = bar.add_task("seeding", total=None)

            def advance(what: str, done: int, total: int) -> None:
                bar.update(task, description=what, completed=done, total=total)

            load_borough(store=store, borough=borough, progress=advance)
        counts = count_graph(store=store)
    except GraphError as error:
        typer.echo(f"seeding failed: {error}", err=True)
        raise typer.Exit(1) from None
    finally:
        store.close()
    seconds = time.perf_counter() - started
    typer.echo(
        f"Seeded a {size} synthetic borough (seed {seed}, visits for the week of {week_start}) "
        f"in {seconds:.1f} s."
    )
    typer.echo("Nodes:")
    for label, count in counts.nodes.items():
        typer.echo(f"  {label}: {count}")
    typer.echo("Relationships:")
    for kind, count in counts.relationships.items():
        typer.echo(f"  {kind}: {count}")
