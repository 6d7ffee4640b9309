"""ISO weeks as people write them (``2026-W48``) and the Monday each starts on."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

WEEK_PATTERN = re.compile(r"^(\d{4})-W(\d{2})$")


class InvalidWeek(ValueError):
    """A week that is not ``YYYY-Www`` or does not exist."""


def week_start(week: str) -> date:
    """The Monday of ISO week ``week`` ("2026-W48" -> 2026-11-23)."""
    match = WEEK_PATTERN.fullmatch(week.strip())
    if not match:
        raise InvalidWeek(f"week: expected an ISO week like '2026-W48', got {week!r}")
    year, number = int(match.group(1)), int(match.group(2))
    try:
        return date.fromisocalendar(year, number, 1)
    except ValueError:
        raise InvalidWeek(f"week: {year} has no week {number}") from None


@lru_cache(maxsize=1024)  # pure; a page of visits asks the same few weeks again and again
def week_label(day: date) -> str:
    """The ISO week ``day`` falls in, as ``YYYY-Www``."""
    year, number, _ = day.isocalendar()
    return f"{year}-W{number:02d}"


def today() -> date:
    """Today in UTC (visit days are compared against it)."""
    return datetime.now(UTC).date()


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


@lru_cache(maxsize=4096)
def visit_date(week_start_iso: str, day: int) -> date:
    """The calendar date of a visit on ``day`` (0 = Monday) of the week starting then."""
    return date.fromisoformat(week_start_iso) + timedelta(days=day)


def rota_week(week: str, *, horizon_weeks: int, on: date | None = None) -> date:
    """The Monday of ``week`` when a rota may be run for it: from last week (visits still being
    logged) to ``horizon_weeks`` ahead of this one (``CARECIRCLES_ROTA_HORIZON_WEEKS``);
    otherwise InvalidWeek naming the field and the weeks allowed."""
    monday = week_start(week)
    this_week = monday_of(on or today())
    first, last = this_week - timedelta(weeks=1), this_week + timedelta(weeks=horizon_weeks)
    if not first <= monday <= last:
        raise InvalidWeek(
            f"week: expected a week from {week_label(first)} (last week) to {week_label(last)} "
            f"({horizon_weeks} weeks ahead), got {week!r}"
        )
    return monday
