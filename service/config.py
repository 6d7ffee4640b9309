"""Service configuration: the shared settings plus the signing key (DESIGN.md, "Configuration")."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

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


def seconds_from_env(name: str, *, default: float, most: float = 60.0) -> float:
    """Seconds from the environment variable ``name`` (``default`` when unset or empty),
    0..``most``; otherwise a ValueError naming the variable and what it expects."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{name}: expected a number of seconds (e.g. 1.0), got {raw!r}") from None
    if not 0 <= value <= most:
        raise ValueError(f"{name}: expected 0..{most:g} seconds, got {raw!r}")
    return value


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
