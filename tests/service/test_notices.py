"""Notices delivered by e-mail to a real SMTP server (aiosmtpd) started by the test: what
arrives, a failure and its retry with nothing sent twice, several senders at once, preferences
and quiet hours, reminders."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from email.message import Message
from typing import Any

import pytest

from graph.repo.notices import notices_about, set_notice_preferences
from graph.repo.volunteer_visits import accept_visit
from service.notices.delivery import SmtpServer, deliver_due
from service.notices.sender import send_once
from service.visits import changes
from tests.conftest import GraphServer
from tests.service.conftest import Api, Inbox, World, running_api
from tests.world import propose

PREFERENCES = """
mutation($from: String, $to: String) {
  setNoticePreferences(channel: EMAIL, quietFrom: $from, quietTo: $to) {
    channel quietFrom quietTo
  }
}
"""


@pytest.fixture
def fresh_api(graph_server: GraphServer) -> Iterator[Api]:
    """An API on a graph of this test's own: its outbox holds only what the test wrote."""
    with running_api(graph_server, name="notices") as served:
        yield served


def _cancelled_visit(world: World) -> tuple[Any, Any, Any]:
    ann = world.person("Ann")
    val = world.volunteer("Val")
    visit = world.visit(ann, start="10:00")
    propose(world.api.store, visit, val.id, at=datetime.now(UTC))
    world.user("person", person_id=ann.id)
    changes.cancel_visit(
        store=world.api.store, visit_id=visit.id, volunteer_id=val.id, reason="knee is bad"
    )
    return ann, val, visit


def _body(message: Message) -> str:
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode()


def test_notices_arrive_with_first_name_day_and_time_only(
    fresh_api: Api, inbox: tuple[Inbox, SmtpServer]
) -> None:
    received, server = inbox
    world = World(fresh_api)
    ann, val, visit = _cancelled_visit(world)
    done = deliver_due(store=fresh_api.store, server=server, now=datetime.now(UTC))
    assert len(done.sent) == 2  # "proposed" to Val (publishing), "changed" to Ann (the cancel)
    by_subject = {m["Subject"]: m for m in received.messages}
    day = visit.week_start + timedelta(days=visit.day)
    to_ann = by_subject[f"Your visit on {day:%A} {day.day} {day:%B} has changed"]
    body = _body(to_ann)
    assert "Hello Ann," in body and f"{day:%A} {day.day} {day:%B} at 10:00" in body
    for personal in ("Smith", "Jones", "Mare Street", "E8 1AB", "knee", val.first_name):
        assert personal not in body
    assert all(m["Message-ID"] for m in received.messages)
    assert {n["status"] for n in notices_about(store=fresh_api.store, visit_id=visit.id)} == {
        "sent"
    }
    # Delivered: a second pass sends nothing.
    assert deliver_due(store=fresh_api.store, server=server, now=datetime.now(UTC)).sent == []
    assert len(received.messages) == 2


def test_a_refused_message_is_retried_after_a_back_off_and_sent_once(
    fresh_api: Api, inbox: tuple[Inbox, SmtpServer]
) -> None:
    received, server = inbox
    world = World(fresh_api)
    _cancelled_visit(world)
    received.refuse = 1
    now = datetime.now(UTC)
    first = deliver_due(store=fresh_api.store, server=server, now=now)
    assert len(first.retried) == 1 and len(first.sent) == 1
    retried = first.retried[0]
    # Not due again until the back-off has passed.
    assert deliver_due(store=fresh_api.store, server=server, now=now).sent == []
    later = deliver_due(store=fresh_api.store, server=server, now=now + timedelta(minutes=2))
    assert later.sent == [retried]
    assert len(received.messages) == 2
    assert len({m["Message-ID"] for m in received.messages}) == 2
    notice = next(n for n in notices_about(store=fresh_api.store) if n["id"] == retried)
    assert notice["status"] == "sent" and notice["attempts"] == 2


def test_senders_racing_send_each_notice_once(
    fresh_api: Api, inbox: tuple[Inbox, SmtpServer]
) -> None:
    received, server = inbox
    world = World(fresh_api)
    for _ in range(6):
        _cancelled_visit(world)
    now = datetime.now(UTC)

    def drain(worker: int) -> int:
        sent = 0
        while True:
            done = deliver_due(
                store=fresh_api.store, server=server, now=now, worker=f"w{worker}", limit=2
            )
            if not done.sent:
                return sent
            sent += len(done.sent)

    with ThreadPoolExecutor(4) as pool:
        counts = list(pool.map(drain, range(4)))
    assert sum(counts) == 12
    ids = [m["X-CareCircles-Notice"] for m in received.messages]
    assert len(ids) == 12 and len(set(ids)) == 12


def test_no_email_wanted_and_quiet_hours(fresh_api: Api, inbox: tuple[Inbox, SmtpServer]) -> None:
    received, server = inbox
    world = World(fresh_api)
    ann = world.person("Ann")
    val = world.volunteer("Val")
    visit = world.visit(ann, start="10:00")
    _, token = world.user("person", person_id=ann.id)
    users = fresh_api.store.run(
        "MATCH (u:User) WHERE u.person_id = $p OR u.volunteer_id = $v "
        "RETURN u.id AS id, u.role AS role",
        {"p": ann.id, "v": val.id},
    )
    ann_user = next(u["id"] for u in users if u["role"] == "person")
    set_notice_preferences(
        store=fresh_api.store, user_id=ann_user, channel="none", quiet_from=None, quiet_to=None
    )
    val_user, val_token = world.user("volunteer", volunteer_id=val.id)
    # 22:00 to 07:00 London time; 23:30 UTC on a December day is 23:30 in London.
    chosen = fresh_api.data(PREFERENCES, {"from": "22:00", "to": "07:00"}, val_token)
    assert chosen["setNoticePreferences"] == {
        "channel": "EMAIL",
        "quietFrom": "22:00",
        "quietTo": "07:00",
    }
    half = fresh_api.gql(PREFERENCES, {"from": "22:00", "to": None}, val_token)
    assert half["errors"][0]["message"].startswith("quietTo:")
    propose(fresh_api.store, visit, val.id, at=datetime.now(UTC))
    changes.cancel_visit(store=fresh_api.store, visit_id=visit.id, volunteer_id=val.id, reason="x")
    night = datetime(2026, 12, 8, 23, 30, tzinfo=UTC)
    done = deliver_due(store=fresh_api.store, server=server, now=night)
    assert len(done.skipped) == 1 and len(done.deferred) == 1 and received.messages == []
    assert deliver_due(store=fresh_api.store, server=server, now=night).deferred == []
    morning = datetime(2026, 12, 9, 7, 0, tzinfo=UTC)
    assert len(deliver_due(store=fresh_api.store, server=server, now=morning).sent) == 1
    assert [m["To"] for m in received.messages] == [val_user]
    del token


def test_day_before_reminders_are_written_once_and_delivered(
    fresh_api: Api, inbox: tuple[Inbox, SmtpServer]
) -> None:
    received, server = inbox
    world = World(fresh_api)
    ann = world.person("Ann")
    val = world.volunteer("Val")
    visit = world.visit(ann, day=2, start="11:00")
    propose(fresh_api.store, visit, val.id, at=datetime.now(UTC))
    today = visit.week_start + timedelta(days=1)
    accept_visit(
        store=fresh_api.store,
        visit_id=visit.id,
        volunteer_id=val.id,
        now=datetime.now(UTC).isoformat(),
        week=visit.week_start.isoformat(),
        day=1,
    )
    noon = datetime(today.year, today.month, today.day, 12, 0, tzinfo=UTC)
    send_once(store=fresh_api.store, server=server, now=noon)
    send_once(store=fresh_api.store, server=server, now=noon + timedelta(hours=1))
    reminders = [m for m in received.messages if m["Subject"] == "Reminder: your visit tomorrow"]
    assert len(reminders) == 1
    assert "visiting Ann tomorrow" in _body(reminders[0]) and "at 11:00" in _body(reminders[0])


def test_an_alert_tells_the_link_workers_who_may_see_it(
    fresh_api: Api, inbox: tuple[Inbox, SmtpServer]
) -> None:
    from graph.models import utc_now
    from service.wellbeing import checkins
    from tests.person_record_api.conftest import grant

    received, server = inbox
    world = World(fresh_api)
    ada = world.person("Ada")
    seen_by, _ = world.user("link_worker")
    world.user("link_worker", organization_id=f"other-{world.tag}")  # not granted: not told
    grant(world, ada, organization_id=world.organization_id)
    recorded = checkins.record_check_in(
        store=fresh_api.store,
        person_id=ada.id,
        scale="ONS1",
        answers=[1],
        recorded_by="test",
        at=utc_now(),
    )
    assert isinstance(recorded, checkins.Recorded) and recorded.alert_reasons
    done = deliver_due(store=fresh_api.store, server=server, now=datetime.now(UTC))
    assert len(done.sent) == 1
    [message] = received.messages
    assert message["To"] == seen_by and message["Subject"] == "A check-in needs your attention"
    body = _body(message)
    assert "A check-in with Ada on" in body and "Smith" not in body


def test_serve_delivers_notices_when_smtp_is_configured(
    graph_server: GraphServer, inbox: tuple[Inbox, SmtpServer]
) -> None:
    received, server = inbox
    url = f"smtp://{server.host}:{server.port}"
    with running_api(graph_server, name="sender", smtp_url=url) as served:
        world = World(served)
        _cancelled_visit(world)
        deadline = time.monotonic() + 30
        # The server's sender makes a pass every few seconds; a notice is marked sent after the
        # mail server has taken it, so both are waited for.
        while len(received.messages) < 2 or {
            n["status"] for n in notices_about(store=served.store)
        } != {"sent"}:
            assert time.monotonic() < deadline, "the server delivered no notices"
            time.sleep(0.1)
        assert len(received.messages) == 2
