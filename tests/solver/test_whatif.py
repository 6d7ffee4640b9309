"""What-if on tiny weeks where the answer is known: one more volunteer's value by area, day and
time band; scenarios as modified copies; a rota read by area and band."""

from __future__ import annotations

from typing import Any

import pytest

from solver.models import Assignment, Problem
from solver.solve import solve
from solver.whatif import (
    AddLike,
    Area,
    Changes,
    Referral,
    ScenarioError,
    VisitChange,
    marginal_values,
    recruit_like,
    scenario_problem,
    summarise,
)

WEST = Area("west", "West", 51.50, -0.10)
EAST = Area("east", "East", 51.50, 0.00)  # 7 km from West
AREAS = {"west": WEST, "east": EAST}
PERSON_AREA = {"w1": "west", "e1": "east", "e2": "east", "e3": "east"}


def _visit(vid: str, person: str, day: int, earliest: str, latest: str, **more: Any) -> dict:
    return {
        "id": vid,
        "person": person,
        "day": day,
        "earliest": earliest,
        "latest": latest,
        "duration_minutes": 60,
        **more,
    }


def _week(**east: Any) -> Problem:
    """W1 in the West, covered by Val (who lives there, 2 km range); E1 (need 0.9) and E2 (0.5)
    on Tuesday morning and E3 (0.4) on Tuesday afternoon in the East, out of everyone's reach."""
    return Problem.model_validate(
        {
            "format": "carecircles.rota/1",
            "week_start": "2026-11-23",
            "people": [
                {"id": "w1", "lat": WEST.lat, "lon": WEST.lon, "need": 0.2},
                {"id": "e1", "lat": EAST.lat, "lon": EAST.lon, "need": 0.9, **east},
                {"id": "e2", "lat": EAST.lat, "lon": EAST.lon, "need": 0.5},
                {"id": "e3", "lat": EAST.lat, "lon": EAST.lon, "need": 0.4},
            ],
            "visits": [
                _visit("w1-mon", "w1", 0, "10:00", "12:00"),
                _visit("e1-tue", "e1", 1, "10:00", "12:00"),
                _visit("e2-tue", "e2", 1, "10:00", "12:00"),
                _visit("e3-tue", "e3", 1, "14:00", "16:00"),
            ],
            "volunteers": [
                {
                    "id": "val",
                    "lat": WEST.lat,
                    "lon": WEST.lon,
                    "max_km": 2,
                    "max_minutes": 300,
                    "availability": [
                        {"day": d, "start": "09:00", "end": "17:00"} for d in range(7)
                    ],
                    "languages": ["en"],
                    "checked": True,
                }
            ],
        }
    )


VAL_ON_W1 = [Assignment(visit="w1-mon", volunteer="val", start="10:00")]


def _helping(problem: Problem) -> dict[tuple[str, int, str], tuple[int, float]]:
    cells = marginal_values(problem, VAL_ON_W1, areas=[WEST, EAST])
    assert len(cells) == 2 * 7 * 3
    return {(c.area, c.day, c.band): (c.visits, c.need) for c in cells if c.visits}


def test_one_more_volunteer_helps_only_in_the_east_on_tuesday_where_the_gaps_are() -> None:
    # Tuesday morning in the East: E1 then E2 (same street, no travel), both 60 minutes in the
    # 09:00-13:00 band; Tuesday afternoon: E3. Nowhere else is there a gap to take.
    assert _helping(_week()) == {
        ("east", 1, "morning"): (2, 1.4),
        ("east", 1, "afternoon"): (1, 0.4),
    }


def test_the_value_is_the_share_of_the_weeks_need_it_adds() -> None:
    cells = marginal_values(_week(), VAL_ON_W1, areas=[EAST])
    best = max(cells, key=lambda c: c.share)
    assert best.share == pytest.approx(1.4 / 2.0)


def test_a_gap_the_new_volunteer_may_not_take_counts_for_nothing() -> None:
    # E1 speaks only Polish; a volunteer speaking what the week's volunteers speak (English)
    # takes only E2 on Tuesday morning.
    english = recruit_like(_week())
    cells = marginal_values(_week(languages=["pl"]), VAL_ON_W1, areas=[EAST], like=english)
    morning = next(c for c in cells if (c.day, c.band) == (1, "morning"))
    assert (morning.visits, morning.need, morning.languages) == (1, 0.5, ("en",))
    # E1's circle is full: a newcomer may not join it (rule 10).
    assert _helping(_week(current_circle=["val"], circle_max=1))[("east", 1, "morning")] == (
        1,
        0.5,
    )


def test_the_heat_map_names_the_language_and_gender_that_make_the_difference() -> None:
    # E1 speaks only Polish and asks for a woman: the cell counts the volunteer who takes most
    # (a Polish-speaking woman takes E1 and E2), and says so; elsewhere the usual volunteer.
    cells = marginal_values(
        _week(languages=["pl"], gender_preference="female"), VAL_ON_W1, areas=[WEST, EAST]
    )
    by_cell = {(c.area, c.day, c.band): c for c in cells}
    morning = by_cell[("east", 1, "morning")]
    assert (morning.visits, morning.need) == (2, 1.4)
    assert (morning.languages, morning.gender) == (("en", "pl"), "female")
    afternoon = by_cell[("east", 1, "afternoon")]
    assert (afternoon.visits, afternoon.languages, afternoon.gender) == (1, ("en",), None)


def test_the_new_volunteer_takes_the_most_in_need_first_when_only_one_fits() -> None:
    week = _week()
    squeezed = week.model_copy(
        update={"visits": [v.model_copy(update={"duration_minutes": 120}) for v in week.visits]}
    )
    assert _helping(squeezed)[("east", 1, "morning")] == (1, 0.9)  # E1 (0.9), not E2 (0.5)


def test_a_scenario_is_a_changed_copy_and_the_week_is_left_as_it_was() -> None:
    week = _week()
    frozen = week.model_dump_json()
    scenario = scenario_problem(
        week,
        Changes(
            add=[AddLike(volunteer="val", area="east", count=2)],
            referrals=[Referral(area="west", count=1, visits=2, minutes=45, band="afternoon")],
            visits=[VisitChange(person="e3", count=2, minutes=90)],
        ),
        areas=AREAS,
        person_area=PERSON_AREA,
    )
    assert week.model_dump_json() == frozen
    added = [w for w in scenario.problem.volunteers if w.id != "val"]
    assert len(added) == 2
    for w in added:
        assert (w.lat, w.lon) == (EAST.lat, EAST.lon)
        assert w.availability == week.volunteers[0].availability and w.max_km == 2
    referral = [v for v in scenario.problem.visits if v.person.startswith("scenario-person-")]
    assert [(v.day, v.earliest, v.latest, v.duration_minutes) for v in referral] == [
        (1, "13:00", "17:00", 45),
        (3, "13:00", "17:00", 45),
    ]
    assert scenario.person_area[referral[0].person] == "west"
    e3 = [v for v in scenario.problem.visits if v.person == "e3"]
    assert [(v.day, v.duration_minutes) for v in e3] == [(1, 90), (2, 90)]

    solved = solve(scenario.problem, time_limit=5)
    east = {
        t.key: t
        for t in summarise(
            scenario.problem, solved.assignments, person_area=scenario.person_area
        ).by_area
    }["east"]
    assert (east.visits, east.gaps) == (4, 0)


def test_removing_a_volunteer_drops_them_from_pins_and_circles() -> None:
    week = _week(current_circle=["val"])
    pinned = week.model_copy(
        update={
            "visits": [
                v.model_copy(update={"pinned_volunteers": ["val"]}) if v.id == "w1-mon" else v
                for v in week.visits
            ]
        }
    )
    scenario = scenario_problem(
        pinned, Changes(remove=["val"]), areas=AREAS, person_area=PERSON_AREA
    )
    assert scenario.problem.volunteers == []
    assert all(not v.pinned_volunteers for v in scenario.problem.visits)
    assert all(not p.current_circle for p in scenario.problem.people)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (Changes(add=[AddLike(volunteer="nobody", area="east")]), "add[0].volunteer: no volunteer"),
        (Changes(add=[AddLike(volunteer="val", area="north")]), "add[0].area: no area 'north'"),
        (Changes(add=[AddLike(volunteer="val", area="east", count=0)]), "add[0].count: expected"),
        (Changes(remove=["nobody"]), "remove[0]: no volunteer 'nobody'"),
        (Changes(visits=[VisitChange(person="e1", minutes=5)]), "visits[0].minutes: expected"),
        (Changes(referrals=[Referral(area="east", band="night")]), "referrals[0].band: expected"),
    ],
)
def test_a_change_that_cannot_be_made_names_its_field(changes: Changes, message: str) -> None:
    with pytest.raises(ScenarioError, match=message.replace("[", r"\[").replace("]", r"\]")):
        scenario_problem(_week(), changes, areas=AREAS, person_area=PERSON_AREA)


def test_a_rota_read_by_area_and_time_band() -> None:
    summary = summarise(_week(), VAL_ON_W1, person_area=PERSON_AREA)
    assert (summary.visits_total, summary.visits_covered, summary.kept_by_circle) == (4, 1, 0)
    assert [(t.key, t.visits, t.gaps) for t in summary.by_area] == [("east", 3, 3), ("west", 1, 0)]
    assert [(t.key, t.visits, t.gaps) for t in summary.by_band] == [
        ("Mon morning", 1, 0),
        ("Tue morning", 2, 2),
        ("Tue afternoon", 1, 1),
    ]
