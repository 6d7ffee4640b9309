"""Consent and minimisation: who may see which parts of a person's record, and the audit trail.

Deny by default. Someone other than the person sees a part of their record (a *scope*:
``contact``, ``needs``, ``checkins``, ``visit_notes``) only while the person has a grant in force
to them or to their organisation that names that scope, and only if their role may hold
grants at all (coordinator, link worker, volunteer; never admin). Every read of personal data by
someone else is written to the access log with who, when, the grants relied on (by id: the
purpose is the person's own words, kept on the grant, so the log holds nothing personal) and
which fields (``log_access``); the person reading their own record is not logged.

Decisions: a grant is made by the person, or by a coordinator recording it on the person's behalf
(consent given on paper or by phone). Revoking is open to the person and to coordinators.
A grant lasts at most ``GRANT_DAYS_MAX`` days; the grantee is a user or an organisation.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from graph.models import AccessLogEntry, ConsentGrant, utc_now
from graph.repo import access_log
from graph.repo import consent as grants_repo
from graph.store.port import GraphStore
from service.context import CurrentUser

SCOPES = ("contact", "needs", "checkins", "visit_notes")
ANY_SCOPE = "any"
GRANT_HOLDERS = ("coordinator", "link_worker", "volunteer")
GRANT_DAYS_MAX = 730
PURPOSE_MAX = 200
GRANT_PURPOSE_PREFIX = "consent "


def purposes_in(logged: str, purposes: dict[str, str]) -> str:
    """An access-log purpose in words: grant ids replaced by the grants' ``purposes``."""
    if not logged.startswith(GRANT_PURPOSE_PREFIX):
        return logged
    ids = logged[len(GRANT_PURPOSE_PREFIX) :].split("; ")
    return "; ".join(sorted({purposes.get(i, "a consent no longer held") for i in ids}))


class ConsentError(ValueError):
    """A grant that cannot be made or changed; the message names the field."""


class NoAccess(PermissionError):
    """The caller has no grant in force for what they asked (says nothing about the record)."""


@dataclass(frozen=True)
class Access:
    """What one user may see of one person now, and why."""

    person_id: str
    own: bool = False
    scopes: frozenset[str] = frozenset()
    grants: tuple[tuple[str, frozenset[str]], ...] = field(default=())  # (id, scopes)

    def purpose(self, scopes: Iterable[str] = ()) -> str:
        """The access log's purpose: the grants that cover ``scopes`` (all when none given),
        by id. The person's own words for the purpose stay on the grant (and go with it on
        erasure); ``purposes_in`` turns the ids back into them for the person."""
        if self.own:
            return "own record"
        wanted = set(scopes)
        chosen = {g for g, covered in self.grants if not wanted or covered & wanted}
        return GRANT_PURPOSE_PREFIX + "; ".join(sorted(chosen))

    def allows(self, scope: str) -> bool:
        """``scope`` is one of ``SCOPES``, or ``any`` for what any grant in force covers."""
        if scope == ANY_SCOPE:
            return self.own or bool(self.scopes)
        return self.own or scope in self.scopes


def access_to_person(
    *, store: GraphStore, user: CurrentUser, person_id: str, at: datetime | None = None
) -> Access:
    """What ``user`` may see of the person at ``at`` (now): everything of their own record,
    the union of the scopes of grants in force to them or their organisation otherwise."""
    if user.role == "person" and user.person_id == person_id:
        return Access(person_id=person_id, own=True, scopes=frozenset(SCOPES))
    if user.role not in GRANT_HOLDERS:
        return Access(person_id=person_id)
    if user.role in ("coordinator", "link_worker") and user.organization_id is None:
        return Access(person_id=person_id)
    grantee_ids = [user.id] + ([user.organization_id] if user.organization_id else [])
    grants = grants_repo.list_active_grants(
        store=store, person_id=person_id, grantee_ids=grantee_ids, at=at or utc_now()
    )
    return Access(
        person_id=person_id,
        scopes=frozenset(s for g in grants for s in g.scopes),
        grants=tuple((g.id, frozenset(g.scopes)) for g in grants),
    )


def require(access: Access, *scopes: str) -> None:
    """``NoAccess`` unless ``access`` covers every one of ``scopes``."""
    missing = [s for s in scopes if not access.allows(s)]
    if missing:
        raise NoAccess(f"Not allowed: no consent in force for {', '.join(missing)}.")


def log_access(
    *,
    store: GraphStore,
    user: CurrentUser,
    access: Access,
    fields: Iterable[str],
    scopes: Iterable[str] = (),
    at: datetime | None = None,
) -> AccessLogEntry | None:
    """Write who read which fields of the person's record, and why (the purposes of the grants
    covering ``scopes``); nothing for their own record."""
    if access.own:
        return None
    names = sorted(set(fields))
    if not names:
        return None
    entry = AccessLogEntry(
        id=f"access-{uuid.uuid4().hex[:16]}",
        at=at or utc_now(),
        actor_user_id=user.id,
        person_id=access.person_id,
        purpose=access.purpose(scopes)[:PURPOSE_MAX],
        fields=names,
    )
    return access_log.append_access(store=store, entry=entry)


def may_manage_grants(user: CurrentUser, person_id: str) -> bool:
    """The person themselves, or a coordinator acting on their behalf."""
    if user.role == "person":
        return user.person_id == person_id
    return user.role == "coordinator" and user.organization_id is not None


def grant_access(
    *,
    store: GraphStore,
    person_id: str,
    grantee_user_id: str | None,
    grantee_organization_id: str | None,
    purpose: str,
    scopes: list[str],
    expires_at: datetime,
    at: datetime | None = None,
) -> ConsentGrant:
    """Record the person's grant; ``ConsentError`` naming the field; ``NotFound`` naming a
    missing person or grantee."""
    now = at or utc_now()
    if (grantee_user_id is None) == (grantee_organization_id is None):
        raise ConsentError("granteeUserId/granteeOrganizationId: expected exactly one of the two")
    purpose = purpose.strip()
    if not 1 <= len(purpose) <= PURPOSE_MAX:
        raise ConsentError(f"purpose: expected 1..{PURPOSE_MAX} characters, got {len(purpose)}")
    unknown = [s for s in scopes if s not in SCOPES]
    if not scopes or unknown:
        raise ConsentError(
            f"scopes: expected one or more of {', '.join(SCOPES)}, got {unknown or 'none'}"
        )
    if expires_at.tzinfo is None:
        raise ConsentError("expiresAt: expected a time with a zone, e.g. 2026-12-31T00:00:00Z")
    if expires_at <= now:
        raise ConsentError(f"expiresAt: expected a time after now, got {expires_at.isoformat()}")
    if expires_at > now + timedelta(days=GRANT_DAYS_MAX):
        raise ConsentError(f"expiresAt: expected at most {GRANT_DAYS_MAX} days from now")
    grant = ConsentGrant(
        id=f"grant-{uuid.uuid4().hex[:16]}",
        person_id=person_id,
        grantee_id=grantee_user_id or grantee_organization_id or "",
        grantee_kind="user" if grantee_user_id else "organization",
        purpose=purpose,
        scopes=list(scopes),
        created_at=now,
        expires_at=expires_at,
    )
    return grants_repo.create_grant(store=store, grant=grant)


def revoke_access(
    *, store: GraphStore, user: CurrentUser, grant_id: str, at: datetime | None = None
) -> ConsentGrant | None:
    """Revoke a grant the user may manage; None if there is no such grant they may manage."""
    grant = grants_repo.get_grant(store=store, grant_id=grant_id)
    if grant is None or not may_manage_grants(user, grant.person_id):
        return None
    return grants_repo.revoke_grant(store=store, grant_id=grant_id, at=at or utc_now())
