"""Why a volunteer cannot take a visit, in words they can act on (service/visits/start_times.py:
``first_free_start`` -- rules 8 and 9 and the clock, after rules 1-7 allowed these starts -- and
``claim_visit``)."""

from __future__ import annotations

from datetime import date

import pytest

from graph.models import Visit
from graph.store import GraphStore
from service.visits import claims
from service.visits.start_times import HeldVisit, first_free_start
from service.weeks import monday_of
from tests.service.test_signup_snapshot import ann_and_free_volunteers
from tests.world import saved

MONDAY = "2026-11-23"


def _why(**overrides: object) -> tuple[int | None, list[str]]:
    arguments: dict[str, object] = {
        "starts": [600, 615, 630],  # 10:00, 10:15, 10:30
        "duration": 60,
        "day": 0,
        "lat": 51.5,
        "lon": -0.1,
        "max_minutes": 600,
        "fixed_start": None,
        "week_start": MONDAY,
        "held": [],
        "on_or_after": None,
    }
    return first_free_start(**(arguments | overrides))  # type: ignore[arg-type]


def test_a_visit_whose_time_today_has_passed_says_so() -> None:
    assert _why(on_or_after=(date(2026, 11, 23), 12 * 60)) == (
        None,
        ["its time today has passed (the last start was 10:30)"],
    )
    assert _why(on_or_after=(date(2026, 11, 23), 620)) == (630, [])  # 10:30 is still ahead
    assert _why(on_or_after=(date(2026, 11, 22), 23 * 60)) == (600, [])  # another day: all


def test_a_shared_visit_at_a_start_the_volunteer_cannot_make_says_when() -> None:
    assert _why(fixed_start="11:00") == (
        None,
        ["the others on this visit go at 11:00, when you are not free"],
    )
    assert _why(fixed_start="10:15") == (615, [])


def test_travel_and_the_weekly_limit_keep_their_own_reasons() -> None:
    busy = [HeldVisit(day=0, start=540, duration=150, lat=51.5, lon=-0.1)]  # 09:00-11:30
    assert _why(held=busy)[1] == [
        "no free time in the visit window once travel to your other visits is allowed"
    ]
    assert _why(max_minutes=30)[1] == [
        "would take the week to 60 minutes, beyond the volunteer's limit of 30"
    ]


def test_a_visit_whose_time_today_has_passed_is_refused_to_anyone(
    store: GraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Said before anything about the volunteer is weighed."""
    ann_and_free_volunteers(store, 1)
    today = date.today()
    saved(
        store,
        Visit(
            id="today",
            person_id="p0",
            week_start=monday_of(today),
            day=today.weekday(),
            earliest="10:00",
            latest="12:00",
            duration_minutes=60,
        ),
    )
    monkeypatch.setattr(claims, "now_minute", lambda: (today, 11 * 60 + 15))  # after 11:00
    late = claims.claim_visit(store=store, visit_id="today", volunteer_id="v0")
    assert (late.outcome, late.message) == ("unavailable", "This visit's time today has passed.")
    monkeypatch.setattr(claims, "now_minute", lambda: (today, 10 * 60 + 50))  # 11:00 is left
    in_time = claims.claim_visit(store=store, visit_id="today", volunteer_id="v0")
    assert (in_time.outcome, in_time.start) == ("claimed", "11:00")
