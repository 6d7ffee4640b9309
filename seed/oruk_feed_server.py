"""A local Open Referral UK feed over HTTP: services served in pages, as councils' APIs do.

For the tests and the benchmark of ``carecircles import-services URL``, and to try an import by
hand::

    python -m seed.oruk_feed_server FILE.json [--shape v1|v3] [--page-size 50] [--port 8765]

``FeedServer(services, shape=..., page_size=...)`` serves ``GET /services?page=N``: ORUK v3
pages (``contents``, ``total_items``, ``total_pages``, ``page_number`` from 1, ``first_page``,
``last_page``) or ORUK v1 API pages (``content``, ``totalElements``, ``totalPages``,
``number``, ``size``, ``first``, ``last``; from 0 with ``zero_based``), optionally with a UTF-8
byte-order mark as some feeds send. To show how an import copes, pages can fail: ``fail_pages``
answer 503 every time, ``flaky`` answers 503 to a page's first N requests, ``hang_pages`` never
answer until the server stops (a client's timeout must end the wait). Every request is recorded
(``requests``: monotonic time, page asked for, status sent).
"""

from __future__ import annotations

import argparse
import json
import math
import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from time import monotonic
from types import TracebackType
from typing import Any, Literal
from urllib.parse import parse_qsl, urlsplit

Shape = Literal["v1", "v3"]
BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class FeedRequest:
    at: float
    page: int
    status: int


class FeedServer:
    """Serves ``services`` in pages on 127.0.0.1 (a free port) until ``stop`` (see module)."""

    def __init__(
        self,
        services: list[dict[str, Any]],
        *,
        shape: Shape = "v3",
        page_size: int = 50,
        zero_based: bool = False,
        bom: bool = False,
        fail_pages: frozenset[int] = frozenset(),
        flaky: Mapping[int, int] | None = None,
        hang_pages: frozenset[int] = frozenset(),
        before_answer: Callable[[int], None] | None = None,
        port: int = 0,
    ) -> None:
        self.services = services
        self.shape = shape
        self.page_size = page_size
        self.zero_based = zero_based
        self.bom = bom
        self.fail_pages = fail_pages
        self.flaky = dict(flaky or {})
        self.hang_pages = hang_pages
        self.before_answer = before_answer
        self.requests: list[FeedRequest] = []
        self.released = threading.Event()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/services"

    @property
    def total_pages(self) -> int:
        return max(1, math.ceil(len(self.services) / self.page_size))

    def start(self) -> FeedServer:
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in this thread until interrupted."""
        self._server.serve_forever()

    def stop(self) -> None:
        self.released.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)

    def __enter__(self) -> FeedServer:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()

    def requests_for(self, page: int) -> list[FeedRequest]:
        with self._lock:
            return [request for request in self.requests if request.page == page]

    def page(self, number: int) -> dict[str, Any]:
        """Page ``number`` as the feed counts (from 0 when ``zero_based``)."""
        index = number - (0 if self.zero_based else 1)
        chunk = self.services[index * self.page_size : (index + 1) * self.page_size]
        last = index >= self.total_pages - 1
        if self.shape == "v1":
            return {
                "totalElements": len(self.services),
                "totalPages": self.total_pages,
                "number": number,
                "size": self.page_size,
                "first": index == 0,
                "last": last,
                "content": chunk,
            }
        return {
            "total_items": len(self.services),
            "total_pages": self.total_pages,
            "page_number": number,
            "size": self.page_size,
            "first_page": index == 0,
            "last_page": last,
            "empty": not chunk,
            "contents": chunk,
        }

    def _answer(self, page: int) -> tuple[int, bytes]:
        with self._lock:
            status = 200
            if page in self.fail_pages:
                status = 503
            elif self.flaky.get(page, 0) > 0:
                self.flaky[page] -= 1
                status = 503
            self.requests.append(FeedRequest(monotonic(), page, status))
        if status != 200:
            return status, b'{"error": "service unavailable"}'
        body = json.dumps(self.page(page)).encode("utf-8")
        return 200, (BOM + body) if self.bom else body

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        feed = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
                query = dict(parse_qsl(urlsplit(self.path).query))
                first = 0 if feed.zero_based else 1
                page = int(query["page"]) if query.get("page", "").isdigit() else first
                if page in feed.hang_pages:
                    with feed._lock:
                        feed.requests.append(FeedRequest(monotonic(), page, 0))
                    feed.released.wait()
                    return
                if feed.before_answer is not None:
                    feed.before_answer(page)
                status, body = feed._answer(page)
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json; charset=utf-8")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (its timeout); nothing to answer

            def log_message(self, format: str, *args: Any) -> None:
                pass  # quiet: the requests are recorded in feed.requests

        return Handler


COPY_NAMESPACE = uuid.UUID("5b1f7e0c-2a3d-4c6e-8f9a-0b1c2d3e4f5a")


def copies(services: list[dict[str, Any]], count: int) -> list[dict[str, Any]]:
    """``count`` services made from ``services`` in turn, each with its own id (an integer for
    integer ids, a UUID otherwise) and name, so a large feed can be served from a small file."""
    made = []
    for index in range(count):
        service = json.loads(json.dumps(services[index % len(services)]))
        original = service.get("id")
        if isinstance(original, int):
            service["id"] = 100_000 + index
        else:
            service["id"] = str(uuid.uuid5(COPY_NAMESPACE, f"{original}/{index}"))
        service["name"] = f"{str(service.get('name', 'Service'))[:80]} ({index + 1})"
        made.append(service)
    return made


def _services_of(path: Path) -> list[dict[str, Any]]:
    document = json.loads(path.read_text(encoding="utf-8-sig"))
    if isinstance(document, list):
        return document
    for key in ("contents", "content", "services"):
        if isinstance(document.get(key), list):
            return list(document[key])
    return [document]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("file", type=Path, help="ORUK services (a page, a list or one service)")
    parser.add_argument("--shape", choices=("v1", "v3"), default="v3")
    parser.add_argument("--page-size", type=int, default=50)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    server = FeedServer(
        _services_of(args.file), shape=args.shape, page_size=args.page_size, port=args.port
    )
    print(f"serving {len(server.services)} services in {server.total_pages} pages at {server.url}")
    server.serve_forever()


if __name__ == "__main__":
    main()
