"""Eligibility has one decision: the numpy rules, the candidate search and ``eligible_volunteers``
agree with the scalar rules and the checker on every (visit, volunteer) pair of random weeks."""

from __future__ import annotations

import random

import pytest

from clock import clock_of, minutes_of
from seed.rota_weeks import generate_problem
from solver import eligibility as rules
from solver.check import check_assignments
from solver.compiled import compile_problem
from solver.geography import distance_km
from solver.greedy import greedy
from solver.models import Assignment, Problem


def _shaken(problem: Problem, seed: int) -> Problem:
    """The week with rules 4-7 given more to decide, and some volunteers' range set exactly to a
    person's distance (rule 3 on its boundary)."""
    rng = random.Random(seed)
    people = []
    for p in problem.people:
        preference = rng.choice([None, None, None, "female", "male", "nonbinary"])
        excluded = rng.sample([w.id for w in problem.volunteers], k=rng.randint(0, 3))
        people.append(
            p.model_copy(
                update={
                    "gender_preference": preference,
                    "excluded_volunteers": sorted({*p.excluded_volunteers, *excluded}),
                }
            )
        )
    volunteers = []
    for w in problem.volunteers:
        update: dict[str, object] = {"gender": rng.choice([None, "female", "male"])}
        if rng.random() < 0.3:
            p = rng.choice(people)
            update["max_km"] = distance_km(w.lat, w.lon, p.lat, p.lon)
        volunteers.append(w.model_copy(update=update))
    visits = [v.model_copy(update={"requires_check": rng.random() < 0.6}) for v in problem.visits]
    return problem.model_copy(update={"people": people, "volunteers": volunteers, "visits": visits})


WEEKS = [("plentiful", 1), ("scarce", 2), ("plentiful", 3), ("scarce", 4)]


@pytest.fixture(scope="module", params=WEEKS, ids=[f"{v}-{s}" for v, s in WEEKS])
def week(request: pytest.FixtureRequest) -> Problem:
    variant, seed = request.param
    return _shaken(generate_problem("S", variant, seed), seed)


def test_numpy_rules_decide_every_pair_as_the_scalar_rules_do(week: Problem) -> None:
    people = {p.id: p for p in week.people}
    table = rules.table_of(week.volunteers)
    decided = 0
    for visit in week.visits:
        person = people[visit.person]
        vectorised = rules.eligible_all(
            visit=visit, person=person, table=table, grid_minutes=week.grid_minutes
        )
        for i, volunteer in enumerate(week.volunteers):
            scalar = rules.eligible(
                visit=visit, person=person, volunteer=volunteer, grid_minutes=week.grid_minutes
            )
            assert bool(vectorised[i]) == scalar, (visit.id, volunteer.id)
            decided += scalar
    assert 0 < decided < len(week.visits) * len(week.volunteers)


def test_solver_candidates_are_the_scalar_eligible_pairs_within_the_weekly_limit(
    week: Problem,
) -> None:
    compiled = compile_problem(week)
    people = {p.id: p for p in week.people}
    for v, visit in enumerate(week.visits):
        expected = {
            w.id: rules.possible_starts(visit=visit, volunteer=w, grid_minutes=week.grid_minutes)
            for w in week.volunteers
            if rules.eligible(visit=visit, person=people[visit.person], volunteer=w)
            and rules.within_weekly_limit(visit.duration_minutes, w.max_minutes)
        }
        found = {
            compiled.volunteers[c.volunteer].id: list(c.starts) for c in compiled.candidates[v]
        }
        assert found == expected, visit.id
        assert compiled.eligible_counts[v] == len(expected)


def test_eligible_volunteers_offers_exactly_the_starts_the_checker_accepts(week: Problem) -> None:
    """With a greedy rota's other visits as what volunteers hold, a volunteer is offered a visit
    at a start exactly when adding that assignment breaks none of rules 1-9."""
    compiled = compile_problem(week)
    rota = greedy(compiled)
    rota_assignments = [
        Assignment(
            visit=compiled.visits[v].id,
            volunteer=compiled.volunteers[w].id,
            start=clock_of(start),
        )
        for v, (start, volunteers) in rota.items()
        for w in volunteers
    ]
    people = {p.id: p for p in week.people}
    visits = {v.id: v for v in week.visits}
    table = rules.table_of(week.volunteers)
    offered = 0
    for visit in random.Random(0).sample(week.visits, k=8):
        others = [a for a in rota_assignments if a.visit != visit.id]
        held: dict[str, list[rules.HeldVisit]] = {}
        for a in others:
            theirs, where = visits[a.visit], people[visits[a.visit].person]
            held.setdefault(a.volunteer, []).append(
                rules.HeldVisit(
                    theirs.day,
                    minutes_of(a.start),
                    theirs.duration_minutes,
                    where.lat,
                    where.lon,
                )
            )
        offers = rules.eligible_volunteers(
            visit=visit,
            person=people[visit.person],
            table=table,
            held=held,
            grid_minutes=week.grid_minutes,
            travel_speed_kmh=week.travel_speed_kmh,
        )
        window = range(visit.earliest_minutes, visit.latest_minutes + 1, week.grid_minutes)
        for volunteer in week.volunteers:
            # Rules 1-9 read one volunteer's own assignments, so only theirs go to the checker.
            theirs = [a for a in others if a.volunteer == volunteer.id]
            accepted = []
            for start in window:
                trial = Assignment(visit=visit.id, volunteer=volunteer.id, start=clock_of(start))
                broken = [v for v in check_assignments(week, [*theirs, trial]) if 1 <= v.rule <= 9]
                if not broken:
                    accepted.append(start)
            assert offers.get(volunteer.id, []) == accepted, (visit.id, volunteer.id)
            offered += bool(accepted)
    assert offered > 0


def test_fits_week_keeps_travel_between_visits_and_the_weekly_limit() -> None:
    here = rules.HeldVisit(day=1, start=600, duration=60, lat=51.52, lon=-0.08)
    km = distance_km(51.52, -0.08, 51.53, -0.08)
    gap = rules.travel_minutes(km, 12)
    after = rules.HeldVisit(day=1, start=660 + gap, duration=60, lat=51.53, lon=-0.08)
    too_soon = rules.HeldVisit(day=1, start=660 + gap - 1, duration=60, lat=51.53, lon=-0.08)
    other_day = rules.HeldVisit(day=2, start=600, duration=60, lat=51.53, lon=-0.08)
    assert rules.fits_week([here], after, max_minutes=120, travel_speed_kmh=12)
    assert not rules.fits_week([here], too_soon, max_minutes=120, travel_speed_kmh=12)
    assert rules.fits_week([here], other_day, max_minutes=120, travel_speed_kmh=12)
    assert not rules.fits_week([here], other_day, max_minutes=119, travel_speed_kmh=12)
