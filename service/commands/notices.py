"""``carecircles notices send``: deliver the outbox by SMTP (``CARECIRCLES_SMTP_URL``)."""

from __future__ import annotations

import time
from typing import Annotated

import typer

from graph.store import GraphError, open_store

app = typer.Typer(help="Deliver notices (the outbox) by e-mail.", no_args_is_help=True)


@app.command("send")
def send(
    ctx: typer.Context,
    keep_going: Annotated[
        bool, typer.Option("--keep-going", help="keep delivering every few seconds")
    ] = False,
) -> None:
    """Write tomorrow's reminders and deliver every due notice, then stop (or keep going)."""
    from service.notices.delivery import SmtpServer, SmtpUrlError
    from service.notices.sender import POLL_S, send_once

    if not ctx.obj.smtp_url:
        typer.echo("error: CARECIRCLES_SMTP_URL is not set; notices stay in the outbox", err=True)
        raise typer.Exit(2)
    try:
        server = SmtpServer.of_url(ctx.obj.smtp_url)
    except SmtpUrlError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None
    try:
        store = open_store(ctx.obj)
    except GraphError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None
    try:
        while True:
            done = send_once(store=store, server=server)
            typer.echo(
                f"sent {len(done.sent)}, to retry {len(done.retried)}, failed {len(done.failed)}, "
                f"skipped {len(done.skipped)}, in quiet hours {len(done.deferred)}"
            )
            if not keep_going:
                return
            time.sleep(POLL_S)
    finally:
        store.close()
