"""Which weeks a group meets (``Schedule.meets_in_week``): weekly every week, fortnightly every
other week from its first date, monthly in the week of its day of the month."""

from __future__ import annotations

from datetime import date, timedelta

from graph.models import Schedule
from graph.models.places import FORTNIGHT_ANCHOR

MONDAYS = [date(2026, 1, 5) + timedelta(weeks=w) for w in range(9)]  # 5 Jan .. 2 Mar 2026


def _weeks(schedule: Schedule) -> list[date]:
    return [day for monday in MONDAYS if (day := schedule.meets_in_week(monday)) is not None]


def test_weekly_meets_every_week_from_its_first_date() -> None:
    assert len(_weeks(Schedule(day=0, start="10:00", end="11:00"))) == 9
    later = Schedule(day=0, start="10:00", end="11:00", starts_on=date(2026, 2, 23))
    assert _weeks(later) == [date(2026, 2, 23), date(2026, 3, 2)]


def test_fortnightly_meets_every_other_week_from_its_first_date() -> None:
    thursday = Schedule(
        day=3, start="10:00", end="11:00", frequency="fortnightly", starts_on=date(2026, 1, 15)
    )
    assert _weeks(thursday) == [
        date(2026, 1, 15),
        date(2026, 1, 29),
        date(2026, 2, 12),
        date(2026, 2, 26),
    ]
    # Without a first date: the weeks an even number of weeks from the anchor Monday.
    unsaid = Schedule(day=0, start="10:00", end="11:00", frequency="fortnightly")
    assert all((day - FORTNIGHT_ANCHOR).days % 14 == 0 for day in _weeks(unsaid))
    assert len(_weeks(unsaid)) in (4, 5)


def test_monthly_meets_on_its_week_of_the_month() -> None:
    def monthly(day: int, week: int | None) -> Schedule:
        return Schedule.model_validate(
            {
                "day": day,
                "start": "10:00",
                "end": "11:00",
                "frequency": "monthly",
                "week_of_month": week,
            }
        )

    assert _weeks(monthly(1, 2)) == [date(2026, 1, 13), date(2026, 2, 10)]  # second Tuesdays
    assert _weeks(monthly(4, -1)) == [date(2026, 1, 30), date(2026, 2, 27)]  # last Fridays
    assert _weeks(monthly(0, None)) == [date(2026, 1, 5), date(2026, 2, 2), date(2026, 3, 2)]
    assert _weeks(monthly(6, 4)) == [date(2026, 1, 25), date(2026, 2, 22)]  # fourth Sundays
