"""Reject problems that cannot be solved as written, naming the ids and the rule.

``parse_problem`` turns file text into a ``Problem`` or a list of errors (bad JSON, unknown
fields, wrong format). ``problem_errors`` checks what pydantic cannot: duplicate ids, visits for
unknown people, windows shorter than the visit, and pins that break a hard rule on their own.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from itertools import combinations

from pydantic import ValidationError

from solver import eligibility as rules
from solver.geography import distance_km, travel_minutes
from solver.models import Person, Problem, Visit, Volunteer


def parse_problem(text: str | bytes) -> Problem | list[str]:
    """The problem in ``text``, or the errors that stop it being read (each naming the field)."""
    try:
        raw = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        return [f"not valid JSON: {exc}"]
    if not isinstance(raw, dict):
        return ["expected a JSON object at the top level"]
    try:
        return Problem.model_validate(raw)
    except ValidationError as exc:
        return validation_messages(exc)


def validation_messages(exc: ValidationError) -> list[str]:
    """One line per pydantic error: ``people.0.foo: unknown field``."""
    messages = []
    for error in exc.errors():
        where = ".".join(str(part) for part in error["loc"]) or "(top level)"
        if error["type"] == "extra_forbidden":
            messages.append(f"{where}: unknown field (not in ROTA_FORMAT.md version 1)")
        elif error["type"] == "literal_error" and error["loc"] == ("format",):
            messages.append(f"format: expected 'carecircles.rota/1', got {error.get('input')!r}")
        else:
            messages.append(f"{where}: {error['msg']}")
    return messages


def _duplicates(kind: str, ids: list[str]) -> list[str]:
    return [
        f"duplicate {kind} id {item!r} ({count} times)"
        for item, count in Counter(ids).items()
        if count > 1
    ]


def problem_errors(problem: Problem) -> list[str]:
    """Everything that makes ``problem`` invalid (empty when it can be solved)."""
    errors = _duplicates("person", [p.id for p in problem.people])
    errors += _duplicates("visit", [v.id for v in problem.visits])
    errors += _duplicates("volunteer", [w.id for w in problem.volunteers])
    people = {p.id: p for p in problem.people}
    volunteers = {w.id: w for w in problem.volunteers}
    grid = problem.grid_minutes
    for p in problem.people:
        if len(set(p.current_circle)) > p.circle_max:
            errors.append(
                f"rule 10 (circle size): person {p.id} has {len(set(p.current_circle))} volunteers "
                f"in current_circle but circle_max is {p.circle_max}"
            )
    for v in problem.visits:
        if v.person not in people:
            errors.append(f"visit {v.id}: unknown person {v.person!r}")
        if v.latest_minutes - v.earliest_minutes < v.duration_minutes:
            errors.append(
                f"rule 2 (visit window): visit {v.id} window {v.earliest}-{v.latest} is shorter "
                f"than its duration of {v.duration_minutes} minutes"
            )
        errors += _pin_errors(v, people.get(v.person), volunteers, grid)
    errors += _pinned_load_errors(problem, volunteers)
    errors += _pinned_circle_errors(problem, people)
    errors += _pinned_overlap_errors(problem, people, volunteers)
    return errors


def _pin_errors(
    visit: Visit, person: Person | None, volunteers: dict[str, Volunteer], grid: int
) -> list[str]:
    errors = []
    pins = visit.pinned_volunteers
    for pin, count in Counter(pins).items():
        if count > 1:
            errors.append(f"rule 11 (all or nothing): visit {visit.id} pins volunteer {pin} twice")
    if len(set(pins)) > visit.volunteers_needed:
        errors.append(
            f"rule 11 (all or nothing): visit {visit.id} pins {len(set(pins))} volunteers but "
            f"needs only {visit.volunteers_needed}"
        )
    common: set[int] | None = None
    for pin in dict.fromkeys(pins):
        volunteer = volunteers.get(pin)
        if volunteer is None:
            errors.append(f"rule 12 (pins): visit {visit.id} pins unknown volunteer {pin!r}")
            continue
        if person is None:
            continue
        errors += [
            f"rule {rule}: visit {visit.id} pins volunteer {pin}, but {message}"
            for rule, message in _broken_rules(visit, person, volunteer, grid)
        ]
        starts = set(rules.possible_starts(visit=visit, volunteer=volunteer, grid_minutes=grid))
        common = starts if common is None else common & starts
    if common is not None and not common and len(set(pins)) > 1:
        errors.append(
            f"rule 11 (all or nothing): the volunteers pinned to visit {visit.id} "
            f"({', '.join(dict.fromkeys(pins))}) share no start inside the visit window"
        )
    return errors


def _broken_rules(
    visit: Visit, person: Person, volunteer: Volunteer, grid: int
) -> list[tuple[str, str]]:
    broken = []
    if not rules.possible_starts(visit=visit, volunteer=volunteer, grid_minutes=grid):
        day = rules.DAY_NAMES[visit.day]
        broken.append(
            (
                "1 (availability) / 2 (visit window)",
                f"no {grid}-minute start in {visit.earliest}-{visit.latest} on {day} fits the "
                f"volunteer's availability for {visit.duration_minutes} minutes",
            )
        )
    km = distance_km(volunteer.lat, volunteer.lon, person.lat, person.lon)
    if not rules.within_range(km, volunteer.max_km):
        broken.append(
            (
                "3 (distance)",
                f"the volunteer lives {km:.2f} km from person {person.id} (max_km "
                f"{volunteer.max_km:g})",
            )
        )
    if not rules.check_satisfied(visit.requires_check, volunteer.checked):
        broken.append(("4 (checks)", "the visit requires a check and the volunteer is not checked"))
    if not rules.language_shared(person.languages, volunteer.languages):
        broken.append(
            (
                "5 (language)",
                f"the volunteer shares none of person {person.id}'s languages "
                f"({', '.join(person.languages)})",
            )
        )
    if not rules.gender_matches(person.gender_preference, volunteer.gender):
        broken.append(
            (
                "6 (gender preference)",
                f"person {person.id} asked for gender {person.gender_preference!r}, "
                f"the volunteer's is {volunteer.gender!r}",
            )
        )
    if not rules.not_excluded(person.excluded_volunteers, volunteer.id):
        broken.append(("7 (exclusions)", f"person {person.id} excluded volunteer {volunteer.id}"))
    return broken


def _pinned_load_errors(problem: Problem, volunteers: dict[str, Volunteer]) -> list[str]:
    minutes: dict[str, int] = defaultdict(int)
    for v in problem.visits:
        for pin in set(v.pinned_volunteers):
            minutes[pin] += v.duration_minutes
    return [
        f"rule 9 (weekly load): volunteer {pin} is pinned to {total} minutes of visits, more "
        f"than max_minutes {volunteers[pin].max_minutes}"
        for pin, total in minutes.items()
        if pin in volunteers and not rules.within_weekly_limit(total, volunteers[pin].max_minutes)
    ]


def _pinned_circle_errors(problem: Problem, people: dict[str, Person]) -> list[str]:
    pinned: dict[str, set[str]] = defaultdict(set)
    for v in problem.visits:
        pinned[v.person].update(v.pinned_volunteers)
    errors = []
    for person_id, pins in pinned.items():
        person = people.get(person_id)
        if person is None:
            continue
        circle = set(person.current_circle) | pins
        if len(circle) > person.circle_max and len(set(person.current_circle)) <= person.circle_max:
            errors.append(
                f"rule 10 (circle size): the volunteers pinned to person {person_id}'s visits "
                f"({', '.join(sorted(pins))}) with the current circle make {len(circle)}, more "
                f"than circle_max {person.circle_max}"
            )
    return errors


def _pinned_overlap_errors(
    problem: Problem, people: dict[str, Person], volunteers: dict[str, Volunteer]
) -> list[str]:
    """Rule 8 for each pair of visits pinned to one volunteer on one day."""
    by_volunteer_day: dict[tuple[str, int], list[Visit]] = defaultdict(list)
    for v in problem.visits:
        for pin in set(v.pinned_volunteers):
            if pin in volunteers and v.person in people:
                by_volunteer_day[(pin, v.day)].append(v)
    errors = []
    for (pin, _day), visits in by_volunteer_day.items():
        volunteer = volunteers[pin]
        for a, b in combinations(visits, 2):
            starts_a = rules.possible_starts(
                visit=a, volunteer=volunteer, grid_minutes=problem.grid_minutes
            )
            starts_b = rules.possible_starts(
                visit=b, volunteer=volunteer, grid_minutes=problem.grid_minutes
            )
            if not starts_a or not starts_b:
                continue
            pa, pb = people[a.person], people[b.person]
            gap = travel_minutes(
                distance_km(pa.lat, pa.lon, pb.lat, pb.lon), problem.travel_speed_kmh
            )
            a_first = min(starts_a) + a.duration_minutes + gap <= max(starts_b)
            b_first = min(starts_b) + b.duration_minutes + gap <= max(starts_a)
            if not (a_first or b_first):
                errors.append(
                    f"rule 8 (no overlap, with travel): volunteer {pin} is pinned to visits "
                    f"{a.id} and {b.id} on {rules.DAY_NAMES[a.day]}, which cannot both fit with "
                    f"{gap} minutes of travel between them"
                )
    return errors
