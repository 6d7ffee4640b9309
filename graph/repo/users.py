"""Users who sign in. Emails are unique (held in lower case)."""

from __future__ import annotations

from graph.models import User
from graph.repo.errors import AlreadyExists, NotFound
from graph.repo.records import (
    create_one,
    get_statement,
    read_one,
    to_properties,
    write_one,
)
from graph.store.port import GraphStore, Row

# The email guard and the create are one statement; on Neo4j a unique constraint on
# User.email (schema) closes the gap between two concurrent sign-ups as well. The guard counts
# rather than testing ``existing IS NULL``: FalkorDB 4 lets a found node through
# ``OPTIONAL MATCH (x ...) WITH x WHERE x IS NULL`` when that OPTIONAL MATCH opens the query.
CREATE_USER = """
OPTIONAL MATCH (existing:User {email: $email})
WITH count(existing) AS taken WHERE taken = 0
CREATE (n:User) SET n = $props
RETURN properties(n) AS n
"""


def create_user(*, store: GraphStore, user: User) -> User:
    """Add a user; ``AlreadyExists`` if the id or the email is taken."""
    return create_one(
        store,
        CREATE_USER,
        user,
        label="User",
        missing=AlreadyExists("User", "email", user.email),
        email=user.email,
    )


GET_USER = get_statement("User")


def get_user(*, store: GraphStore, user_id: str) -> User | None:
    """The user with this id, or None."""
    return read_one(store, GET_USER, {"id": user_id}, User)


GET_USER_BY_EMAIL = "MATCH (n:User {email: $email}) RETURN properties(n) AS n"


def get_user_by_email(*, store: GraphStore, email: str) -> User | None:
    """The user with this email (any case), or None."""
    return read_one(store, GET_USER_BY_EMAIL, {"email": email.strip().lower()}, User)


# Who is asking, for each request: only what the request needs (no password hash, no model),
# with what says whether the token used still works (``token_state``).
SIGNED_IN_USER = """
MATCH (u:User {id: $id})
RETURN u.email AS email, u.role AS role, u.person_id AS person_id,
       u.volunteer_id AS volunteer_id, u.organization_id AS organization_id,
       coalesce(u.disabled, false) AS disabled,
       coalesce(u.tokens_valid_from_ms, 0) AS tokens_valid_from_ms,
       coalesce(u.revoked_tokens, []) AS revoked_tokens,
       coalesce(u.calendar_version, 0) AS calendar_version
"""

TOKEN_STATE = ("disabled", "tokens_valid_from_ms", "revoked_tokens")


def get_signed_in_user(*, store: GraphStore, user_id: str) -> Row | None:
    """The user's ``email``, ``role``, links and token state (``TOKEN_STATE``), or None."""
    rows = store.run(SIGNED_IN_USER, {"id": user_id}, write=False)
    return rows[0] if rows else None


async def get_signed_in_user_awaited(*, store: GraphStore, user_id: str) -> Row | None:
    """``get_signed_in_user`` awaited on the event loop (every request's first read)."""
    rows = await store.arun(SIGNED_IN_USER, {"id": user_id}, write=False)
    return rows[0] if rows else None


# Signing out: the token's id joins the user's revoked tokens, which keep only entries whose
# token has not expired yet ("<id>|<expiry>"), so the list stays as short as the tokens alive.
REVOKE_TOKEN = """
MATCH (u:User {id: $id})
SET u.revoked_tokens = [t IN coalesce(u.revoked_tokens, [])
                        WHERE toInteger(split(t, '|')[1]) > $now] + [$entry]
RETURN count(u) AS n
"""


def revoke_token(
    *, store: GraphStore, user_id: str, token_id: str, expires_at: int, now: int
) -> bool:
    """End one token of the user (until ``expires_at``, when it would end anyway); False if
    there is no such user."""
    params = {"id": user_id, "entry": f"{token_id}|{expires_at}", "now": now}
    rows = store.run(REVOKE_TOKEN, params)
    return bool(rows and rows[0]["n"])


# A new password ends every token issued before it (and needs no revoked list any more).
SET_PASSWORD = """
MATCH (u:User {id: $id})
SET u.password_hash = $password_hash, u.tokens_valid_from_ms = $now_ms, u.revoked_tokens = []
RETURN count(u) AS n
"""


def set_password(*, store: GraphStore, user_id: str, password_hash: str, now_ms: int) -> bool:
    """Store a new password hash and end every token issued before ``now_ms``."""
    params = {"id": user_id, "password_hash": password_hash, "now_ms": now_ms}
    rows = store.run(SET_PASSWORD, params)
    return bool(rows and rows[0]["n"])


# Disabling ends every token at once; enabling again does not bring them back.
SET_DISABLED = """
MATCH (u:User {id: $id})
SET u.disabled = $disabled,
    u.tokens_valid_from_ms = CASE WHEN $disabled THEN $now_ms
                                  ELSE coalesce(u.tokens_valid_from_ms, 0) END
RETURN u.email AS email, u.role AS role
"""


def set_disabled(*, store: GraphStore, user_id: str, disabled: bool, now_ms: int) -> Row | None:
    """Disable (or enable) a user; their ``email`` and ``role``, or None if there is none."""
    params = {"id": user_id, "disabled": disabled, "now_ms": now_ms}
    rows = store.run(SET_DISABLED, params)
    return rows[0] if rows else None


ROTATE_CALENDAR = """
MATCH (u:User {id: $id})
SET u.calendar_version = coalesce(u.calendar_version, 0) + 1
RETURN u.calendar_version AS version
"""


def rotate_calendar(*, store: GraphStore, user_id: str) -> int | None:
    """The user's next calendar version (the old link stops working), or None."""
    rows = store.run(ROTATE_CALENDAR, {"id": user_id})
    return int(rows[0]["version"]) if rows else None


UPDATE_USER = """
MATCH (n:User {id: $id})
OPTIONAL MATCH (other:User {email: $email}) WHERE other.id <> $id
WITH n, count(other) AS taken WHERE taken = 0
SET n = $props
RETURN properties(n) AS n
"""


def update_user(*, store: GraphStore, user: User) -> User:
    """Replace the stored user (same id); ``NotFound`` if absent, ``AlreadyExists`` if the new
    email belongs to someone else."""
    params = {"id": user.id, "email": user.email, "props": to_properties(user)}
    try:
        return write_one(store, UPDATE_USER, params, User, missing=NotFound("User", user.id))
    except NotFound:
        if get_user(store=store, user_id=user.id) is not None:
            raise AlreadyExists("User", "email", user.email) from None
        raise
