"""Split a week into independent parts, solve each, merge; large-neighbourhood search for big parts.

Parts are the connected components of the volunteer–person eligibility graph (networkx): no
volunteer can serve people in two parts, so rules 1-12 never link them. Only the fairness term
(max minus min minutes over *all* volunteers) spans parts; each part is solved with every other
part's current assignments fixed, so the term is still computed exactly, and the merged rota is
kept only if its exact objective is at least the incumbent's.

"Too big" means more than ``WHOLE_MODEL_PAIRS`` candidate pairs in a part. Such a part is improved
by large-neighbourhood search seeded from greedy: repeatedly free the visits of one day around a
randomly chosen person (open visits first), keep every other assignment fixed, re-optimise that
neighbourhood with CP-SAT hinted with the incumbent, and accept the result only if the exact
objective does not drop. Every incumbent is a valid rota, so stopping at the time limit always
leaves a valid rota (status FEASIBLE), never a silent timeout.
"""

from __future__ import annotations

import random
import time
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor

import networkx as nx

from solver.compiled import Compiled
from solver.cpsat import SubResult, solve_neighbourhood
from solver.greedy import Rota

WHOLE_MODEL_PAIRS = 40_000
NEIGHBOURHOOD_PAIRS = 3_000
NEIGHBOURHOOD_SECONDS = 3.0
PARALLEL_MIN_PAIRS = 5_000


def parts(compiled: Compiled) -> list[list[int]]:
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


def pair_count(compiled: Compiled, visits: list[int]) -> int:
    return sum(len(compiled.candidates[v]) for v in visits)


def rota_objective(compiled: Compiled, rota: Rota) -> float:
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


def improve(
    compiled: Compiled,
    incumbent: Rota,
    *,
    deadline: float,
    workers: int,
    seed: int,
    progress: Callable[[str], None] | None = None,
) -> tuple[Rota, bool]:
    """A rota at least as good as ``incumbent``, and whether it is proven optimal."""
    c = compiled
    groups = parts(c)
    total_pairs = sum(len(cands) for cands in c.candidates)
    if total_pairs <= WHOLE_MODEL_PAIRS:
        result = solve_neighbourhood(
            c,
            free=list(range(len(c.visits))),
            fixed={},
            hint=incumbent,
            time_limit=deadline - time.monotonic(),
            workers=workers,
            seed=seed,
        )
        if result.status == "INFEASIBLE":
            raise PinsInfeasible
        if result.status in ("OPTIMAL", "FEASIBLE") and rota_objective(
            c, result.rota
        ) >= rota_objective(c, incumbent):
            return result.rota, result.status == "OPTIMAL"
        return incumbent, False
    rota = dict(incumbent)
    small = [g for g in groups if pair_count(c, g) <= WHOLE_MODEL_PAIRS]
    big = [g for g in groups if pair_count(c, g) > WHOLE_MODEL_PAIRS]
    if small:
        rota = _solve_parts(c, small, rota, deadline, workers, seed, share=0.3 if big else 1.0)
    for group in big:
        rota = _search(c, group, rota, deadline, workers, seed, progress)
    return rota, False


class PinsInfeasible(Exception):
    """The pinned assignments cannot all hold together."""


def _solve_parts(
    c: Compiled,
    groups: list[list[int]],
    rota: Rota,
    deadline: float,
    workers: int,
    seed: int,
    share: float,
) -> Rota:
    budget = (deadline - time.monotonic()) * share
    total = sum(pair_count(c, g) for g in groups) or 1
    heavy = [g for g in groups if pair_count(c, g) >= PARALLEL_MIN_PAIRS]
    results: list[tuple[list[int], SubResult]] = []
    if workers > 1 and len(heavy) > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = [
                (
                    g,
                    pool.submit(
                        solve_neighbourhood,
                        c,
                        free=g,
                        fixed=rota,
                        hint=rota,
                        time_limit=budget * pair_count(c, g) / total * len(heavy) / workers,
                        workers=1,
                        seed=seed,
                    ),
                )
                for g in heavy
            ]
            results = [(g, f.result()) for g, f in futures]
        groups = [g for g in groups if g not in heavy]
    for g in groups:
        results.append(
            (
                g,
                solve_neighbourhood(
                    c,
                    free=g,
                    fixed=rota,
                    hint=rota,
                    time_limit=max(0.2, budget * pair_count(c, g) / total),
                    workers=workers,
                    seed=seed,
                ),
            )
        )
    for g, result in results:
        if result.status == "INFEASIBLE":
            raise PinsInfeasible
        if result.status not in ("OPTIMAL", "FEASIBLE"):
            continue
        trial = {v: a for v, a in rota.items() if v not in set(g)}
        trial.update(result.rota)
        if rota_objective(c, trial) >= rota_objective(c, rota):
            rota = trial
    return rota


def _search(
    c: Compiled,
    group: list[int],
    rota: Rota,
    deadline: float,
    workers: int,
    seed: int,
    progress: Callable[[str], None] | None,
) -> Rota:
    rng = random.Random(seed)
    by_day: dict[int, list[int]] = defaultdict(list)
    for v in group:
        by_day[c.visits[v].day].append(v)
    best = rota_objective(c, rota)
    rounds = 0
    while time.monotonic() < deadline - 0.5:
        open_visits = [v for v in group if v not in rota and c.candidates[v]]
        seed_visit = rng.choice(open_visits if open_visits and rng.random() < 0.7 else group)
        free = _neighbourhood(c, seed_visit, by_day[c.visits[seed_visit].day])
        limit = min(NEIGHBOURHOOD_SECONDS, deadline - time.monotonic() - 0.3)
        if limit <= 0.1:
            break
        result = solve_neighbourhood(
            c, free=free, fixed=rota, hint=rota, time_limit=limit, workers=workers, seed=seed
        )
        rounds += 1
        if result.status in ("OPTIMAL", "FEASIBLE"):
            trial = {v: a for v, a in rota.items() if v not in set(free)}
            trial.update(result.rota)
            value = rota_objective(c, trial)
            if value >= best:
                rota, best = trial, value
        if progress is not None:
            progress(f"neighbourhood search: round {rounds}, {len(rota)} visits covered")
    return rota


def _neighbourhood(c: Compiled, seed_visit: int, same_day: list[int]) -> list[int]:
    """Visits of the seed's day nearest to the seed's person, up to NEIGHBOURHOOD_PAIRS pairs."""
    home = c.visits[seed_visit].person
    ordered = sorted(same_day, key=lambda v: c.person_km(home, c.visits[v].person))
    free: list[int] = []
    pairs = 0
    for v in ordered:
        pairs += len(c.candidates[v])
        if free and pairs > NEIGHBOURHOOD_PAIRS:
            break
        free.append(v)
    return free
