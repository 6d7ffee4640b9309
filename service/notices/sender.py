"""Who delivers the outbox: ``carecircles serve`` runs ``NoticeSender`` while
``CARECIRCLES_SMTP_URL`` is set (one per server process; their claims keep them apart), and
``carecircles notices send`` does one pass, or keeps going, from the command line. Each pass
also writes the day-before reminders for tomorrow's accepted visits (once each)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime, timedelta
from functools import partial

from graph.models import iso_utc, utc_now
from graph.repo import notices as repo
from graph.store.port import GraphStore
from service.context import off_loop
from service.notices.delivery import LONDON, Delivered, SmtpServer, deliver_due
from service.weeks import monday_of

POLL_S = 5.0
log = logging.getLogger(__name__)


def write_due_reminders(*, store: GraphStore, now: datetime) -> int:
    """Write the reminders for the visits accepted for tomorrow (London time), once each."""
    tomorrow = now.astimezone(LONDON).date() + timedelta(days=1)
    return repo.write_reminders(
        store=store,
        week_start=monday_of(tomorrow).isoformat(),
        day=tomorrow.weekday(),
        now=iso_utc(now),
    )


def send_once(*, store: GraphStore, server: SmtpServer, now: datetime | None = None) -> Delivered:
    """Write tomorrow's reminders, then deliver every due notice (batch after batch)."""
    moment = now or utc_now()
    write_due_reminders(store=store, now=moment)
    total = Delivered()
    while True:
        done = deliver_due(store=store, server=server, now=moment)
        for name in ("sent", "retried", "failed", "skipped", "deferred"):
            getattr(total, name).extend(getattr(done, name))
        if not (done.sent or done.retried or done.failed or done.skipped or done.deferred):
            return total


class NoticeSender:
    """The server's sender: a pass every ``POLL_S`` seconds, in a thread off the event loop."""

    def __init__(self, *, store: GraphStore, server: SmtpServer) -> None:
        self._store = store
        self._server = server
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            try:
                await off_loop(partial(send_once, store=self._store, server=self._server))
            except Exception:  # an outage: the outbox keeps the notices; try again later
                log.exception("delivering notices failed; will try again")
            await asyncio.sleep(POLL_S)
