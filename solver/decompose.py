"""Improve a rota within a time budget: one exact model for a small week, else neighbourhoods.

**Small weeks** (at most ``WHOLE_MODEL_PAIRS`` candidate pairs) are one CP-SAT model, solved in
two phases (see solver/cpsat.py):

1. maximise the assignment part (coverage + continuity - new members), which CP-SAT proves
   quickly;
2. maximise the contract's objective with ``assignment part >= incumbent's objective``: travel
   and fairness only subtract, so no rota better than the incumbent is cut off, and an OPTIMAL
   phase 2 proves the contract's objective optimal.

**Big weeks** are improved by large-neighbourhood search from the incumbent (the best of greedy
and the rotas guided by the relaxations, solver/guided.py and solver/solve.py): free the visits
of the people nearest a seed person (an open visit's person more often than not), every day or
only the seed's day, up to ``NEIGHBOURHOOD_PAIRS`` pairs, keep every other assignment fixed,
re-optimise there with CP-SAT hinted with the incumbent, and keep the result only if the exact
objective does not drop. The search optimises everything but travel (goal ``search``: travel
arcs make a neighbourhood several times slower, and coverage is what a big week is short of);
its last ``POLISH_SHARE`` of time re-optimises one day around a covered visit with the
contract's objective, travel included. On a big week each visit keeps its first
``MODEL_CANDIDATES_PER_VISIT`` candidates (circle members, then nearest) in the search; the
bound still uses every eligible pair. Independent parts
(connected components of the volunteer-person eligibility graph, networkx) that are small enough
are each one neighbourhood, solved first. With ``workers > 1`` several neighbourhoods that share
no volunteer and no person are solved at once in worker processes (from a forkserver, never
forked from the caller; each worker receives the compiled week once; ``search_pool`` starts them
while the caller is still bounding). Every incumbent is a valid rota, so stopping at the deadline
always leaves a valid rota (status FEASIBLE), never a silent timeout.

What a neighbourhood costs besides CP-SAT (issue 16's profile of the L week: building the model,
its hints and re-reading the whole rota's objective took about two thirds of each one): a
``Tally`` keeps the rota's objective and re-reads only the people, volunteers and days a
neighbourhood touches; each neighbourhood is sent only that part of the rota (``Tally.around``:
its people's visits, its candidates' and their servers' whole weeks, and the other volunteers'
least and most minutes for fairness), and its hints come from that part.

Last week's rota (``keep``, solver/solve.py's ``previous``): every model adds a reward of one
unit per kept (visit, volunteer) below the objective's smallest step (the objective is scaled
by ``SCALE`` first), so it only breaks ties: a volunteer keeps last week's visit unless another
rota is strictly better.

Budgets: every CP-SAT call gets only the wall time left before the deadline, counted from before
its model is built. With one worker a deterministic budget (``DETERMINISTIC_PER_SECOND`` units of
CP-SAT deterministic time per second of the limit) also caps each call and the search as a
whole, so a fixed seed repeats its result as long as the machine is not so slow that the wall
deadline comes first; with more workers CP-SAT's own parallel search is not repeatable anyway.
"""

from __future__ import annotations

import math
import multiprocessing
import pickle
import random
import time
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from multiprocessing.context import BaseContext
from typing import Any

import networkx as nx
import numpy as np

from solver.compiled import Candidate, CompiledWeek
from solver.cpsat import SCALE, Goal, NeighbourhoodResult, model_objective, solve_neighbourhood
from solver.geography import KM_PER_DEGREE
from solver.greedy import Rota

WHOLE_MODEL_PAIRS = 4_000
# A neighbourhood's size in candidate pairs: larger ones stop being solved to optimality within
# seconds, smaller ones free too little to move (benchmarks/SOLVER.md, "Search constants").
NEIGHBOURHOOD_PAIRS = 1_200
NEIGHBOURHOOD_SECONDS = 4.0
# Big weeks: each visit's circle members and nearest volunteers, this many, in the search. A
# visit whose nearest volunteers are taken needs the next ones in reach, but every extra
# candidate makes a neighbourhood of the same pairs hold fewer visits (benchmarks/SOLVER.md).
MODEL_CANDIDATES_PER_VISIT = 25
PHASE_ONE_SHARE = 0.5
ONE_DAY_SHARE = 0.4  # neighbourhoods of the seed's day only (else every day of nearby people)
OPEN_SEED_SHARE = 0.7  # neighbourhoods around an open visit (else around any visit)
POLISH_SHARE = 0.15  # the search's last share of time: one day at a time, with travel km
# CP-SAT deterministic time allowed per second of wall time when one worker must be repeatable
DETERMINISTIC_PER_SECOND = 0.5

Progress = Callable[[str], None]


@dataclass
class Clock:
    """The wall deadline and, for repeatable runs, a deterministic-time budget."""

    deadline: float
    deterministic: float | None = None

    def left(self) -> float:
        return self.deadline - time.monotonic()

    def spend(self, result: NeighbourhoodResult) -> None:
        if self.deterministic is not None:
            self.deterministic -= result.deterministic_time

    def deterministic_left(self, share: float = 1.0) -> float | None:
        if self.deterministic is None:
            return None
        return max(0.0, self.deterministic * share)

    def exhausted(self, margin: float = 0.0) -> bool:
        if self.left() <= margin:
            return True
        return self.deterministic is not None and self.deterministic <= 0.01


@dataclass
class Outcome:
    rota: Rota
    proven: bool


class PinsInfeasible(Exception):
    """The pinned assignments cannot all hold together."""


def independent_parts(compiled: CompiledWeek) -> list[list[int]]:
    """Visit indices grouped by connected component of the eligibility graph, largest first."""
    graph = nx.Graph()
    c = compiled
    for v in c.visits:
        graph.add_node(("visit", v.index))
        graph.add_edge(("visit", v.index), ("person", v.person))
        for cand in c.candidates[v.index]:
            graph.add_edge(("person", v.person), ("volunteer", cand.volunteer))
    groups = []
    for component in nx.connected_components(graph):
        visits = sorted(i for kind, i in component if kind == "visit")
        if visits:
            groups.append(visits)
    groups.sort(key=lambda g: (-pair_count(c, g), g[0]))
    return groups


def pair_count(compiled: CompiledWeek, visits: list[int]) -> int:
    return sum(len(compiled.candidates[v]) for v in visits)


def rota_objective(compiled: CompiledWeek, rota: Rota) -> float:
    """The contract's objective of a rota, exactly (same definition as solver/check.py)."""
    c = compiled
    need = continuity = travel = 0.0
    newcomers: set[tuple[int, int]] = set()
    load: dict[int, int] = defaultdict(int)
    days: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
    for v, (start, vols) in rota.items():
        visit = c.visits[v]
        person = c.people[visit.person]
        need += person.need
        for w in vols:
            if c.volunteers[w].id in person.circle:
                continuity += 1
            else:
                newcomers.add((visit.person, w))
            load[w] += visit.duration
            days[(w, visit.day)].append((start, v))
    for items in days.values():
        items.sort()
        travel += sum(c.visit_km(a, b) for (_, a), (_, b) in zip(items, items[1:], strict=False))
    spread = max(load.values()) - min(load.values()) if load else 0
    return (
        c.coverage * need
        + c.continuity * continuity
        - c.new_member * len(newcomers)
        - c.travel_km * travel
        - c.fairness * spread
    )


class Tally:
    """A rota's objective kept up to date as neighbourhoods replace parts of it.

    ``rota_objective`` reads the whole rota (tens of milliseconds on the L week, once per
    neighbourhood, in the process that also feeds the workers); a tally re-reads only what a
    replacement touches: its people's newcomers, its volunteers' loads and their days' travel.
    The value is recomputed exactly from those parts, so it equals ``rota_objective`` up to the
    order floating-point sums are taken in (tests/solver/test_tally.py).
    """

    def __init__(self, compiled: CompiledWeek, rota: Rota) -> None:
        self.c = compiled
        self.rota: Rota = dict(rota)
        self.need = self.continuity = 0.0
        self.pairs: dict[tuple[int, int], int] = defaultdict(int)  # (person, newcomer) -> visits
        self.load: dict[int, int] = defaultdict(int)
        self.load_values: dict[int, int] = defaultdict(int)  # minutes -> volunteers with them
        self.days: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
        self.day_km: dict[tuple[int, int], float] = {}
        for v, (start, vols) in self.rota.items():
            self._add_visit(v, start, vols)
        for key, items in self.days.items():
            items.sort()
            self.day_km[key] = self._km(items)
        for minutes in self.load.values():
            self.load_values[minutes] += 1
        self.newcomers = sum(1 for n in self.pairs.values() if n > 0)
        self.travel = sum(self.day_km.values())

    def _add_visit(self, v: int, start: int, vols: tuple[int, ...]) -> None:
        c = self.c
        visit = c.visits[v]
        person = c.people[visit.person]
        self.need += person.need
        for w in vols:
            if c.volunteers[w].id in person.circle:
                self.continuity += 1
            else:
                self.pairs[(visit.person, w)] += 1
            self.load[w] += visit.duration
            self.days[(w, visit.day)].append((start, v))

    def _km(self, items: list[tuple[int, int]]) -> float:
        c = self.c
        return sum(c.visit_km(a, b) for (_, a), (_, b) in zip(items, items[1:], strict=False))

    def around(self, free: list[int]) -> tuple[Rota, tuple[int, int] | None]:
        """The part of the rota a neighbourhood of ``free`` visits touches, for
        ``solve_neighbourhood``'s ``fixed``: every assignment of the free visits' people, of
        their candidates and of whoever serves those people; and the least and most minutes of
        the other volunteers with any visit (``others``, for fairness).
        """
        c = self.c
        people = {c.visits[v].person for v in free}
        volunteers = {cand.volunteer for v in free for cand in c.candidates[v]}
        part: Rota = {}
        serving: set[int] = set()
        for p in people:
            for v in c.people[p].visits:
                if v in self.rota:
                    part[v] = self.rota[v]
                    serving.update(self.rota[v][1])
        # every visit of each volunteer in the part, so that the part has their whole load
        for w in volunteers | serving:
            for day in range(7):
                for _, v in self.days.get((w, day), ()):
                    part[v] = self.rota[v]
        values = dict(self.load_values)
        for w in volunteers:
            minutes = self.load.get(w, 0)
            if minutes:
                values[minutes] -= 1
        present = [m for m, n in values.items() if n > 0]
        return part, (min(present), max(present)) if present else None

    def value(self) -> float:
        c = self.c
        spread = 0
        if self.load_values:
            spread = max(self.load_values) - min(self.load_values)
        return (
            c.coverage * self.need
            + c.continuity * self.continuity
            - c.new_member * self.newcomers
            - c.travel_km * self.travel
            - c.fairness * spread
        )

    def _changes(self, free: list[int], part: Rota) -> _Change:
        """What replacing the ``free`` visits' assignments by ``part`` would change."""
        c = self.c
        change = _Change()
        for sign, items in (
            (-1, [(v, self.rota[v]) for v in free if v in self.rota]),
            (1, list(part.items())),
        ):
            for v, (start, vols) in items:
                visit = c.visits[v]
                person = c.people[visit.person]
                change.need += sign * person.need
                for w in vols:
                    if c.volunteers[w].id in person.circle:
                        change.continuity += sign
                    else:
                        change.pairs[(visit.person, w)] += sign
                    change.load[w] += sign * visit.duration
                    key = (w, visit.day)
                    if sign < 0:
                        change.removed[key].add(v)
                    else:
                        change.added[key].append((start, v))
        return change

    def trial(self, free: list[int], part: Rota) -> float:
        """The objective if the ``free`` visits' assignments were replaced by ``part``."""
        change = self._changes(free, part)
        return self._value_after(change)[0]

    def _value_after(self, change: _Change) -> tuple[float, dict[tuple[int, int], Any]]:
        c = self.c
        newcomers = self.newcomers
        for key, delta in change.pairs.items():
            before = self.pairs.get(key, 0)
            newcomers += (before + delta > 0) - (before > 0)
        travel = self.travel
        new_days: dict[tuple[int, int], Any] = {}
        for key in set(change.removed) | set(change.added):
            gone = change.removed.get(key, set())
            items = [item for item in self.days.get(key, ()) if item[1] not in gone]
            items += change.added.get(key, [])
            items.sort()
            km = self._km(items)
            travel += km - self.day_km.get(key, 0.0)
            new_days[key] = (items, km)
        values = dict(self.load_values)
        for w, delta in change.load.items():
            if not delta:
                continue
            before = self.load.get(w, 0)
            if before:
                values[before] -= 1
            if before + delta:
                values[before + delta] = values.get(before + delta, 0) + 1
        present = [m for m, n in values.items() if n > 0]
        spread = max(present) - min(present) if present else 0
        value = (
            c.coverage * (self.need + change.need)
            + c.continuity * (self.continuity + change.continuity)
            - c.new_member * newcomers
            - c.travel_km * travel
            - c.fairness * spread
        )
        return value, new_days

    def apply(self, free: list[int], part: Rota) -> None:
        """Replace the ``free`` visits' assignments by ``part``."""
        change = self._changes(free, part)
        _, new_days = self._value_after(change)
        self.need += change.need
        self.continuity += change.continuity
        for key, delta in change.pairs.items():
            before = self.pairs.get(key, 0)
            self.newcomers += (before + delta > 0) - (before > 0)
            if before + delta:
                self.pairs[key] = before + delta
            else:
                self.pairs.pop(key, None)
        for key, (items, km) in new_days.items():
            self.travel += km - self.day_km.get(key, 0.0)
            if items:
                self.days[key], self.day_km[key] = items, km
            else:
                self.days.pop(key, None)
                self.day_km.pop(key, None)
        for w, delta in change.load.items():
            if not delta:
                continue
            before = self.load.get(w, 0)
            if before:
                self.load_values[before] -= 1
                if not self.load_values[before]:
                    del self.load_values[before]
            if before + delta:
                self.load[w] = before + delta
                self.load_values[before + delta] += 1
            else:
                self.load.pop(w, None)
        for v in free:
            self.rota.pop(v, None)
        self.rota.update(part)


@dataclass
class _Change:
    need: float = 0.0
    continuity: int = 0
    pairs: dict[tuple[int, int], int] = field(default_factory=lambda: defaultdict(int))
    load: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    removed: dict[tuple[int, int], set[int]] = field(default_factory=lambda: defaultdict(set))
    added: dict[tuple[int, int], list[tuple[int, int]]] = field(
        default_factory=lambda: defaultdict(list)
    )


def improve(
    compiled: CompiledWeek,
    incumbent: Rota,
    *,
    clock: Clock,
    workers: int,
    seed: int,
    progress: Progress | None = None,
    keep: Rota | None = None,
    pool: ProcessPoolExecutor | None = None,
) -> Outcome:
    """A rota at least as good as ``incumbent``, and whether it is proven optimal.

    ``keep`` (last week's rota, say): its assignments are kept wherever that costs nothing.
    ``pool``: the search's workers from ``search_pool``, started early by the caller (who
    shuts them down); without it the search starts its own.
    """
    c = compiled
    say = progress or (lambda _message: None)
    pairs = frozenset((v, w) for v, (_, vols) in (keep or {}).items() for w in vols)
    if not is_big(c):
        # the tie-break must stay below one unit of the scaled objective to keep the proof
        whole_keep = pairs if len(pairs) < SCALE else frozenset()
        return _whole(c, incumbent, clock, workers, seed, say, whole_keep)
    rota = _search(search_week(c, keep), incumbent, clock, workers, seed, say, pairs, pool)
    return Outcome(rota, False)


def is_big(compiled: CompiledWeek) -> bool:
    """Whether ``improve`` searches neighbourhoods (else it solves one whole model)."""
    return sum(len(cands) for cands in compiled.candidates) > WHOLE_MODEL_PAIRS


def search_week(compiled: CompiledWeek, keep: Rota | None = None) -> CompiledWeek:
    """The week the search's models are built from: each visit's first
    ``MODEL_CANDIDATES_PER_VISIT`` candidates, and its pinned and ``keep`` volunteers."""
    kept = {v: vols for v, (_, vols) in (keep or {}).items()}
    return replace(
        compiled, candidates=model_candidates(compiled, MODEL_CANDIDATES_PER_VISIT, kept)
    )


def search_pool(
    compiled: CompiledWeek, workers: int, keep: Rota | None = None
) -> ProcessPoolExecutor | None:
    """The search's worker processes for a big week, started now: they import OR-Tools and
    receive the week (``search_week``, with the same ``keep`` as ``improve`` is given) while
    the caller computes the bound and greedy on its own core."""
    if workers <= 1 or not is_big(compiled):
        return None
    pool = _pool(search_week(compiled, keep), workers)
    if pool is not None:
        for _ in range(workers):
            pool.submit(_ready)
    return pool


def _ready() -> None:
    """Nothing: submitted once per worker so that each starts at once."""


def model_candidates(
    c: CompiledWeek, limit: int, also: dict[int, tuple[int, ...]] | None = None
) -> list[list[Candidate]]:
    """Each visit's first ``limit`` candidates (circle members, then nearest), pins always, and
    the volunteers ``also`` names for it (last week's)."""
    out = []
    for visit, cands in zip(c.visits, c.candidates, strict=True):
        if len(cands) <= limit:
            out.append(cands)
            continue
        wanted = set(visit.pinned) | set((also or {}).get(visit.index, ()))
        kept = cands[:limit]
        kept += [cand for cand in cands[limit:] if cand.volunteer in wanted]
        out.append(kept)
    return out


def _better(c: CompiledWeek, a: Rota, b: Rota) -> Rota:
    return a if rota_objective(c, a) >= rota_objective(c, b) else b


def _whole(
    c: CompiledWeek,
    incumbent: Rota,
    clock: Clock,
    workers: int,
    seed: int,
    say: Progress,
    keep: frozenset[tuple[int, int]] = frozenset(),
) -> Outcome:
    free = list(range(len(c.visits)))
    say("optimising the whole week: coverage and circles")
    first = solve_neighbourhood(
        c,
        free=free,
        fixed={},
        hint=incumbent,
        time_limit=clock.left() * PHASE_ONE_SHARE,
        workers=workers,
        seed=seed,
        goal="assignment",
        deterministic_limit=clock.deterministic_left(PHASE_ONE_SHARE),
        keep=keep,
    )
    clock.spend(first)
    if first.status == "INFEASIBLE":
        raise PinsInfeasible
    best = incumbent
    if first.status in ("OPTIMAL", "FEASIBLE"):
        best = _better(c, first.rota, incumbent)
    if clock.exhausted(0.2):
        return Outcome(best, False)
    say("optimising the whole week: travel and fairness")
    # any rota better than ``best`` has an assignment part at least best's model objective; the
    # slack absorbs a last-digit difference in rounding km between here and the model
    floor = model_objective(c, best) - c.travel_km * len(best) - 1
    second = solve_neighbourhood(
        c,
        free=free,
        fixed={},
        hint=best,
        time_limit=clock.left(),
        workers=workers,
        seed=seed,
        goal="contract",
        floor=floor / SCALE,
        deterministic_limit=clock.deterministic_left(),
        keep=keep,
    )
    clock.spend(second)
    if second.status in ("OPTIMAL", "FEASIBLE"):
        better = _better(c, second.rota, best)
        return Outcome(better, second.status == "OPTIMAL" and first.status == "OPTIMAL")
    return Outcome(best, False)


# --- large-neighbourhood search ------------------------------------------------------------


@dataclass
class _Neighbourhoods:
    """Chooses sets of visits to re-optimise together."""

    c: CompiledWeek
    rng: random.Random
    xy: np.ndarray  # people's positions in km (equirectangular, fine at borough scale)
    people_visits: list[list[int]]
    queue: list[list[int]]  # small parts first, each once

    def next(self, rota: Rota, polish: bool = False) -> list[int]:
        """Visits to free; ``polish``: one day's around a covered visit, half as many pairs."""
        if self.queue and not polish:
            return self.queue.pop(0)
        c = self.c
        open_visits = [v.index for v in c.visits if v.index not in rota and c.candidates[v.index]]
        if polish and rota:
            seed_visit = self.rng.choice(sorted(rota))
        elif open_visits and self.rng.random() < OPEN_SEED_SHARE:
            weights = [c.people[c.visits[v].person].need + 0.05 for v in open_visits]
            seed_visit = self.rng.choices(open_visits, weights)[0]
        else:
            seed_visit = self.rng.randrange(len(c.visits))
        one_day = polish or self.rng.random() < ONE_DAY_SHARE
        budget = NEIGHBOURHOOD_PAIRS // 2 if polish else NEIGHBOURHOOD_PAIRS
        day = c.visits[seed_visit].day
        home = self.xy[c.visits[seed_visit].person]
        order = np.argsort(((self.xy - home) ** 2).sum(axis=1), kind="stable")
        free: list[int] = []
        pairs = 0
        for p in order.tolist():
            for v in self.people_visits[p]:
                if one_day and c.visits[v].day != day:
                    continue
                pairs += len(c.candidates[v])
                free.append(v)
            if pairs >= budget:
                break
        return free


def _neighbourhoods(c: CompiledWeek, seed: int) -> _Neighbourhoods:
    lat0 = math.radians(float(np.mean([p.lat for p in c.people]))) if c.people else 0.0
    xy = np.array(
        [[p.lon * KM_PER_DEGREE * math.cos(lat0), p.lat * KM_PER_DEGREE] for p in c.people]
    )
    people_visits: list[list[int]] = [[] for _ in c.people]
    for v in c.visits:
        if c.candidates[v.index]:
            people_visits[v.person].append(v.index)
    queue = [g for g in independent_parts(c) if 0 < pair_count(c, g) <= NEIGHBOURHOOD_PAIRS * 2]
    return _Neighbourhoods(c, random.Random(seed), xy, people_visits, queue)


def _touches(c: CompiledWeek, free: list[int]) -> tuple[set[int], set[int]]:
    people = {c.visits[v].person for v in free}
    volunteers = {cand.volunteer for v in free for cand in c.candidates[v]}
    return people, volunteers


def _search(
    c: CompiledWeek,
    rota: Rota,
    clock: Clock,
    workers: int,
    seed: int,
    say: Progress,
    keep: frozenset[tuple[int, int]] = frozenset(),
    started: ProcessPoolExecutor | None = None,
) -> Rota:
    chooser = _neighbourhoods(c, seed)
    tally = Tally(c, rota)
    best = tally.value()
    rounds = accepted = 0
    polish_from = clock.deadline - POLISH_SHARE * clock.left()
    pool = started if started is not None else _pool(c, workers)
    try:
        while not clock.exhausted(0.3):
            polish = time.monotonic() >= polish_from
            batch = _batch(c, chooser, rota, 1 if pool is None else workers, polish)
            limit = min(NEIGHBOURHOOD_SECONDS, clock.left() - 0.2)
            if limit <= 0.1:
                break
            dlimit = None
            if clock.deterministic is not None:
                dlimit = min(NEIGHBOURHOOD_SECONDS * DETERMINISTIC_PER_SECOND, clock.deterministic)
            goal: Goal = "contract" if polish else "search"
            results = _solve_batch(c, pool, batch, tally, limit, seed + rounds, dlimit, goal, keep)
            for free, result in zip(batch, results, strict=True):
                rounds += 1
                clock.spend(result)
                if result.status == "INFEASIBLE":
                    raise PinsInfeasible
                if result.status not in ("OPTIMAL", "FEASIBLE"):
                    continue
                value = tally.trial(free, result.rota)
                if value >= best - 1e-9:
                    accepted += value > best + 1e-9
                    tally.apply(free, result.rota)
                    rota, best = tally.rota, tally.value()
            say(f"neighbourhood search: round {rounds}, {len(rota)} visits covered")
    finally:
        if pool is not None and started is None:
            pool.shutdown(cancel_futures=True)
    return rota


def _batch(
    c: CompiledWeek, chooser: _Neighbourhoods, rota: Rota, size: int, polish: bool
) -> list[list[int]]:
    """Up to ``size`` neighbourhoods that share no person and no volunteer."""
    batch: list[list[int]] = []
    used_people: set[int] = set()
    used_volunteers: set[int] = set()
    for _ in range(size * 3):
        free = chooser.next(rota, polish)
        people, volunteers = _touches(c, free)
        if people & used_people or volunteers & used_volunteers:
            continue
        batch.append(free)
        used_people |= people
        used_volunteers |= volunteers
        if len(batch) == size:
            break
    return batch


# The week a worker process solves neighbourhoods of, set once when the worker starts.
_WEEK: CompiledWeek | None = None


def _receive_week(week: bytes) -> None:
    global _WEEK
    _WEEK = pickle.loads(week)


def _pool(c: CompiledWeek, workers: int) -> ProcessPoolExecutor | None:
    """Worker processes for the search, or None with one worker.

    Never forked from this process, which may be a threaded server: workers come from a
    forkserver (a clean single-threaded process that has imported the solver once) or, where
    there is none, are spawned. Each receives the compiled week once, when it starts, pickled
    once here (without the distance cache, which workers fill for their own neighbourhoods).
    Only the search of a big week pays for starting workers; a small week's whole model never
    makes a pool.
    """
    if workers <= 1:
        return None
    context: BaseContext
    if "forkserver" in multiprocessing.get_all_start_methods():
        forkserver = multiprocessing.get_context("forkserver")
        forkserver.set_forkserver_preload(["solver.decompose"])
        context = forkserver
    else:
        context = multiprocessing.get_context("spawn")
    week = pickle.dumps(replace(c, _km_cache={}), protocol=pickle.HIGHEST_PROTOCOL)
    return ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=_receive_week, initargs=(week,)
    )


def _solve_in_worker(
    free: list[int],
    fixed: Rota,
    others: tuple[int, int] | None,
    limit: float,
    seed: int,
    dlimit: float | None,
    goal: Goal,
    keep: frozenset[tuple[int, int]],
) -> NeighbourhoodResult:
    assert _WEEK is not None
    return solve_neighbourhood(
        _WEEK,
        free=free,
        fixed=fixed,
        hint=fixed,
        time_limit=limit,
        workers=1,
        seed=seed,
        goal=goal,
        deterministic_limit=dlimit,
        others=others,
        keep=keep,
    )


def _solve_batch(
    c: CompiledWeek,
    pool: ProcessPoolExecutor | None,
    batch: list[list[int]],
    tally: Tally,
    limit: float,
    seed: int,
    dlimit: float | None,
    goal: Goal,
    keep: frozenset[tuple[int, int]] = frozenset(),
) -> list[NeighbourhoodResult]:
    """Solve each neighbourhood of ``batch`` with only the part of the rota it touches."""
    parts = [tally.around(free) for free in batch]
    kept = [frozenset(pair for pair in keep if pair[0] in chosen) for chosen in map(set, batch)]
    if pool is None:
        return [
            solve_neighbourhood(
                c,
                free=free,
                fixed=fixed,
                hint=fixed,
                time_limit=limit,
                workers=1,
                seed=seed,
                goal=goal,
                deterministic_limit=dlimit,
                others=others,
                keep=pairs,
            )
            for free, (fixed, others), pairs in zip(batch, parts, kept, strict=True)
        ]
    futures: list[Future[NeighbourhoodResult]] = [
        pool.submit(_solve_in_worker, free, fixed, others, limit, seed, dlimit, goal, pairs)
        for free, (fixed, others), pairs in zip(batch, parts, kept, strict=True)
    ]
    return [f.result() for f in futures]
