"""GraphQL for accounts: who you are signed in as (``me``), ``signIn``, ``signOut``,
``changePassword``, a volunteer's calendar link, and an administrator disabling a user."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import strawberry

from graph.repo import people as people_repo
from graph.repo import volunteers as volunteers_repo
from service import access
from service.access import (
    ANYONE,
    AS_RETURNED_POLICY,
    SIGNED_IN_SELF,
    VOLUNTEER_SELF,
    Rule,
)
from service.accounts import throttle, users
from service.accounts.roles import Role
from service.api.errors import InputError, NotAllowed, check_id
from service.api.info import ContextInfo
from service.api.limits import ONE_SIGN_IN
from service.consent import delegation
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
    deciding_for: int = strawberry.field(
        default=0,
        description=(
            "How many people have chosen you to give and withdraw consent for them now "
            "(their names: actingFor)."
        ),
    )


@strawberry.type(directives=[AS_RETURNED_POLICY])
class SignedIn:
    token: str
    expires_at: str
    me: Me


@strawberry.type(directives=[AS_RETURNED_POLICY])
class SignInFailed:
    message: str
    retry_after_seconds: int | None = strawberry.field(
        default=None, description="After too many attempts: how long until the next may go."
    )


SignInResult = Annotated[SignedIn | SignInFailed, strawberry.union("SignInResult")]


@strawberry.type(directives=[AS_RETURNED_POLICY])
class PasswordChanged:
    token: str = strawberry.field(description="A new token; every earlier one has ended.")
    expires_at: str


@strawberry.type(directives=[AS_RETURNED_POLICY])
class PasswordNotChanged:
    message: str


ChangePasswordResult = Annotated[
    PasswordChanged | PasswordNotChanged, strawberry.union("ChangePasswordResult")
]


@strawberry.type(directives=[AS_RETURNED_POLICY])
class UserDisabled:
    user_id: strawberry.ID
    disabled: bool


async def _me(context: RequestContext, user: CurrentUser) -> Me:
    volunteer = person = None
    calendar_url = None
    if user.volunteer_id:
        found = await context.call(volunteers_repo.get_volunteer, volunteer_id=user.volunteer_id)
        volunteer = VolunteerType.of(found) if found else None
        calendar_url = users.calendar_url(
            key=context.key, user_id=user.id, version=user.calendar_version
        )
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
        deciding_for=await context.call(delegation.deciding_for_count, user=user),
    )


@strawberry.type
class AccountsQuery:
    @strawberry.field(
        description="Who you are signed in as.", directives=[access.policy(SIGNED_IN_SELF)]
    )
    async def me(self, info: ContextInfo) -> Me:
        user = access.signed_in(info.context)
        return await _me(info.context, user)


ADMIN_ANY_USER = Rule(("admin",), ANYONE)


@strawberry.type
class AccountsMutation:
    @strawberry.mutation(
        description="Sign in with email and password; returns a bearer token. At most one per "
        "request; failed attempts slow down, then lock, further attempts for a while.",
        directives=[access.policy(SIGNED_IN_SELF)],
    )
    async def sign_in(self, info: ContextInfo, email: str, password: str) -> SignInResult:
        if len(email) > 320 or len(password) > 1000:
            raise InputError("email/password: too long")
        context = info.context
        if context.signed_in_here:  # OneSignIn refuses such a request before it runs
            raise InputError(ONE_SIGN_IN)
        context.signed_in_here = True
        request = getattr(context, "request", None)
        client = getattr(request, "client", None)
        result = await users.sign_in_throttled(
            store=context.store,
            key=context.key,
            email=email,
            password=password,
            address=getattr(client, "host", None),
            policy=throttle.Policy.of(
                delay_s=context.settings.sign_in_delay_s,
                lock_minutes=context.settings.sign_in_lock_minutes,
            ),
        )
        if isinstance(result, users.SignInRefused):
            return SignInFailed(message=result.message, retry_after_seconds=result.retry_after_s)
        context.user = result.user
        return SignedIn(
            token=result.token,
            expires_at=datetime.fromtimestamp(result.expires_at, UTC).isoformat(),
            me=await _me(context, result.user),
        )

    @strawberry.mutation(
        description="End the bearer token this request was sent with.",
        directives=[access.policy(SIGNED_IN_SELF)],
    )
    async def sign_out(self, info: ContextInfo) -> bool:
        user = access.signed_in(info.context)
        claims = info.context.token
        if claims is None:
            raise NotAllowed()
        return await info.context.call(users.sign_out, user=user, claims=claims)

    @strawberry.mutation(
        description="Change your password: every token of yours ends, and a new one is returned.",
        directives=[access.policy(SIGNED_IN_SELF)],
    )
    async def change_password(
        self, info: ContextInfo, current: str, new: str
    ) -> ChangePasswordResult:
        user = access.signed_in(info.context)
        if len(current) > 1000 or len(new) > 1000:
            raise InputError("current/new: expected at most 1000 characters")
        try:
            result = await info.context.call(
                users.change_password, key=info.context.key, user=user, current=current, new=new
            )
        except users.UserInputError as error:
            raise InputError(str(error)) from None
        if isinstance(result, users.SignInRefused):
            return PasswordNotChanged(message=result.message)
        return PasswordChanged(
            token=result.token,
            expires_at=datetime.fromtimestamp(result.expires_at, UTC).isoformat(),
        )

    @strawberry.mutation(
        description="A new private calendar link (volunteers); the old one stops working.",
        directives=[access.policy(VOLUNTEER_SELF)],
    )
    async def rotate_calendar_link(self, info: ContextInfo) -> str:
        user = access.require_role(info.context, "volunteer")
        url = await info.context.call(users.rotate_calendar, key=info.context.key, user_id=user.id)
        if url is None:
            raise NotAllowed()
        return url

    @strawberry.mutation(
        description="Disable a user, ending every token of theirs at once, or enable them "
        "again with disabled: false (administrators).",
        directives=[access.policy(ADMIN_ANY_USER)],
    )
    async def disable_user(
        self, info: ContextInfo, user_id: strawberry.ID, disabled: bool = True
    ) -> UserDisabled:
        admin = access.require_role(info.context, "admin")
        key = check_id(str(user_id), "userId")
        if key == admin.id and disabled:
            raise InputError("userId: expected another user than yourself")
        found = await info.context.call(users.set_disabled, user_id=key, disabled=disabled)
        if not found:
            raise InputError(f"userId: no user with id {key!r}")
        return UserDisabled(user_id=strawberry.ID(key), disabled=disabled)
