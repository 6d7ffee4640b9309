"""``carecircles import-services FILE.json``: Open Referral UK / HSDS services into the store.

Prints a table of what was created, updated and unchanged per kind, then every skipped record
with its field path and reason. Importing the same file again creates nothing. Exit codes:
0 imported (even with skips), 2 the file is unreadable or not an ORUK document (nothing written).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from graph.repo.oruk import OUTCOMES
from graph.store import GraphError, open_store
from seed.oruk import ImportReport, InvalidDocument, load_document
from seed.oruk import import_services as import_document


def _print_report(console: Console, file: Path, report: ImportReport) -> None:
    counts = Table(title=Text(f"Imported {file.name}"), title_justify="left")
    counts.add_column("kind")
    for outcome in OUTCOMES:
        counts.add_column(outcome, justify="right")
    for kind, by_outcome in report.counts.items():
        counts.add_row(kind, *(str(by_outcome.get(outcome, 0)) for outcome in OUTCOMES))
    console.print(counts)
    if report.skipped:
        skipped = Table(title=f"Skipped ({len(report.skipped)})", title_justify="left")
        skipped.add_column("where")
        skipped.add_column("what")
        skipped.add_column("why")
        for item in report.skipped:
            skipped.add_row(Text(item.path or "(document)"), Text(item.what), Text(item.reason))
        console.print(skipped)
    for note in report.notes:
        console.print(Text(f"Note: {note}"))
    console.print(report.summary())


def import_services(
    file: Annotated[Path, typer.Argument(help="An ORUK / HSDS services JSON file")],
) -> None:
    """Import Open Referral UK / HSDS services (idempotent: a second import changes nothing)."""
    console = Console(width=160)
    try:
        document = load_document(file)
    except InvalidDocument as error:
        Console(stderr=True, soft_wrap=True).print(
            f"import-services: {error}", markup=False, highlight=False
        )
        raise typer.Exit(2) from error
    store = open_store()
    try:
        report = import_document(store=store, document=document)
    except InvalidDocument as error:
        Console(stderr=True, soft_wrap=True).print(
            f"import-services: {file}: {error}", markup=False
        )
        raise typer.Exit(2) from error
    except GraphError as error:
        Console(stderr=True, soft_wrap=True).print(
            f"import-services: the graph store failed: {error}", markup=False
        )
        raise typer.Exit(1) from error
    finally:
        store.close()
    _print_report(console, file, report)
