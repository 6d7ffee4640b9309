"""What every resolver gets: the store, the signed-in user, the request id, the data loaders."""

from __future__ import annotations

import asyncio
import contextvars
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache, cached_property, partial
from typing import TYPE_CHECKING, Any, TypeVar

from strawberry.fastapi import BaseContext

from graph.store.port import GraphStore, Params, Row
from service.accounts.auth import TokenClaims
from service.config import ServiceSettings

if TYPE_CHECKING:
    from service.api.loaders import Loaders

T = TypeVar("T")

BLOCKING_THREADS = 40  # as many as Starlette's run_in_threadpool allows (anyio's default)


@cache
def _blocking_pool() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=BLOCKING_THREADS, thread_name_prefix="blocking")


async def off_loop(call: Callable[[], T]) -> T:
    """Run a blocking call (a use case that runs several statements, the solver) in this
    process's thread pool, with the caller's context variables.

    The hot paths (who is signed in, openVisits, claimVisit, ``RequestContext.run``) do not
    come here: they await ``store.arun``. Under load a pool of threads taking turns at the
    interpreter lock serves requests in no particular order, so some wait twice as long as the
    rest, and each hop costs CPU (benchmarks/API.md).

    asyncio's executor directly rather than Starlette's ``run_in_threadpool`` (anyio's
    ``to_thread``): it costs about half the CPU per call (benchmarks/API.md)."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_blocking_pool(), contextvars.copy_context().run, call)


@dataclass(frozen=True)
class CurrentUser:
    """The user behind a request's bearer token, with the scope their role works in."""

    id: str
    email: str
    role: str
    person_id: str | None = None
    volunteer_id: str | None = None
    organization_id: str | None = None
    calendar_version: int = 0  # which calendar link is theirs (service/accounts/users.py)


def underlying(store: GraphStore) -> GraphStore:
    """The store a per-request wrapper (``CountingStore``) wraps, or ``store`` itself: what
    this process's caches of a store (users, open visits) are kept by."""
    return getattr(store, "_store", store)


class CountingStore:
    """The store, counting the statements one request runs (X-Graph-Queries header)."""

    def __init__(self, store: GraphStore) -> None:
        self._store = store
        self.backend = store.backend
        self.count = 0

    def run(self, query: str, params: Params | None = None, *, write: bool = True) -> list[Row]:
        self.count += 1
        return self._store.run(query, params, write=write)

    async def arun(
        self, query: str, params: Params | None = None, *, write: bool = True
    ) -> list[Row]:
        self.count += 1
        return await self._store.arun(query, params, write=write)

    async def aclose(self) -> None:
        """Closing belongs to the app, not to one request."""

    def ensure_schema(self) -> None:
        self._store.ensure_schema()

    def close(self) -> None:
        """Closing belongs to the app, not to one request."""


class RequestContext(BaseContext):
    """One per GraphQL request."""

    def __init__(
        self,
        *,
        store: GraphStore,
        settings: ServiceSettings,
        key: bytes,
        user: CurrentUser | None,
        token: TokenClaims | None = None,
    ) -> None:
        super().__init__()
        self.store = CountingStore(store)
        self.settings = settings
        self.key = key
        self.user = user
        self.token = token  # the bearer token's claims (what signOut ends)
        self.signed_in_here = False  # a signIn ran in this request: at most one may

    @property
    def queries(self) -> int:
        """Statements this request has run so far."""
        return self.store.count

    async def run(
        self, query: str, params: Params | None = None, *, write: bool = False
    ) -> list[Row]:
        """Run one statement, awaited on the event loop (the store's asyncio client)."""
        return await self.store.arun(query, params or {}, write=write)

    async def call(self, use_case: Callable[..., T], /, **kwargs: Any) -> T:
        """Run a (blocking) use-case off the event loop with this request's store (in a
        thread: use cases run several statements, each blocking)."""
        return await off_loop(partial(use_case, store=self.store, **kwargs))

    @cached_property
    def request_id(self) -> str:
        """Made when first asked for (only an unexpected error needs one)."""
        return uuid.uuid4().hex[:12]

    @property
    def reads_noted(self) -> Any:
        """``reads`` if a resolver has noted one, else None (without making it)."""
        return self.__dict__.get("reads")

    @cached_property
    def reads(self) -> Any:
        """Fields of other people's records this request returned (``policy.Reads``),
        written to the access log when the request is done."""
        from service.consent.policy import Reads

        return Reads()

    @cached_property
    def loaders(self) -> Loaders:
        from service.api.loaders import Loaders  # imported here: the loaders import this module

        return Loaders(self)
