"""``ContextInfo``: the type of a resolver's ``info`` argument, typed with our request context."""

from __future__ import annotations

from typing import TYPE_CHECKING

from strawberry.types import Info

if TYPE_CHECKING:
    from service.context import RequestContext

    ContextInfo = Info[RequestContext, None]
else:
    ContextInfo = Info
