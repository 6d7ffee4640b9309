"""What-if: a week's problem changed into a scenario, a rota read by area and time band, and
where one more volunteer would help most.

A **scenario** is a modified copy of a week's problem (ROTA_FORMAT.md): volunteers added "like"
an existing one (same skills, languages, gender, range, weekly minutes and availability) with
their home at an area's centre, volunteers removed, referrals added (new people with visits in an
area), a person's visits changed (how many, how long). ``scenario_problem`` makes the copy; the
original is a frozen model and is never touched. Solving it is ``solver.solve.solve``'s job, as
for the real week.

``summarise`` reads a rota the way a coordinator compares two: coverage, continuity (visits kept
by circle members), and the gaps by area and by weekday and time band (``BANDS``).

**Where would one more volunteer help most** (``marginal_values``): for each area, weekday and
time band, one synthetic volunteer who lives at the area's centre and is free for that whole band
is added to the week *as it is* (the rota given, everyone keeping their visits), and takes the
week's gaps they may take (rules 1-10, decided by solver/eligibility.py) first-fit in order of
need, as solver/greedy.py does. The value is the need (and the visits) that volunteer covers.
Re-solving by this fast path, not the dual values of the bound's LP, because

- on a week of the M size and up the bound is a min-cost flow or an aggregate LP
  (solver/bound.py), whose dual values price a minute of an *existing* volunteer or of a whole
  weekday, not a new volunteer at one place and time;
- those LPs are degenerate (many optimal dual solutions), so a heat map read from them would
  change with HiGHS's choice of vertex, and a dual value only holds for an infinitesimal change;
- the fast path says something a coordinator can check: the gaps this volunteer could have
  taken, each allowed by the same rules as the real rota.

It is a lower bound on what a full re-solve with that volunteer gains: a re-solve may also move
other volunteers' visits to free someone for a gap, which this does not count. Visits that need
two volunteers are left out (one more volunteer cannot cover them alone).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from statistics import median

import numpy as np

from clock import clock_of
from solver import eligibility as rules
from solver.check import compute_metrics
from solver.models import Assignment, Availability, Person, Problem, Visit, Volunteer


@dataclass(frozen=True)
class Band:
    """A time of day: visits whose window opens in ``[start, end)`` (minutes) belong to it."""

    name: str
    start: int
    end: int


BANDS = (Band("morning", 0, 780), Band("afternoon", 780, 1020), Band("evening", 1020, 1440))
# When a synthetic volunteer of each band is free (the band's usual visiting hours).
BAND_HOURS = {"morning": (540, 780), "afternoon": (780, 1020), "evening": (1020, 1260)}


def band_of(minutes: int) -> int:
    """The index in ``BANDS`` of the band a visit opening at ``minutes`` belongs to."""
    return next(i for i, band in enumerate(BANDS) if minutes < band.end)


@dataclass(frozen=True)
class Area:
    """An area (ward, neighbourhood) and its centre."""

    id: str
    name: str
    lat: float
    lon: float


class ScenarioError(ValueError):
    """A change that cannot be made; the message names the field and what was expected."""


@dataclass(frozen=True)
class AddLike:
    """``count`` volunteers like ``volunteer``, living at the centre of ``area``."""

    volunteer: str
    area: str
    count: int = 1


@dataclass(frozen=True)
class Referral:
    """``count`` new people in ``area``, each asking for ``visits`` visits a week of ``minutes``
    in ``band`` (on weekdays spread over the week)."""

    area: str
    count: int = 1
    visits: int = 1
    minutes: int = 60
    band: str = "morning"
    need: float = 0.5


@dataclass(frozen=True)
class VisitChange:
    """A person's visits this week: ``count`` of them (``None``: as now), each ``minutes`` long
    (``None``: as now)."""

    person: str
    count: int | None = None
    minutes: int | None = None


@dataclass(frozen=True)
class Changes:
    """What a scenario changes in its week."""

    add: Sequence[AddLike] = ()
    remove: Sequence[str] = ()
    referrals: Sequence[Referral] = ()
    visits: Sequence[VisitChange] = ()


@dataclass(frozen=True)
class Scenario:
    """A scenario's problem, and the area of every person in it (referrals included)."""

    problem: Problem
    person_area: dict[str, str]


ADDED_PREFIX = "scenario-volunteer-"
REFERRAL_PREFIX = "scenario-person-"
COUNT_MAX = 50


def scenario_problem(
    problem: Problem, changes: Changes, *, areas: Mapping[str, Area], person_area: Mapping[str, str]
) -> Scenario:
    """A copy of ``problem`` with ``changes`` made (ScenarioError naming the field when one
    cannot be); ``problem`` itself is left as it is."""
    volunteers = {w.id: w for w in problem.volunteers}
    people = {p.id: p for p in problem.people}
    removed = set(changes.remove)
    for i, gone in enumerate(changes.remove):
        if gone not in volunteers:
            raise ScenarioError(f"remove[{i}]: no volunteer {gone!r} in this week")
    added: list[Volunteer] = []
    for i, like in enumerate(changes.add):
        original = volunteers.get(like.volunteer)
        if original is None:
            raise ScenarioError(f"add[{i}].volunteer: no volunteer {like.volunteer!r} in this week")
        area = _area(areas, like.area, f"add[{i}].area")
        _count(like.count, f"add[{i}].count")
        for k in range(like.count):
            added.append(
                original.model_copy(
                    update={
                        "id": f"{ADDED_PREFIX}{i + 1}-{k + 1}",
                        "lat": area.lat,
                        "lon": area.lon,
                    }
                )
            )
    visits_of: dict[str, list[Visit]] = defaultdict(list)
    for visit in problem.visits:
        visits_of[visit.person].append(visit)
    changed: dict[str, list[Visit]] = {}
    for i, change in enumerate(changes.visits):
        if change.person not in people:
            raise ScenarioError(f"visits[{i}].person: no person {change.person!r} in this week")
        changed[change.person] = _changed_visits(
            visits_of[change.person], change, grid=problem.grid_minutes, field=f"visits[{i}]"
        )
    new_people: list[Person] = []
    new_visits: list[Visit] = []
    areas_now = dict(person_area)
    for i, referral in enumerate(changes.referrals):
        area = _area(areas, referral.area, f"referrals[{i}].area")
        _count(referral.count, f"referrals[{i}].count")
        for k in range(referral.count):
            person = Person(
                id=f"{REFERRAL_PREFIX}{i + 1}-{k + 1}",
                lat=area.lat,
                lon=area.lon,
                need=referral.need,
            )
            new_people.append(person)
            areas_now[person.id] = area.id
            new_visits += _referral_visits(person.id, referral, field=f"referrals[{i}]")
    kept = [w for w in problem.volunteers if w.id not in removed]
    visits = [
        visit.model_copy(
            update={"pinned_volunteers": [w for w in visit.pinned_volunteers if w not in removed]}
        )
        for person_id, own in visits_of.items()
        for visit in changed.get(person_id, own)
    ]
    for visit in visits:
        if visit.pinned_volunteers and len(visit.pinned_volunteers) > visit.volunteers_needed:
            raise ScenarioError(f"visits: visit {visit.id} has more pins than volunteers needed")
    people_now = [
        p.model_copy(update={"current_circle": [w for w in p.current_circle if w not in removed]})
        for p in problem.people
    ]
    copy = problem.model_copy(
        update={
            "people": people_now + new_people,
            "visits": visits + new_visits,
            "volunteers": kept + added,
        }
    )
    return Scenario(problem=Problem.model_validate(copy.model_dump()), person_area=areas_now)


def _area(areas: Mapping[str, Area], area_id: str, field: str) -> Area:
    area = areas.get(area_id)
    if area is None:
        raise ScenarioError(f"{field}: no area {area_id!r}; expected one of {sorted(areas)}")
    return area


def _count(count: int, field: str) -> None:
    if not 1 <= count <= COUNT_MAX:
        raise ScenarioError(f"{field}: expected 1..{COUNT_MAX}, got {count}")


def _changed_visits(own: list[Visit], change: VisitChange, *, grid: int, field: str) -> list[Visit]:
    """The person's visits with their count and length changed (pins dropped: a changed visit
    is no longer the one a volunteer accepted)."""
    if change.minutes is not None and not 15 <= change.minutes <= 480:
        raise ScenarioError(f"{field}.minutes: expected 15..480, got {change.minutes}")
    if change.count is not None and not 0 <= change.count <= 14:
        raise ScenarioError(f"{field}.count: expected 0..14, got {change.count}")
    if not own and change.count:
        raise ScenarioError(f"{field}.person: {change.person!r} has no visits to copy times from")
    ordered = sorted(own, key=lambda v: (v.day, v.earliest_minutes, v.id))
    count = len(ordered) if change.count is None else change.count
    out: list[Visit] = []
    for k in range(count):
        base = ordered[k % len(ordered)]
        day = (base.day + k // len(ordered)) % 7  # extra visits: the same times on later days
        minutes = change.minutes or base.duration_minutes
        latest = max(base.latest_minutes, min(1440, base.earliest_minutes + minutes))
        out.append(
            base.model_copy(
                update={
                    "id": base.id if k < len(ordered) else f"{base.id}-extra-{k + 1}",
                    "day": day,
                    "duration_minutes": minutes,
                    "latest": clock_of(latest),
                    "pinned_volunteers": [],
                    "volunteers_needed": base.volunteers_needed,
                }
            )
        )
    return out


WEEKDAY_SPREAD = {1: (2,), 2: (1, 3), 3: (0, 2, 4), 4: (0, 1, 3, 4), 5: (0, 1, 2, 3, 4)}


def _referral_visits(person_id: str, referral: Referral, *, field: str) -> list[Visit]:
    if referral.band not in BAND_HOURS:
        raise ScenarioError(f"{field}.band: expected one of {list(BAND_HOURS)}")
    if referral.visits not in WEEKDAY_SPREAD:
        raise ScenarioError(f"{field}.visits: expected 1..5, got {referral.visits}")
    if not 15 <= referral.minutes <= 240:
        raise ScenarioError(f"{field}.minutes: expected 15..240, got {referral.minutes}")
    if not 0 <= referral.need <= 1:
        raise ScenarioError(f"{field}.need: expected 0..1, got {referral.need}")
    start, end = BAND_HOURS[referral.band]
    return [
        Visit(
            id=f"{person_id}-{day}",
            person=person_id,
            day=day,
            earliest=clock_of(start),
            latest=clock_of(end),
            duration_minutes=referral.minutes,
        )
        for day in WEEKDAY_SPREAD[referral.visits]
    ]


# --- reading a rota by area and time band ------------------------------------------------------


@dataclass(frozen=True)
class Tally:
    """Visits of one area, or one weekday and time band, and how many are gaps."""

    key: str
    visits: int
    gaps: int


@dataclass(frozen=True)
class WeekSummary:
    """What a coordinator compares between two rotas of (nearly) the same week."""

    visits_total: int
    visits_covered: int
    coverage: float
    need_weighted_coverage: float
    continuity_share: float
    kept_by_circle: int  # assignments that go to a member of the person's circle
    volunteers: int
    by_area: list[Tally] = field(default_factory=list)
    by_band: list[Tally] = field(default_factory=list)  # key "Mon morning"


def band_key(day: int, band: int) -> str:
    return f"{rules.DAY_SHORT[day]} {BANDS[band].name}"


def summarise(
    problem: Problem, assignments: Sequence[Assignment], *, person_area: Mapping[str, str]
) -> WeekSummary:
    """The rota ``assignments`` of ``problem`` read by area (``person_area``; people without
    one count under "no area") and by weekday and time band."""
    metrics = compute_metrics(problem, assignments, upper_bound=0.0, solve_seconds=0.0)
    covered = {a.visit for a in assignments}
    circles = {p.id: set(p.current_circle) for p in problem.people}
    visit_person = {v.id: v.person for v in problem.visits}
    kept = sum(1 for a in assignments if a.volunteer in circles.get(visit_person[a.visit], ()))
    areas: Counter[str] = Counter()
    area_gaps: Counter[str] = Counter()
    bands: Counter[tuple[int, int]] = Counter()
    band_gaps: Counter[tuple[int, int]] = Counter()
    for visit in problem.visits:
        area = person_area.get(visit.person, "no area")
        when = (visit.day, band_of(visit.earliest_minutes))
        areas[area] += 1
        bands[when] += 1
        if visit.id not in covered:
            area_gaps[area] += 1
            band_gaps[when] += 1
    return WeekSummary(
        visits_total=metrics.visits_total,
        visits_covered=metrics.visits_covered,
        coverage=metrics.coverage,
        need_weighted_coverage=metrics.need_weighted_coverage,
        continuity_share=metrics.continuity_share,
        kept_by_circle=kept,
        volunteers=len(problem.volunteers),
        by_area=[Tally(a, areas[a], area_gaps[a]) for a in sorted(areas)],
        by_band=[Tally(band_key(*k), bands[k], band_gaps[k]) for k in sorted(bands)],
    )


# --- where one more volunteer would help most --------------------------------------------------


@dataclass(frozen=True)
class CellValue:
    """What one more volunteer at ``area``'s centre, free on ``day`` in ``band``, would cover of
    the week's gaps (the rest of the week kept): ``visits`` and their ``need``, and ``share``,
    the need-weighted coverage it adds (0..1 of the week's need); ``languages`` and ``gender``:
    the volunteer who would add most there (see ``marginal_values``)."""

    area: str
    day: int
    band: str
    visits: int
    need: float
    share: float
    languages: tuple[str, ...] = ()
    gender: str | None = None


def recruit_like(problem: Problem) -> Volunteer:
    """The volunteer the heat map starts from: DBS-checked, speaking the language most of the
    week's volunteers speak, with their median range, no gender stated."""
    spoken = Counter(lang for w in problem.volunteers for lang in set(w.languages))
    km = [w.max_km for w in problem.volunteers]
    return Volunteer(
        id="one-more-volunteer",
        lat=0.0,
        lon=0.0,
        max_km=float(median(km)) if km else 3.0,
        max_minutes=0,
        languages=[spoken.most_common(1)[0][0]] if spoken else [],
        checked=True,
    )


def marginal_values(
    problem: Problem,
    assignments: Sequence[Assignment],
    *,
    areas: Sequence[Area],
    like: Volunteer | None = None,
) -> list[CellValue]:
    """For each area, weekday and band (``BANDS``), what one more volunteer would cover of the
    gaps of the rota ``assignments`` (see the module doc: first-fit by need, everyone else's
    visits kept).

    With ``like``, that volunteer (moved to each area and band). Without, the one of these who
    adds most: ``recruit_like``, the same also speaking one language a gap within their range
    that day asks for, and either stating the gender such a gap asks for; ties go to the first
    (so a cell names a language or a gender only where it makes the difference)."""
    template = like or recruit_like(problem)
    people = {p.id: p for p in problem.people}
    covered = {a.visit for a in assignments}
    serving: dict[str, set[str]] = {p.id: set(p.current_circle) for p in problem.people}
    visit_person = {v.id: v.person for v in problem.visits}
    for a in assignments:
        serving[visit_person[a.visit]].add(a.volunteer)
    gaps = sorted(
        (v for v in problem.visits if v.id not in covered and v.volunteers_needed == 1),
        key=lambda v: (-people[v.person].need, v.day, v.earliest_minutes, v.id),
    )
    total_need = sum(people[v.person].need for v in problem.visits)
    table = rules.visit_table_of(gaps, people)
    all_rows = np.arange(len(gaps))
    out = []
    for area in areas:
        here = template.model_copy(update={"lat": area.lat, "lon": area.lon})
        near = np.zeros(len(gaps), dtype=np.bool_)
        near[all_rows] = rules.km_to_visits(here, table, all_rows) <= here.max_km
        for day in range(7):
            among = near & (table.day == day)
            reachable = [people[gaps[row].person] for row in np.flatnonzero(among).tolist()]
            kinds = [here] if like is not None else _kinds(here, reachable)
            for band in BANDS:
                start, end = BAND_HOURS[band.name]
                best: tuple[list[int], Volunteer] = ([], here)
                best_need = 0.0
                for kind in kinds if among.any() else []:
                    volunteer = kind.model_copy(
                        update={
                            "max_minutes": end - start,
                            "availability": [
                                Availability(day=day, start=clock_of(start), end=clock_of(end))
                            ],
                        }
                    )
                    taken = _first_fit(problem, volunteer, gaps, table, among, serving, people)
                    need = sum(people[gaps[row].person].need for row in taken)
                    if need > best_need + 1e-9:
                        best, best_need = (taken, kind), need
                out.append(
                    CellValue(
                        area=area.id,
                        day=day,
                        band=band.name,
                        visits=len(best[0]),
                        need=round(best_need, 6),
                        share=round(best_need / total_need, 6) if total_need > 0 else 0.0,
                        languages=tuple(best[1].languages),
                        gender=best[1].gender,
                    )
                )
    return out


def _kinds(template: Volunteer, reachable: Sequence[Person]) -> list[Volunteer]:
    """``template``, then the same speaking one more language and stating a gender, for each
    language and gender preference of the people ``reachable`` asks for."""
    extra = sorted({lang for p in reachable for lang in p.languages} - set(template.languages))
    genders = sorted({p.gender_preference for p in reachable if p.gender_preference})
    kinds = []
    for language in [None, *extra]:
        for gender in [None, *genders]:
            languages = list(template.languages) + ([language] if language else [])
            kinds.append(template.model_copy(update={"languages": languages, "gender": gender}))
    return kinds


def _first_fit(
    problem: Problem,
    volunteer: Volunteer,
    gaps: list[Visit],
    table: rules.VisitTable,
    among: np.typing.NDArray[np.bool_],
    serving: Mapping[str, set[str]],
    people: Mapping[str, Person],
) -> list[int]:
    """The gaps (rows of ``table``, in need order) ``volunteer`` takes first-fit: rules 1-7 and
    9 by ``visit_rules_for``, rule 8 by ``starts_clear_of`` against what they took already,
    rule 10 against the people's circles and who serves them this week."""
    rows, _ = rules.visit_rules_for(
        volunteer=volunteer, table=table, grid_minutes=problem.grid_minutes, among=among
    )
    held: list[rules.HeldVisit] = []
    newcomer_of: set[str] = set()
    taken = []
    for row in sorted(rows.tolist()):
        visit = gaps[row]
        person = people[visit.person]
        if not rules.within_weekly_limit(
            rules.held_minutes(held) + visit.duration_minutes, volunteer.max_minutes
        ):
            continue
        if person.id not in newcomer_of and len(serving[person.id]) >= person.circle_max:
            continue
        fitting = rules.starts_clear_of(
            held,
            starts=rules.visit_starts(volunteer, table, row, problem.grid_minutes),
            day=visit.day,
            duration=visit.duration_minutes,
            lat=person.lat,
            lon=person.lon,
            travel_speed_kmh=problem.travel_speed_kmh,
            first_only=True,
        )
        if not fitting:
            continue
        held.append(
            rules.HeldVisit(visit.day, fitting[0], visit.duration_minutes, person.lat, person.lon)
        )
        newcomer_of.add(person.id)
        taken.append(row)
    return taken


def areas_of(
    problem: Problem, person_area: Mapping[str, str], names: Mapping[str, str]
) -> list[Area]:
    """Each area with people in ``problem``, its centre the mean place of its people."""
    places: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for p in problem.people:
        area = person_area.get(p.id)
        if area is not None:
            places[area].append((p.lat, p.lon))
    return [
        Area(
            id=area,
            name=names.get(area, area),
            lat=sum(lat for lat, _ in spots) / len(spots),
            lon=sum(lon for _, lon in spots) / len(spots),
        )
        for area, spots in sorted(places.items())
    ]
