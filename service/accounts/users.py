"""Users: create, sign in, and who a bearer token belongs to."""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass
from functools import partial

from pydantic import ValidationError

from graph.models import User, utc_now
from graph.models.base import ID_PATTERN
from graph.repo import organisations as organisations_repo
from graph.repo import services as services_repo
from graph.repo import sign_ins
from graph.repo import users as users_repo
from graph.repo.errors import AlreadyExists
from graph.repo.records import node_exists
from graph.repo.users import get_user_by_email
from graph.store.errors import GraphConstraintError
from graph.store.port import GraphStore
from service.accounts import throttle
from service.accounts.auth import (
    TokenClaims,
    bearer_token,
    calendar_token,
    hash_password,
    issue_token,
    read_token,
    verify_password,
)
from service.config import TOKEN_TTL_SECONDS
from service.context import CurrentUser, off_loop

PASSWORD_MIN = 8

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


@dataclass(frozen=True)
class SignInRefused:
    """Why a sign-in did not give a token, in words for the person signing in."""

    message: str
    retry_after_s: int | None = None


def to_current(user: User) -> CurrentUser:
    return CurrentUser(
        id=user.id,
        email=str(user.email),
        role=user.role,
        person_id=user.person_id,
        volunteer_id=user.volunteer_id,
        organization_id=user.organization_id,
        calendar_version=user.calendar_version,
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
    if len(password) < PASSWORD_MIN:
        raise UserInputError(f"password: expected at least {PASSWORD_MIN} characters")
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


def sign_in(
    *, store: GraphStore, key: bytes, email: str, password: str
) -> SignedIn | SignInRefused:
    """A fresh token when the email and password match a user who is not disabled (which of
    email or password was wrong is not said). Not throttled: ``sign_in_throttled`` is."""
    user = get_user_by_email(store=store, email=email)
    if user is None:
        verify_password(_DUMMY_HASH, password)  # same time whether or not the email exists
        return SignInRefused(WRONG_PASSWORD)
    if not verify_password(user.password_hash, password):
        return SignInRefused(WRONG_PASSWORD)
    if user.disabled:
        return SignInRefused(DISABLED)
    token = token_for(key=key, user_id=user.id)
    claims = read_token(key=key, token=token)
    assert claims is not None
    return SignedIn(token=token, user=to_current(user), expires_at=claims.expires_at)


WRONG_PASSWORD = "That email and password do not match an account."
DISABLED = "This account has been disabled: ask your coordinator or administrator."


async def sign_in_throttled(
    *,
    store: GraphStore,
    key: bytes,
    email: str,
    password: str,
    address: str | None,
    policy: throttle.Policy,
) -> SignedIn | SignInRefused:
    """``sign_in`` behind the throttle (service/accounts/throttle.py): each attempt is taken
    first; a short wait is waited out here, a lock answered at once."""
    keys = throttle.keys_for(email, address)
    take = partial(
        sign_ins.take_attempt,
        store=store,
        account=keys.account,
        address=keys.address,
        account_delays=policy.account_delays,
        address_delays=policy.address_delays,
        quiet_s=throttle.QUIET_S,
    )
    attempt = await off_loop(partial(take, now=time.time()))
    if not attempt.allowed and attempt.wait_s <= policy.slow_down_max_s:
        await asyncio.sleep(attempt.wait_s)
        attempt = await off_loop(partial(take, now=time.time()))
    if not attempt.allowed:
        return SignInRefused(throttle.too_many(attempt.wait_s), round(attempt.wait_s + 0.5))
    result = await off_loop(partial(sign_in, store=store, key=key, email=email, password=password))
    if isinstance(result, SignedIn) or result.message == DISABLED:
        await off_loop(
            partial(
                sign_ins.attempt_succeeded, store=store, account=keys.account, address=keys.address
            )
        )
    return result


def token_works(claims: TokenClaims, row: dict[str, object]) -> bool:
    """Whether a well-signed token still works for the user ``row`` (``SIGNED_IN_USER``):
    not disabled, not issued before a password change, not signed out; a calendar token only
    at the user's current calendar version."""
    if row["disabled"]:
        return False
    if claims.use == "calendar":
        return claims.version == int(str(row["calendar_version"]))
    if claims.issued_ms < int(str(row["tokens_valid_from_ms"])):
        return False
    revoked = row["revoked_tokens"]
    assert isinstance(revoked, list)
    return not any(entry.split("|", 1)[0] == claims.token_id for entry in revoked)


def sign_out(*, store: GraphStore, user: CurrentUser, claims: TokenClaims) -> bool:
    """End the token this request was signed in with."""
    return users_repo.revoke_token(
        store=store,
        user_id=user.id,
        token_id=claims.token_id,
        expires_at=claims.expires_at,
        now=int(time.time()),
    )


def change_password(
    *, store: GraphStore, key: bytes, user: CurrentUser, current: str, new: str
) -> SignedIn | SignInRefused:
    """Set a new password when ``current`` is right: every token of the user ends, and a fresh
    one is returned. UserInputError (field ``new``) for a password too short."""
    if len(new) < PASSWORD_MIN:
        raise UserInputError(f"new: expected at least {PASSWORD_MIN} characters")
    stored = users_repo.get_user(store=store, user_id=user.id)
    if stored is None or not verify_password(stored.password_hash, current):
        return SignInRefused("current: that is not your current password.")
    now = time.time()
    users_repo.set_password(
        store=store, user_id=user.id, password_hash=hash_password(new), now_ms=int(now * 1000)
    )
    token = token_for(key=key, user_id=user.id)
    claims = read_token(key=key, token=token)
    assert claims is not None
    return SignedIn(token=token, user=user, expires_at=claims.expires_at)


def set_disabled(*, store: GraphStore, user_id: str, disabled: bool) -> bool:
    """Disable a user (every token of theirs ends at once) or enable them again."""
    found = users_repo.set_disabled(
        store=store, user_id=user_id, disabled=disabled, now_ms=int(time.time() * 1000)
    )
    return found is not None


def calendar_url(*, key: bytes, user_id: str, version: int) -> str:
    return f"/calendar/{calendar_token(key=key, user_id=user_id, version=version)}.ics"


def rotate_calendar(*, store: GraphStore, key: bytes, user_id: str) -> str | None:
    """A new calendar link for the user; the old one stops working."""
    version = users_repo.rotate_calendar(store=store, user_id=user_id)
    return None if version is None else calendar_url(key=key, user_id=user_id, version=version)


def calendar_user(*, store: GraphStore, key: bytes, token: str) -> User | None:
    """The user a calendar token belongs to, while it is their current one."""
    claims = read_token(key=key, token=token, use="calendar")
    if claims is None:
        return None
    row = users_repo.get_signed_in_user(store=store, user_id=claims.user_id)
    if row is None or not token_works(claims, row):
        return None
    return users_repo.get_user(store=store, user_id=claims.user_id)


async def signed_in_from_header(
    *, store: GraphStore, key: bytes, authorization: str | None
) -> tuple[CurrentUser, TokenClaims] | None:
    """The user behind the request's bearer token and the token's claims, read from the store
    awaited on the event loop (no thread hop), or None (no token, a bad one, or one that no
    longer works: ``token_works``)."""
    token = bearer_token(authorization)
    claims = read_token(key=key, token=token) if token is not None else None
    if claims is None:
        return None
    row = await users_repo.get_signed_in_user_awaited(store=store, user_id=claims.user_id)
    if row is None or not token_works(claims, row):
        return None
    links = {name: value for name, value in row.items() if name not in users_repo.TOKEN_STATE}
    return CurrentUser(id=claims.user_id, **links), claims


async def current_user_from_header(
    *, store: GraphStore, key: bytes, authorization: str | None
) -> CurrentUser | None:
    """The user behind the request's bearer token, or None (``signed_in_from_header``)."""
    found = await signed_in_from_header(store=store, key=key, authorization=authorization)
    return found[0] if found is not None else None


_DUMMY_HASH = hash_password("not a real password")
