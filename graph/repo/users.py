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


# Who is asking, for each request: only what the request needs (no password hash, no model).
SIGNED_IN_USER = """
MATCH (u:User {id: $id})
RETURN u.email AS email, u.role AS role, u.person_id AS person_id,
       u.volunteer_id AS volunteer_id, u.organization_id AS organization_id
"""


async def get_signed_in_user_awaited(*, store: GraphStore, user_id: str) -> Row | None:
    """The signed-in user's ``email``, ``role`` and links, or None; awaited on the event loop
    (every request's first read)."""
    rows = await store.arun(SIGNED_IN_USER, {"id": user_id}, write=False)
    return rows[0] if rows else None


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
