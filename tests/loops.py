"""Running a coroutine from a test, whatever else the test process has running."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


def in_own_loop(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine on a fresh event loop in a thread of its own: a browser test earlier
    in the same test process (Playwright's sync API) leaves an event loop running in this one,
    and ``asyncio.run`` refuses to start under it."""
    with ThreadPoolExecutor(max_workers=1) as thread:
        return thread.submit(asyncio.run, coroutine).result()
