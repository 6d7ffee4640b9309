"""``carecircles import-services FILE.json``: Open Referral UK / HSDS services into the store.

Prints a table of what was created, updated and unchanged per kind, then every skipped record
with its field path and reason. Importing the same file again creates nothing. Exit codes:
0 imported (even with skips), 2 the file is unreadable or not an ORUK document (nothing written).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from graph.repo.oruk import OUTCOMES
from graph.store import GraphError, open_store
from seed.oruk import ImportReport, InvalidDocument, load_document
from seed.oruk import import_services as import_document
from seed.oruk_mapping import service_records


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


def _fail(message: str, *, code: int) -> NoReturn:
    Console(stderr=True, soft_wrap=True).print(
        f"import-services: {message}", markup=False, highlight=False
    )
    raise typer.Exit(code)


def import_services(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="An ORUK / HSDS services JSON file")],
) -> None:
    """Import Open Referral UK / HSDS services (idempotent: a second import changes nothing)."""
    try:
        document = load_document(file)
        service_records(document)  # the shape is checked before the store is opened
    except InvalidDocument as error:
        _fail(str(error) if str(error).startswith(str(file)) else f"{file}: {error}", code=2)
    store = open_store(ctx.obj)
    try:
        report = import_document(store=store, document=document)
    except GraphError as error:
        _fail(f"the graph store failed: {error}", code=1)
    finally:
        store.close()
    _print_report(Console(width=160), file, report)
