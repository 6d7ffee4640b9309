"""Service configuration: the shared settings plus the signing key (DESIGN.md, "Configuration")."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError

from graph.settings import Settings

SECRET_KEY_FILE = "secret_key"
TOKEN_TTL_SECONDS = 12 * 3600
CALENDAR_TOKEN_TTL_SECONDS = 365 * 24 * 3600
PAGE_SIZE_MAX = 100
QUERY_DEPTH_MAX = 6
QUERY_TOKENS_MAX = 2000
QUERY_ALIASES_MAX = 30
# The longest note a volunteer may leave on a visit or a link worker on an alert.
NOTE_MAX = 500
# The open-visits snapshot (service/visits/open_visits_snapshot.py) is on unless set to 0: without
# it openVisits costs a statement per call and the borough's volunteers overload the store
# (benchmarks/API.md).
OPEN_VISITS_MAX_AGE_DEFAULT_S = 2.0


class ServiceSettings(Settings):
    """Every ``CARECIRCLES_*`` variable: the graph store's (``graph.settings.Settings``) and the
    service's own, read once when a command starts (service/cli.py) and passed down."""

    open_visits_max_age_s: float = Field(
        default=OPEN_VISITS_MAX_AGE_DEFAULT_S,
        ge=0,
        le=60,
        description="seconds the per-process snapshot of open visits may be old (0: a "
        "statement per openVisits call)",
    )
    smtp_url: str | None = Field(
        default=None,
        description="smtp://[user:password@]host:port: deliver notices by e-mail (unset: they "
        "stay in the outbox)",
    )


class BadSettings(ValueError):
    """An environment variable with a value the settings cannot take; the message is one line
    per variable, naming it and what it expects."""


def read_settings() -> ServiceSettings:
    """The settings from the environment, or BadSettings naming each bad variable."""
    try:
        return ServiceSettings()
    except ValidationError as error:
        raise BadSettings("; ".join(_problem(e) for e in error.errors())) from None


def _problem(error: Any) -> str:
    field = ".".join(str(part) for part in error["loc"])
    variable = f"CARECIRCLES_{field.upper()}"
    expected = error["msg"].removeprefix("Input should be ").removeprefix("Value error, ")
    return f"{variable}: expected {expected}, got {error['input']!r}"


def secret_key(settings: Settings) -> bytes:
    """``CARECIRCLES_SECRET_KEY``, or the key stored in the data directory (created once)."""
    if settings.secret_key:
        return settings.secret_key.encode()
    path = Path(settings.data_dir) / SECRET_KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        # O_EXCL: when two processes start at once, one writes and both read the same key.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as out:
                out.write(key)
    return path.read_text().strip().encode()
