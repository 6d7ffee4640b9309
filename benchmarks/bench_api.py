"""API benchmark: latency through a real server on the seeded borough, open and closed loop.

    python -m benchmarks.bench_api [--size borough] [--mode both|open|closed] [--rate 200]
        [--duration 60] [--volunteers 200] [--requests 200] [--out benchmarks/API.md]

Open loop (``--mode open``): requests are sent at a fixed rate (``--rate`` per second for
``--duration`` seconds) whether or not earlier ones have been answered, from ``--volunteers``
volunteers who have open visits, mixed as a volunteer's app would: openVisits 60%, myVisits 20%,
claimVisit 10% (a visit from the last page of open visits that volunteer was shown), me 10%.
Each request's latency counts from the time it was *scheduled* to be sent, so time spent
queueing behind a slow server counts (no coordinated omission). Reported per operation: p50,
p95, p99, errors; the server's CPU per request; double bookings checked in the graph after.

Closed loop (``--mode closed``), the steps below:

1. A fresh temporary data directory: an embedded FalkorDB server, the borough seeded into it
   (next week's visits, all open and ahead: the heaviest case for openVisits), a volunteer user per
   volunteer.
2. ``carecircles serve`` in a separate process, and lean asyncio clients in this one (one event
   loop, one keep-alive connection per concurrent client, see ``Connection``) calling it with
   bearer tokens.
3. ``openVisits(first: 20)`` by random volunteers at 1 and 32 concurrent clients; then the bare
   Cypher for the same work (the open-visits statement and the held-visits statement, run
   directly through the store) to give the ratio of GraphQL to Cypher time.
4. ``claimVisit`` at 1 client (each claim a different visit the caller is eligible for) and at
   32 clients where every round has all 32 clients race for the same visit, one someone can
   still take (not one whose time today is over: that is no race), each racer having loaded
   its open visits once, as a volunteer does before claiming one; then the bare claim
   statement alone.
5. The check: no visit has more holders than it needs, and no volunteer holds two visits that
   overlap on a day (travel ignored here: a stricter-than-needed test would be rule 8 itself).

The report (machine, date, numbers) goes to ``--out``.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import datetime as dt
import gc
import json
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from clock import minutes_of
from graph.models import User, Volunteer, Window, iso_utc, utc_now
from graph.repo import organisations, volunteer_visits
from graph.repo import users as users_repo
from graph.repo import volunteers as volunteers_repo
from graph.settings import Settings
from graph.store import GraphStore, open_store
from seed.borough import generate_borough
from seed.load import load_borough
from service.accounts.auth import hash_password
from service.accounts.users import token_for
from service.visits.open_visits import OPEN_VISITS_SLACK, open_visits
from service.weeks import monday_of, today
from solver.geography import box_around

ME = "query { me { id role volunteer { id firstName } } }"
MY_VISITS = "query { myVisits { id day start end area personFirstName myStatus } }"
OPEN = """query($first: Int) { openVisits(first: $first) {
  edges { node { id day start end area personFirstName } } pageInfo { hasNextPage endCursor } } }"""
CLAIM = """mutation($id: ID!) { claimVisit(visitId: $id) { __typename
  ... on VisitClaimed { visit { id start } } ... on VisitUnavailable { message }
  ... on NotEligible { reasons } } }"""
DOUBLE_BOOKED = """
MATCH (:Volunteer)-[a:ASSIGNED]->(v:Visit) WHERE a.status IN ['proposed', 'accepted', 'done']
WITH v, count(a) AS holders WHERE holders > v.volunteers_needed
RETURN count(v) AS n
"""
OVERLAPS = """
MATCH (vol:Volunteer)-[a:ASSIGNED]->(x:Visit), (vol)-[b:ASSIGNED]->(y:Visit)
WHERE a.status IN ['proposed', 'accepted', 'done'] AND b.status IN ['proposed', 'accepted', 'done']
  AND x.id < y.id AND x.week_start = y.week_start AND x.day = y.day
  AND x.start IS NOT NULL AND y.start IS NOT NULL
WITH x, y,
     toInteger(substring(x.start, 0, 2)) * 60 + toInteger(substring(x.start, 3, 2)) AS xs,
     toInteger(substring(y.start, 0, 2)) * 60 + toInteger(substring(y.start, 3, 2)) AS ys
WHERE xs < ys + y.duration_minutes AND ys < xs + x.duration_minutes
RETURN count(*) AS n
"""
VOLUNTEER_IDS = "MATCH (v:Volunteer) RETURN v.id AS id ORDER BY id"
CENTRE = """
MATCH (p:Person)
UNWIND CASE WHEN p.languages IS NULL OR size(p.languages) = 0 THEN ['en'] ELSE p.languages END
  AS language
RETURN avg(p.lat) AS lat, avg(p.lon) AS lon, collect(DISTINCT language) AS languages
"""
ORGANIZATION_IDS = "MATCH (o:Organization) RETURN collect(o.id) AS ids"
RACE_TARGETS = """
MATCH (v:Visit)-[:FOR]->(p:Person)
WHERE v.status = 'open' AND v.week_start = $week_start AND v.day >= $first_day
  AND (p.gender_preference IS NULL OR p.gender_preference = 'female')
RETURN v.id AS id, v.day AS day, v.latest AS latest, v.duration_minutes AS duration
ORDER BY id
"""
RACE_MARGIN_MINUTES = 10  # a visit later today is a target only if it can still start by then


tokens_key: list[bytes] = []  # the signing key, for racers made later


def machine_pace() -> float:
    """CPU milliseconds this process needs for a fixed pure-Python loop, best of 5: how fast
    the (shared) machine runs Python right now, to read one run's latencies against another's."""
    best = float("inf")
    for _ in range(5):
        started = time.process_time()
        total = 0
        for number in range(200_000):
            total += number % 7
        best = min(best, time.process_time() - started)
    return best * 1000


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_healthy(
    url: str,
    server: subprocess.Popen[bytes],
    *,
    timeout: float,
    poll: float,
    log: Path | None = None,
) -> None:
    """Poll ``url``/health until it answers 200; RuntimeError when ``server`` exits first or
    ``timeout`` seconds pass (with the end of ``log``, when given)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(f"{url}/health").status_code == 200:
                return
        except httpx.TransportError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            said = f": {log.read_text()[-2000:]}" if log is not None else ""
            raise RuntimeError(f"server did not start{said}")
        time.sleep(poll)


def _cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of ``pid`` and all its descendants, from /proc."""
    total = 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        for task in Path(f"/proc/{pid}/task").iterdir():
            for child in (task / "children").read_text().split():
                total += _cpu_seconds(int(child))
    except (FileNotFoundError, ProcessLookupError):
        pass
    return total


class CpuMeter:
    """CPU per request of the API server (its process tree) and of the graph server, which
    say more than latency on a shared machine: they do not grow with other people's load."""

    def __init__(self, server_pid: int, graph_pid: int | None) -> None:
        self.pids = {"api": server_pid, "graph": graph_pid}

    def now(self) -> dict[str, float]:
        return {name: _cpu_seconds(pid) for name, pid in self.pids.items() if pid is not None}

    def wait_until_idle(self, *, window: float = 0.5, limit: float = 60.0) -> float:
        """Seconds until the API server used under 5% of a core over ``window`` seconds."""
        started = time.monotonic()
        while time.monotonic() - started < limit:
            before = self.now()["api"]
            time.sleep(window)  # measuring an interval, not waiting for an event
            if self.now()["api"] - before < 0.05 * window:
                break
        return time.monotonic() - started

    def per_request(self, before: dict[str, float], requests: int) -> dict[str, float]:
        after = self.now()
        return {name: (after[name] - before[name]) / requests * 1000 for name in after}


async def _warm(url: str, token: str) -> list[float]:
    connection = Connection(url)
    for _ in range(3):
        await connection.call(OPEN, {"first": 20}, token)
    await connection.close()
    return []


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))] * 1000

    if not ordered:
        return {"n": 0, "p50": 0.0, "p95": 0.0, "p99": 0.0, "max": 0.0}
    return {
        "n": len(ordered),
        "p50": at(0.5),
        "p95": at(0.95),
        "p99": at(0.99),
        "max": ordered[-1] * 1000,
    }


class Connection:
    """One keep-alive HTTP/1.1 connection that posts GraphQL and reads the JSON answer.

    Deliberately lean: the clients share the server's two cores, so their own cost lands in the
    latencies measured. httpx's AsyncClient spent about 3.8 ms of CPU per request here (a
    trivial FastAPI endpoint topped out at ~240 requests/s, p95 318 ms at 32 clients), this
    spends about 0.15 ms (~2,400 requests/s, p95 17 ms for the same endpoint)."""

    def __init__(self, url: str) -> None:
        host, _, port = url.removeprefix("http://").partition(":")
        self.host, self.port = host, int(port)
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def call(
        self, query: str, variables: dict[str, Any], token: str
    ) -> tuple[float, dict[str, Any]]:
        body = json.dumps({"query": query, "variables": variables}).encode()
        request = (
            f"POST /graphql HTTP/1.1\r\nHost: {self.host}\r\n"
            f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode() + body
        started = time.perf_counter()
        if self.reader is not None and self.reader.at_eof():
            # The server closed it while idle (uvicorn's keep-alive timeout, 5 s): a client
            # opens another, as HTTP clients' pools do.
            await self.close()
            self.reader = None
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        self.writer.write(request)
        head = (await self.reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        headers = {
            name.strip().lower(): value.strip()
            for name, _, value in (line.partition(":") for line in head[1:] if line)
        }
        answer: dict[str, Any] = json.loads(
            await self.reader.readexactly(int(headers["content-length"]))
        )
        elapsed = time.perf_counter() - started
        if not head[0].startswith("HTTP/1.1 200") or "errors" in answer:
            raise RuntimeError(f"{head[0]}: {answer.get('errors')}")
        return elapsed, answer["data"]

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            await self.writer.wait_closed()
            self.writer = None


def _concurrently(clients: int, work: Callable[[int], Any]) -> list[float]:
    """Run ``clients`` coroutines ``work(index)`` (each returning its latencies) on one loop."""

    async def everyone() -> list[list[float]]:
        return list(await asyncio.gather(*(work(index) for index in range(clients))))

    return [t for chunk in asyncio.run(everyone()) for t in chunk]


def _bare(store: GraphStore, runs: int, statement: Callable[[], object]) -> dict[str, float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        statement()
        samples.append(time.perf_counter() - started)
    return _percentiles(samples)


MIX = (("openVisits", 0.6), ("myVisits", 0.2), ("claimVisit", 0.1), ("me", 0.1))


def with_open_visits(
    store: GraphStore, tokens: dict[str, str], wanted: int, rng: random.Random
) -> dict[str, list[str]]:
    """Up to ``wanted`` volunteers, picked at random, whose open visits list something now,
    each with the ids on their first page (read here, through the same use case)."""
    candidates = sorted(tokens)
    rng.shuffle(candidates)
    found: dict[str, list[str]] = {}
    for volunteer_id in candidates:
        page, _ = open_visits(store=store, volunteer_id=volunteer_id, first=20, max_age=60)
        if page:
            found[volunteer_id] = [visit.id for visit in page]
            if len(found) == wanted:
                break
    return found


async def open_loop(
    url: str,
    tokens: dict[str, str],
    shown: dict[str, list[str]],
    *,
    rate: float,
    duration: float,
    rng: random.Random,
) -> dict[str, Any]:
    """Send ``rate`` requests a second for ``duration`` seconds, each at its scheduled time
    whatever the earlier ones are doing (a new connection when no idle one is free); each
    latency counts from the scheduled time. ``shown`` (volunteer -> ids of the open visits they
    were last shown) picks what claimVisit claims, and follows each openVisits answer."""
    volunteers = sorted(shown)
    # What a claim takes when its volunteer has been shown nothing left: a visit they were shown
    # at the start (the answer may well be VisitUnavailable or NotEligible: typed answers; a
    # visit only someone else was shown may be of another organisation's person: not allowed).
    first_shown = {volunteer_id: list(ids) for volunteer_id, ids in shown.items()}
    operations = [name for name, _ in MIX]
    weights = [weight for _, weight in MIX]
    plan = [
        (index / rate, rng.choices(operations, weights)[0], rng.choice(volunteers))
        for index in range(int(rate * duration))
    ]
    idle: collections.deque[Connection] = collections.deque()
    opened = 0
    latencies: dict[str, list[float]] = {name: [] for name in operations}
    errors: dict[str, int] = dict.fromkeys(operations, 0)
    examples: list[str] = []
    claims: dict[str, int] = {}
    late: list[float] = []  # how late this process sent each request (its own lag)

    async def send(start: float, at: float, operation: str, volunteer_id: str) -> None:
        nonlocal opened
        if idle:  # the longest idle first: connections are reused in turn
            connection = idle.popleft()
        else:
            connection = Connection(url)
            opened += 1
        try:
            if operation == "openVisits":
                _, data = await connection.call(OPEN, {"first": 20}, tokens[volunteer_id])
                shown[volunteer_id] = [e["node"]["id"] for e in data["openVisits"]["edges"]]
            elif operation == "myVisits":
                await connection.call(MY_VISITS, {}, tokens[volunteer_id])
            elif operation == "me":
                await connection.call(ME, {}, tokens[volunteer_id])
            else:
                if shown[volunteer_id]:
                    visit_id = rng.choice(shown[volunteer_id])
                    shown[volunteer_id].remove(visit_id)
                else:
                    visit_id = rng.choice(first_shown[volunteer_id])
                _, data = await connection.call(CLAIM, {"id": visit_id}, tokens[volunteer_id])
                kind = data["claimVisit"]["__typename"]
                claims[kind] = claims.get(kind, 0) + 1
        except Exception as error:  # counted and reported, the connection dropped
            errors[operation] += 1
            if len(examples) < 5:
                examples.append(f"{operation}: {type(error).__name__}: {error}"[:200])
            await connection.close()
            return
        latencies[operation].append(time.perf_counter() - (start + at))
        idle.append(connection)

    tasks = []
    start = time.perf_counter() + 0.1
    for at, operation, volunteer_id in plan:
        delay = start + at - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        late.append(max(0.0, -delay))
        tasks.append(asyncio.create_task(send(start, at, operation, volunteer_id)))
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - start
    for connection in idle:
        await connection.close()
    return {
        "per_operation": {name: _percentiles(latencies[name]) for name in operations},
        "errors": errors,
        "error_examples": examples,
        "claims": claims,
        "sent": len(plan),
        "elapsed": elapsed,
        "connections": opened,
        "late_p99_ms": _percentiles(late)["p99"],
        "volunteers": len(volunteers),
    }


def main() -> None:  # noqa: C901 - a script, read top to bottom
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="borough")
    parser.add_argument("--requests", type=int, default=200, help="per measurement")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/API.md"))
    parser.add_argument("--workers", type=int, default=2, help="server processes")
    parser.add_argument(
        "--snapshot-age",
        type=float,
        default=None,
        help="the server's CARECIRCLES_OPEN_VISITS_MAX_AGE_S (default: the server's default; "
        "0: no open-visits snapshot)",
    )
    parser.add_argument("--mode", choices=("both", "open", "closed"), default="both")
    parser.add_argument("--rate", type=float, default=200.0, help="open loop: requests/s")
    parser.add_argument("--duration", type=float, default=60.0, help="open loop: seconds")
    parser.add_argument(
        "--volunteers",
        type=int,
        default=1000,
        help="open loop: how many volunteers who have open visits send the requests",
    )
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="carecircles-bench-api-"))
    settings = Settings(data_dir=data_dir, graph_name="bench", secret_key=uuid.uuid4().hex)
    store = open_store(settings)
    # Next week's visits: all of them open and ahead of us, whatever day the benchmark runs
    # (this week's would leave only today's on a Sunday).
    monday = monday_of(today()) + dt.timedelta(days=7)
    started = time.perf_counter()
    borough = generate_borough(args.size, 0, week_start=monday)
    load_borough(store=store, borough=borough)
    seed_seconds = time.perf_counter() - started
    print(
        f"seeded {args.size}: {len(borough.people)} people, {len(borough.visits)} visits, "
        f"{len(borough.volunteers)} volunteers in {seed_seconds:.1f} s",
        file=sys.stderr,
    )

    password_hash = hash_password("benchmark password")
    key = settings.secret_key.encode()
    tokens_key.append(key)
    tokens: dict[str, str] = {}
    for row in store.run(VOLUNTEER_IDS, {}, write=False):
        user = users_repo.create_user(
            store=store,
            user=User(
                id=f"u-{row['id']}",
                email=f"{row['id']}@bench.example",
                role="volunteer",
                password_hash=password_hash,
                volunteer_id=row["id"],
            ),
        )
        tokens[row["id"]] = token_for(key=key, user_id=user.id)

    # The clients' latencies must not include this process's own garbage collections: the
    # borough it generated (tens of thousands of objects) made each full one 90-300 ms, and
    # one during a measurement added that to every request then in flight. Freeze what exists.
    gc.collect()
    gc.freeze()

    port = _free_port()
    shown = with_open_visits(store, tokens, args.volunteers, random.Random(1))
    env = dict(
        os.environ,
        CARECIRCLES_DATA_DIR=str(data_dir),
        CARECIRCLES_GRAPH_NAME="bench",
        CARECIRCLES_SECRET_KEY=settings.secret_key,
    )
    if args.snapshot_age is not None:
        env["CARECIRCLES_OPEN_VISITS_MAX_AGE_S"] = str(args.snapshot_age)
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "service.cli",
            "serve",
            "--port",
            str(port),
            "--workers",
            str(args.workers),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(url, server, timeout=60, poll=0.1)
        load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
        pace_before = machine_pace()
        graph_pid = json.loads((data_dir / "falkordb.json").read_text()).get("pid")
        cpu = CpuMeter(server.pid, graph_pid)
        results: dict[str, Any] = {"mode": args.mode}
        volunteers = sorted(tokens)
        # Warm up every worker (each loads its own open-visits snapshot at start-up), then wait
        # until the server is idle, so start-up work is not measured as the first requests'.
        _concurrently(32, lambda index: _warm(url, tokens[volunteers[index]]))
        results["settled_s"] = cpu.wait_until_idle()
        if args.mode in ("both", "open"):
            before = cpu.now()
            results["open_loop"] = asyncio.run(
                open_loop(
                    url,
                    tokens,
                    shown,
                    rate=args.rate,
                    duration=args.duration,
                    rng=random.Random(2),
                )
            )
            answered = sum(m["n"] for m in results["open_loop"]["per_operation"].values())
            results["open_loop"]["cpu"] = cpu.per_request(before, max(1, answered))
            results["open_loop"]["rate"] = args.rate
            results["open_loop"]["duration"] = args.duration
            results["open_loop_double_booked"] = store.run(DOUBLE_BOOKED, {}, write=False)[0]["n"]
            results["open_loop_overlaps"] = store.run(OVERLAPS, {}, write=False)[0]["n"]
            cpu.wait_until_idle()
        if args.mode in ("both", "closed"):
            results.update(_measure(url, store, tokens, args.requests, cpu))
    finally:
        server.terminate()
        server.wait(timeout=30)
        store.close()
    results["load_before"] = load_before
    results["load_after"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    results["pace"] = (pace_before, machine_pace())
    results["seed_seconds"] = seed_seconds
    results["workers"] = args.workers
    results["snapshot_age"] = args.snapshot_age
    results["size"] = args.size
    results["counts"] = (len(borough.people), len(borough.volunteers), len(borough.visits))
    args.out.write_text(_report(results))
    print(args.out.read_text())


def _measure(
    url: str, store: GraphStore, tokens: dict[str, str], requests: int, cpu: CpuMeter
) -> dict[str, Any]:
    rng = random.Random(0)
    volunteers = sorted(tokens)
    results: dict[str, Any] = {}

    async def one_client() -> tuple[list[float], list[int]]:
        connection = Connection(url)
        samples, sizes = [], []
        for _ in range(requests):
            elapsed, data = await connection.call(
                OPEN, {"first": 20}, tokens[rng.choice(volunteers)]
            )
            samples.append(elapsed)
            sizes.append(len(data["openVisits"]["edges"]))
        await connection.close()
        return samples, sizes

    # openVisits, 1 client then 32.
    before = cpu.now()
    samples, sizes = asyncio.run(one_client())
    results["open_1_cpu"] = cpu.per_request(before, len(samples))
    results["open_1"] = _percentiles(samples)
    results["open_page_mean"] = statistics.mean(sizes)

    async def open_worker(index: int) -> list[float]:
        local = random.Random(index)
        connection = Connection(url)
        out = []
        for _ in range(max(1, requests // 32 * 2)):
            vid = local.choice(volunteers)
            out.append((await connection.call(OPEN, {"first": 20}, tokens[vid]))[0])
        await connection.close()
        return out

    before = cpu.now()
    results["open_32"] = _percentiles(_concurrently(32, open_worker))
    results["open_32_cpu"] = cpu.per_request(before, int(results["open_32"]["n"]))

    # The bare Cypher for openVisits: the candidates near the volunteer and what they hold.
    week = (monday_of(today()) + dt.timedelta(days=7)).isoformat()  # the seeded week
    sample_ids = [rng.choice(volunteers) for _ in range(requests)]
    found = {
        vid: volunteers_repo.get_volunteer(store=store, volunteer_id=vid) for vid in set(sample_ids)
    }
    cycle = iter(sample_ids * 2)

    def bare_open() -> None:
        vol = found[next(cycle)]
        assert vol is not None
        volunteer_visits.open_visits_near(
            store=store,
            volunteer_id=vol.id,
            week_start=week,
            first_day=0,
            days=sorted({w.day for w in vol.availability}),
            box=box_around(vol.lat, vol.lon, vol.max_km),
            after=None,
            limit=20 + 1 + OPEN_VISITS_SLACK,
        )
        volunteer_visits.held_visits(store=store, volunteer_id=vol.id, week_start=week)

    results["open_bare"] = _bare(store, requests, bare_open)

    # claimVisit at 1 client: each claim a visit the caller was just shown as open.
    outcomes: dict[str, int] = {}

    async def claims_one_client() -> list[float]:
        connection = Connection(url)
        samples = []
        for vid in rng.sample(volunteers, min(len(volunteers), requests)):
            _, data = await connection.call(OPEN, {"first": 1}, tokens[vid])
            edges = data["openVisits"]["edges"]
            if not edges:
                continue
            elapsed, data = await connection.call(
                CLAIM, {"id": edges[0]["node"]["id"]}, tokens[vid]
            )
            samples.append(elapsed)
            kind = data["claimVisit"]["__typename"]
            outcomes[kind] = outcomes.get(kind, 0) + 1
        await connection.close()
        return samples

    samples = asyncio.run(claims_one_client())
    results["claim_1"] = _percentiles(samples)
    results["claim_1_outcomes"] = outcomes

    # claimVisit at 32 clients: each round, 32 volunteers who may all claim it race for the
    # same open visit (racers volunteer with every organisation, live in the middle of the
    # borough, speak every language, are free all week and have no weekly limit to speak of).
    racers = _racers(store, tokens)
    params = {"first_day": 0, "week_start": week}
    now = dt.datetime.now(dt.UTC)
    soon = now.hour * 60 + now.minute + RACE_MARGIN_MINUTES
    open_ids = [  # visits someone can still take: not those whose time today is over
        r["id"]
        for r in store.run(RACE_TARGETS, params, write=False)
        if week > monday_of(today()).isoformat()
        or r["day"] > params["first_day"]
        or minutes_of(r["latest"]) - r["duration"] >= soon
    ]
    rounds = max(1, requests // 32 * 2)
    targets = rng.sample(open_ids, min(rounds, len(open_ids)))
    race_outcomes: list[tuple[str, str]] = []

    async def claim_round(clients: list[Connection], visit_id: str) -> list[float]:
        answers = await asyncio.gather(
            *(
                client.call(CLAIM, {"id": visit_id}, tokens[racers[index]])
                for index, client in enumerate(clients)
            )
        )
        for _, data in answers:
            result = data["claimVisit"]
            detail = result.get("message") or "; ".join(result.get("reasons") or [])
            race_outcomes.append((visit_id, f"{result['__typename']}: {detail}"[:90]))
        return [elapsed for elapsed, _ in answers]

    measured_from: list[Any] = []  # CPU counters once the racers are signed in

    async def race() -> list[float]:
        clients = [Connection(url) for _ in range(32)]
        # Each racer has the app open first: a volunteer sees a visit in their list of open
        # visits, then claims it (so, as in use, the server knows who they are already).
        await asyncio.gather(
            *(
                client.call(OPEN, {"first": 20}, tokens[racers[index]])
                for index, client in enumerate(clients)
            )
        )
        measured_from.append(cpu.now())
        out: list[float] = []
        for visit_id in targets:  # every round: all 32 at once, the next round when all answered
            out += await claim_round(clients, visit_id)
        for client in clients:
            await client.close()
        return out

    results["claim_32"] = _percentiles(asyncio.run(race()))
    results["claim_32_cpu"] = cpu.per_request(measured_from[0], int(results["claim_32"]["n"]))
    winners: dict[str, int] = {}
    for visit_id, kind in race_outcomes:
        if kind.startswith("VisitClaimed"):
            winners[visit_id] = winners.get(visit_id, 0) + 1
    results["race_rounds"] = len(targets)
    tally: dict[str, int] = {}
    for _, kind in race_outcomes:
        tally[kind] = tally.get(kind, 0) + 1
    results["race_outcomes"] = tally
    results["race_max_winners"] = max(winners.values(), default=0)
    results["race_claimed"] = sum(winners.values())

    # The bare claim statement (on visits nobody can win any more: same work, same guard).
    cycle_claims = iter(targets * (requests // max(1, len(targets)) + 1))
    results["claim_bare"] = _bare(
        store,
        requests,
        lambda: volunteer_visits.claim_visit(
            store=store,
            visit_id=next(cycle_claims),
            volunteer_id=racers[0],
            start="10:00",
            now=iso_utc(utc_now()),
            holding=None,
        ),
    )
    results["double_booked"] = store.run(DOUBLE_BOOKED, {}, write=False)[0]["n"]
    results["overlaps"] = store.run(OVERLAPS, {}, write=False)[0]["n"]
    return results


def _racers(store: GraphStore, tokens: dict[str, str]) -> list[str]:
    centre = store.run(CENTRE, {}, write=False)[0]
    organization_ids = store.run(ORGANIZATION_IDS, {}, write=False)[0]["ids"]
    password_hash = hash_password("benchmark password")
    key = tokens_key[0]
    racers = []
    for index in range(32):
        volunteer = volunteers_repo.create_volunteer(
            store=store,
            volunteer=Volunteer(
                id=f"v-racer-{index}",
                first_name="Racer",
                last_name=str(index),
                email=f"racer{index}@bench.example",
                lat=centre["lat"],
                lon=centre["lon"],
                max_km=100,
                max_minutes=10080,
                checked=True,
                gender="female",
                languages=centre["languages"],
                availability=[Window(day=d, start="00:00", end="23:59") for d in range(7)],
            ),
        )
        for organization_id in organization_ids:  # any open visit is theirs to claim
            organisations.volunteer_with(
                store=store,
                volunteer_id=volunteer.id,
                organization_id=organization_id,
                since=utc_now(),
            )
        user = users_repo.create_user(
            store=store,
            user=User(
                id=f"u-racer-{index}",
                email=f"racer{index}@bench.example",
                role="volunteer",
                password_hash=password_hash,
                volunteer_id=volunteer.id,
            ),
        )
        tokens[volunteer.id] = token_for(key=key, user_id=user.id)
        racers.append(volunteer.id)
    return racers


def _report(r: dict[str, Any]) -> str:
    people, volunteers, visits = r["counts"]
    age = "the default" if r["snapshot_age"] is None else f"{r['snapshot_age']:g}"
    command = f"python -m benchmarks.bench_api --size {r['size']} --workers {r['workers']}"
    if r["snapshot_age"] is not None:
        command += f" --snapshot-age {r['snapshot_age']:g}"
    command += f" --mode {r['mode']}"
    if "open_loop" in r:
        loop = r["open_loop"]
        command += (
            f" --rate {loop['rate']:g} --duration {loop['duration']:g}"
            f" --volunteers {loop['volunteers']}"
        )
    lines = [
        "# API benchmark (benchmarks/bench_api.py)",
        "",
        f"Date: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC. Machine: {platform.platform()}, "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}.",
        f"Data: `{r['size']}` borough, {people} people, {volunteers} volunteers, "
        f"{visits} visits next week, all open (seeded in {r['seed_seconds']:.1f} s). "
        f"Server: `carecircles serve --workers {r['workers']}` on the embedded FalkorDB, "
        f"CARECIRCLES_OPEN_VISITS_MAX_AGE_S: {age}; clients: keep-alive HTTP/1.1 connections "
        "on one asyncio loop, in another process on the same machine (``Connection``: ~0.15 ms "
        "of CPU per request).",
        "",
        f"Command: `{command}`",
        "",
        f"Load average (1, 5, 15 min) before: {r['load_before']}; after: {r['load_after']}. "
        f"Machine pace (`machine_pace`: CPU ms for a fixed pure-Python loop, best of 5; lower "
        f"is faster): {r['pace'][0]:.1f} before, {r['pace'][1]:.1f} after. Before measuring, "
        f"32 clients warmed every worker up and the server settled (idle after "
        f"{r['settled_s']:.1f} s).",
        "",
    ]
    if "open_loop" in r:
        lines += _open_loop_report(r)
    if "open_1" in r:
        lines += _closed_loop_report(r)
    return "\n".join(lines)


def _open_loop_report(r: dict[str, Any]) -> list[str]:
    loop = r["open_loop"]
    lines = [
        f"## Open loop: {loop['rate']:g} requests/s for {loop['duration']:g} s",
        "",
        f"{loop['volunteers']} volunteers who have open visits; mix "
        + ", ".join(f"{name} {weight:.0%}" for name, weight in MIX)
        + ". Latency from each request's scheduled send time (queueing counts).",
        "",
        "| operation | answered | errors | p50 ms | p95 ms | p99 ms | max ms | target |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for name, _ in MIX:
        m = loop["per_operation"][name]
        lines.append(
            f"| {name} | {m['n']} | {loop['errors'][name]} | {m['p50']:.1f} | {m['p95']:.1f} "
            f"| {m['p99']:.1f} | {m['max']:.1f} | p95 < 100 ms, no errors |"
        )
    cpu = loop["cpu"]
    lines += [
        "",
        f"Sent {loop['sent']} requests in {loop['elapsed']:.1f} s over {loop['connections']} "
        f"connections; this process sent them at most {loop['late_p99_ms']:.1f} ms late (p99).",
        f"CPU per request (all operations): API (the `serve` process tree) {cpu['api']:.2f} ms, "
        f"graph server {cpu.get('graph', 0):.2f} ms.",
        f"claimVisit answers: {loop['claims']}.",
        f"Double bookings after the open loop: {r['open_loop_double_booked']} visits over-held, "
        f"{r['open_loop_overlaps']} overlapping pairs held by one volunteer.",
    ]
    if loop["error_examples"]:
        lines.append(f"Errors, first ones: {loop['error_examples']}.")
    return [*lines, ""]


def _closed_loop_report(r: dict[str, Any]) -> list[str]:
    def row(name: str, key: str, target: str = "") -> str:
        m = r[key]
        used = r.get(f"{key}_cpu")
        cpu = f"{used['api']:.2f} | {used.get('graph', 0):.2f}" if used else "- | -"
        return (
            f"| {name} | {m['n']} | {m['p50']:.1f} | {m['p95']:.1f} | {m['max']:.1f} | {cpu} "
            f"| {target} |"
        )

    ratio_open = r["open_1"]["p50"] / r["open_bare"]["p50"]
    ratio_claim = r["claim_1"]["p50"] / r["claim_bare"]["p50"]
    return [
        "## Closed loop: 1 and 32 clients",
        "",
        "| measurement | requests | p50 ms | p95 ms | max ms | API CPU ms/request "
        "| graph server CPU ms/request | target |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
        row("openVisits(first: 20), 1 client", "open_1"),
        row("openVisits(first: 20), 32 clients", "open_32"),
        row("bare Cypher for openVisits (2 statements)", "open_bare"),
        row("claimVisit, 1 client", "claim_1"),
        row("claimVisit, 32 clients racing per visit", "claim_32"),
        row("bare claim statement", "claim_bare"),
        "",
        "CPU per request: what the `carecircles serve` process tree and the FalkorDB server "
        "used during that measurement, divided by its requests.",
        "",
        f"Mean page size of openVisits: {r['open_page_mean']:.1f} visits.",
        f"GraphQL / bare Cypher at p50, 1 client: openVisits {ratio_open:.1f}x, "
        f"claimVisit {ratio_claim:.1f}x.",
        f"Claims at 1 client: {r['claim_1_outcomes']}.",
        f"Race: {r['race_rounds']} visits each claimed by 32 clients at once: "
        f"{r['race_claimed']} claims won, at most {r['race_max_winners']} per visit (a visit "
        "may need more than one volunteer; the next line checks none is held by more); "
        f"answers: {r['race_outcomes']}.",
        f"Double bookings after the run: {r['double_booked']} visits over-held, "
        f"{r['overlaps']} overlapping pairs held by one volunteer.",
        "",
    ]


if __name__ == "__main__":
    main()
