"""Plain-language reasons for every assignment and every open visit.

Open visits are explained by re-running the eligibility rules one at a time (who is ruled out by
range, check, language, gender, exclusion, availability) and, for the volunteers who could go,
by looking at the solved rota: weekly minutes, circle places, other visits that day.
"""

from __future__ import annotations

from collections.abc import Callable

import words
from solver import eligibility as rules
from solver.compiled import CompiledVisit, CompiledVolunteer, CompiledWeek, window_label
from solver.geography import distance_km
from solver.greedy import Rota, RotaState


def assignment_reasons(c: CompiledWeek, visit: int, volunteer: int) -> list[str]:
    """Why this volunteer holds this visit."""
    v = c.visits[visit]
    person = c.people[v.person]
    w = c.volunteers[volunteer]
    reasons = []
    if volunteer in v.pinned:
        reasons.append("pinned by the coordinator")
    reasons.append("in current circle" if w.id in person.circle else "new to this person's circle")
    shared = sorted(person.languages & w.languages)
    if shared:
        reasons.append(f"speaks {words.language(shared[0])}")
    km = distance_km(w.lat, w.lon, person.lat, person.lon)
    reasons.append(f"{km:.1f} km away")
    if c.eligible_counts and c.eligible_counts[visit] == v.needed:
        reasons.append(
            "the only eligible volunteer" if v.needed == 1 else "the only eligible volunteers"
        )
    return reasons


def unassigned_reasons(c: CompiledWeek, visit: int, state: RotaState) -> list[str]:
    """Why this visit is open, in words a coordinator can act on."""
    v = c.visits[visit]
    window = window_label(v.day, v.earliest, v.latest)
    if c.eligible_counts[visit] < v.needed:
        return [_nobody_free(c, v, window)]
    reasons = []
    person = c.people[v.person]
    at_limit = busy = 0
    circle_blocked = 0
    could = []
    for cand in c.candidates[visit]:
        w = cand.volunteer
        if not rules.within_weekly_limit(state.load[w] + v.duration, c.volunteers[w].max_minutes):
            at_limit += 1
        elif not state.has_room(w, visit):
            circle_blocked += 1
        elif not any(state.fits_day(w, visit, s) for s in cand.starts):
            busy += 1
        else:
            could.append(c.volunteers[w].id)
    count = len(c.candidates[visit])
    if v.needed > 1:
        reasons.append(f"needs {v.needed} volunteers at the same time")
    if at_limit:
        reasons.append(_counted(at_limit, count, "at their weekly limit", "at their weekly limit"))
    if circle_blocked:
        members = len(person.circle) + len(state.newcomers[v.person])
        reasons.append(
            f"circle for this person is full ({members} of {person.circle_max}) and "
            f"{_people(circle_blocked)} who could go {'is' if circle_blocked == 1 else 'are'} "
            "not in it"
        )
    if busy:
        reasons.append(
            _counted(busy, count, "busy with other visits", "busy with other visits")
            + f" on {window}"
        )
    if could:
        reasons.append(
            f"{', '.join(could[:3])} could still go; it was left open because another use of "
            "their time covers more need (or the time limit was reached) - assign by hand if "
            "this visit matters more"
        )
    return reasons


def _people(n: int) -> str:
    return "1 volunteer" if n == 1 else f"{n} volunteers"


def _counted(n: int, total: int, one: str, many: str) -> str:
    if n == total:
        return (
            f"the only volunteer who could go is {one}"
            if n == 1
            else f"the {n} volunteers who could go are {many}"
        )
    return f"{n} of the {total} volunteers who could go {'is' if n == 1 else 'are'} {many}"


def _nobody_free(c: CompiledWeek, v: CompiledVisit, window: str) -> str:
    person = c.people[v.person]
    in_range = [
        w
        for w in c.volunteers
        if rules.within_range(distance_km(w.lat, w.lon, person.lat, person.lon), w.max_km)
    ]
    if not in_range:
        return f"no volunteer's travel range reaches {person.id}"
    terms = ["volunteer"]
    pool = in_range
    steps: list[tuple[bool, Callable[[CompiledVolunteer], bool], str]] = [
        (v.requires_check, lambda w: rules.check_satisfied(True, w.checked), words.CHECKED),
        (
            bool(person.languages),
            lambda w: rules.language_shared(person.languages, w.languages),
            words.speaking(person.languages),
        ),
        (
            person.gender_preference is not None,
            lambda w: rules.gender_matches(person.gender_preference, w.gender),
            str(person.gender_preference),
        ),
        (
            bool(person.excluded),
            lambda w: rules.not_excluded(person.excluded, w.id),
            "not excluded",
        ),
    ]
    for applies, keep, word in steps:
        if not applies:
            continue
        narrowed = [w for w in pool if keep(w)]
        terms.insert(-1, word)
        if not narrowed:
            return f"no {', '.join(terms[:-1])} {terms[-1]} within range of {person.id}"
        pool = narrowed
    free = [
        w
        for w in pool
        if rules.grid_starts(
            earliest=v.earliest,
            latest=v.latest,
            duration=v.duration,
            grid=c.grid,
            windows=w.windows.get(v.day, ()),
        )
        and rules.within_weekly_limit(v.duration, w.max_minutes)
    ]
    label = f"{', '.join(terms[:-1])} {terms[-1]}".strip(", ")
    if not free:
        return f"no {label} within range is free for {v.duration} minutes on {window}"
    return (
        f"needs {v.needed} volunteers at once; only {len(free)} {label}(s) within range "
        f"{'is' if len(free) == 1 else 'are'} free on {window}"
    )


def state_of(c: CompiledWeek, rota: Rota) -> RotaState:
    """The used minutes, day schedules and circle places of a finished rota."""
    state = RotaState(c)
    for v, (start, vols) in rota.items():
        state.add(v, start, vols)
    return state
