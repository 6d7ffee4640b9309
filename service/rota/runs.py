"""The weekly rota: plan the week's visits, build the problem, solve, store a draft, publish.

A person's weekly pattern (``visit_windows``, ``visits_per_week``, ``visit_minutes``) expands
into that week's Visit nodes the first time the week is planned; later runs leave existing
visits alone. ``build_problem`` turns the graph into a ROTA_FORMAT problem:

- need, languages, preferences and exclusions from the Person;
- the current circle: volunteers who are MEMBER_OF a CareCircle that SUPPORTS the person, then
  volunteers who KNOW the person from visits, strongest first, up to ``circle_max``;
- accepted assignments as pins, held at the start the volunteer accepted;
- accompanied visits (a volunteer going along to a service a plan names) as visits of the person
  at the service (``service.rota.accompanied``).

A run is stored ``queued`` (``queue_rota_run``) and solved by ``service.rota.jobs`` in a
process of its own; the draft RotaRun keeps the problem and solution JSON and the metrics.
The solver is told last week's rota as it stands (``last_week_rota``), so volunteers keep their
visits week to week. ``run_rota`` does all of it and waits (the command line, the demo).
``publish_rota`` turns a draft into proposed assignments in one guarded statement.

The solver is pure and its reasons name people and volunteers by id ("no volunteer within range
of person-00007"). The stored solution keeps the ids (so an erased person leaves no name behind
in old runs); ``names_in_reasons`` and ``with_first_names`` put first names in their place where
a run is shown to a coordinator (GraphQL, CSV).
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
from datetime import date, timedelta
from typing import Any

from clock import clock_of
from graph.models import Person, RotaRun, Visit, utc_now
from graph.models.rota import UNFINISHED_STATUSES
from graph.repo import rota_runs
from graph.repo.records import to_properties
from graph.store.port import GraphStore
from service.context import CurrentUser
from service.rota import accompanied
from service.solver_terms import solver_volunteer, without_commitments
from service.visits.open_visits_snapshot import open_visits_changed
from service.weeks import week_label
from solver import models as rota

DEFAULT_TIME_LIMIT_S = 10.0
STALE_AFTER_S = 60.0  # an unfinished run's server process says it still solves it every second
STALE = "the server process solving it stopped before it finished"

# Candidate ids in a reason: id-shaped words with a digit, '-' or '_' in them (plain words and
# times are left alone; a token that is no one's id stays as it is).
REASON_TOKEN = re.compile(r"(?<![A-Za-z0-9_.:-])[A-Za-z0-9][A-Za-z0-9_.:-]*[A-Za-z0-9]")
ID_LIKE = re.compile(r"[0-9_-]")


@dataclass(frozen=True)
class ReasonNames:
    """First names for the ids a run's reasons mention, and which of them are people."""

    names: dict[str, str]
    people: frozenset[str]

    def with_first_names(self, reasons: Iterable[str]) -> list[str]:
        """The reasons with every known id replaced by that first name (a person at a service,
        ``person-7@svc-3``, reads "Ann at Canal walkers")."""
        return [
            REASON_TOKEN.sub(
                lambda m: self.names.get(m.group(0), m.group(0)),
                reason.replace(accompanied.AT, " at "),
            )
            for reason in reasons
        ]


# What a rota's reasons say about a person's needs (their languages, the gender of volunteer they
# would like): shown only to someone the person gave ``needs`` consent to (``without_needs``).
_NEED_WORD = r"(?:[a-z]{2,3}(?:/[a-z]{2,3})*-speaking|female|male|non_binary|other)"
NEEDS_IN_REASONS = (
    (re.compile(r"shares language \S+"), "shares a language"),
    (re.compile(r", " + _NEED_WORD + r"(?=[ ,])"), ""),
    (re.compile(r"(?<=no )" + _NEED_WORD + r" "), ""),
    (re.compile(r"(?<=\d )" + _NEED_WORD + r" "), ""),
)


def without_needs(reasons: Iterable[str]) -> list[str]:
    """The reasons with what they say about the person's needs (languages, gender preference)
    left out: "shares language pl" becomes "shares a language", "no checked, pl-speaking, male
    volunteer" becomes "no checked volunteer"."""
    plain = []
    for reason in reasons:
        for pattern, words in NEEDS_IN_REASONS:
            reason = pattern.sub(words, reason)
        plain.append(reason)
    return plain


def people_of_visits(run: RotaRun) -> dict[str, str]:
    """Each visit of the run's problem and the person it is for."""
    problem = json.loads(run.problem or "{}")
    return {v["id"]: v["person"] for v in problem.get("visits", [])}


def _reasons_of(run: RotaRun) -> list[str]:
    if run.solution is None:
        return []
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
    found = rota_runs.first_names_of_ids(store=store, ids=sorted(tokens))
    return ReasonNames(
        names={f.id: f.first_name for f in found if f.first_name},
        people=frozenset(f.id for f in found if f.is_person),
    )


class RotaError(ValueError):
    """A rota request that cannot be carried out (names the field)."""


class RotaFailed(RuntimeError):
    """A run that ended without a draft (failed or cancelled); the message says why."""


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


def plan_week(*, store: GraphStore, week_start: date, organization_id: str | None = None) -> int:
    """Create this week's visits from the pattern of every person (whom ``organization_id``
    supports, when given) who has none yet that week (so planning twice, or after the seed made
    the week, adds nothing); returns how many visits the week has."""
    planned = rota_runs.people_planned(store=store, week_start=week_start)
    visits = [
        visit
        for person in rota_runs.people_with_patterns(store=store, organization_id=organization_id)
        if person.id not in planned
        for visit in expand_pattern(person, week_start)
    ]
    visits += accompanied.accompanied_visits(
        store=store, week_start=week_start, organization_id=organization_id
    )
    for batch_start in range(0, len(visits), 500):
        rota_runs.plan_visits(store=store, visits=visits[batch_start : batch_start + 500])
    return rota_runs.week_visit_count(store=store, week_start=week_start)


def build_problem(
    *, store: GraphStore, week_start: date, organization_id: str | None = None
) -> rota.Problem:
    """The ROTA_FORMAT problem for the week, from the graph: with ``organization_id``, the
    organisation's rota (the people it supports, the volunteers who volunteer with it, the
    times of their visits for other organisations' rotas kept free: ``without_commitments``)."""
    to_plan = rota_runs.week_visits_to_plan(
        store=store, week_start=week_start, organization_id=organization_id
    )
    person_ids = sorted({visit.person_id for visit in to_plan})
    volunteers = rota_runs.all_volunteers(store=store, organization_id=organization_id)
    people = []
    for with_circle in rota_runs.people_with_circles(store=store, ids=person_ids):
        person = with_circle.person
        circle = list(dict.fromkeys([*with_circle.members, *with_circle.known]))[
            : person.circle_max
        ]
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
    visits: list[tuple[rota.Visit, str]] = []
    for visit in to_plan:
        props = visit.properties
        earliest, latest = props["earliest"], props["latest"]
        pinned = visit.pinned
        if pinned and props.get("start"):
            # Accepted visits keep the time the volunteer accepted.
            hours, mins = props["start"].split(":")
            begin = int(hours) * 60 + int(mins)
            earliest, latest = clock_of(begin), clock_of(begin + props["duration_minutes"])
        visits.append(
            (
                rota.Visit(
                    id=props["id"],
                    person=visit.person_id,
                    day=props["day"],
                    earliest=earliest,
                    latest=latest,
                    duration_minutes=props["duration_minutes"],
                    requires_check=props.get("requires_check", True),
                    volunteers_needed=max(props.get("volunteers_needed", 1), len(pinned)),
                    pinned_volunteers=pinned,
                ),
                props.get("service_id") or "",
            )
        )
    busy: dict[str, list[tuple[int, str, int]]] = {}
    if organization_id is not None and volunteers:
        for row in rota_runs.other_commitments(
            store=store,
            volunteer_ids=[v.id for v in volunteers],
            week_start=week_start,
            visit_ids=[v.id for v, _ in visits],
        ):
            busy.setdefault(row["volunteer_id"], []).append(
                (int(row["day"]), str(row["start"]), int(row["minutes"]))
            )
    problem_people, problem_visits = accompanied.people_at_services(
        store=store, people=people, visits=visits
    )
    return rota.Problem(
        format="carecircles.rota/1",
        week_start=week_start,
        people=problem_people,
        visits=problem_visits,
        volunteers=[
            without_commitments(solver_volunteer(v, week_start), busy.get(v.id, []))
            for v in volunteers
        ],
    )


# A visit a week later: its (problem) person, day and window.
WindowOfPerson = tuple[str, int, str, str]


def last_week_rota(
    *, store: GraphStore, problem: rota.Problem, organization_id: str | None = None
) -> list[rota.Assignment]:
    """Last week's published rota as it stands (proposed, accepted and done assignments, of the
    organisation's people when given), in the ids of ``problem``'s week: a visit of last week
    is this week's visit of the same person (at the same service) on the same day in the same
    window. The solver starts from what of it still keeps every rule and breaks ties towards
    it (``solver.solve.solve``'s ``previous``), so volunteers keep their visits week to week.
    Where a person has several visits in one window, they are paired in id order."""
    this_week: dict[WindowOfPerson, list[str]] = {}
    for visit in problem.visits:
        key = (visit.person, visit.day, visit.earliest, visit.latest)
        this_week.setdefault(key, []).append(visit.id)
    last_week: dict[WindowOfPerson, dict[str, list[rota_runs.KeptAssignment]]] = {}
    for kept in rota_runs.week_assignments(
        store=store,
        week_start=problem.week_start - timedelta(weeks=1),
        organization_id=organization_id,
    ):
        person = kept.person_id
        if kept.service_id:
            person = accompanied.place_id(kept.person_id, kept.service_id)
        key = (person, kept.day, kept.earliest, kept.latest)
        last_week.setdefault(key, {}).setdefault(kept.visit_id, []).append(kept)
    return [
        rota.Assignment(visit=visit_id, volunteer=kept.volunteer_id, start=kept.start)
        for key, visits in last_week.items()
        for visit_id, held in zip(sorted(this_week.get(key, [])), visits.values(), strict=False)
        for kept in held
    ]


def new_run_id(week_start: date) -> str:
    return f"run-{week_label(week_start)}-{uuid.uuid4().hex[:8]}"


def queue_rota_run(
    *, store: GraphStore, week_start: date, time_limit: float, organization_id: str | None = None
) -> RotaRun:
    """Store a new run of the week (the organisation's, when given), queued
    (``service.rota.jobs`` solves it)."""
    now = utc_now()
    run = RotaRun(
        id=new_run_id(week_start),
        week_start=week_start,
        organization_id=organization_id,
        status="queued",
        created_at=now,
        heartbeat_at=now,
        time_limit_s=time_limit,
    )
    return rota_runs.create_rota_run(store=store, run=run)


def week_problem(
    *, store: GraphStore, week_start: date, organization_id: str | None = None
) -> rota.Problem:
    """Plan the week's visits (``plan_week``) and build its problem (``build_problem``), of the
    organisation's people and volunteers when given."""
    plan_week(store=store, week_start=week_start, organization_id=organization_id)
    return build_problem(store=store, week_start=week_start, organization_id=organization_id)


def run_rota(
    *,
    store: GraphStore,
    week_start: date,
    time_limit: float = DEFAULT_TIME_LIMIT_S,
    workers: int = 2,
    organization_id: str | None = None,
) -> RotaRun:
    """Plan the week, solve it in a process of its own and store the result as a draft
    RotaRun, waiting for it (the command line, the demo); RotaFailed when it cannot. With
    ``organization_id``, the organisation's rota."""
    from service.rota.jobs import RotaJobs

    with RotaJobs(store=store, workers=workers) as jobs:
        run = jobs.submit(
            week_start=week_start, time_limit=time_limit, organization_id=organization_id
        )
        done = jobs.wait(run.id)
    if done.status != "draft":
        raise RotaFailed(f"rota run {done.id} {done.status}: {done.error or 'no reason given'}")
    return done


def get_rota_run(*, store: GraphStore, run_id: str) -> RotaRun | None:
    run = rota_runs.get_rota_run(store=store, run_id=run_id)
    return None if run is None else _unless_stale(store, run)


def list_rota_runs(
    *,
    store: GraphStore,
    week_start: date | None,
    limit: int = 20,
    organization_id: str | None = None,
) -> list[RotaRun]:
    runs = rota_runs.list_rota_runs(
        store=store, week_start=week_start, first=500, organization_id=organization_id
    ).items
    newest = sorted(runs, key=lambda run: run.created_at, reverse=True)[:limit]
    return [_unless_stale(store, run) for run in newest]


def _unless_stale(store: GraphStore, run: RotaRun) -> RotaRun:
    """The run; failed first when it is unfinished and the server process solving it has not
    said so for ``STALE_AFTER_S`` (killed, say: nobody else would ever finish it)."""
    if run.status not in UNFINISHED_STATUSES:
        return run
    last = run.heartbeat_at or run.started_at or run.created_at
    if utc_now() - last < timedelta(seconds=STALE_AFTER_S):
        return run
    rota_runs.fail_rota_run(store=store, run_id=run.id, at=utc_now(), error=STALE)
    return rota_runs.get_rota_run(store=store, run_id=run.id) or run


def solution_of(run: RotaRun) -> rota.Solution:
    return rota.Solution.model_validate_json(run.solution or "{}")


def publish_rota(*, store: GraphStore, run_id: str) -> Published:
    """Turn a draft into proposed assignments; RotaError when it is missing or not a draft."""
    run = get_rota_run(store=store, run_id=run_id)
    if run is None:
        raise RotaError(f"runId: no rota run with id {run_id!r}")
    if run.status != "draft":
        raise RotaError(f"runId: rota run {run_id!r} is {_status_words(run.status)}")
    solution = solution_of(run)
    assignments = [
        {"visit": a.visit, "volunteer": a.volunteer, "start": a.start} for a in solution.assignments
    ]
    problem = json.loads(run.problem or "{}")
    outcome = rota_runs.publish_rota(
        store=store,
        run_id=run_id,
        assignments=assignments,
        unassigned=[u.visit for u in solution.unassigned],
        at=utc_now(),
        visit_ids=[v["id"] for v in problem.get("visits", [])],
    )
    if not outcome.ok:
        raise RotaError(f"runId: rota run {run_id!r} is {_status_words(outcome.status)}")
    open_visits_changed(store=store)  # in this process at once; elsewhere within its max age
    published = get_rota_run(store=store, run_id=run_id)
    assert published is not None
    return Published(run=published, proposed=outcome.proposed)


def _status_words(status: str | None) -> str:
    return {
        "published": "already published",
        "superseded": "an earlier rota that another run of its week replaced",
        "queued": "still waiting to be solved, not a draft yet",
        "running": "still being solved, not a draft yet",
        "failed": "a failed run, not a draft",
        "cancelled": "a cancelled run, not a draft",
    }.get(status or "", "not a draft")


# A cell a spreadsheet would read as a formula (OWASP "CSV injection"): =, +, -, @, and tab or
# carriage return, which some spreadsheets skip before looking for those.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> object:
    """A text cell starting like a formula, with a ``'`` in front so it stays text."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class SpreadsheetSafeWriter:
    """``csv.writer`` whose text cells never start like a formula (``spreadsheet_safe``)."""

    def __init__(self, out: io.StringIO) -> None:
        self._writer = csv.writer(out)

    def writerow(self, row: list[object]) -> None:
        self._writer.writerow([spreadsheet_safe(cell) for cell in row])


def rota_csv(
    *,
    run: RotaRun,
    names: dict[str, str],
    reasons: ReasonNames | None = None,
    needs_shown: frozenset[str] | None = None,
) -> str:
    """The run as CSV: one row per assignment and per uncovered visit, with reasons (ids in
    them replaced by first names from ``reasons``; what they say about a person's needs only
    for the people in ``needs_shown``, everyone's when None)."""
    words = reasons or ReasonNames(names={}, people=frozenset())

    def said(person_id: str, given: list[str]) -> str:
        shown = words.with_first_names(given)
        if needs_shown is not None and person_id not in needs_shown:
            shown = without_needs(shown)
        return "; ".join(shown)

    solution = solution_of(run)
    problem = json.loads(run.problem or "{}")
    visits = {v["id"]: v for v in problem.get("visits", [])}
    out = io.StringIO()
    writer = SpreadsheetSafeWriter(out)
    writer.writerow(["visit", "person", "day", "start", "volunteer", "status", "reasons"])
    for a in solution.assignments:
        visit = visits.get(a.visit, {})
        writer.writerow(
            [
                a.visit,
                names.get(accompanied.person_of(visit.get("person", "")), ""),
                visit.get("day", ""),
                a.start,
                names.get(a.volunteer, a.volunteer),
                "assigned",
                said(visit.get("person", ""), a.reasons),
            ]
        )
    for u in solution.unassigned:
        visit = visits.get(u.visit, {})
        writer.writerow(
            [
                u.visit,
                names.get(accompanied.person_of(visit.get("person", "")), ""),
                visit.get("day", ""),
                "",
                "",
                "uncovered",
                said(visit.get("person", ""), u.reasons),
            ]
        )
    return out.getvalue()


def run_csv(*, store: GraphStore, run: RotaRun, needs_shown: frozenset[str] | None = None) -> str:
    """The run's CSV export (``rota_csv``) with the names of its volunteers and people."""
    solution = solution_of(run)
    problem = json.loads(run.problem or "{}")
    ids = sorted(
        {a.volunteer for a in solution.assignments}
        | {accompanied.person_of(visit["person"]) for visit in problem.get("visits", [])}
    )
    names = rota_runs.names_in_run(store=store, ids=ids)
    return rota_csv(
        run=run,
        names=names,
        reasons=names_in_reasons(store=store, runs=[run]),
        needs_shown=needs_shown,
    )


def run_csv_for(*, store: GraphStore, user: CurrentUser, run: RotaRun) -> str:
    """The run's CSV as ``user`` may see it (the people's names, as arranging visits; what
    reasons say of their needs only with their needs consent), the reads written to each
    person's access log."""
    from service.consent import policy

    people = sorted(set(people_of_visits(run).values()))
    found = policy.accesses_to_people(store=store, user=user, person_ids=people)
    needs_shown = frozenset(p for p, a in found.items() if a.allows("needs"))
    reads = policy.Reads()
    for person_id, seen in found.items():
        if seen.allows(policy.PERSON_FIELDS["first_name"]):
            reads.note(seen, "first_name")
        if person_id in needs_shown:
            reads.note(seen, "languages")
    body = run_csv(store=store, run=run, needs_shown=needs_shown)
    policy.log_reads(store=store, user=user, reads=reads)
    return body


@dataclass(frozen=True)
class VolunteerChange:
    """How publishing a run would change one volunteer's proposed visits."""

    volunteer_id: str
    first_name: str
    added: int
    withdrawn: int


@dataclass(frozen=True)
class PublishPreview:
    """What publishing a draft would do: the run live for its week now (if any), and whose
    proposed visits would change."""

    run: RotaRun
    live: RotaRun | None
    changes: list[VolunteerChange]


def publish_preview(*, store: GraphStore, run_id: str) -> PublishPreview:
    """What publishing ``run_id`` would change; RotaError when there is no such run."""
    run = get_rota_run(store=store, run_id=run_id)
    if run is None:
        raise RotaError(f"runId: no rota run with id {run_id!r}")
    runs = rota_runs.list_rota_runs(
        store=store, week_start=run.week_start, first=500, organization_id=run.organization_id
    ).items
    live = next(
        (r for r in runs if r.status == "published" and r.organization_id == run.organization_id),
        None,
    )
    visit_ids = set(people_of_visits(run))
    now = {
        pair
        for pair in rota_runs.week_proposals(store=store, week_start=run.week_start)
        if pair[1] in visit_ids
    }
    pinned = {
        (volunteer, visit.properties["id"])
        for visit in rota_runs.week_visits_to_plan(
            store=store, week_start=run.week_start, organization_id=run.organization_id
        )
        for volunteer in visit.pinned
    }
    after = {(a.volunteer, a.visit) for a in solution_of(run).assignments} - pinned
    added: dict[str, int] = {}
    withdrawn: dict[str, int] = {}
    for volunteer, _ in after - now:
        added[volunteer] = added.get(volunteer, 0) + 1
    for volunteer, _ in now - after:
        withdrawn[volunteer] = withdrawn.get(volunteer, 0) + 1
    ids = sorted(set(added) | set(withdrawn))
    names = {f.id: f.first_name or "" for f in rota_runs.first_names_of_ids(store=store, ids=ids)}
    changes = [
        VolunteerChange(
            volunteer_id=v,
            first_name=names.get(v, ""),
            added=added.get(v, 0),
            withdrawn=withdrawn.get(v, 0),
        )
        for v in ids
    ]
    return PublishPreview(run=run, live=live, changes=changes)


def next_week_needing_work(*, store: GraphStore, on: date) -> date:
    """The Monday of the first week from ``on`` that needs the coordinator: this week if it has
    gaps (open visits or visits needing cover) from today on; otherwise the first of the next
    three weeks that is not published yet or has gaps; otherwise next week."""
    this_week = on - timedelta(days=on.weekday())
    weeks = [(this_week, on.weekday())] + [(this_week + timedelta(weeks=i), 0) for i in (1, 2, 3)]
    work = rota_runs.weeks_work(store=store, weeks=weeks)
    if work[0].gaps:
        return this_week
    for (monday, _), week in zip(weeks[1:], work[1:], strict=True):
        if week.gaps or not week.published:
            return monday
    return this_week + timedelta(weeks=1)
