"""GraphQL for accounts: who you are signed in as (``me``) and ``signIn``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import strawberry

from graph.repo import people as people_repo
from graph.repo import volunteers as volunteers_repo
from service import access
from service.access import AS_RETURNED_POLICY, SIGNED_IN_SELF
from service.accounts import users
from service.accounts.auth import issue_token
from service.accounts.roles import Role
from service.api.errors import (
    InputError,
)
from service.api.info import ContextInfo
from service.config import (
    CALENDAR_TOKEN_TTL_SECONDS,
)
from service.context import CurrentUser, RequestContext
from service.people.graphql import PersonType, VolunteerType


@strawberry.type(directives=[access.policy(SIGNED_IN_SELF)])
class Me:
    id: strawberry.ID
    email: str
    role: Role
    organization_id: strawberry.ID | None
    volunteer: VolunteerType | None
    person: PersonType | None
    calendar_url: str | None = strawberry.field(
        description="A private link to your accepted visits as iCalendar (volunteers)."
    )


@strawberry.type(directives=[AS_RETURNED_POLICY])
class SignedIn:
    token: str
    expires_at: str
    me: Me


@strawberry.type(directives=[AS_RETURNED_POLICY])
class SignInFailed:
    message: str


SignInResult = Annotated[SignedIn | SignInFailed, strawberry.union("SignInResult")]


async def _me(context: RequestContext, user: CurrentUser) -> Me:
    volunteer = person = None
    calendar_url = None
    if user.volunteer_id:
        found = await context.call(volunteers_repo.get_volunteer, volunteer_id=user.volunteer_id)
        volunteer = VolunteerType.of(found) if found else None
        token = issue_token(
            key=context.key,
            user_id=user.id,
            ttl_seconds=CALENDAR_TOKEN_TTL_SECONDS,
            use="calendar",
        )
        calendar_url = f"/calendar/{token}.ics"
    if user.person_id:
        found_person = await context.call(people_repo.get_person, person_id=user.person_id)
        person = PersonType.of(found_person) if found_person else None
    return Me(
        id=strawberry.ID(user.id),
        email=user.email,
        role=Role(user.role),
        organization_id=strawberry.ID(user.organization_id) if user.organization_id else None,
        volunteer=volunteer,
        person=person,
        calendar_url=calendar_url,
    )


@strawberry.type
class AccountsQuery:
    @strawberry.field(
        description="Who you are signed in as.", directives=[access.policy(SIGNED_IN_SELF)]
    )
    async def me(self, info: ContextInfo) -> Me:
        user = access.signed_in(info.context)
        return await _me(info.context, user)


@strawberry.type
class AccountsMutation:
    @strawberry.mutation(
        description="Sign in with email and password; returns a bearer token.",
        directives=[access.policy(SIGNED_IN_SELF)],
    )
    async def sign_in(self, info: ContextInfo, email: str, password: str) -> SignInResult:
        if len(email) > 320 or len(password) > 1000:
            raise InputError("email/password: too long")
        result = await info.context.call(
            users.sign_in, key=info.context.key, email=email, password=password
        )
        if result is None:
            return SignInFailed(message="That email and password do not match an account.")
        info.context.user = result.user
        return SignedIn(
            token=result.token,
            expires_at=datetime.fromtimestamp(result.expires_at, UTC).isoformat(),
            me=await _me(info.context, result.user),
        )
