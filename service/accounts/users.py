"""Users: create, sign in, and who a bearer token belongs to."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from pydantic import ValidationError

from graph.models import User, utc_now
from graph.models.base import ID_PATTERN
from graph.repo import organisations as organisations_repo
from graph.repo import services as services_repo
from graph.repo import users as users_repo
from graph.repo.errors import AlreadyExists
from graph.repo.records import node_exists
from graph.repo.users import get_user_by_email
from graph.store.errors import GraphConstraintError
from graph.store.port import GraphStore
from service.accounts.auth import (
    bearer_token,
    hash_password,
    issue_token,
    read_token,
    verify_password,
)
from service.config import TOKEN_TTL_SECONDS
from service.context import CurrentUser

COORDINATING_KINDS = ["volunteer_centre", "coordinating", "coordinator", "befriending"]
# The organisation a staff user joins when none is named: for each role, the kinds tried in
# order; the first kind with exactly one organisation wins (in the demo borough: the
# coordinating befriending organisation for coordinators, the council's social prescribing
# team for link workers).
DEFAULT_KINDS: dict[str, list[list[str]]] = {
    "coordinator": [["coordinating"], COORDINATING_KINDS],
    "link_worker": [["social_prescribing"], ["coordinating"], COORDINATING_KINDS],
}
STAFF_ROLES = ("coordinator", "link_worker", "partner")
NEW_ORGANIZATION_KINDS = {
    "coordinator": "befriending",
    "link_worker": "social_prescribing",
    "partner": "service_partner",
}


class UserInputError(ValueError):
    """Bad input for a user (names the field); nothing was written."""


@dataclass(frozen=True)
class SignedIn:
    token: str
    user: CurrentUser
    expires_at: int


def to_current(user: User) -> CurrentUser:
    return CurrentUser(
        id=user.id,
        email=str(user.email),
        role=user.role,
        person_id=user.person_id,
        volunteer_id=user.volunteer_id,
        organization_id=user.organization_id,
    )


def default_organization(*, store: GraphStore, role: str) -> str:
    """The organisation a staff user of ``role`` joins when none is named (``DEFAULT_KINDS``;
    else the only organisation); UserInputError naming the choices otherwise."""
    for kinds in DEFAULT_KINDS.get(role, []):
        ids = services_repo.list_organization_ids(store=store, kinds=kinds)
        if len(ids) == 1:
            return ids[0]
    every = sorted(services_repo.list_organization_ids(store=store))
    if len(every) == 1:
        return every[0]
    if not every:
        raise UserInputError("organization_id: there is no organisation yet; give --organization")
    shown = ", ".join(every[:10]) + (", ..." if len(every) > 10 else "")
    raise UserInputError(f"organization_id: give --organization, one of {shown}")


def create_user(
    *,
    store: GraphStore,
    email: str,
    password: str,
    role: str,
    person_id: str | None = None,
    volunteer_id: str | None = None,
    organization_id: str | None = None,
    create_organization: bool = False,
) -> User:
    """Create a user with an argon2-hashed password; raises UserInputError naming the field.
    With ``create_organization`` a named organisation that does not exist yet is made (named
    by its id, of the kind the role works in: ``NEW_ORGANIZATION_KINDS``)."""
    if len(password) < 8:
        raise UserInputError("password: expected at least 8 characters")
    if create_organization and organization_id is not None and role in STAFF_ROLES:
        if not ID_PATTERN.fullmatch(organization_id):
            raise UserInputError(f"organization_id: expected an id, got {organization_id!r}")
        organisations_repo.ensure_organization(
            store=store,
            organization_id=organization_id,
            name=organization_id,
            kind=NEW_ORGANIZATION_KINDS.get(role, "community_group"),
            at=utc_now(),
        )
    if role in STAFF_ROLES and organization_id is None:
        organization_id = default_organization(store=store, role=role)
    try:
        user = User(
            id=f"u-{uuid.uuid4().hex[:12]}",
            email=email,
            role=role,
            password_hash=hash_password(password),
            person_id=person_id,
            volunteer_id=volunteer_id,
            organization_id=organization_id,
        )
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "user"
        raise UserInputError(f"{field}: {first['msg']}") from None
    for label, node_id, field in (
        ("Person", user.person_id, "person_id"),
        ("Volunteer", user.volunteer_id, "volunteer_id"),
        ("Organization", user.organization_id, "organization_id"),
    ):
        if node_id is not None and not node_exists(store=store, label=label, node_id=node_id):
            raise UserInputError(f"{field}: no {label} with id {node_id!r}")
    try:
        return users_repo.create_user(store=store, user=user)
    except (AlreadyExists, GraphConstraintError):
        raise UserInputError(f"email: a user with email {user.email} already exists") from None


def token_for(*, key: bytes, user_id: str, ttl_seconds: int = TOKEN_TTL_SECONDS) -> str:
    return issue_token(key=key, user_id=user_id, ttl_seconds=ttl_seconds)


def sign_in(*, store: GraphStore, key: bytes, email: str, password: str) -> SignedIn | None:
    """A fresh token when the email and password match a user, else None (which one was wrong
    is not said)."""
    user = get_user_by_email(store=store, email=email)
    if user is None:
        verify_password(_DUMMY_HASH, password)  # same time whether or not the email exists
        return None
    if not verify_password(user.password_hash, password):
        return None
    token = token_for(key=key, user_id=user.id)
    claims = read_token(key=key, token=token)
    assert claims is not None
    return SignedIn(token=token, user=to_current(user), expires_at=claims.expires_at)


async def current_user_from_header(
    *, store: GraphStore, key: bytes, authorization: str | None
) -> CurrentUser | None:
    """The user behind the request's bearer token, read from the store awaited on the event
    loop (no thread hop), or None."""
    token = bearer_token(authorization)
    claims = read_token(key=key, token=token) if token is not None else None
    if claims is None:
        return None
    row = await users_repo.get_signed_in_user_awaited(store=store, user_id=claims.user_id)
    return CurrentUser(id=claims.user_id, **row) if row is not None else None


_DUMMY_HASH = hash_password("not a real password")
