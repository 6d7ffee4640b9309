"""``carecircles serve``: placeholder until the service lands."""

from __future__ import annotations

import typer


def serve(host: str = "127.0.0.1", port: int = 8000, demo: bool = False) -> None:
    """Run the API and web pages."""
    raise typer.Exit(1)
