"""Rota runs: a week's run from queued to draft or published, with its problem, solution and
metrics; and the reads and writes of the week a run plans, solves and publishes."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from graph.models import Person, RotaRun, Volunteer, iso_utc
from graph.models.rota import RotaRunStatus
from graph.repo.records import (
    Page,
    create_one,
    from_properties,
    get_statement,
    page_params,
    read_many,
    read_one,
    read_page,
)
from graph.repo.visit_changes import notice_fragment as _notice
from graph.store.port import GraphStore, Row

CREATE_ROTA_RUN = "CREATE (n:RotaRun) SET n = $props RETURN properties(n) AS n"


def create_rota_run(*, store: GraphStore, run: RotaRun) -> RotaRun:
    """Store a run; ``AlreadyExists`` if the id is taken."""
    return create_one(store, CREATE_ROTA_RUN, run, label="RotaRun")


GET_ROTA_RUN = get_statement("RotaRun")


def get_rota_run(*, store: GraphStore, run_id: str) -> RotaRun | None:
    """The run with this id, or None."""
    return read_one(store, GET_ROTA_RUN, {"id": run_id}, RotaRun)


LIST_ROTA_RUNS = """
MATCH (n:RotaRun)
WHERE ($week_start IS NULL OR n.week_start = $week_start) AND ($after IS NULL OR n.id > $after)
  AND ($organization_id IS NULL OR n.organization_id = $organization_id)
RETURN properties(n) AS n ORDER BY n.id LIMIT $limit
"""


def list_rota_runs(
    *,
    store: GraphStore,
    week_start: date | None = None,
    first: int = 50,
    after: str | None = None,
    organization_id: str | None = None,
) -> Page[RotaRun]:
    """Runs in id order, optionally one week's, optionally one organisation's."""
    params = page_params(first=first, after=after) | {
        "week_start": None if week_start is None else week_start.isoformat(),
        "organization_id": organization_id,
    }
    return read_page(store, LIST_ROTA_RUNS, params, RotaRun, first=first)


# --- a run's states ------------------------------------------------------------------------
#
# One statement moves a run from one of ``$states`` to its next state, setting ``$changes``
# (a null removes the property), and says whether it did: so a cancel and the solver's result
# arriving at the same time cannot both win. The write lock on the run is taken first (on Neo4j
# a plain read of the state would not hold it).

MOVE_ROTA_RUN = """
MATCH (n:RotaRun {id: $id})
SET n._lock = $lock
WITH n, n.status IN $states AS ok
FOREACH (_ IN CASE WHEN ok THEN [1] ELSE [] END | SET n += $changes)
REMOVE n._lock
RETURN ok, properties(n) AS n
"""


@dataclass(frozen=True)
class Moved:
    """Whether the run was in one of the states asked for (and so changed), and the run now."""

    ok: bool
    run: RotaRun | None


def move_rota_run(
    *,
    store: GraphStore,
    run_id: str,
    states: Sequence[RotaRunStatus],
    changes: dict[str, Any],
) -> Moved:
    """Set ``changes`` (node properties; None removes one) on the run only while its status is
    one of ``states``; ``Moved(False, None)`` when there is no such run."""
    rows = store.run(
        MOVE_ROTA_RUN,
        {"id": run_id, "states": list(states), "changes": changes, "lock": uuid.uuid4().hex[:8]},
    )
    if not rows:
        return Moved(ok=False, run=None)
    return Moved(ok=bool(rows[0]["ok"]), run=from_properties(RotaRun, rows[0]["n"]))


def start_rota_run(*, store: GraphStore, run_id: str, at: datetime, progress: str) -> bool:
    """A queued run starts; False if it is no longer queued (cancelled meanwhile)."""
    changes = {
        "status": "running",
        "started_at": iso_utc(at),
        "heartbeat_at": iso_utc(at),
        "progress": progress,
    }
    return move_rota_run(store=store, run_id=run_id, states=["queued"], changes=changes).ok


def beat_rota_run(
    *, store: GraphStore, run_id: str, at: datetime, states: Sequence[RotaRunStatus]
) -> bool:
    """The process solving the run says it still does (``heartbeat_at``); False when the run
    is no longer in one of ``states`` (cancelled meanwhile)."""
    changes = {"heartbeat_at": iso_utc(at)}
    return move_rota_run(store=store, run_id=run_id, states=states, changes=changes).ok


def note_rota_run_progress(
    *,
    store: GraphStore,
    run_id: str,
    at: datetime,
    progress: str,
    visits_total: int | None = None,
    visits_covered: int | None = None,
) -> bool:
    """Record what a running run is doing (and, when known, how many visits it has to cover and
    the most its best rota so far covers), a heartbeat too; False when it is no longer
    running."""
    changes: dict[str, Any] = {"progress": progress, "heartbeat_at": iso_utc(at)}
    if visits_total is not None:
        changes["visits_total"] = visits_total
    if visits_covered is not None:
        changes["visits_covered"] = visits_covered
    return move_rota_run(store=store, run_id=run_id, states=["running"], changes=changes).ok


def finish_rota_run(
    *,
    store: GraphStore,
    run_id: str,
    at: datetime,
    problem: str,
    solution: str,
    metrics: str,
    visits_total: int,
    visits_covered: int,
) -> bool:
    """A running run becomes a draft with its problem, solution and metrics (JSON text);
    False when it is no longer running (cancelled meanwhile: nothing is written)."""
    changes = {
        "status": "draft",
        "finished_at": iso_utc(at),
        "progress": None,
        "problem": problem,
        "solution": solution,
        "metrics": metrics,
        "visits_total": visits_total,
        "visits_covered": visits_covered,
    }
    return move_rota_run(store=store, run_id=run_id, states=["running"], changes=changes).ok


def fail_rota_run(*, store: GraphStore, run_id: str, at: datetime, error: str) -> bool:
    """A queued or running run fails, ``error`` saying why in plain words."""
    changes = {"status": "failed", "finished_at": iso_utc(at), "progress": None, "error": error}
    return move_rota_run(
        store=store, run_id=run_id, states=["queued", "running"], changes=changes
    ).ok


def cancel_rota_run(*, store: GraphStore, run_id: str, at: datetime, reason: str) -> Moved:
    """A queued or running run is cancelled (``reason`` goes to its ``error``); ``ok`` is
    False when it had finished already, ``run`` None when there is no such run."""
    changes = {"status": "cancelled", "finished_at": iso_utc(at), "progress": None, "error": reason}
    return move_rota_run(store=store, run_id=run_id, states=["queued", "running"], changes=changes)


# --- the week a run plans and solves -------------------------------------------------------

WEEK_VISIT_COUNT = "MATCH (v:Visit) WHERE v.week_start = $week_start RETURN count(v) AS n"


def week_visit_count(*, store: GraphStore, week_start: date) -> int:
    """How many visits the week has, whatever their status."""
    rows = store.run(WEEK_VISIT_COUNT, {"week_start": week_start.isoformat()}, write=False)
    return int(rows[0]["n"])


PEOPLE_PLANNED = """
MATCH (v:Visit)-[:FOR]->(p:Person) WHERE v.week_start = $week_start
RETURN collect(DISTINCT p.id) AS ids
"""


def people_planned(*, store: GraphStore, week_start: date) -> set[str]:
    """The people who have visits in the week already."""
    rows = store.run(PEOPLE_PLANNED, {"week_start": week_start.isoformat()}, write=False)
    return set(rows[0]["ids"])


PEOPLE_WITH_PATTERNS = """
MATCH (n:Person) WHERE n.visits_per_week > 0 AND n.visit_windows IS NOT NULL
RETURN properties(n) AS n ORDER BY n.id
"""


ORGANIZATION_PEOPLE_WITH_PATTERNS = """
MATCH (n:Person)-[:SUPPORTED_BY]->(:Organization {id: $organization_id})
WHERE n.visits_per_week > 0 AND n.visit_windows IS NOT NULL
RETURN properties(n) AS n ORDER BY n.id
"""


def people_with_patterns(*, store: GraphStore, organization_id: str | None = None) -> list[Person]:
    """People with a weekly pattern of visits (those ``organization_id`` supports, when
    given), in id order."""
    if organization_id is None:
        return read_many(store, PEOPLE_WITH_PATTERNS, {}, Person)
    params = {"organization_id": organization_id}
    return read_many(store, ORGANIZATION_PEOPLE_WITH_PATTERNS, params, Person)


# Create the week's visits that do not exist yet, each FOR its person.
PLAN_VISITS = """
UNWIND $visits AS props
MATCH (p:Person {id: props.person_id})
MERGE (v:Visit {id: props.id})
ON CREATE SET v += props
MERGE (v)-[:FOR]->(p)
RETURN count(v) AS planned
"""


def plan_visits(*, store: GraphStore, visits: list[dict[str, Any]]) -> int:
    """Create the visits (node properties) whose ids do not exist yet; returns how many of
    ``visits`` exist now."""
    rows = store.run(PLAN_VISITS, {"visits": visits})
    return int(rows[0]["planned"]) if rows else 0


WEEK_VISITS = """
MATCH (v:Visit)-[:FOR]->(p:Person)
WHERE v.week_start = $week_start AND v.status IN ['open', 'proposed', 'accepted', 'needs_cover']
OPTIONAL MATCH (vol:Volunteer)-[a:ASSIGNED {status: 'accepted'}]->(v)
RETURN properties(v) AS v, p.id AS person_id, collect(vol.id) AS pinned
ORDER BY v.id
"""


@dataclass(frozen=True)
class VisitToPlan:
    """A visit of the week still to be rota'd: its node properties, its person, and the
    volunteers who accepted it (pinned in a re-run)."""

    properties: dict[str, Any]
    person_id: str
    pinned: list[str]


ORGANIZATION_WEEK_VISITS = """
MATCH (v:Visit)-[:FOR]->(p:Person)-[:SUPPORTED_BY]->(:Organization {id: $organization_id})
WHERE v.week_start = $week_start AND v.status IN ['open', 'proposed', 'accepted', 'needs_cover']
OPTIONAL MATCH (vol:Volunteer)-[a:ASSIGNED {status: 'accepted'}]->(v)
RETURN properties(v) AS v, p.id AS person_id, collect(vol.id) AS pinned
ORDER BY v.id
"""


def week_visits_to_plan(
    *, store: GraphStore, week_start: date, organization_id: str | None = None
) -> list[VisitToPlan]:
    """The week's open, proposed and accepted visits and those needing cover (to people
    ``organization_id`` supports, when given), in id order."""
    if organization_id is None:
        rows = store.run(WEEK_VISITS, {"week_start": week_start.isoformat()}, write=False)
    else:
        params = {"week_start": week_start.isoformat(), "organization_id": organization_id}
        rows = store.run(ORGANIZATION_WEEK_VISITS, params, write=False)
    return [
        VisitToPlan(properties=row["v"], person_id=row["person_id"], pinned=sorted(row["pinned"]))
        for row in rows
    ]


PEOPLE_BY_ID = """
MATCH (n:Person) WHERE n.id IN $ids
OPTIONAL MATCH (member:Volunteer)-[:MEMBER_OF]->(:CareCircle)-[:SUPPORTS]->(n)
WITH n, collect(DISTINCT member.id) AS members
OPTIONAL MATCH (known:Volunteer)-[k:KNOWS]->(n)
WITH n, members, known, k ORDER BY k.strength DESC
RETURN properties(n) AS n, members, collect(known.id) AS known
"""


@dataclass(frozen=True)
class PersonWithCircle:
    """A person, the volunteers in circles that support them, and the volunteers who know
    them from visits (strongest tie first)."""

    person: Person
    members: list[str]
    known: list[str]


def people_with_circles(*, store: GraphStore, ids: list[str]) -> list[PersonWithCircle]:
    rows = store.run(PEOPLE_BY_ID, {"ids": ids}, write=False)
    return [
        PersonWithCircle(
            person=from_properties(Person, row["n"]), members=row["members"], known=row["known"]
        )
        for row in rows
    ]


ALL_VOLUNTEERS = "MATCH (n:Volunteer) RETURN properties(n) AS n ORDER BY n.id"


ORGANIZATION_VOLUNTEERS = """
MATCH (n:Volunteer)-[:VOLUNTEERS_WITH]->(:Organization {id: $organization_id})
RETURN properties(n) AS n ORDER BY n.id
"""


def all_volunteers(*, store: GraphStore, organization_id: str | None = None) -> list[Volunteer]:
    """Every volunteer (who volunteers with ``organization_id``, when given), in id order:
    the volunteers a rota considers."""
    if organization_id is None:
        return read_many(store, ALL_VOLUNTEERS, {}, Volunteer)
    params = {"organization_id": organization_id}
    return read_many(store, ORGANIZATION_VOLUNTEERS, params, Volunteer)


# What the volunteers of a rota already do that week for other rotas (another organisation's
# visits they were proposed, accepted or logged): the rota keeps those times free.
OTHER_COMMITMENTS = """
MATCH (vol:Volunteer) WHERE vol.id IN $volunteer_ids
MATCH (vol)-[a:ASSIGNED]->(v:Visit)
WHERE v.week_start = $week_start AND a.status IN ['proposed', 'accepted', 'done']
  AND NOT v.id IN $visit_ids
RETURN vol.id AS volunteer_id, v.day AS day, v.start AS start, v.duration_minutes AS minutes
ORDER BY volunteer_id, day, start
"""


def other_commitments(
    *, store: GraphStore, volunteer_ids: list[str], week_start: date, visit_ids: list[str]
) -> list[Row]:
    """Rows ``volunteer_id``, ``day``, ``start``, ``minutes``: the volunteers' visits of the
    week that are not among ``visit_ids`` (another rota's), proposed, accepted or done, that
    have a start time."""
    params = {
        "volunteer_ids": volunteer_ids,
        "week_start": week_start.isoformat(),
        "visit_ids": visit_ids,
    }
    rows = store.run(OTHER_COMMITMENTS, params, write=False)
    return [row for row in rows if row["start"] is not None]


# --- last week's rota ----------------------------------------------------------------------

# A week's assignments a published rota proposed and volunteers kept (proposed, accepted or
# logged done), of the people $organization_id supports (everyone's when null), with what
# identifies each visit again a week later: its person, its service (an accompanied visit's)
# and its window.
WEEK_ASSIGNMENTS = """
MATCH (vol:Volunteer)-[a:ASSIGNED]->(v:Visit)-[:FOR]->(p:Person)
WHERE v.week_start = $week_start AND a.status IN ['proposed', 'accepted', 'done']
  AND coalesce(v.start, '') <> ''
OPTIONAL MATCH (p)-[:SUPPORTED_BY]->(o:Organization {id: $organization_id})
WITH vol, v, p, o
WHERE $organization_id IS NULL OR o IS NOT NULL
RETURN p.id AS person_id, coalesce(v.service_id, '') AS service_id, v.day AS day,
       v.earliest AS earliest, v.latest AS latest, v.id AS visit_id, v.start AS start,
       vol.id AS volunteer_id
ORDER BY person_id, day, earliest, visit_id, volunteer_id
"""


@dataclass(frozen=True)
class KeptAssignment:
    """A volunteer's visit of a week: whose visit (``service_id`` '' unless accompanied), on
    which day, in which window, which visit, at what start."""

    person_id: str
    service_id: str
    day: int
    earliest: str
    latest: str
    visit_id: str
    start: str
    volunteer_id: str


def week_assignments(
    *, store: GraphStore, week_start: date, organization_id: str | None = None
) -> list[KeptAssignment]:
    """The week's proposed, accepted and done assignments (of the people ``organization_id``
    supports, when given)."""
    params = {"week_start": week_start.isoformat(), "organization_id": organization_id}
    return [KeptAssignment(**row) for row in store.run(WEEK_ASSIGNMENTS, params, write=False)]


# --- publishing ----------------------------------------------------------------------------

# Publish a draft: only once (the guard), and only one run of a week is ever published for an
# organisation: every run of the week for the run's organisation is locked first (so two
# drafts published at once queue up), and the one published before becomes ``superseded``.
# Earlier proposals of the run's visits ($visit_ids: the visits of its problem, so another
# organisation's rota of the same week is left alone) are withdrawn (deleted), each assignment
# proposed, and every visit of the run that is neither accepted nor proposed now opened.
# Accepted (pinned) assignments stay as they are. A volunteer who loses a proposal and one who
# gets a new one are told (a Notice, graph/repo/visit_changes.py); one whose proposal stays the
# same is not.
PUBLISH_ROTA = f"""
MATCH (r:RotaRun {{id: $run_id}})
MATCH (week:RotaRun)
WHERE week.week_start = r.week_start
  AND coalesce(week.organization_id, '') = coalesce(r.organization_id, '')
SET week._lock = $lock
WITH r, collect(week) AS runs
WITH r, runs, r.status = 'draft' AS ok
FOREACH (live IN CASE WHEN ok THEN [x IN runs WHERE x.status = 'published'] ELSE [] END |
  SET live.status = 'superseded', live.superseded_at = $now, live.superseded_by = r.id)
WITH r, runs, ok
OPTIONAL MATCH (oldvol:Volunteer)-[old:ASSIGNED {{status: 'proposed'}}]->(ov:Visit)
WHERE ok AND ov.week_start = r.week_start AND ov.id IN $visit_ids
WITH r, runs, ok, old, oldvol, ov,
     CASE WHEN ov IS NULL THEN false ELSE NOT ((oldvol.id + '|' + ov.id) IN $pairs) END AS lost
FOREACH (_ IN CASE WHEN lost THEN [1] ELSE [] END |
  {_notice(v="ov", who="oldvol", kind="visit_withdrawn", recipient_kind="volunteer")})
WITH r, runs, ok, old, CASE WHEN ov IS NULL THEN null ELSE oldvol.id + '|' + ov.id END AS pair
DELETE old
WITH r, runs, ok, collect(pair) AS before
UNWIND CASE WHEN ok THEN $assignments ELSE [] END + [null] AS a
OPTIONAL MATCH (v:Visit {{id: a.visit}}), (vol:Volunteer {{id: a.volunteer}})
WITH r, runs, ok, before, a, v, vol
FOREACH (_ IN CASE WHEN v IS NULL OR vol IS NULL OR v.status IN ['accepted', 'done', 'missed']
                   THEN [] ELSE [1] END |
  MERGE (vol)-[e:ASSIGNED]->(v)
  SET e.status = 'proposed', e.at = $now, v.start = a.start, v.status = 'proposed',
      v.rota_run_id = r.id, v.changed_at = null)
FOREACH (_ IN CASE WHEN v IS NULL OR vol IS NULL OR v.status <> 'proposed'
                     OR (a.volunteer + '|' + a.visit) IN before THEN [] ELSE [1] END |
  {_notice(v="v", who="vol", kind="visit_proposed", recipient_kind="volunteer")})
WITH r, runs, ok, sum(CASE WHEN v IS NOT NULL AND vol IS NOT NULL AND v.rota_run_id = r.id
                      AND v.status = 'proposed' THEN 1 ELSE 0 END) AS proposed
OPTIONAL MATCH (w:Visit)
WHERE ok AND w.week_start = r.week_start AND w.status = 'proposed' AND w.rota_run_id <> r.id
  AND w.id IN $visit_ids
FOREACH (_ IN CASE WHEN w IS NULL THEN [] ELSE [1] END | SET w.status = 'open')
WITH r, runs, ok, proposed, count(w) AS reopened
OPTIONAL MATCH (u:Visit)
WHERE ok AND u.week_start = r.week_start AND u.id IN $unassigned AND u.status = 'open'
FOREACH (_ IN CASE WHEN u IS NULL THEN [] ELSE [1] END | SET u.rota_run_id = r.id)
WITH r, runs, ok, proposed, reopened
FOREACH (_ IN CASE WHEN ok THEN [1] ELSE [] END |
  SET r.status = 'published', r.published_at = $now)
FOREACH (run IN runs | REMOVE run._lock)
RETURN ok, proposed, reopened, r.status AS status
"""


@dataclass(frozen=True)
class PublishedWeek:
    """Whether the run was a draft (and so is published now), and how many visits it
    proposed."""

    ok: bool
    proposed: int
    status: str | None


def publish_rota(
    *,
    store: GraphStore,
    run_id: str,
    assignments: list[dict[str, str]],
    unassigned: list[str],
    at: datetime,
    visit_ids: list[str],
) -> PublishedWeek:
    """Publish the draft ``run_id``: ``assignments`` (``visit``, ``volunteer``, ``start``)
    become proposed, visits ``unassigned`` and earlier proposals of the week open. Only once."""
    rows = store.run(
        PUBLISH_ROTA,
        {
            "run_id": run_id,
            "assignments": assignments,
            "pairs": [f"{a['volunteer']}|{a['visit']}" for a in assignments],
            "change": f"{run_id}@{iso_utc(at)}",
            "unassigned": unassigned,
            "visit_ids": visit_ids,
            "now": iso_utc(at),
            "lock": uuid.uuid4().hex[:8],
        },
    )
    if not rows:
        return PublishedWeek(ok=False, proposed=0, status=None)
    row = rows[0]
    return PublishedWeek(ok=bool(row["ok"]), proposed=int(row["proposed"]), status=row["status"])


# --- names in a run's reasons --------------------------------------------------------------

FIRST_NAMES_OF_IDS = """
MATCH (n:Person) WHERE n.id IN $ids
RETURN n.id AS id, n.first_name AS first_name, 'person' AS kind
UNION ALL
MATCH (n:Volunteer) WHERE n.id IN $ids
RETURN n.id AS id, n.first_name AS first_name, 'volunteer' AS kind
UNION ALL
MATCH (n:Service) WHERE n.id IN $ids
RETURN n.id AS id, n.name AS first_name, 'service' AS kind
"""


@dataclass(frozen=True)
class FirstName:
    id: str
    first_name: str | None
    is_person: bool


def first_names_of_ids(*, store: GraphStore, ids: list[str]) -> list[FirstName]:
    """The first names of the people and volunteers among ``ids``, and the names of services
    (an accompanied visit's place); other ids are left out."""
    rows = store.run(FIRST_NAMES_OF_IDS, {"ids": ids}, write=False)
    return [
        FirstName(id=r["id"], first_name=r["first_name"], is_person=r["kind"] == "person")
        for r in rows
    ]


NAMES_IN_RUN = """
MATCH (n) WHERE (n:Volunteer OR n:Person) AND n.id IN $ids
RETURN n.id AS id, n.first_name AS first_name, n.last_name AS last_name, n:Volunteer AS volunteer
"""


def names_in_run(*, store: GraphStore, ids: list[str]) -> dict[str, str]:
    """The names a run's export shows: a volunteer's full name, a person's first name."""
    return {
        row["id"]: (
            f"{row['first_name']} {row['last_name']}" if row["volunteer"] else row["first_name"]
        )
        for row in store.run(NAMES_IN_RUN, {"ids": ids}, write=False)
    }


# --- what publishing would change ----------------------------------------------------------

WEEK_PROPOSALS = """
MATCH (vol:Volunteer)-[:ASSIGNED {status: 'proposed'}]->(v:Visit)
WHERE v.week_start = $week_start
RETURN vol.id AS volunteer_id, v.id AS visit_id
"""


def week_proposals(*, store: GraphStore, week_start: date) -> list[tuple[str, str]]:
    """The (volunteer, visit) pairs proposed in the week now."""
    rows = store.run(WEEK_PROPOSALS, {"week_start": week_start.isoformat()}, write=False)
    return [(row["volunteer_id"], row["visit_id"]) for row in rows]


# For each week of $weeks ({week, from_day}): how many of its visits on from_day or later are
# open or need cover, and whether a run of it is published.
WEEKS_WORK = """
UNWIND $weeks AS w
OPTIONAL MATCH (v:Visit)
WHERE v.week_start = w.week AND v.day >= w.from_day AND v.status IN ['open', 'needs_cover']
WITH w, count(v) AS gaps
OPTIONAL MATCH (r:RotaRun)
WHERE r.week_start = w.week AND r.status = 'published'
RETURN w.week AS week, gaps, count(r) AS published
"""


@dataclass(frozen=True)
class WeekWork:
    week_start: str
    gaps: int
    published: bool


def weeks_work(*, store: GraphStore, weeks: list[tuple[date, int]]) -> list[WeekWork]:
    """For each (Monday, first day) of ``weeks``, in order: the gaps from that day on and
    whether the week is published."""
    params = {"weeks": [{"week": w.isoformat(), "from_day": d} for w, d in weeks]}
    rows = {row["week"]: row for row in store.run(WEEKS_WORK, params, write=False)}
    return [
        WeekWork(
            week_start=w.isoformat(),
            gaps=int(rows[w.isoformat()]["gaps"]),
            published=int(rows[w.isoformat()]["published"]) > 0,
        )
        for w, _ in weeks
    ]
