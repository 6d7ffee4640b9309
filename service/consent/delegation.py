"""Delegation: a person lets someone they trust (a daughter, a friend: anyone with an account
but an administrator or a partner organisation) grant and withdraw consent on their behalf.

The person chooses the scopes (what the delegate may decide about) and an end (12 months when
not given, at most ``GRANT_DAYS_MAX`` days), and can end it at any time; a new delegation to the
same user replaces the one in force. While it is in force the delegate grants and withdraws
only grants whose every scope it covers (``service.consent.policy``: one statement checks the
delegation and writes). Grants made and withdrawals done by a delegate are marked as theirs and
shown to the person; grants a delegate made stay after the delegation ends, as the person's
consent, until they expire or the person withdraws them.

What a delegate sees of the person (first name, the organisations supporting them, the grants
within the delegated scopes) is written to the person's access log.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from graph.models import AccessLogEntry, Delegation, utc_now
from graph.repo import access_log
from graph.repo import delegations as delegations_repo
from graph.repo import organisations as organisations_repo
from graph.repo import users as users_repo
from graph.repo.records import from_properties
from graph.store.port import GraphStore, Row
from service.consent.my_data import HeldGrant, grants_of, person_in_words, who_in_words
from service.consent.policy import (
    DELEGATE_ROLES,
    GRANT_DAYS_MAX,
    PURPOSE_MAX,
    RECORDED_GRANT_DAYS,
    ConsentError,
    check_scopes,
)
from service.context import CurrentUser

DELEGATION_DAYS = RECORDED_GRANT_DAYS
ACTING_FOR_PURPOSE = "acting for you on who may see your record (you chose them)"
ACTING_FOR_FIELDS = ["first_name", "consents", "organisations"]


@dataclass(frozen=True)
class HeldDelegation:
    delegation: Delegation
    delegate_name: str  # in words: "Jane Smith (jane@example.org)"


@dataclass(frozen=True)
class Choice:
    id: str
    name: str

    @classmethod
    def of(cls, row: Row) -> Choice:
        """An organisation from a row with its ``id`` and ``name`` (its id when unnamed)."""
        return cls(id=row["id"], name=row["name"] or row["id"])


@dataclass(frozen=True)
class ActingFor:
    """A delegation in force to the user, with what they need to act on it."""

    delegation: Delegation
    first_name: str
    organisations: list[Choice]
    grants: list[HeldGrant]  # their grants within the scopes


def delegate(
    *,
    store: GraphStore,
    person_id: str,
    own_user_id: str,
    delegate_user_id: str | None,
    delegate_email: str | None,
    scopes: list[str],
    expires_at: datetime | None,
    at: datetime | None = None,
) -> Delegation:
    """Let a user act for the person on the consents in ``scopes`` until ``expires_at``;
    ``ConsentError`` naming the field (nothing written)."""
    now = at or utc_now()
    if (delegate_user_id is None) == (delegate_email is None):
        raise ConsentError("delegateEmail/delegateUserId: expected exactly one of the two")
    field = "delegateUserId" if delegate_user_id else "delegateEmail"
    check_scopes(scopes)
    ends = expires_at or now + timedelta(days=DELEGATION_DAYS)
    if ends.tzinfo is None:
        raise ConsentError("expiresAt: expected a time with a zone, e.g. 2026-12-31T00:00:00Z")
    if ends <= now:
        raise ConsentError(f"expiresAt: expected a time after now, got {ends.isoformat()}")
    if ends > now + timedelta(days=GRANT_DAYS_MAX):
        raise ConsentError(f"expiresAt: expected at most {GRANT_DAYS_MAX} days from now")
    if delegate_user_id:
        found = users_repo.get_user(store=store, user_id=delegate_user_id)
    else:
        found = users_repo.get_user_by_email(store=store, email=str(delegate_email))
    if found is None:
        raise ConsentError(f"{field}: nobody has an account with that {_said(field)}")
    if found.id == own_user_id or (found.role == "person" and found.person_id == person_id):
        raise ConsentError(f"{field}: choose someone else; you decide for yourself already")
    if found.role not in DELEGATE_ROLES:
        raise ConsentError(f"{field}: an administrator's or partner's account cannot act for you")
    made = delegations_repo.create_delegation(
        store=store,
        delegation=Delegation(
            id=f"delegation-{uuid.uuid4().hex[:16]}",
            person_id=person_id,
            delegate_id=found.id,
            scopes=list(scopes),
            created_at=now,
            expires_at=ends,
        ),
    )
    if made is None:
        raise ConsentError("personId: your record is not there any more")
    return made


def _said(field: str) -> str:
    return "id" if field == "delegateUserId" else "email address"


def end(
    *, store: GraphStore, person_id: str, delegation_id: str, at: datetime | None = None
) -> Delegation | None:
    """End one of the person's delegations now; None when they have no such delegation."""
    return delegations_repo.end_delegation(
        store=store, person_id=person_id, delegation_id=delegation_id, at=at or utc_now()
    )


def delegates_of(*, store: GraphStore, person_id: str) -> list[HeldDelegation]:
    """The person's delegations (in force, ended, expired), oldest first, with who to."""
    rows = delegations_repo.list_delegations_of_person(store=store, person_id=person_id)
    return [
        HeldDelegation(
            delegation=from_properties(Delegation, r["d"]),
            delegate_name=person_in_words(
                " ".join(n for n in (r["first_name"], r["last_name"]) if n) or None, r["email"]
            )
            or who_in_words(r["role"], r["email"], r["org"]),
        )
        for r in rows
    ]


def organisations_supporting(*, store: GraphStore, person_id: str) -> list[Choice]:
    """The organisations that support the person (whom the person may want to let see more)."""
    rows = organisations_repo.organizations_supporting(store=store, person_id=person_id)
    return [Choice.of(r) for r in rows]


def deciding_for_count(*, store: GraphStore, user: CurrentUser, at: datetime | None = None) -> int:
    """How many people have chosen the user to decide for them, now (no one's details: the
    pages show a way to "Deciding for someone" when it is not 0)."""
    if user.role not in DELEGATE_ROLES:
        return 0
    return delegations_repo.count_delegations_to_user(
        store=store, user_id=user.id, at=at or utc_now()
    )


def acting_for(
    *, store: GraphStore, user: CurrentUser, at: datetime | None = None
) -> list[ActingFor]:
    """The delegations in force to the user, each with the person's first name, the
    organisations supporting them and their grants within the delegated scopes; each read is
    written to the person's access log."""
    now = at or utc_now()
    if user.role not in DELEGATE_ROLES:
        return []
    rows = delegations_repo.list_delegations_to_user(store=store, user_id=user.id, at=now)
    found = []
    for r in rows:
        delegation = from_properties(Delegation, r["d"])
        covered = set(delegation.scopes)
        held = grants_of(store=store, person_id=delegation.person_id)
        grants = [g for g in held if set(g.grant.scopes) <= covered]
        found.append(
            ActingFor(
                delegation=delegation,
                first_name=r["first_name"] or "",
                organisations=[Choice.of(o) for o in r["orgs"]],
                grants=grants,
            )
        )
    access_log.append_accesses(
        store=store,
        entries=[
            AccessLogEntry(
                id=f"access-{uuid.uuid4().hex[:16]}",
                at=now,
                actor_user_id=user.id,
                person_id=a.delegation.person_id,
                purpose=ACTING_FOR_PURPOSE[:PURPOSE_MAX],
                fields=ACTING_FOR_FIELDS,
            )
            for a in found
        ],
    )
    return found
