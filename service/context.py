"""What every resolver gets: the store, the signed-in user, the request id, the data loaders."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property, partial
from typing import Any, TypeVar

from starlette.concurrency import run_in_threadpool
from strawberry.fastapi import BaseContext

from graph.settings import Settings
from graph.store.port import GraphStore, Params, Row

T = TypeVar("T")


@dataclass(frozen=True)
class CurrentUser:
    """The user behind a request's bearer token, with the scope their role works in."""

    id: str
    email: str
    role: str
    person_id: str | None = None
    volunteer_id: str | None = None
    organization_id: str | None = None


class CountingStore:
    """The store, counting the statements one request runs (X-Graph-Queries header)."""

    def __init__(self, store: GraphStore) -> None:
        self._store = store
        self.backend = store.backend
        self.count = 0

    def run(self, query: str, params: Params | None = None, *, write: bool = True) -> list[Row]:
        self.count += 1
        return self._store.run(query, params, write=write)

    def ensure_schema(self) -> None:
        self._store.ensure_schema()

    def close(self) -> None:
        """Closing belongs to the app, not to one request."""


class RequestContext(BaseContext):
    """One per GraphQL request."""

    def __init__(
        self, *, store: GraphStore, settings: Settings, key: bytes, user: CurrentUser | None
    ) -> None:
        super().__init__()
        self.store = CountingStore(store)
        self.settings = settings
        self.key = key
        self.user = user
        self.request_id = uuid.uuid4().hex[:12]

    @property
    def queries(self) -> int:
        """Statements this request has run so far."""
        return self.store.count

    async def run(
        self, query: str, params: Params | None = None, *, write: bool = False
    ) -> list[Row]:
        """Run one statement off the event loop (the store's drivers block)."""
        return await run_in_threadpool(self.store.run, query, params or {}, write=write)

    async def call(self, use_case: Callable[..., T], /, **kwargs: Any) -> T:
        """Run a (blocking) use-case off the event loop with this request's store."""
        return await run_in_threadpool(partial(use_case, store=self.store, **kwargs))

    @cached_property
    def reads(self) -> Any:
        """Fields of other people's records this request returned (``service.consent.Reads``),
        written to the access log when the request is done."""
        from service.consent import Reads

        return Reads()

    @cached_property
    def loaders(self) -> Any:
        from service.api.loaders import Loaders

        return Loaders(self)
