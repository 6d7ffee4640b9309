"""``carecircles import-services FILE.json|URL`` and ``carecircles export-services FILE.json``.

Import: a file, or a feed's URL whose pages are followed (ORUK v1 and v3 paging) with a progress
bar, a timeout per request, retries with back-off, a page limit and ``--since DATE``. Prints a
table of what was created, updated and unchanged per kind, then what was skipped grouped by
reason, with counts and a few examples (``--details``: every row). Importing the same source
again creates nothing. Exit codes: 0 imported (even with skips), 2 the input is unreadable or
not an ORUK document (nothing written, the reason on stderr), 1 the feed or the store failed
part-way (stderr says how many services were written, each whole, and that re-running the same
command finishes the job).

Export: every service as an ORUK v3 page (``contents``), each valid against the profile's
compiled schema, keeping the source's ids, so importing the file changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from graph.repo.oruk import OUTCOMES
from graph.store import GraphError, open_store
from seed.oruk import (
    Importer,
    ImportFailed,
    ImportReport,
    InvalidDocument,
    export_services,
    load_document,
    schema_errors,
)
from seed.oruk_feed import FeedError, FeedPage, FeedReader, FeedSettings, is_url
from seed.oruk_mapping import service_records


def _print_report(console: Console, source: str, report: ImportReport, details: bool) -> None:
    counts = Table(title=Text(f"Imported {source}"), title_justify="left")
    counts.add_column("kind")
    for outcome in OUTCOMES:
        counts.add_column(outcome, justify="right")
    for kind, by_outcome in report.counts.items():
        counts.add_row(kind, *(str(by_outcome.get(outcome, 0)) for outcome in OUTCOMES))
    console.print(counts)
    if report.skipped and details:
        skipped = Table(title=f"Skipped ({len(report.skipped)})", title_justify="left")
        skipped.add_column("where")
        skipped.add_column("what")
        skipped.add_column("why")
        for item in report.skipped:
            skipped.add_row(Text(item.path or "(document)"), Text(item.what), Text(item.reason))
        console.print(skipped)
    elif report.skipped:
        title = f"Skipped or not taken as given ({len(report.skipped)}), by reason"
        grouped = Table(title=title, title_justify="left")
        grouped.add_column("count", justify="right")
        grouped.add_column("what")
        grouped.add_column("why")
        grouped.add_column("for example")
        for group in report.groups():
            examples = "\n".join(
                f"{item.path or '(document)'}: {item.reason}" for item in group.examples
            )
            grouped.add_row(str(group.count), Text(group.what), Text(group.reason), Text(examples))
        console.print(grouped)
        console.print("Run again with --details to list every row.")
    for note in report.notes:
        console.print(Text(f"Note: {note}"))
    if report.pages > 1:
        console.print(f"{report.pages} pages read.")
    console.print(report.summary())


def _fail(message: str, *, code: int) -> NoReturn:
    Console(stderr=True, soft_wrap=True).print(
        f"import-services: {message}", markup=False, highlight=False
    )
    raise typer.Exit(code)


def _since(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        _fail(f"--since: expected a date like 2026-01-31, got {value!r}", code=2)


def import_services(
    ctx: typer.Context,
    source: Annotated[str, typer.Argument(help="An ORUK / HSDS JSON file, or a feed's URL")],
    since: Annotated[
        str | None,
        typer.Option(help="Only services whose last_modified is on or after this day"),
    ] = None,
    max_pages: Annotated[int, typer.Option(min=1, help="Read at most this many pages")] = 1000,
    timeout: Annotated[float, typer.Option(min=0.1, help="Seconds to wait for each page")] = 30.0,
    retries: Annotated[int, typer.Option(min=0, help="Tries again per page")] = 3,
    retry_wait: Annotated[
        float, typer.Option(min=0.0, help="Seconds before the first retry (then doubled)")
    ] = 1.0,
    details: Annotated[bool, typer.Option(help="List every skipped row")] = False,
) -> None:
    """Import Open Referral UK / HSDS services (idempotent: a second import changes nothing)."""
    from_day = _since(since)
    err = Console(stderr=True)
    reader: FeedReader | None = None
    first: dict[str, Any] | list[Any] | None = None
    if is_url(source):
        settings = FeedSettings(
            timeout_s=timeout, retries=retries, retry_wait_s=retry_wait, max_pages=max_pages
        )
        reader = FeedReader(source, settings)
        pages = reader.pages()
        try:  # the first page is read before the store is opened: a bad URL writes nothing
            first_page = next(pages)
            service_records(first_page.document)
        except (FeedError, InvalidDocument) as error:
            _fail(f"{source}: {error}", code=2)
    else:
        file = Path(source)
        try:
            first = load_document(file)
            service_records(first)  # the shape is checked before the store is opened
        except InvalidDocument as error:
            _fail(str(error) if str(error).startswith(source) else f"{source}: {error}", code=2)
    store = open_store(ctx.obj)
    stopped: str | None = None
    try:
        importer = Importer(store=store, since=from_day)
        if reader is not None:
            importer.add(first_page.document)
            report, stopped = _import_feed_rest(importer, reader, pages, err)
        else:
            assert first is not None
            importer.add(first)
            report = importer.report
        report = importer.finish()
    except ImportFailed as failure:
        _print_report(Console(width=160), source, failure.report, details)
        _fail(str(failure), code=1)
    except GraphError as error:
        _fail(f"the graph store failed: {error}", code=1)
    finally:
        store.close()
    if reader is not None and reader.limited:
        report.notes.append(
            f"Stopped after {max_pages} pages (--max-pages) of "
            f"{reader.total_pages or 'more'}: raise --max-pages to import the rest."
        )
    _print_report(Console(width=160), source, report, details)
    if stopped is not None:
        written = report.services_written
        _fail(
            f"{stopped}. {written} service{'' if written == 1 else 's'} from the "
            f"{report.pages} page{'' if report.pages == 1 else 's'} read before it "
            f"{'was' if written == 1 else 'were'} written, each one whole; re-running the same "
            "command finishes the job (what was written is found unchanged).",
            code=1,
        )


def _import_feed_rest(
    importer: Importer, reader: FeedReader, pages: Iterator[FeedPage], console: Console
) -> tuple[ImportReport, str | None]:
    """The pages after the first, with a progress bar."""
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task("page 1", total=reader.total_pages, completed=1)
        try:
            for page in pages:
                importer.add(page.document, prefix=f"page {page.index}: ")
                progress.update(
                    task,
                    completed=page.index,
                    total=reader.total_pages,
                    description=f"page {page.index}, {importer.report.services_written} services",
                )
        except FeedError as error:
            return importer.report, str(error)
    return importer.report, None


def export_services_command(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="Where to write the ORUK v3 services (JSON)")],
) -> None:
    """Write every service as Open Referral UK v3 (one page of ``contents``), keeping the
    source's ids, so importing the file again changes nothing."""
    store = open_store(ctx.obj)
    try:
        services = export_services(store=store)
    except GraphError as error:
        Console(stderr=True).print(f"export-services: the graph store failed: {error}")
        raise typer.Exit(1) from None
    finally:
        store.close()
    problems = [
        f"{service['id']}: {problem}" for service in services for problem in schema_errors(service)
    ]
    if problems:
        Console(stderr=True, soft_wrap=True).print(
            "export-services: not valid ORUK:\n" + "\n".join(problems), markup=False
        )
        raise typer.Exit(1)
    page = {
        "total_items": len(services),
        "total_pages": 1,
        "page_number": 1,
        "size": len(services),
        "first_page": True,
        "last_page": True,
        "empty": not services,
        "contents": services,
    }
    file.write_text(json.dumps(page, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    Console().print(f"Wrote {len(services)} services to {file} (ORUK v3).", markup=False)
