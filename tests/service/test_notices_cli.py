"""``carecircles notices send``: delivers the outbox to the SMTP server CARECIRCLES_SMTP_URL
names (a real one, started by the test), and says so; without the variable it refuses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from graph.models import Person, Visit, Volunteer, Window
from graph.store import GraphStore
from service.notices.delivery import SmtpServer
from service.weeks import monday_of, today
from tests.service.conftest import Inbox
from tests.service.test_cli import _carecircles
from tests.world import propose, saved


def test_notices_send_delivers_the_outbox(
    store: GraphStore, graph_env: dict[str, str], inbox: tuple[Inbox, SmtpServer]
) -> None:
    received, server = inbox
    url = f"smtp://{server.host}:{server.port}"
    ann = saved(
        store, Person(id="p-ann", first_name="Ann", last_name="Smith", lat=51.55, lon=-0.06)
    )
    val = saved(
        store,
        Volunteer(
            id="v-val",
            first_name="Val",
            last_name="Jones",
            email="val@example.org",
            lat=51.55,
            lon=-0.06,
            availability=[Window(day=2, start="09:00", end="17:00")],
        ),
    )
    visit = saved(
        store,
        Visit(
            id="visit-1",
            person_id=ann.id,
            week_start=monday_of(today()) + timedelta(weeks=1),
            day=2,
            earliest="10:00",
            latest="12:00",
        ),
    )
    propose(store, visit, val.id, at=datetime.now(UTC))

    refused = _carecircles(graph_env, "notices", "send")
    assert refused.returncode == 2 and "CARECIRCLES_SMTP_URL is not set" in refused.stderr

    done = _carecircles(graph_env | {"CARECIRCLES_SMTP_URL": url}, "notices", "send")
    assert done.returncode == 0, done.stderr
    assert "sent 1," in done.stdout
    [message] = received.messages
    assert message["To"] == "val@example.org" and "proposed" in message["Subject"]
    again = _carecircles(graph_env | {"CARECIRCLES_SMTP_URL": url}, "notices", "send")
    assert "sent 0," in again.stdout and len(received.messages) == 1
