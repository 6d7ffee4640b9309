"""What a resolver checks before it reads part of someone's record, and the access-log entry
it writes after: the GraphQL side of ``service.consent.policy``, used by every domain."""

from __future__ import annotations

from service.api.errors import NotAllowed
from service.consent import policy
from service.context import CurrentUser, RequestContext


async def person_access(
    context: RequestContext, user: CurrentUser, person_id: str
) -> policy.Access:
    return await context.call(policy.access_to_person, user=user, person_id=person_id)


async def log_person_read(
    context: RequestContext,
    user: CurrentUser,
    found: policy.Access,
    fields: list[str],
    scopes: list[str],
) -> None:
    await context.call(policy.log_access, user=user, access=found, fields=fields, scopes=scopes)


def require_scopes(found: policy.Access, *scopes: str) -> None:
    try:
        policy.require(found, *scopes)
    except policy.NoAccess as error:
        raise NotAllowed(str(error)) from None
