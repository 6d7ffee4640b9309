"""Users, consent grants, the access log and erasure records."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import EmailStr, Field, ValidationInfo, field_validator, model_validator

from graph.models.base import GraphModel, Id, Slug, TimeOfDay, UtcDateTime, utc_now

Role = Literal["coordinator", "link_worker", "volunteer", "person", "admin", "partner"]
ConsentScope = Literal["contact", "needs", "checkins", "visit_notes", "plan"]
GranteeKind = Literal["user", "organization"]
NoticeChannel = Literal["email", "none"]
GivenHow = Literal["in person", "by phone", "on paper"]


class User(GraphModel):
    """Someone who signs in. A ``person`` user is linked to their Person, a ``volunteer``
    user to their Volunteer. The email is held in lower case."""

    id: Id
    email: EmailStr
    role: Role
    password_hash: str = Field(min_length=1, max_length=500, repr=False)
    person_id: Id | None = None
    volunteer_id: Id | None = None
    organization_id: Id | None = None
    created_at: UtcDateTime = Field(default_factory=utc_now)
    notices: NoticeChannel = Field(default="email", description="how notices reach them")
    quiet_from: TimeOfDay | None = Field(default=None, description="no e-mail from (London time)")
    quiet_to: TimeOfDay | None = Field(default=None, description="... until (London time)")
    # Which of the user's tokens still work (service/accounts/users.py): none while
    # ``disabled``; none issued before ``tokens_valid_from_ms`` (a password change ends every
    # token); none named in ``revoked_tokens`` ("<token id>|<expiry, epoch seconds>", kept
    # until the token would have expired anyway: signing out ends the one token used).
    disabled: bool = False
    tokens_valid_from_ms: int = 0
    revoked_tokens: list[str] = []
    # The calendar link's version: rotating it ends the old link (service/visits/calendar.py).
    calendar_version: int = 0

    @field_validator("email")
    @classmethod
    def _lower_email(cls, value: str) -> str:
        return value.lower()

    @model_validator(mode="after")
    def _linked_to_their_record(self) -> User:
        if self.role == "person" and self.person_id is None:
            raise ValueError("person_id is required for role 'person'")
        if self.role == "volunteer" and self.volunteer_id is None:
            raise ValueError("volunteer_id is required for role 'volunteer'")
        return self


class ConsentGrant(GraphModel):
    """A person's time-limited permission for a user or organisation to see parts of their
    record (``scopes``) for a ``purpose``. Active from ``created_at`` until ``expires_at`` or
    until revoked."""

    id: Id
    person_id: Id
    grantee_id: Id
    grantee_kind: GranteeKind
    purpose: str = Field(min_length=1, max_length=200)
    scopes: list[ConsentScope] = Field(min_length=1)
    created_at: UtcDateTime = Field(default_factory=utc_now)
    expires_at: UtcDateTime
    revoked_at: UtcDateTime | None = None
    # Made by the person when None; else the staff user who recorded the person's consent,
    # and how the person gave it.
    recorded_by: Id | None = None
    given_how: GivenHow | None = None
    # Made on the person's behalf by someone they delegated to (a user id); and who withdrew
    # it on their behalf, when a delegate did.
    made_by: Id | None = None
    revoked_by: Id | None = None

    @field_validator("scopes")
    @classmethod
    def _sorted_scopes(cls, scopes: list[str]) -> list[str]:
        return sorted(set(scopes))

    @field_validator("expires_at")
    @classmethod
    def _expires_after_created(cls, expires_at: datetime, info: ValidationInfo) -> datetime:
        created_at = info.data.get("created_at")
        if created_at is not None and expires_at <= created_at:
            raise ValueError(f"expected a time after created_at {created_at.isoformat()}")
        return expires_at

    def is_active(self, at: datetime) -> bool:
        """True if the grant is in force at ``at``."""
        return self.revoked_at is None and self.created_at <= at < self.expires_at


class Delegation(GraphModel):
    """``(Person)-[:DELEGATES]->(User)``: the person lets a user they trust (family, a friend)
    grant and revoke consent on their behalf, for ``scopes`` only, until ``expires_at`` or
    until the person ends it (``ended_at``)."""

    id: Id
    person_id: Id
    delegate_id: Id
    scopes: list[ConsentScope] = Field(min_length=1)
    created_at: UtcDateTime = Field(default_factory=utc_now)
    expires_at: UtcDateTime
    ended_at: UtcDateTime | None = None

    @field_validator("scopes")
    @classmethod
    def _sorted_scopes(cls, scopes: list[str]) -> list[str]:
        return sorted(set(scopes))

    def is_active(self, at: datetime) -> bool:
        """True if the delegate may act at ``at``."""
        return self.ended_at is None and self.created_at <= at < self.expires_at


class AccessLogEntry(GraphModel):
    """Someone read part of a person's record: who, when, why and which fields.

    Holds the person's id only, never their data. Append-only.
    """

    id: Id
    at: UtcDateTime = Field(default_factory=utc_now)
    actor_user_id: Id
    person_id: Id
    purpose: str = Field(min_length=1, max_length=200)
    fields: list[Slug] = []


class ErasureRecord(GraphModel):
    """What an erasure removed, with no personal data: who asked, when, and counts."""

    id: Id
    at: UtcDateTime
    requested_by: Id = Field(description="the user id who acted on the request")
    checkins: int = Field(default=0, ge=0)
    consent_grants: int = Field(default=0, ge=0)
    referrals: int = Field(default=0, ge=0)
    circles: int = Field(default=0, ge=0)
    users: int = Field(default=0, ge=0)
    visits_stripped: int = Field(default=0, ge=0)
    access_log_entries: int = Field(default=0, ge=0)
    rota_problems_cleared: int = Field(default=0, ge=0)
