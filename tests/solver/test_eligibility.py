"""Eligibility has one decision: the numpy rules, the candidate search and ``eligible_volunteers``
agree with the scalar rules and the checker on every (visit, volunteer) pair of random weeks."""

from __future__ import annotations

import random

import numpy as np
import pytest

from clock import clock_of, minutes_of
from seed.rota_weeks import generate_problem
from solver import eligibility as rules
from solver.check import check_assignments
from solver.compiled import compile_problem
from solver.geography import distance_km
from solver.greedy import greedy
from solver.models import Assignment, Problem, Visit


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


def test_visit_rules_for_one_volunteer_decide_every_visit_as_the_scalar_rules_do(
    week: Problem,
) -> None:
    """Rules 1-7, and 9 given what each volunteer already holds, over every visit at once."""
    people = {p.id: p for p in week.people}
    table = rules.visit_table_of(week.visits, people)
    rng = random.Random(7)
    decided = 0
    for volunteer in week.volunteers:
        held = rng.choice([0, 0, 60, volunteer.max_minutes - 60, volunteer.max_minutes])
        rows, kms = rules.visit_rules_for(
            volunteer=volunteer, table=table, grid_minutes=week.grid_minutes, held_minutes=held
        )
        expected = [
            i
            for i, visit in enumerate(week.visits)
            if rules.eligible(
                visit=visit,
                person=people[visit.person],
                volunteer=volunteer,
                grid_minutes=week.grid_minutes,
            )
            and rules.within_weekly_limit(held + visit.duration_minutes, volunteer.max_minutes)
        ]
        assert rows.tolist() == expected, volunteer.id
        for i, km in zip(rows.tolist(), kms.tolist(), strict=True):
            person = people[week.visits[i].person]
            assert km == pytest.approx(
                rules.distance_km(volunteer.lat, volunteer.lon, person.lat, person.lon)
            )
            assert rules.visit_starts(volunteer, table, i, week.grid_minutes) == (
                rules.possible_starts(
                    visit=week.visits[i], volunteer=volunteer, grid_minutes=week.grid_minutes
                )
            )
        decided += len(expected)
    assert 0 < decided < len(week.visits) * len(week.volunteers)


def test_visit_rules_for_judge_only_the_rows_asked_about(week: Problem) -> None:
    people = {p.id: p for p in week.people}
    table = rules.visit_table_of(week.visits, people)
    among = np.array([i % 3 == 0 for i in range(len(week.visits))], dtype=np.bool_)
    for volunteer in week.volunteers[:20]:
        every, _ = rules.visit_rules_for(volunteer=volunteer, table=table)
        some, _ = rules.visit_rules_for(volunteer=volunteer, table=table, among=among)
        assert some.tolist() == [i for i in every.tolist() if i % 3 == 0]


def test_a_visit_table_kept_and_spliced_is_the_table_made_afresh(week: Problem) -> None:
    people = {p.id: p for p in week.people}
    visits = week.visits
    rng = random.Random(3)
    old = [v for v in visits if rng.random() < 0.6]
    new = [v for v in visits if v not in old]
    table = rules.visit_table_of(old, people)
    keep = np.array([rng.random() < 0.8 for _ in old], dtype=np.bool_)
    kept = [v for v, flag in zip(old, keep.tolist(), strict=True) if flag]
    spliced = table.kept(keep)
    # new rows go at random places, coded like the kept table
    places = sorted(rng.randint(0, len(kept)) for _ in new)
    added = rules.visit_table(
        days=[v.day for v in new],
        earliest=[v.earliest_minutes for v in new],
        latest=[v.latest_minutes for v in new],
        durations=[v.duration_minutes for v in new],
        requires_check=[v.requires_check for v in new],
        lats=[people[v.person].lat for v in new],
        lons=[people[v.person].lon for v in new],
        gender_preferences=[people[v.person].gender_preference for v in new],
        languages=[people[v.person].languages for v in new],
        excluded=[people[v.person].excluded_volunteers for v in new],
        like=spliced,
    )
    joined = spliced.inserted(places, added)
    order: list[Visit] = []
    previous = 0
    for place, visit in zip(places, new, strict=True):
        order += kept[previous:place]
        order.append(visit)
        previous = place
    order += kept[previous:]
    fresh = rules.visit_table_of(order, people)
    for volunteer in week.volunteers:
        assert (
            rules.visit_rules_for(volunteer=volunteer, table=joined)[0].tolist()
            == rules.visit_rules_for(volunteer=volunteer, table=fresh)[0].tolist()
        ), volunteer.id


def test_starts_clear_of_keeps_the_starts_fits_schedule_allows() -> None:
    here = rules.HeldVisit(day=1, start=600, duration=60, lat=51.52, lon=-0.08)
    there = (51.53, -0.08)
    gap = rules.travel_minutes(distance_km(51.52, -0.08, *there), 12)
    starts = list(range(480, 780, 15))
    clear = rules.starts_clear_of(
        [here], starts=starts, day=1, duration=60, lat=there[0], lon=there[1], travel_speed_kmh=12
    )
    assert clear == [
        s
        for s in starts
        if rules.fits_schedule([here], rules.HeldVisit(1, s, 60, *there), travel_speed_kmh=12)
    ]
    assert clear and min(clear) < 600 and max(clear) >= 660 + gap
    assert rules.starts_clear_of(
        [here],
        starts=starts,
        day=2,
        duration=60,
        lat=0,
        lon=0,
        travel_speed_kmh=12,
        first_only=True,
    ) == [480]
