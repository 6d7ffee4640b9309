"""``carecircles seed`` and ``import-services``: placeholders until seed/ lands."""

from __future__ import annotations

from pathlib import Path

import typer


def seed(size: str = "tiny") -> None:
    """Load a synthetic borough into the configured store."""
    raise typer.Exit(1)


def import_services(file: Path) -> None:
    """Import Open Referral UK / HSDS services."""
    raise typer.Exit(1)
