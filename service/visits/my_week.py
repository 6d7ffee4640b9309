"""A volunteer's week: the visits proposed to them, accepted and logged."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from graph.repo import volunteer_visits as repo
from graph.store.port import GraphStore


def my_visits(
    *, store: GraphStore, volunteer_id: str, from_week: date, weeks: int = 4
) -> list[dict[str, Any]]:
    """The volunteer's proposed, accepted and logged visits over ``weeks`` weeks."""
    to_week = from_week + timedelta(weeks=weeks - 1)
    return repo.my_visits(
        store=store,
        volunteer_id=volunteer_id,
        from_week=from_week.isoformat(),
        to_week=to_week.isoformat(),
    )
