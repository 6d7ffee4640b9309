"""The weekly rota: plan the week's visits, build the problem, solve, store a draft, publish.

A person's weekly pattern (``visit_windows``, ``visits_per_week``, ``visit_minutes``) expands
into that week's Visit nodes the first time the week is planned; later runs leave existing
visits alone. ``run_rota`` turns the graph into a ROTA_FORMAT problem:

- need, languages, preferences and exclusions from the Person;
- the current circle: volunteers who are MEMBER_OF a CareCircle that SUPPORTS the person, then
  volunteers who KNOW the person from visits, strongest first, up to ``circle_max``;
- accepted assignments as pins, held at the start the volunteer accepted.

The draft RotaRun keeps the problem and solution JSON and the metrics; ``publish_rota`` turns a
draft into proposed assignments in one guarded statement.

The solver is pure and its reasons name people and volunteers by id ("no volunteer within range
of person-00007"). The stored solution keeps the ids (so an erased person leaves no name behind
in old runs); ``names_in_reasons`` and ``readable`` put first names in their place where a run is
shown to a coordinator (GraphQL, CSV).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from graph.models import Person, RotaRun, Visit, Volunteer, iso_utc, utc_now
from graph.repo import rota_runs
from graph.repo.records import from_properties, to_properties
from graph.store.port import GraphStore
from service.signup import open_visits_changed
from service.weeks import week_label
from solver import models as rota

DEFAULT_TIME_LIMIT_S = 10.0

WEEK_VISIT_IDS = "MATCH (v:Visit) WHERE v.week_start = $week_start RETURN collect(v.id) AS ids"

PEOPLE_PLANNED = """
MATCH (v:Visit)-[:FOR]->(p:Person) WHERE v.week_start = $week_start
RETURN collect(DISTINCT p.id) AS ids
"""

PEOPLE_WITH_PATTERNS = """
MATCH (n:Person) WHERE n.visits_per_week > 0 AND n.visit_windows IS NOT NULL
RETURN properties(n) AS n ORDER BY n.id
"""

# Create the week's visits that do not exist yet, each FOR its person.
PLAN_VISITS = """
UNWIND $visits AS props
MATCH (p:Person {id: props.person_id})
MERGE (v:Visit {id: props.id})
ON CREATE SET v += props
MERGE (v)-[:FOR]->(p)
RETURN count(v) AS planned
"""

WEEK_VISITS = """
MATCH (v:Visit)-[:FOR]->(p:Person)
WHERE v.week_start = $week_start AND v.status IN ['open', 'proposed', 'accepted']
OPTIONAL MATCH (vol:Volunteer)-[a:ASSIGNED {status: 'accepted'}]->(v)
RETURN properties(v) AS v, p.id AS person_id, collect(vol.id) AS pinned
ORDER BY v.id
"""

PEOPLE_BY_ID = """
MATCH (n:Person) WHERE n.id IN $ids
OPTIONAL MATCH (member:Volunteer)-[:MEMBER_OF]->(:CareCircle)-[:SUPPORTS]->(n)
WITH n, collect(DISTINCT member.id) AS members
OPTIONAL MATCH (known:Volunteer)-[k:KNOWS]->(n)
WITH n, members, known, k ORDER BY k.strength DESC
RETURN properties(n) AS n, members, collect(known.id) AS known
"""

ALL_VOLUNTEERS = "MATCH (n:Volunteer) RETURN properties(n) AS n ORDER BY n.id"

# Publish a draft: only once (the guard), withdrawing (deleting) earlier proposals of the same
# week, proposing each assignment, and opening every visit of the week
# that is neither accepted nor proposed now. Accepted (pinned) assignments stay as they are.
PUBLISH_ROTA = """
MATCH (r:RotaRun {id: $run_id})
SET r._lock = $lock
WITH r, r.status = 'draft' AS ok
OPTIONAL MATCH (:Volunteer)-[old:ASSIGNED {status: 'proposed'}]->(ov:Visit)
WHERE ok AND ov.week_start = r.week_start
DELETE old
WITH DISTINCT r, ok
UNWIND CASE WHEN ok THEN $assignments ELSE [] END + [null] AS a
OPTIONAL MATCH (v:Visit {id: a.visit}), (vol:Volunteer {id: a.volunteer})
WITH r, ok, a, v, vol
FOREACH (_ IN CASE WHEN v IS NULL OR vol IS NULL OR v.status IN ['accepted', 'done', 'missed']
                   THEN [] ELSE [1] END |
  MERGE (vol)-[e:ASSIGNED]->(v)
  SET e.status = 'proposed', e.at = $now, v.start = a.start, v.status = 'proposed',
      v.rota_run_id = r.id)
WITH r, ok, sum(CASE WHEN v IS NOT NULL AND vol IS NOT NULL AND v.rota_run_id = r.id
                      AND v.status = 'proposed' THEN 1 ELSE 0 END) AS proposed
OPTIONAL MATCH (w:Visit)
WHERE ok AND w.week_start = r.week_start AND w.status = 'proposed' AND w.rota_run_id <> r.id
FOREACH (_ IN CASE WHEN w IS NULL THEN [] ELSE [1] END | SET w.status = 'open')
WITH r, ok, proposed, count(w) AS reopened
OPTIONAL MATCH (u:Visit)
WHERE ok AND u.week_start = r.week_start AND u.id IN $unassigned AND u.status = 'open'
FOREACH (_ IN CASE WHEN u IS NULL THEN [] ELSE [1] END | SET u.rota_run_id = r.id)
WITH r, ok, proposed, reopened
FOREACH (_ IN CASE WHEN ok THEN [1] ELSE [] END |
  SET r.status = 'published', r.published_at = $now)
REMOVE r._lock
RETURN ok, proposed, reopened, r.status AS status
"""


# Candidate ids in a reason: id-shaped words with a digit, '-' or '_' in them (plain words and
# times are left alone; a token that is no one's id stays as it is).
REASON_TOKEN = re.compile(r"(?<![A-Za-z0-9_.:-])[A-Za-z0-9][A-Za-z0-9_.:-]*[A-Za-z0-9]")
ID_LIKE = re.compile(r"[0-9_-]")

FIRST_NAMES_OF_IDS = """
MATCH (n:Person) WHERE n.id IN $ids
RETURN n.id AS id, n.first_name AS first_name, 'person' AS kind
UNION ALL
MATCH (n:Volunteer) WHERE n.id IN $ids
RETURN n.id AS id, n.first_name AS first_name, 'volunteer' AS kind
"""


@dataclass(frozen=True)
class ReasonNames:
    """First names for the ids a run's reasons mention, and which of them are people."""

    names: dict[str, str]
    people: frozenset[str]

    def readable(self, reasons: Iterable[str]) -> list[str]:
        """The reasons with every known id replaced by that first name."""
        return [
            REASON_TOKEN.sub(lambda m: self.names.get(m.group(0), m.group(0)), reason)
            for reason in reasons
        ]


def _reasons_of(run: RotaRun) -> list[str]:
    solution = solution_of(run)
    return [r for a in solution.assignments for r in a.reasons] + [
        r for u in solution.unassigned for r in u.reasons
    ]


def names_in_reasons(*, store: GraphStore, runs: Iterable[RotaRun]) -> ReasonNames:
    """The first names of the people and volunteers the runs' reasons mention (one statement)."""
    tokens = {
        token
        for run in runs
        for reason in _reasons_of(run)
        for token in REASON_TOKEN.findall(reason)
        if ID_LIKE.search(token)
    }
    if not tokens:
        return ReasonNames(names={}, people=frozenset())
    rows = store.run(FIRST_NAMES_OF_IDS, {"ids": sorted(tokens)}, write=False)
    return ReasonNames(
        names={r["id"]: r["first_name"] for r in rows if r["first_name"]},
        people=frozenset(r["id"] for r in rows if r["kind"] == "person"),
    )


class RotaError(ValueError):
    """A rota request that cannot be carried out (names the field)."""


@dataclass(frozen=True)
class Published:
    run: RotaRun
    proposed: int


def _visit_id(person_id: str, week: str, index: int) -> str:
    # Stable (planning twice creates nothing new) but not the person's id in clear, so an
    # erased person's visits say nothing about who they were.
    digest = hashlib.sha256(f"{person_id}|{week}|{index}".encode()).hexdigest()[:12]
    return f"visit-{week}-{digest}"


def expand_pattern(person: Person, week_start: date) -> list[dict[str, Any]]:
    """The visits a person's weekly pattern asks for in the week starting ``week_start``: up to
    ``visits_per_week`` of their windows, spread over the week, each long enough to fit."""
    windows = sorted(
        (w for w in person.visit_windows if w.length_minutes >= person.visit_minutes),
        key=lambda w: (w.day, w.start),
    )
    wanted = min(person.visits_per_week, len(windows))
    if wanted == 0:
        return []
    step = len(windows) / wanted
    chosen = [windows[int(i * step)] for i in range(wanted)]
    week = week_label(week_start)
    return [
        to_properties(
            Visit(
                id=_visit_id(person.id, week, index),
                person_id=person.id,
                week_start=week_start,
                day=window.day,
                earliest=window.start,
                latest=window.end,
                duration_minutes=person.visit_minutes,
                requires_check=person.requires_check,
                volunteers_needed=1,
                status="open",
            )
        )
        for index, window in enumerate(chosen)
    ]


def plan_week(*, store: GraphStore, week_start: date) -> int:
    """Create this week's visits from the pattern of every person who has none yet that week
    (so planning twice, or after the seed made the week, adds nothing); returns how many visits
    the week has."""
    params = {"week_start": week_start.isoformat()}
    planned = set(store.run(PEOPLE_PLANNED, params, write=False)[0]["ids"])
    rows = store.run(PEOPLE_WITH_PATTERNS, {}, write=False)
    visits = [
        visit
        for row in rows
        if row["n"]["id"] not in planned
        for visit in expand_pattern(from_properties(Person, row["n"]), week_start)
    ]
    for batch_start in range(0, len(visits), 500):
        store.run(PLAN_VISITS, {"visits": visits[batch_start : batch_start + 500]})
    ids: list[str] = store.run(WEEK_VISIT_IDS, {"week_start": week_start.isoformat()}, write=False)[
        0
    ]["ids"]
    return len(ids)


def _clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def build_problem(*, store: GraphStore, week_start: date) -> rota.Problem:
    """The ROTA_FORMAT problem for the week, from the graph."""
    visit_rows = store.run(WEEK_VISITS, {"week_start": week_start.isoformat()}, write=False)
    person_ids = sorted({row["person_id"] for row in visit_rows})
    people_rows = store.run(PEOPLE_BY_ID, {"ids": person_ids}, write=False)
    volunteers = [
        from_properties(Volunteer, row["n"]) for row in store.run(ALL_VOLUNTEERS, {}, write=False)
    ]
    people = []
    for row in people_rows:
        person = from_properties(Person, row["n"])
        circle = list(dict.fromkeys([*row["members"], *row["known"]]))[: person.circle_max]
        people.append(
            rota.Person(
                id=person.id,
                lat=person.lat,
                lon=person.lon,
                need=person.need,
                languages=person.languages,
                gender_preference=person.gender_preference,
                excluded_volunteers=person.excluded_volunteers,
                current_circle=circle,
                circle_max=person.circle_max,
            )
        )
    visits = []
    for row in visit_rows:
        props = row["v"]
        earliest, latest = props["earliest"], props["latest"]
        pinned = sorted(row["pinned"])
        if pinned and props.get("start"):
            # Accepted visits keep the time the volunteer accepted.
            hours, mins = props["start"].split(":")
            begin = int(hours) * 60 + int(mins)
            earliest, latest = _clock(begin), _clock(begin + props["duration_minutes"])
        visits.append(
            rota.Visit(
                id=props["id"],
                person=row["person_id"],
                day=props["day"],
                earliest=earliest,
                latest=latest,
                duration_minutes=props["duration_minutes"],
                requires_check=props.get("requires_check", True),
                volunteers_needed=max(props.get("volunteers_needed", 1), len(pinned)),
                pinned_volunteers=pinned,
            )
        )
    return rota.Problem(
        format="carecircles.rota/1",
        week_start=week_start,
        people=people,
        visits=visits,
        volunteers=[
            rota.Volunteer(
                id=v.id,
                lat=v.lat,
                lon=v.lon,
                max_km=v.max_km,
                max_minutes=v.max_minutes,
                availability=[
                    rota.Availability(day=w.day, start=w.start, end=w.end) for w in v.availability
                ],
                languages=v.languages,
                gender=v.gender,
                checked=v.check_valid_on(week_start),
            )
            for v in volunteers
        ],
    )


def run_rota(
    *,
    store: GraphStore,
    week_start: date,
    time_limit: float = DEFAULT_TIME_LIMIT_S,
    workers: int = 2,
) -> RotaRun:
    """Plan the week, solve it and store the result as a draft RotaRun."""
    from solver.solve import solve

    plan_week(store=store, week_start=week_start)
    problem = build_problem(store=store, week_start=week_start)
    solution = solve(problem, time_limit=time_limit, workers=workers, seed=0)
    metrics = solution.metrics.model_dump() if solution.metrics is not None else {}
    run = RotaRun(
        id=f"run-{week_label(week_start)}-{uuid.uuid4().hex[:8]}",
        week_start=week_start,
        status="draft",
        metrics={"solver_status": solution.status, **metrics},
        problem=problem.model_dump_json(),
        solution=solution.model_dump_json(),
    )
    return rota_runs.create_rota_run(store=store, run=run)


def get_rota_run(*, store: GraphStore, run_id: str) -> RotaRun | None:
    return rota_runs.get_rota_run(store=store, run_id=run_id)


def list_rota_runs(*, store: GraphStore, week_start: date | None, limit: int = 20) -> list[RotaRun]:
    runs = rota_runs.list_rota_runs(store=store, week_start=week_start, first=500).items
    return sorted(runs, key=lambda run: run.created_at, reverse=True)[:limit]


def solution_of(run: RotaRun) -> rota.Solution:
    return rota.Solution.model_validate_json(run.solution or "{}")


def publish_rota(*, store: GraphStore, run_id: str) -> Published:
    """Turn a draft into proposed assignments; RotaError when it is missing or not a draft."""
    run = get_rota_run(store=store, run_id=run_id)
    if run is None:
        raise RotaError(f"runId: no rota run with id {run_id!r}")
    solution = solution_of(run)
    assignments = [
        {"visit": a.visit, "volunteer": a.volunteer, "start": a.start} for a in solution.assignments
    ]
    rows = store.run(
        PUBLISH_ROTA,
        {
            "run_id": run_id,
            "assignments": assignments,
            "unassigned": [u.visit for u in solution.unassigned],
            "now": iso_utc(utc_now()),
            "lock": uuid.uuid4().hex[:8],
        },
    )
    if not rows or not rows[0]["ok"]:
        raise RotaError(f"runId: rota run {run_id!r} is already published")
    open_visits_changed(store=store)  # in this process at once; elsewhere within its max age
    published = get_rota_run(store=store, run_id=run_id)
    assert published is not None
    return Published(run=published, proposed=int(rows[0]["proposed"]))


def rota_csv(*, run: RotaRun, names: dict[str, str], reasons: ReasonNames | None = None) -> str:
    """The run as CSV: one row per assignment and per uncovered visit, with reasons (ids in
    them replaced by first names from ``reasons``)."""
    words = reasons or ReasonNames(names={}, people=frozenset())
    solution = solution_of(run)
    problem = json.loads(run.problem or "{}")
    visits = {v["id"]: v for v in problem.get("visits", [])}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["visit", "person", "day", "start", "volunteer", "status", "reasons"])
    for a in solution.assignments:
        visit = visits.get(a.visit, {})
        writer.writerow(
            [
                a.visit,
                names.get(visit.get("person", ""), ""),
                visit.get("day", ""),
                a.start,
                names.get(a.volunteer, a.volunteer),
                "assigned",
                "; ".join(words.readable(a.reasons)),
            ]
        )
    for u in solution.unassigned:
        visit = visits.get(u.visit, {})
        writer.writerow(
            [
                u.visit,
                names.get(visit.get("person", ""), ""),
                visit.get("day", ""),
                "",
                "",
                "uncovered",
                "; ".join(words.readable(u.reasons)),
            ]
        )
    return out.getvalue()
