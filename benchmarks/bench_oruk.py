"""Open Referral UK import benchmark: 1,000 services from a local paginated feed.

    python -m benchmarks.bench_oruk [--services 1000] [--page-size 50] [--cli-runs 2]
                                    [--out benchmarks/ORUK.md]

The feed is ``seed.oruk_feed_server.FeedServer`` on 127.0.0.1, serving copies of the hand-written
fixtures in both shapes (``tests/oruk/data/feeds``: HTML descriptions, string prices, several
places, schedules, audiences and age bands), each copy with its own id and name. Measured:

1. ``carecircles import-services URL`` end to end in a subprocess into a fresh embedded store (a
   new data directory: Python start, graph server start, every page fetched, mapped and
   written): ORUK v3 pages ``--cli-runs`` times (the best is the verdict: the machine is
   shared), then ORUK v1 API pages (with a byte-order mark) once, then the v3 feed again over
   the imported store (nothing changes).
2. In process, into a fresh graph on one embedded server: the time to fetch and parse the
   pages, to map the services, and to write them, separately.

Target: the import of a 1,000-service feed in under 10 s. The report goes to ``--out``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.bench_seed import machine
from graph.settings import Settings
from graph.store import drop_graph, open_store
from graph.store.embedded import stop_server
from seed.oruk import Importer
from seed.oruk_feed import FeedReader, FeedSettings
from seed.oruk_feed_server import FeedServer, Shape, copies
from seed.oruk_mapping import map_service, service_records

TARGET_SECONDS = 10.0
ROOT = Path(__file__).resolve().parents[1]
FEEDS = ROOT / "tests" / "oruk" / "data" / "feeds"
COUNT_ROW = re.compile(r"services\s*│\s*(\d+)\s*│\s*(\d+)\s*│\s*(\d+)")


def feed_services(count: int, shape: Shape) -> list[dict[str, Any]]:
    """``count`` active services in ``shape``, copied from that shape's fixture."""
    name = "oruk_v1_page.json" if shape == "v1" else "oruk_v3_page.json"
    document = json.loads((FEEDS / name).read_text(encoding="utf-8-sig"))
    services = document.get("content") or document["contents"]
    active = [s for s in services if s.get("status") == "active"]
    return copies(active, count)


def cli_import(url: str, data_dir: Path) -> tuple[float, str]:
    """(wall seconds, stdout) of ``carecircles import-services URL`` on its own store."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("CARECIRCLES_")}
    env |= {
        "CARECIRCLES_GRAPH_URI": "embedded://",
        "CARECIRCLES_DATA_DIR": str(data_dir),
        "COLUMNS": "200",
    }
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "service.cli", "import-services", url],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    wall = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"import-services failed ({result.returncode}): {result.stderr}")
    return wall, result.stdout


def services_counts(stdout: str) -> tuple[int, int, int]:
    match = COUNT_ROW.search(stdout)
    if match is None:
        raise SystemExit(f"no services row in the output:\n{stdout}")
    created, updated, unchanged = (int(n) for n in match.groups())
    return created, updated, unchanged


def in_process(services: list[dict[str, Any]], page_size: int, data_dir: Path) -> dict[str, float]:
    """Seconds to fetch and parse, to map, and to write, into a fresh graph."""
    settings = Settings(graph_uri="embedded://", data_dir=data_dir, graph_name="bench_oruk")
    store = open_store(settings)
    try:
        drop_graph(store)
        store.ensure_schema()
        with FeedServer(services, shape="v3", page_size=page_size) as feed:
            started = time.perf_counter()
            pages = list(FeedReader(feed.url, FeedSettings(timeout_s=30)).pages())
            fetched = time.perf_counter() - started
        started = time.perf_counter()
        for page in pages:
            records, skipped, _ = service_records(page.document)
            for record in records:
                map_service(record, skipped)
        mapped = time.perf_counter() - started
        importer = Importer(store=store)
        started = time.perf_counter()
        for page in pages:
            importer.add(page.document)
        both = time.perf_counter() - started
        written = importer.finish().services_written
    finally:
        drop_graph(store)
        store.close()
        stop_server(data_dir)
    return {
        "pages": float(len(pages)),
        "fetch": fetched,
        "map": mapped,
        "write": max(both - mapped, 0.0),
        "map and write": both,
        "services": float(written),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--services", type=int, default=1000)
    parser.add_argument("--page-size", type=int, default=50)
    parser.add_argument("--cli-runs", type=int, default=2)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "ORUK.md")
    args = parser.parse_args(argv)
    facts = machine()
    started_at = dt.datetime.now(dt.UTC)
    v3 = feed_services(args.services, "v3")
    v1 = feed_services(args.services, "v1")
    runs: list[tuple[str, float, tuple[int, int, int]]] = []
    with tempfile.TemporaryDirectory(prefix="bench-oruk-") as scratch:
        with FeedServer(v3, shape="v3", page_size=args.page_size) as feed:
            pages = feed.total_pages
            for run in range(args.cli_runs):
                data_dir = Path(scratch) / f"v3-{run}"
                wall, out = cli_import(feed.url, data_dir)
                runs.append(
                    (f"ORUK v3 pages, fresh store, run {run + 1}", wall, services_counts(out))
                )
                if run == args.cli_runs - 1:
                    wall, out = cli_import(feed.url, data_dir)
                    runs.append(
                        (
                            "ORUK v3 pages again over it (nothing changes)",
                            wall,
                            services_counts(out),
                        )
                    )
        with FeedServer(v1, shape="v1", page_size=args.page_size, bom=True) as feed:
            wall, out = cli_import(feed.url, Path(scratch) / "v1")
            runs.append(("ORUK v1 API pages with a BOM, fresh store", wall, services_counts(out)))
        phases = in_process(v3, args.page_size, Path(scratch) / "in-process")
    facts["load average (1, 5, 15 min) at the end"] = ", ".join(
        f"{value:.2f}" for value in os.getloadavg()
    )
    fresh = [wall for label, wall, _ in runs if "fresh store" in label and "v3" in label]
    best = min(fresh)
    created_all = all(counts[0] == args.services for label, _, counts in runs if "fresh" in label)
    verdict = "PASS" if best < TARGET_SECONDS and created_all else "FAIL"
    command = (
        f"python -m benchmarks.bench_oruk --services {args.services} "
        f"--page-size {args.page_size} --cli-runs {args.cli_runs}"
    )
    lines = [
        f"# Open Referral UK import: {args.services:,} services from a local paginated feed",
        "",
        f"Run `{command}` on {started_at:%Y-%m-%d %H:%M} UTC.",
        "",
        "## Machine",
        "",
        *(f"- {key}: {value}" for key, value in facts.items()),
        "",
        "The machine is shared with other work, so wall times carry other people's load.",
        "",
        "## Result",
        "",
        f"**{verdict}**: `carecircles import-services URL` imported {args.services:,} services "
        f"({pages} pages of {args.page_size}) from the local ORUK v3 feed into a fresh embedded "
        f"store in **{best:.1f} s** end to end, best of {len(fresh)} runs "
        f"({', '.join(f'{w:.1f}' for w in fresh)} s; target: under {TARGET_SECONDS:.0f} s), "
        "including Python start-up and the graph server's start.",
        "",
        "| run | wall s | services created / updated / unchanged |",
        "| --- | ---: | --- |",
        *(f"| {label} | {wall:.2f} | {c} / {u} / {n} |" for label, wall, (c, u, n) in runs),
        "",
        "In process (one embedded server already running, ORUK v3 pages):",
        "",
        "| phase | s |",
        "| --- | ---: |",
        f"| fetch and parse {int(phases['pages'])} pages over HTTP | {phases['fetch']:.2f} |",
        f"| map {int(phases['services']):,} services (no store) | {phases['map']:.2f} |",
        f"| write them (a statement per batch of 500, per kind and page) | {phases['write']:.2f} |",
        "",
        "The feed: `seed.oruk_feed_server.FeedServer` serving copies of the fixtures in "
        "`tests/oruk/data/feeds` (each service with HTML text, string prices, places, schedules, "
        "audiences and age bands), each copy with its own id and name.",
    ]
    args.out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    raise SystemExit(main())
