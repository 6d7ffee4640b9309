"""GraphQL for how a signed-in user wants notices: by e-mail or not at all, and quiet hours
(London time) in which no e-mail is sent (it waits until they end)."""

from __future__ import annotations

from enum import Enum

import strawberry

from clock import minutes_of
from graph.repo import notices as repo
from graph.repo.users import get_user
from service import access
from service.access import SIGNED_IN_SELF
from service.api.errors import InputError
from service.api.info import ContextInfo


@strawberry.enum(description="How notices reach you.")
class NoticeChannel(Enum):
    EMAIL = "email"
    NONE = "none"


@strawberry.type(directives=[access.policy(SIGNED_IN_SELF)])
class NoticePreferences:
    channel: NoticeChannel
    quiet_from: str | None = strawberry.field(description="No e-mail from (HH:MM, London).")
    quiet_to: str | None = strawberry.field(description="... until (HH:MM, London).")


def _time(value: str | None, name: str) -> str | None:
    if value is None or value == "":
        return None
    try:
        minutes_of(value)
    except ValueError:
        raise InputError(f"{name}: expected a time like 22:00, got {value!r}") from None
    if len(value) != 5:
        raise InputError(f"{name}: expected a time like 22:00, got {value!r}")
    return value


@strawberry.type
class NoticesQuery:
    @strawberry.field(
        description="How you want notices (any signed-in user).",
        directives=[access.policy(SIGNED_IN_SELF)],
    )
    async def my_notice_preferences(self, info: ContextInfo) -> NoticePreferences:
        user = access.signed_in(info.context)
        stored = await info.context.call(get_user, user_id=user.id)
        assert stored is not None, "a signed-in user's record went missing"
        return NoticePreferences(
            channel=NoticeChannel(stored.notices),
            quiet_from=stored.quiet_from,
            quiet_to=stored.quiet_to,
        )


@strawberry.type
class NoticesMutation:
    @strawberry.mutation(
        description="Choose e-mail or no notices, and quiet hours (both or neither) in which "
        "e-mail waits.",
        directives=[access.policy(SIGNED_IN_SELF)],
    )
    async def set_notice_preferences(
        self,
        info: ContextInfo,
        channel: NoticeChannel,
        quiet_from: str | None = None,
        quiet_to: str | None = None,
    ) -> NoticePreferences:
        user = access.signed_in(info.context)
        start, end = _time(quiet_from, "quietFrom"), _time(quiet_to, "quietTo")
        if (start is None) != (end is None):
            raise InputError("quietTo: expected both quietFrom and quietTo, or neither")
        await info.context.call(
            repo.set_notice_preferences,
            user_id=user.id,
            channel=channel.value,
            quiet_from=start,
            quiet_to=end,
        )
        return NoticePreferences(channel=channel, quiet_from=start, quiet_to=end)
