"""``carecircles import-services URL`` against a local paginated feed (seed/oruk_feed_server.py):
ORUK v1 and v3 paging, a feed that fails half-way (retries with back-off, then an honest
message, and re-running finishes the job), a page that never answers (timeout), a page limit,
``--since``, a store that fails part-way (whole services only), and the grouped skip report."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from graph.settings import Settings
from graph.store import GraphStore, open_store
from graph.store.embedded import stop_server
from seed.oruk import load_document
from seed.oruk_feed import FeedReader, FeedSettings
from seed.oruk_feed_server import FeedServer, copies
from tests.oruk.conftest import DATA

FEEDS = DATA / "feeds"
COUNT_ROW = re.compile(r"(organizations|interests|services)\s*│\s*(\d+)\s*│\s*(\d+)\s*│\s*(\d+)")


def _services(name: str) -> list[dict[str, Any]]:
    document = load_document(FEEDS / name)
    assert isinstance(document, dict)
    return list(document.get("contents") or document["content"])


def _active_v1() -> list[dict[str, Any]]:
    return [s for s in _services("oruk_v1_page.json") if s["status"] == "active"]


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "service.cli", *args],
        env=env | {"COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=300,
    )


def _counts(output: str) -> dict[str, tuple[int, int, int]]:
    return {kind: (int(c), int(u), int(n)) for kind, c, u, n in COUNT_ROW.findall(output)}


def _service_count(store: GraphStore) -> int:
    return int(store.run("MATCH (s:Service) RETURN count(s) AS n", write=False)[0]["n"])


@pytest.mark.parametrize(
    ("shape", "zero_based"), [("v1", True), ("v1", False), ("v3", False)], ids=str
)
def test_the_reader_follows_every_page_as_the_feed_counts(shape: Any, zero_based: bool) -> None:
    services = copies(_active_v1(), 12)
    with FeedServer(services, shape=shape, page_size=5, zero_based=zero_based, bom=True) as feed:
        reader = FeedReader(feed.url, FeedSettings(timeout_s=10, retries=0))
        pages = list(reader.pages())

    first = 0 if zero_based else 1
    assert [request.page for request in feed.requests] == [first, first + 1, first + 2]
    assert [page.index for page in pages] == [1, 2, 3]
    key = "content" if shape == "v1" else "contents"
    read = [s["id"] for page in pages for s in page.document[key]]  # type: ignore[call-overload]
    assert read == [s["id"] for s in services]
    assert reader.total_pages == 3 and not reader.limited


def test_importing_a_paginated_v1_feed_twice_gives_the_same_counts(
    graph_env: dict[str, str], store: GraphStore
) -> None:
    with FeedServer(copies(_active_v1(), 12), shape="v1", page_size=5, bom=True) as feed:
        first = _run(graph_env, "import-services", feed.url)
        second = _run(graph_env, "import-services", feed.url)

    assert first.returncode == 0, first.stderr
    assert second.returncode == 0, second.stderr
    created = _counts(first.stdout)
    assert created["services"] == (12, 0, 0)
    assert _counts(second.stdout) == {kind: (0, 0, c) for kind, (c, _, _) in created.items()}
    assert "3 pages read." in first.stdout


def test_a_v3_feed_that_fails_half_way_says_what_was_written_and_a_rerun_finishes(
    graph_env: dict[str, str], store: GraphStore
) -> None:
    services = copies(_services("oruk_v3_page.json"), 20)
    with FeedServer(services, shape="v3", page_size=5, fail_pages=frozenset({3})) as feed:
        failed = _run(
            graph_env, "import-services", feed.url, "--retries", "2", "--retry-wait", "0.2"
        )
        tries = feed.requests_for(3)

    assert failed.returncode == 1
    message = " ".join(failed.stderr.split())
    assert "page 3" in message and "HTTP 503" in message and "3 tries" in message
    assert "10 services from the 2 pages read before it were written, each one whole" in message
    assert "re-running the same command finishes the job" in message
    assert "Traceback" not in failed.stderr
    # Retried with back-off: 0.2 s, then 0.4 s between the tries of page 3.
    assert len(tries) == 3
    gaps = [later.at - earlier.at for earlier, later in zip(tries, tries[1:], strict=False)]
    assert gaps[0] >= 0.2 and gaps[1] >= 0.4
    assert _service_count(store) == 10

    with FeedServer(services, shape="v3", page_size=5) as feed:
        rerun = _run(graph_env, "import-services", feed.url)

    assert rerun.returncode == 0, rerun.stderr
    assert _counts(rerun.stdout)["services"] == (10, 0, 10)


def test_a_page_that_never_answers_times_out(graph_env: dict[str, str], store: GraphStore) -> None:
    services = copies(_services("oruk_v3_page.json"), 10)
    with FeedServer(services, shape="v3", page_size=5, hang_pages=frozenset({2})) as feed:
        result = _run(
            graph_env,
            "import-services",
            feed.url,
            "--timeout",
            "0.5",
            "--retries",
            "1",
            "--retry-wait",
            "0",
        )

    assert result.returncode == 1
    message = " ".join(result.stderr.split())
    assert "page 2" in message and "no answer within 0.5 s, 2 tries" in message
    assert "5 services from the 1 page read before it was written" not in message
    assert "5 services from the 1 page read before it were written" in message


def test_the_page_limit_stops_the_import_and_says_so(
    graph_env: dict[str, str], store: GraphStore
) -> None:
    with FeedServer(copies(_active_v1(), 20), shape="v1", page_size=5) as feed:
        result = _run(graph_env, "import-services", feed.url, "--max-pages", "2")

    assert result.returncode == 0, result.stderr
    assert [request.page for request in feed.requests] == [1, 2]
    assert _counts(result.stdout)["services"] == (10, 0, 0)
    assert "Stopped after 2 pages (--max-pages) of 4" in " ".join(result.stdout.split())


def test_since_leaves_services_not_changed_since_that_day(
    graph_env: dict[str, str], store: GraphStore
) -> None:
    with FeedServer(_services("oruk_v1_page.json"), shape="v1", page_size=50) as feed:
        result = _run(graph_env, "import-services", feed.url, "--since", "2026-06-01")
        bad = _run(graph_env, "import-services", feed.url, "--since", "June")

    assert result.returncode == 0, result.stderr
    # 101, 103, 104 changed since; 105 has no last_modified; 102 (2025-01-15) is left.
    assert _counts(result.stdout)["services"] == (4, 0, 0)
    output = " ".join(result.stdout.split())
    assert "1 services not changed since 2026-06-01 were left as they are" in output
    assert bad.returncode == 2 and "--since: expected a date like 2026-01-31" in bad.stderr


def test_an_unreadable_feed_exits_2_and_writes_nothing(
    graph_env: dict[str, str], store: GraphStore
) -> None:
    with FeedServer([], shape="v3", fail_pages=frozenset({1})) as feed:
        result = _run(graph_env, "import-services", feed.url, "--retries", "0")
        not_oruk = subprocess.run(  # a URL that answers, but not with JSON
            [sys.executable, "-m", "service.cli", "import-services", feed.url + "x"],
            env=graph_env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    assert result.returncode == 2
    assert "page 1" in result.stderr and "HTTP 503" in result.stderr
    assert not_oruk.returncode == 2
    assert _service_count(store) == 0


def test_a_store_that_fails_part_way_leaves_whole_services_and_says_so(tmp_path: Path) -> None:
    """The graph server is stopped (for real) while the feed's third page is being fetched."""
    data_dir = tmp_path / "data"
    env = {key: value for key, value in os.environ.items() if not key.startswith("CARECIRCLES_")}
    env |= {"CARECIRCLES_GRAPH_URI": "embedded://", "CARECIRCLES_DATA_DIR": str(data_dir)}
    services = copies(_services("oruk_v3_page.json"), 15)

    def stop_the_store(page: int) -> None:
        if page == 3:
            stop_server(data_dir)

    with FeedServer(services, page_size=5, before_answer=stop_the_store) as feed:
        failed = _run(env, "import-services", feed.url)
    with FeedServer(services, page_size=5) as feed:
        rerun = _run(env, "import-services", feed.url)

    assert failed.returncode == 1
    message = " ".join(failed.stderr.split())
    assert "the graph store failed" in message
    assert "10 services were written before it, each one whole" in message
    assert "re-running the same import finishes the job" in message
    assert rerun.returncode == 0, rerun.stderr
    assert _counts(rerun.stdout)["services"] == (5, 0, 10)
    store = open_store(
        Settings(graph_uri="embedded://", data_dir=data_dir, graph_name="carecircles")
    )
    try:
        # Every service came whole: each has its interests as stored in its properties.
        rows = store.run(
            "MATCH (s:Service) OPTIONAL MATCH (s)-[:OFFERS]->(i:Interest) "
            "RETURN s.id AS id, s.interests AS wanted, collect(i.id) AS offered",
            write=False,
        )
    finally:
        store.close()
        stop_server(data_dir)
    assert len(rows) == 15
    assert all(sorted(row["wanted"]) == sorted(row["offered"]) for row in rows)


def test_the_skip_report_groups_by_reason_and_details_lists_every_row(
    graph_env: dict[str, str], store: GraphStore
) -> None:
    services = copies(_services("oruk_v1_page.json"), 60)  # 10 closed, 20 without a price, ...
    with FeedServer(services, shape="v1", page_size=25) as feed:
        grouped = _run(graph_env, "import-services", feed.url)
        detailed = _run(graph_env, "import-services", feed.url, "--details")

    assert grouped.returncode == 0 and detailed.returncode == 0
    output = grouped.stdout
    assert "by reason" in output and "Run again with --details to list every row." in output
    closed = [line for line in output.splitlines() if "not active: not imported" in line]
    assert len(closed) == 1 and re.search(r"│\s*10\s*│", closed[0])
    no_price = [line for line in output.splitlines() if "cost kept as 'not stated'" in line]
    assert len(no_price) == 1 and re.search(r"│\s*20\s*│", no_price[0])
    assert output.count("temporarily closed") == 3  # three examples, not ten rows
    assert detailed.stdout.count("temporarily closed") == 10
    assert "page 3: content[" in detailed.stdout
