"""The synthetic borough generator: deterministic, the stated sizes, plausible shape."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from graph.models import GraphModel
from seed.borough import DEFAULT_WEEK_START, SIZES, Borough, generate_borough
from solver.geography import distance_km

MODEL_LISTS = (
    "areas",
    "interests",
    "organizations",
    "services",
    "people",
    "volunteers",
    "circles",
    "visits",
    "knows",
    "members",
)


@pytest.fixture(scope="module")
def demo() -> Borough:
    return generate_borough("demo", seed=11)


def _dump(borough: Borough) -> dict[str, list[dict[str, object]]]:
    return {
        name: [m.model_dump(mode="json") for m in getattr(borough, name)] for name in MODEL_LISTS
    }


def test_same_seed_gives_the_identical_borough() -> None:
    assert _dump(generate_borough("tiny", seed=5)) == _dump(generate_borough("tiny", seed=5))


def test_same_seed_gives_the_identical_borough_in_another_process() -> None:
    """Nothing may depend on the process: string hashing is salted per process."""
    script = (
        "import json; from seed.borough import generate_borough; "
        "from tests.seed.test_borough import _dump; "
        "print(json.dumps(_dump(generate_borough('tiny', seed=5)), sort_keys=True))"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    completed = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        check=True,
    )
    here = json.dumps(_dump(generate_borough("tiny", seed=5)), sort_keys=True)
    assert completed.stdout.strip() == here


def test_different_seeds_give_different_boroughs() -> None:
    first, second = _dump(generate_borough("tiny", seed=5)), _dump(generate_borough("tiny", seed=6))
    assert first["people"] != second["people"]
    assert first["volunteers"] != second["volunteers"]
    assert first["areas"] != second["areas"]


def test_sizes_are_as_stated(demo: Borough) -> None:
    tiny = generate_borough("tiny", seed=1)
    assert (len(tiny.people), len(tiny.volunteers), len(tiny.services)) == (30, 40, 15)
    assert (len(demo.people), len(demo.volunteers), len(demo.services)) == (300, 400, 150)
    borough = SIZES["borough"]  # generated and loaded in benchmarks/bench_seed.py
    assert (borough.people, borough.volunteers, borough.services) == (5000, 10000, 1500)
    assert len(demo.areas) == SIZES["demo"].wards
    assert demo.visits and demo.circles and demo.knows and demo.members


def test_every_generated_model_validates(demo: Borough) -> None:
    for name in MODEL_LISTS:
        for model in getattr(demo, name):
            assert isinstance(model, GraphModel)
            assert type(model).model_validate(model.model_dump()) == model, (name, model)


def test_ids_are_unique_within_each_kind(demo: Borough) -> None:
    for name in ("areas", "interests", "organizations", "services", "people", "volunteers",
                 "circles", "visits"):  # fmt: skip
        ids = [m.id for m in getattr(demo, name)]
        assert len(ids) == len(set(ids)), name


def test_there_is_exactly_one_coordinating_organization(demo: Borough) -> None:
    coordinating = [o for o in demo.organizations if o.kind == "coordinating"]
    assert len(coordinating) == 1
    assert demo.coordinating_organization == coordinating[0]


def test_some_people_know_no_one_and_some_know_several(demo: Borough) -> None:
    ties: Counter[str] = Counter()
    for edge in demo.knows:
        if edge.kind != "volunteer":
            ties[edge.from_id] += 1
            ties[edge.to_id] += 1
    counts = [ties[p.id] for p in demo.people]
    assert 0.1 <= counts.count(0) / len(counts) <= 0.35
    assert sum(1 for c in counts if c >= 3) >= 10
    assert {e.kind for e in demo.knows} == {"family", "neighbour", "friend", "volunteer"}


def test_neighbours_live_on_the_same_street(demo: Borough) -> None:
    people = {p.id: p for p in demo.people}
    neighbours = [e for e in demo.knows if e.kind == "neighbour"]
    assert neighbours
    for edge in neighbours:
        assert people[edge.from_id].postcode == people[edge.to_id].postcode


def test_checks_are_a_mix_of_valid_expired_and_missing(demo: Borough) -> None:
    week = demo.week_start
    valid = [v for v in demo.volunteers if v.check_valid_on(week)]
    expired = [v for v in demo.volunteers if v.checked and not v.check_valid_on(week)]
    unchecked = [v for v in demo.volunteers if not v.checked]
    assert len(valid) > len(demo.volunteers) / 2
    assert expired and unchecked


def test_people_cluster_around_their_ward_centre(demo: Borough) -> None:
    centres = {a.id: (float(a.lat or 0), float(a.lon or 0)) for a in demo.areas}
    assert all(a.lat is not None and a.lon is not None for a in demo.areas)
    own = [distance_km(p.lat, p.lon, *centres[str(p.area_id)]) for p in demo.people]
    others = [
        distance_km(p.lat, p.lon, *centre)
        for p in demo.people
        for area_id, centre in centres.items()
        if area_id != p.area_id
    ]
    size = SIZES["demo"]
    assert statistics.median(own) < 0.25 * max(size.width_km, size.height_km)
    assert statistics.median(own) < 0.5 * statistics.median(others)


def test_wards_differ_in_how_many_people_live_there(demo: Borough) -> None:
    per_ward = Counter(p.area_id for p in demo.people)
    assert max(per_ward.values()) >= 2 * min(per_ward.values())


def test_need_is_skewed_low_with_a_tail(demo: Borough) -> None:
    needs = [p.need for p in demo.people]
    assert statistics.median(needs) < 0.5
    assert any(n > 0.75 for n in needs)


def test_languages_are_diverse_and_some_people_speak_no_english(demo: Borough) -> None:
    languages = Counter(lang for p in demo.people for lang in p.languages)
    assert languages.most_common(1)[0][0] == "en"
    assert len(languages) >= 6
    assert any("en" not in p.languages for p in demo.people)


def test_people_have_access_needs_interests_and_visit_times(demo: Borough) -> None:
    assert sum(1 for p in demo.people if p.access_needs) >= 30
    assert sum(1 for p in demo.people if len(p.interests) >= 2) >= 100
    for person in demo.people:
        assert person.visit_windows
        assert len(person.visit_windows) >= person.visits_per_week
        assert all(w.length_minutes >= person.visit_minutes for w in person.visit_windows)


def test_volunteers_have_daytime_and_evening_or_weekend_patterns(demo: Borough) -> None:
    def evening_or_weekend(window_day: int, start: str) -> bool:
        return window_day >= 5 or start >= "17:00"

    daytime_only = [
        v for v in demo.volunteers
        if v.availability and not any(evening_or_weekend(w.day, w.start) for w in v.availability)
    ]  # fmt: skip
    evenings = [
        v for v in demo.volunteers if any(w.day < 5 and w.start >= "17:00" for w in v.availability)
    ]
    assert len(daytime_only) >= 50 and len(evenings) >= 50
    assert len({v.max_km for v in demo.volunteers}) > 10


def test_services_have_schedules_cost_access_and_a_running_organization(demo: Borough) -> None:
    organizations = {o.id for o in demo.organizations}
    categories = Counter(s.category for s in demo.services)
    for category in ("lunch_club", "walking_group", "mens_shed", "library_group", "faith_group",
                     "digital_skills", "befriending_line"):  # fmt: skip
        assert categories[category] > 0, category
    for service in demo.services:
        assert service.schedules and service.interests
        assert service.organization_id in organizations
    assert {s.cost for s in demo.services} == {"free", "low", "paid"}
    assert any(s.lat is None for s in demo.services)  # a phone line has no place
    assert len({s.name for s in demo.services}) == len(demo.services)


def test_circles_are_suitable_volunteers_who_also_know_the_person(demo: Borough) -> None:
    people = {p.id: p for p in demo.people}
    volunteers = {v.id: v for v in demo.volunteers}
    circles = {c.id: c for c in demo.circles}
    knows = {(e.from_id, e.to_id) for e in demo.knows if e.kind == "volunteer"}
    members_of: Counter[str] = Counter(m.circle_id for m in demo.members)
    assert set(members_of) == set(circles)
    for member in demo.members:
        person = people[circles[member.circle_id].person_id]
        volunteer = volunteers[member.volunteer_id]
        assert set(person.languages) & set(volunteer.languages)
        assert person.gender_preference in (None, volunteer.gender)
        assert volunteer.id not in person.excluded_volunteers
        assert distance_km(person.lat, person.lon, volunteer.lat, volunteer.lon) <= volunteer.max_km
        assert (volunteer.id, person.id) in knows
    for circle_id, count in members_of.items():
        assert count <= people[circles[circle_id].person_id].circle_max


def test_the_weeks_visits_follow_each_persons_wishes(demo: Borough) -> None:
    people = {p.id: p for p in demo.people}
    per_person = Counter(v.person_id for v in demo.visits)
    for person in demo.people:
        assert per_person[person.id] == person.visits_per_week
    for visit in demo.visits:
        person = people[visit.person_id]
        assert visit.week_start == demo.week_start == DEFAULT_WEEK_START
        assert (visit.day, visit.earliest, visit.latest) in {
            (w.day, w.start, w.end) for w in person.visit_windows
        }
        assert visit.duration_minutes == person.visit_minutes


def test_the_week_moves_only_the_dates() -> None:
    base = generate_borough("tiny", seed=2)
    later = generate_borough("tiny", seed=2, week_start=date(2027, 1, 4))
    assert [p.first_name for p in base.people] == [p.first_name for p in later.people]
    assert {v.week_start for v in later.visits} == {date(2027, 1, 4)}


def test_bad_size_or_week_is_refused_with_the_field_named() -> None:
    with pytest.raises(ValueError, match="size: expected one of tiny, demo, borough"):
        generate_borough("huge", seed=1)
    with pytest.raises(ValueError, match="week_start: expected a Monday"):
        generate_borough("tiny", seed=1, week_start=date(2026, 11, 24))
