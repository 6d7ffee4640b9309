"""``carecircles rota``: placeholder."""

from __future__ import annotations

import typer

app = typer.Typer(help="rota commands", no_args_is_help=True)


@app.command("status")
def status() -> None:
    """Placeholder."""
    raise typer.Exit(1)
