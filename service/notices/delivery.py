"""Delivering the outbox by SMTP (``CARECIRCLES_SMTP_URL``): claim a batch of due notices, send
each, record how it went.

Claim-then-send: a notice is claimed by one sender (one statement, graph/repo/notices.py)
before it is sent, so senders in several server processes never send one twice; a failed send
goes back to the outbox with a back-off (``BACKOFF_S`` doubling, up to ``BACKOFF_MAX_S``) until
``MAX_ATTEMPTS``. A claim is a lease (``LEASE_S``): a sender that dies holding notices leaves
them to another once it runs out. The notice id is the idempotency key, sent as the e-mail's
Message-ID. Quiet hours (London time) put a notice off until they end, without counting an
attempt; a recipient who wants no e-mail, or has no address, has it ``skipped``.
"""

from __future__ import annotations

import smtplib
import socket
import uuid
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

from clock import minutes_of
from graph.models import iso_utc
from graph.repo import notices as repo
from graph.store.port import GraphStore
from service.notices.messages import message_of

LONDON = ZoneInfo("Europe/London")
BACKOFF_S = 60.0
BACKOFF_MAX_S = 3600.0
MAX_ATTEMPTS = 6
LEASE_S = 120.0
BATCH = 50
SMTP_TIMEOUT_S = 10.0
FROM_ADDRESS = "CareCircles <notices@carecircles.invalid>"


class SmtpUrlError(ValueError):
    """A ``CARECIRCLES_SMTP_URL`` that is not ``smtp://[user:password@]host:port``."""


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    user: str | None = None
    password: str | None = None
    tls: bool = False  # smtps:// (TLS from the start)

    @classmethod
    def of_url(cls, url: str) -> SmtpServer:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise SmtpUrlError(
                f"CARECIRCLES_SMTP_URL: expected smtp://[user:password@]host:port, got {url!r}"
            )
        return cls(
            host=parts.hostname,
            port=parts.port or (465 if parts.scheme == "smtps" else 25),
            user=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            tls=parts.scheme == "smtps",
        )

    def send(self, message: EmailMessage) -> None:
        """Send one message; raises OSError / smtplib.SMTPException when it was not taken."""
        opener = smtplib.SMTP_SSL if self.tls else smtplib.SMTP
        with opener(self.host, self.port, timeout=SMTP_TIMEOUT_S) as smtp:
            if self.user:
                smtp.login(self.user, self.password or "")
            smtp.send_message(message)


@dataclass
class Delivered:
    """What one pass over the outbox did."""

    sent: list[str] = field(default_factory=list)
    retried: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    deferred: list[str] = field(default_factory=list)


def backoff(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failed attempt."""
    return timedelta(seconds=min(BACKOFF_MAX_S, BACKOFF_S * 2 ** max(0, attempts - 1)))


def quiet_until(row: dict[str, Any], now: datetime) -> datetime | None:
    """When the recipient's quiet hours end, if ``now`` is inside them; else None."""
    start, end = row.get("quiet_from"), row.get("quiet_to")
    if not start or not end or start == end:
        return None
    local = now.astimezone(LONDON)
    minute = local.hour * 60 + local.minute
    begin, finish = minutes_of(start), minutes_of(end)
    inside = begin <= minute < finish if begin < finish else minute >= begin or minute < finish
    if not inside:
        return None
    until = datetime.combine(local.date(), time(finish // 60, finish % 60), tzinfo=LONDON)
    if until <= local:
        until += timedelta(days=1)
    return until.astimezone(now.tzinfo)


def email_of(row: dict[str, Any]) -> EmailMessage:
    """The e-mail for a claimed notice row; its Message-ID made from the notice id."""
    notice = row["notice"]
    text = message_of(notice)
    message = EmailMessage()
    message["From"] = FROM_ADDRESS
    message["To"] = row["email"]
    message["Subject"] = text.subject
    key = uuid.uuid5(uuid.NAMESPACE_URL, f"carecircles-notice:{notice['id']}").hex
    message["Message-ID"] = make_msgid(idstring=key, domain="carecircles.invalid")
    message["X-CareCircles-Notice"] = key
    message.set_content(text.body)
    return message


def deliver_due(
    *,
    store: GraphStore,
    server: SmtpServer,
    now: datetime,
    worker: str | None = None,
    limit: int = BATCH,
) -> Delivered:
    """One pass: claim up to ``limit`` due notices and deliver each (see the module's doc)."""
    worker = worker or f"{socket.gethostname()}-{uuid.uuid4().hex[:8]}"
    done = Delivered()
    rows = repo.claim_notices(
        store=store,
        worker=worker,
        now=iso_utc(now),
        until=iso_utc(now + timedelta(seconds=LEASE_S)),
        limit=limit,
    )
    for row in rows:
        notice = row["notice"]

        def settle(
            status: str,
            attempted: int,
            next_at: datetime,
            error: str | None,
            notice_id: str = notice["id"],
        ) -> None:
            repo.settle_notice(
                store=store,
                notice_id=notice_id,
                worker=worker,
                status=status,
                attempted=attempted,
                next_at=iso_utc(next_at),
                error=error,
                now=iso_utc(now),
            )

        if row["channel"] == "none" or not row["email"]:
            settle("skipped", 0, now, "no e-mail wanted" if row["email"] else "no address")
            done.skipped.append(notice["id"])
            continue
        until = quiet_until(row, now)
        if until is not None:
            settle("pending", 0, until, None)
            done.deferred.append(notice["id"])
            continue
        try:
            server.send(email_of(row))
        except (OSError, smtplib.SMTPException) as error:
            attempts = int(notice.get("attempts", 0)) + 1
            if attempts >= MAX_ATTEMPTS:
                settle("failed", 1, now, str(error)[:300])
                done.failed.append(notice["id"])
            else:
                settle("pending", 1, now + backoff(attempts), str(error)[:300])
                done.retried.append(notice["id"])
            continue
        settle("sent", 1, now, None)
        done.sent.append(notice["id"])
    return done
