"""Passwords (argon2) and signed, expiring bearer tokens (HMAC-SHA256)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from typing import Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

Role = Literal["coordinator", "link_worker", "volunteer", "person", "admin", "partner"]
ROLES: tuple[Role, ...] = (
    "coordinator",
    "link_worker",
    "volunteer",
    "person",
    "admin",
    "partner",
)
TokenUse = Literal["api", "calendar"]

TOKEN_PREFIX = "cc1"
# OWASP's recommended minimum for argon2id (19 MiB, 2 passes, 1 lane): about 0.15 s on a small
# server, so sign-in stays cheap to serve and costly to brute-force. The parameters are stored
# in each hash, so raising them later only affects new hashes.
_hasher = PasswordHasher(memory_cost=19456, time_cost=2, parallelism=1)


def hash_password(password: str) -> str:
    """An argon2id hash with its own salt and parameters."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Whether ``password`` matches; a malformed hash never matches."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@dataclass(frozen=True)
class TokenClaims:
    """What a valid token says: whose it is, what it is for and until when."""

    user_id: str
    use: TokenUse
    expires_at: int


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(key: bytes, body: str) -> str:
    return _b64(hmac.new(key, body.encode(), hashlib.sha256).digest())


def issue_token(
    *, key: bytes, user_id: str, ttl_seconds: int, use: TokenUse = "api", now: float | None = None
) -> str:
    """``cc1.<claims>.<signature>``; the claims are readable, only the key can make them."""
    issued = int(time.time() if now is None else now)
    claims = {"sub": user_id, "use": use, "exp": issued + ttl_seconds}
    body = f"{TOKEN_PREFIX}.{_b64(json.dumps(claims, separators=(',', ':')).encode())}"
    return f"{body}.{_signature(key, body)}"


def read_token(
    *, key: bytes, token: str, use: TokenUse = "api", now: float | None = None
) -> TokenClaims | None:
    """The claims of a token signed with ``key`` for ``use`` and not expired; otherwise None."""
    parts = token.split(".")
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX or len(token) > 1000:
        return None
    body = f"{parts[0]}.{parts[1]}"
    if not hmac.compare_digest(_signature(key, body), parts[2]):
        return None
    try:
        claims = json.loads(_unb64(parts[1]))
        user_id, token_use, expires_at = str(claims["sub"]), claims["use"], int(claims["exp"])
    except (ValueError, KeyError, TypeError):
        return None
    if token_use != use or expires_at <= (time.time() if now is None else now):
        return None
    return TokenClaims(user_id=user_id, use=use, expires_at=expires_at)


def bearer_token(authorization: str | None) -> str | None:
    """The token in an ``Authorization: Bearer <token>`` header, if there is one."""
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()
