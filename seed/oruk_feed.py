"""Following an Open Referral UK feed's pages over HTTP (the standard library's client).

``FeedReader(url, settings).pages()`` yields each page's JSON in turn: the first from ``url``,
the next ones from ``url`` with its ``page`` query parameter set to the next number, counting
as the feed counts (ORUK v1 pages may start at 0, ORUK v3 at 1), until the feed says it was the
last page (``last`` / ``last_page``, or ``number`` / ``page_number`` reaching ``totalPages`` /
``total_pages``), a page is empty, or ``settings.max_pages`` pages were read (``limited`` then
says so). Every request has a timeout; a timeout, a lost connection, HTTP 429 or a 5xx answer
is retried ``settings.retries`` times, waiting ``retry_wait_s`` and doubling each time. Other
HTTP errors, and JSON that is not an ORUK page, are not retried. ``FeedError`` names the page,
its URL and what went wrong.
"""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from seed.oruk import parse_document
from seed.oruk_mapping import InvalidDocument, Paging, paging

USER_AGENT = "carecircles-import-services (+https://github.com/carecircles)"
RETRIED_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})


@dataclass(frozen=True)
class FeedSettings:
    """How patiently to read a feed: seconds per request, retries per page, the first wait
    between tries (doubled each time), and the most pages to read."""

    timeout_s: float = 30.0
    retries: int = 3
    retry_wait_s: float = 1.0
    max_pages: int = 1000


class FeedError(RuntimeError):
    """A page of the feed could not be read (after retries where retrying could help)."""


@dataclass(frozen=True)
class FeedPage:
    """One page as read: which (1 = the first read), from where, its JSON and paging."""

    index: int
    url: str
    document: dict[str, Any] | list[Any]
    paging: Paging | None


def is_url(source: str) -> bool:
    """Whether ``source`` names an http(s) feed rather than a file."""
    return urlsplit(source).scheme in {"http", "https"}


def page_url(url: str, number: int) -> str:
    """``url`` with its ``page`` query parameter set to ``number`` (others kept)."""
    parts = urlsplit(url)
    query = [(key, value) for key, value in parse_qsl(parts.query) if key != "page"]
    query.append(("page", str(number)))
    return urlunsplit(parts._replace(query=urlencode(query)))


def _first_number(url: str) -> int | None:
    for key, value in parse_qsl(urlsplit(url).query):
        if key == "page" and value.isdigit():
            return int(value)
    return None


class FeedReader:
    """Reads a feed page by page (see the module's docstring)."""

    def __init__(
        self,
        url: str,
        settings: FeedSettings | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.url = url
        self.settings = settings or FeedSettings()
        self.sleep = sleep
        self.limited = False  # stopped at max_pages with pages left
        self.total_pages: int | None = None

    def _get(self, url: str, index: int) -> bytes:
        settings = self.settings
        problem = ""
        waited = 0.0
        for attempt in range(settings.retries + 1):
            if attempt:
                wait = settings.retry_wait_s * 2 ** (attempt - 1)
                self.sleep(wait)
                waited += wait
            request = urllib.request.Request(
                url, headers={"Accept": "application/json", "User-Agent": USER_AGENT}
            )
            try:
                with urllib.request.urlopen(request, timeout=settings.timeout_s) as answer:
                    body: bytes = answer.read()
                    return body
            except urllib.error.HTTPError as error:
                problem = f"HTTP {error.code} {error.reason}"
                if error.code not in RETRIED_STATUSES:
                    raise FeedError(f"page {index} ({url}): {problem}") from error
            except TimeoutError:
                problem = f"no answer within {settings.timeout_s:g} s"
            except (urllib.error.URLError, ConnectionError, OSError) as error:
                reason = getattr(error, "reason", error)
                problem = f"cannot connect ({reason})"
        tries = settings.retries + 1
        raise FeedError(
            f"page {index} ({url}): {problem}, {tries} tries over {waited:g} s of waiting"
        )

    def _page(self, url: str, index: int) -> FeedPage:
        content = self._get(url, index)
        try:
            document = parse_document(content, f"page {index} ({url})")
        except InvalidDocument as error:
            raise FeedError(str(error)) from error
        page = FeedPage(
            index, url, document, paging(document) if isinstance(document, dict) else None
        )
        if page.paging is not None and page.paging.total_pages is not None:
            self.total_pages = page.paging.total_pages
        return page

    def pages(self) -> Iterator[FeedPage]:
        """Each page in turn; ``FeedError`` when one cannot be read."""
        page = self._page(self.url, 1)
        yield page
        number = page.paging.number if page.paging is not None else None
        if number is None:
            number = _first_number(self.url) or 1
        index = 1
        while page.paging is not None and not page.paging.is_last and _has_items(page.document):
            if index >= self.settings.max_pages:
                self.limited = True
                return
            index += 1
            number += 1
            page = self._page(page_url(self.url, number), index)
            yield page


def _has_items(document: dict[str, Any] | list[Any]) -> bool:
    if isinstance(document, dict):
        for key in ("contents", "content"):
            if isinstance(document.get(key), list):
                return bool(document[key])
    return False
