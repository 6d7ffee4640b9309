"""``carecircles solve``: placeholder until the solver lands."""

from __future__ import annotations

from pathlib import Path

import typer


def solve(problem: Path) -> None:
    """Solve a rota problem file (ROTA_FORMAT.md)."""
    raise typer.Exit(1)
