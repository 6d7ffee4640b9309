"""Repair ranking (solver/repair.py): circle first, then who visited before, then distance, then
the least loaded; who gave the visit up left out; first choices never double-book; the rules a
hand-picked volunteer would break, named."""

from __future__ import annotations

from solver import eligibility
from solver.eligibility import HeldVisit
from solver.models import Availability, Person, Visit, Volunteer
from solver.repair import VisitToRepair, rank_replacements, repair_visits, rules_broken

ANN = Person(id="ann", lat=51.55, lon=-0.06, languages=["en"])
TUESDAY = Visit(
    id="tue", person="ann", day=1, earliest="10:00", latest="12:00", duration_minutes=60
)


def volunteer(name: str, *, km_north: float = 0.5, **fields: object) -> Volunteer:
    values: dict[str, object] = {
        "id": name,
        "lat": 51.55 + km_north / 111.2,
        "lon": -0.06,
        "max_km": 5.0,
        "max_minutes": 240,
        "availability": [Availability(day=d, start="08:00", end="20:00") for d in range(7)],
        "languages": ["en"],
        "checked": True,
    }
    return Volunteer.model_validate(values | fields)


def ranked(
    volunteers: list[Volunteer],
    *,
    circle: tuple[str, ...] = (),
    known: tuple[str, ...] = (),
    held: dict[str, list[HeldVisit]] | None = None,
    exclude: tuple[str, ...] = (),
) -> list[str]:
    found = rank_replacements(
        repair=VisitToRepair(visit=TUESDAY, person=ANN, circle=circle, known=known),
        table=eligibility.table_of(volunteers),
        volunteers={v.id: v for v in volunteers},
        held=held or {},
        exclude=exclude,
    )
    return [r.volunteer for r in found]


def test_circle_members_come_first_then_who_visited_before_then_the_nearest() -> None:
    near, far, mid = (
        volunteer("near", km_north=0.2),
        volunteer("far", km_north=3),
        volunteer("mid", km_north=1.5),
    )
    assert ranked([far, mid, near]) == ["near", "mid", "far"]
    assert ranked([far, mid, near], circle=("far",)) == ["far", "near", "mid"]
    assert ranked([far, mid, near], circle=("far",), known=("mid",)) == ["far", "mid", "near"]


def test_at_the_same_distance_the_least_loaded_comes_first() -> None:
    busy, free = volunteer("busy"), volunteer("free")
    held = {"busy": [HeldVisit(3, 600, 120, 51.55, -0.06)]}
    assert ranked([busy, free], held=held) == ["free", "busy"]


def test_who_gave_it_up_and_who_may_not_take_it_are_left_out() -> None:
    gone, polish = volunteer("gone"), volunteer("polish", languages=["pl"])
    ok = volunteer("ok")
    assert ranked([gone, polish, ok], exclude=("gone",)) == ["ok"]


def test_first_choices_of_a_volunteers_visits_never_double_book() -> None:
    only = volunteer("only", availability=[Availability(day=1, start="10:00", end="11:00")])
    other = Visit(
        id="tue2", person="ann", day=1, earliest="10:00", latest="11:00", duration_minutes=60
    )
    found = repair_visits(
        repairs=[VisitToRepair(visit=other, person=ANN), VisitToRepair(visit=TUESDAY, person=ANN)],
        volunteers=[only],
        held={},
    )
    # Both need Tuesday 10:00-11:00 and only one volunteer is free then: the first visit (in
    # time order, then id) gets them, the other is left with nobody rather than a clash.
    assert [(r.volunteer, r.start) for r in found["tue"]] == [("only", 600)]
    assert found["tue2"] == []


def test_rules_broken_names_each_rule() -> None:
    english = volunteer("eve", languages=["de"], checked=False)
    polish_ann = Person(id="ann", lat=51.55, lon=-0.06, languages=["pl"])
    reasons = rules_broken(visit=TUESDAY, person=polish_ann, volunteer=english, held=[])
    assert reasons == [
        "this visit needs a DBS-checked volunteer and the volunteer is not DBS-checked",
        "shares none of the person's languages (pl)",
    ]
    full = volunteer("full", max_minutes=60)
    held = [HeldVisit(1, 600, 60, 51.55, -0.06)]
    broken = rules_broken(visit=TUESDAY, person=ANN, volunteer=full, held=held)
    assert broken[0] == "would give 120 minutes this week, over their limit of 60"
    assert len(broken) == 1  # 11:00 is still free on Tuesday
    assert rules_broken(visit=TUESDAY, person=ANN, volunteer=volunteer("fine"), held=[]) == []
