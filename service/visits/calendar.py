"""A volunteer's accepted visits as an iCalendar feed (RFC 5545).

Events carry the person's first name and area, never the address: calendar feeds are synced to
third-party services, and the address is in the app on the visit's day.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from graph.models import utc_now
from graph.repo.areas import area_names_by_id
from graph.store.port import GraphStore
from service.visits.my_week import my_visits
from service.weeks import monday_of, today, visit_date

LOCAL_TIME = ZoneInfo("Europe/London")
FEED_WEEKS_BACK = 1
FEED_WEEKS = 9


def volunteer_calendar(*, store: GraphStore, volunteer_id: str) -> bytes:
    """Accepted visits from last week to eight weeks ahead."""
    rows = [
        row
        for row in my_visits(
            store=store,
            volunteer_id=volunteer_id,
            from_week=monday_of(today()) - timedelta(weeks=FEED_WEEKS_BACK),
            weeks=FEED_WEEKS,
        )
        if row["my_status"] == "accepted" and row["v"].get("start")
    ]
    area_ids = sorted({row["area_id"] for row in rows if row["area_id"]})
    areas = area_names_by_id(store=store, area_ids=area_ids)
    calendar = Calendar()
    calendar.add("prodid", "-//CareCircles//visits//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "CareCircles visits")
    stamp = utc_now()
    for row in rows:
        visit = row["v"]
        day = visit_date(visit["week_start"], visit["day"])
        hours, mins = visit["start"].split(":")
        begin = datetime(day.year, day.month, day.day, int(hours), int(mins), tzinfo=LOCAL_TIME)
        area = areas.get(row["area_id"] or "")
        event = Event()
        event.add("uid", f"{visit['id']}@carecircles")
        event.add("dtstamp", stamp)
        event.add("dtstart", begin)
        event.add("dtend", begin + timedelta(minutes=int(visit["duration_minutes"])))
        event.add("summary", f"Visit {row['person_first_name']}" + (f" ({area})" if area else ""))
        if area:
            event.add("location", area)
        calendar.add_component(event)
    feed: bytes = calendar.to_ical()
    return feed
