"""Check a solution against its problem: every hard rule (1-12), the metrics, the objective.

Independent of how the solution was found: it reads only the two files' models, the rule
functions in solver/eligibility.py and the distances of solver/geography.py.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from clock import minutes_of
from solver import eligibility as rules
from solver.geography import distance_km, travel_minutes
from solver.models import Assignment, Metrics, Person, Problem, Solution, Visit, Volunteer


@dataclass(frozen=True, slots=True)
class Violation:
    """A broken hard rule (rule 0: the solution does not fit the problem's ids)."""

    rule: int
    ids: tuple[str, ...]
    message: str


@dataclass(frozen=True, slots=True)
class Measures:
    """Exact quantities behind the metrics and the objective."""

    visits_total: int
    visits_covered: int
    need_total: float
    need_covered: float
    assignments: int
    continuity_assignments: int
    new_circle_members: int
    travel_km: float
    load_spread: int

    def objective(self, problem: Problem) -> float:
        """The contract's objective (maximised), in the file's units."""
        w = problem.weights
        return (
            w.coverage * self.need_covered
            + w.continuity * self.continuity_assignments
            - w.new_member * self.new_circle_members
            - w.travel_km * self.travel_km
            - w.fairness * self.load_spread
        )


def measure(problem: Problem, assignments: Sequence[Assignment]) -> Measures:
    """Count what the metrics and the objective are made of (assumes ids are known)."""
    visits = {v.id: v for v in problem.visits}
    people = {p.id: p for p in problem.people}
    by_visit: dict[str, list[Assignment]] = defaultdict(list)
    for a in assignments:
        by_visit[a.visit].append(a)
    covered = [visits[vid] for vid in by_visit if vid in visits]
    continuity = 0
    new_members: set[tuple[str, str]] = set()
    minutes: dict[str, int] = defaultdict(int)
    schedule: dict[tuple[str, int], list[tuple[int, str]]] = defaultdict(list)
    for a in assignments:
        visit = visits[a.visit]
        person = people[visit.person]
        if a.volunteer in person.current_circle:
            continuity += 1
        else:
            new_members.add((person.id, a.volunteer))
        minutes[a.volunteer] += visit.duration_minutes
        schedule[(a.volunteer, visit.day)].append((minutes_of(a.start), person.id))
    travel = 0.0
    for day_visits in schedule.values():
        day_visits.sort()
        for (_, first), (_, second) in zip(day_visits, day_visits[1:], strict=False):
            travel += _km(people[first], people[second])
    return Measures(
        visits_total=len(problem.visits),
        visits_covered=len(covered),
        need_total=sum(people[v.person].need for v in problem.visits),
        need_covered=sum(people[v.person].need for v in covered),
        assignments=len(assignments),
        continuity_assignments=continuity,
        new_circle_members=len(new_members),
        travel_km=travel,
        load_spread=max(minutes.values()) - min(minutes.values()) if minutes else 0,
    )


def _km(a: Person, b: Person) -> float:
    return 0.0 if a.id == b.id else distance_km(a.lat, a.lon, b.lat, b.lon)


def objective_value(problem: Problem, assignments: Sequence[Assignment]) -> float:
    """The objective of a rota, exactly as ROTA_FORMAT.md defines it."""
    return measure(problem, assignments).objective(problem)


def compute_metrics(
    problem: Problem,
    assignments: Sequence[Assignment],
    *,
    upper_bound: float,
    solve_seconds: float,
) -> Metrics:
    """The solution's metrics.

    ``coverage`` and ``need_weighted_coverage`` are 1.0 when there is nothing to cover;
    ``continuity_share`` is the share of assignments (volunteer-visit pairs) that go to a member
    of the person's current circle, 0.0 without assignments; ``new_circle_members`` counts
    distinct (person, volunteer) pairs outside the current circle; ``travel_km`` sums the
    great-circle km between consecutive visits of each volunteer on each day.
    """
    m = measure(problem, assignments)
    nwc = m.need_covered / m.need_total if m.need_total > 0 else 1.0
    return Metrics(
        visits_total=m.visits_total,
        visits_covered=m.visits_covered,
        coverage=round(m.visits_covered / m.visits_total, 6) if m.visits_total else 1.0,
        need_weighted_coverage=round(nwc, 6),
        need_weighted_upper_bound=round(max(upper_bound, nwc), 6),
        continuity_share=round(m.continuity_assignments / m.assignments, 6)
        if m.assignments
        else 0.0,
        new_circle_members=m.new_circle_members,
        travel_km=round(m.travel_km, 3),
        solve_seconds=round(solve_seconds, 3),
    )


def check_solution(problem: Problem, solution: Solution) -> list[Violation]:
    """Every hard-rule violation in ``solution`` (empty when the rota is valid)."""
    return check_assignments(problem, solution.assignments, [u.visit for u in solution.unassigned])


def check_assignments(
    problem: Problem, assignments: Sequence[Assignment], unassigned: Sequence[str] | None = None
) -> list[Violation]:
    """Every hard-rule violation of ``assignments`` (and listing of ``unassigned`` visits)."""
    out: list[Violation] = []
    visits = {v.id: v for v in problem.visits}
    people = {p.id: p for p in problem.people}
    volunteers = {w.id: w for w in problem.volunteers}
    grid = problem.grid_minutes
    by_visit: dict[str, list[Assignment]] = defaultdict(list)
    for a in assignments:
        if a.visit not in visits or a.volunteer not in volunteers:
            out.append(Violation(0, (a.visit, a.volunteer), "unknown visit or volunteer id"))
            continue
        by_visit[a.visit].append(a)
    if unassigned is not None:
        for vid in unassigned:
            if vid not in visits:
                out.append(Violation(0, (vid,), "unassigned visit is not in the problem"))
            elif vid in by_visit:
                out.append(Violation(0, (vid,), "visit is both assigned and unassigned"))
        listed = set(unassigned) | set(by_visit)
        out += [
            Violation(0, (v.id,), "visit neither assigned nor unassigned")
            for v in problem.visits
            if v.id not in listed
        ]
    for vid, group in by_visit.items():
        out += _check_visit(visits[vid], people[visits[vid].person], group, volunteers, grid)
    out += _check_schedules(problem, by_visit, visits, people)
    out += _check_loads(by_visit, visits, volunteers)
    out += _check_circles(problem, by_visit, visits)
    for v in problem.visits:
        assigned = {a.volunteer for a in by_visit.get(v.id, [])}
        missing = [pin for pin in v.pinned_volunteers if pin not in assigned]
        if missing:
            out.append(
                Violation(12, (v.id, *missing), f"pinned volunteers not assigned: {missing}")
            )
    return out


def _check_visit(
    visit: Visit,
    person: Person,
    group: list[Assignment],
    volunteers: dict[str, Volunteer],
    grid: int,
) -> list[Violation]:
    out = []
    names = [a.volunteer for a in group]
    if len(set(names)) != len(names) or len(names) != visit.volunteers_needed:
        out.append(
            Violation(
                11,
                (visit.id, *names),
                f"needs exactly {visit.volunteers_needed} distinct volunteers, has {names}",
            )
        )
    if len({a.start for a in group}) > 1:
        out.append(Violation(11, (visit.id,), "volunteers at different starts"))
    for a in group:
        w = volunteers[a.volunteer]
        start, duration = minutes_of(a.start), visit.duration_minutes
        ids = (visit.id, w.id)
        if not rules.fits_availability(start, duration, rules.windows_on(w, visit.day)):
            out.append(Violation(1, ids, f"volunteer not available at {a.start}"))
        if not rules.fits_visit_window(
            start, duration, visit.earliest_minutes, visit.latest_minutes, grid
        ):
            out.append(Violation(2, ids, f"start {a.start} outside window or off grid"))
        km = distance_km(w.lat, w.lon, person.lat, person.lon)
        if not rules.within_range(km, w.max_km):
            out.append(Violation(3, ids, f"{km:.3f} km > max_km {w.max_km}"))
        if not rules.check_satisfied(visit.requires_check, w.checked):
            out.append(Violation(4, ids, "visit requires a DBS-checked volunteer"))
        if not rules.language_shared(person.languages, w.languages):
            out.append(Violation(5, ids, "no shared language"))
        if not rules.gender_matches(person.gender_preference, w.gender):
            out.append(Violation(6, ids, "gender preference not met"))
        if not rules.not_excluded(person.excluded_volunteers, w.id):
            out.append(Violation(7, ids, "volunteer excluded by the person"))
    return out


def _check_schedules(
    problem: Problem,
    by_visit: dict[str, list[Assignment]],
    visits: dict[str, Visit],
    people: dict[str, Person],
) -> list[Violation]:
    days: dict[tuple[str, int], list[tuple[int, Visit]]] = defaultdict(list)
    for vid, group in by_visit.items():
        for item in group:
            days[(item.volunteer, visits[vid].day)].append((minutes_of(item.start), visits[vid]))
    out = []
    for (volunteer, _), items in days.items():
        items.sort(key=lambda item: (item[0], item[1].id))
        for i, (start_a, a) in enumerate(items):
            for start_b, b in items[i + 1 :]:
                gap = travel_minutes(
                    _km(people[a.person], people[b.person]), problem.travel_speed_kmh
                )
                end_a, end_b = start_a + a.duration_minutes, start_b + b.duration_minutes
                if not rules.apart_with_travel(start_a, end_a, start_b, end_b, gap):
                    out.append(
                        Violation(
                            8,
                            (volunteer, a.id, b.id),
                            f"{b.id} starts before {a.id} ends plus {gap} minutes of travel",
                        )
                    )
    return out


def _check_loads(
    by_visit: dict[str, list[Assignment]],
    visits: dict[str, Visit],
    volunteers: dict[str, Volunteer],
) -> list[Violation]:
    minutes: dict[str, int] = defaultdict(int)
    for vid, group in by_visit.items():
        for a in group:
            minutes[a.volunteer] += visits[vid].duration_minutes
    return [
        Violation(9, (w,), f"{total} minutes > max_minutes {volunteers[w].max_minutes}")
        for w, total in minutes.items()
        if not rules.within_weekly_limit(total, volunteers[w].max_minutes)
    ]


def _check_circles(
    problem: Problem, by_visit: dict[str, list[Assignment]], visits: dict[str, Visit]
) -> list[Violation]:
    serving: dict[str, set[str]] = defaultdict(set)
    for vid, group in by_visit.items():
        serving[visits[vid].person].update(a.volunteer for a in group)
    out = []
    for p in problem.people:
        circle = serving.get(p.id, set()) | set(p.current_circle)
        if len(circle) > p.circle_max:
            out.append(
                Violation(10, (p.id,), f"circle of {len(circle)} > circle_max {p.circle_max}")
            )
    return out
