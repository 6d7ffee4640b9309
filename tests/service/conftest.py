"""A real API server (uvicorn in a thread) on the embedded graph server, per test module.

``api`` serves a graph of the module's own; tests build what they need through the same
repository and use-case functions the app uses (``World``), each with fresh ids, so tests in a
module do not see each other's people.
"""

from __future__ import annotations

import email
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from email.message import Message
from typing import Any

import httpx
import pytest
import uvicorn
from aiosmtpd.controller import Controller

from graph.models import Area, Organization, Person, User, Visit, Volunteer, Window, utc_now
from graph.repo import organisations, people, volunteers
from graph.repo import users as users_repo
from graph.store import GraphStore, drop_graph, open_store
from service.accounts.auth import hash_password
from service.accounts.users import token_for
from service.app import create_app
from service.config import ServiceSettings
from service.notices.delivery import SmtpServer
from service.visits.open_visits_snapshot import open_visits_changed
from tests.conftest import GraphServer
from tests.world import saved

PASSWORD = "correct horse battery"
PASSWORD_HASH = hash_password(PASSWORD)
_password_hash: str | None = None
SERVER_START_TIMEOUT_S = 20.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Api:
    url: str
    store: GraphStore
    settings: ServiceSettings
    key: bytes
    client: httpx.Client

    def gql(
        self, query: str, variables: dict[str, Any] | None = None, token: str | None = None
    ) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = self.client.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        assert response.status_code in (200, 400), response.text
        body: dict[str, Any] = response.json()
        return body

    def data(
        self, query: str, variables: dict[str, Any] | None = None, token: str | None = None
    ) -> dict[str, Any]:
        body = self.gql(query, variables, token)
        assert "errors" not in body, body
        result: dict[str, Any] = body["data"]
        return result


@contextmanager
def running_api(
    graph_server: GraphServer, *, name: str, client_timeout: float = 30.0, **overrides: Any
) -> Iterator[Api]:
    """The app (web pages included) served by uvicorn in a thread on a graph of its own
    (``overrides``: other settings, e.g. ``smtp_url``)."""
    settings = ServiceSettings(
        **{
            **graph_server.settings.model_dump(),
            "graph_name": f"t_{name}_{uuid.uuid4().hex[:10]}",
            "secret_key": f"test-key-{uuid.uuid4().hex}",
            **overrides,
        }
    )
    store = open_store(settings)
    app = create_app(settings=settings, store=store)
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, name=f"{name}-server", daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    client = httpx.Client(base_url=url, timeout=client_timeout)
    while True:  # readiness poll: the server answers /health once it is up
        try:
            if client.get("/health").status_code == 200:
                break
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError(f"the {name} server did not start")
        time.sleep(0.02)
    try:
        yield Api(
            url=url, store=store, settings=settings, key=settings.secret_key.encode(), client=client
        )
    finally:
        client.close()
        server.should_exit = True
        thread.join(timeout=10)
        drop_graph(store)
        store.close()


@pytest.fixture(scope="module")
def api(graph_server: GraphServer) -> Iterator[Api]:
    with running_api(graph_server, name="api") as served:
        yield served


def next_monday() -> date:
    today = date.today()
    return today + timedelta(days=7 - today.weekday())


@dataclass
class World:
    """Builds people, volunteers, visits and users with fresh ids in the api's graph."""

    api: Api
    tag: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    organization_id: str = ""
    area_id: str = ""

    def __post_init__(self) -> None:
        store = self.api.store
        self.area_id = f"area-{self.tag}"
        saved(store, Area(id=self.area_id, name=f"Ward {self.tag}", lat=51.55, lon=-0.06))
        self.organization_id = f"org-{self.tag}"
        saved(
            store,
            Organization(
                id=self.organization_id, name=f"Befriending {self.tag}", kind="volunteer_centre"
            ),
        )

    def person(
        self, name: str = "Ann", *, organization_id: str | None | bool = True, **fields: Any
    ) -> Person:
        """A person the world's organisation supports (``organization_id``: another one, or
        None for no organisation)."""
        values: dict[str, Any] = {
            "id": f"p-{name.lower()}-{uuid.uuid4().hex[:6]}",
            "first_name": name,
            "last_name": "Smith",
            "address": f"{len(name)} Mare Street",
            "postcode": "E8 1AB",
            "lat": 51.55,
            "lon": -0.06,
            "area_id": self.area_id,
            "need": 0.6,
            "visit_windows": [Window(day=1, start="10:00", end="13:00")],
            "visits_per_week": 1,
            "visit_minutes": 60,
        }
        made = people.create_person(store=self.api.store, person=Person(**(values | fields)))
        org = self.organization_id if organization_id is True else organization_id
        if isinstance(org, str):
            organisations.support_person(
                store=self.api.store,
                person_id=made.id,
                organization_id=org,
                since=utc_now(),
                basis="befriending",
            )
        return made

    def volunteer(
        self, name: str = "Val", *, organization_id: str | None | bool = True, **fields: Any
    ) -> Volunteer:
        """A volunteer with the world's organisation (``organization_id``: another one, or
        None for none)."""
        values: dict[str, Any] = {
            "id": f"v-{name.lower()}-{uuid.uuid4().hex[:6]}",
            "first_name": name,
            "last_name": "Jones",
            "email": f"{name.lower()}-{uuid.uuid4().hex[:6]}@example.org",
            "lat": 51.552,
            "lon": -0.062,
            "area_id": self.area_id,
            "max_km": 5.0,
            "max_minutes": 600,
            "availability": [Window(day=d, start="08:00", end="20:00") for d in range(7)],
            "checked": True,
        }
        made = volunteers.create_volunteer(
            store=self.api.store, volunteer=Volunteer(**(values | fields))
        )
        org = self.organization_id if organization_id is True else organization_id
        if isinstance(org, str):
            organisations.volunteer_with(
                store=self.api.store, volunteer_id=made.id, organization_id=org, since=utc_now()
            )
        return made

    def organization(self, name: str = "Other") -> str:
        """Another organisation, with a fresh id."""
        org_id = f"org-{name.lower()}-{uuid.uuid4().hex[:6]}"
        saved(
            self.api.store, Organization(id=org_id, name=f"{name} {self.tag}", kind="befriending")
        )
        return org_id

    def visit(self, person: Person, *, week_start: date | None = None, **fields: Any) -> Visit:
        values: dict[str, Any] = {
            "id": f"visit-{uuid.uuid4().hex[:10]}",
            "person_id": person.id,
            "week_start": week_start or next_monday(),
            "day": 1,
            "earliest": "10:00",
            "latest": "13:00",
            "duration_minutes": 60,
            "status": "open",
        }
        made = saved(self.api.store, Visit(**(values | fields)))
        # Written behind the app's back: its snapshot of open visits (on by default) would
        # show the visit within its max age; the tests ask at once.
        open_visits_changed(store=self.api.store)
        return made

    def user(self, role: str, **links: Any) -> tuple[str, str]:
        """A user of ``role`` (password ``PASSWORD``); returns (email, token).

        Made like ``accounts.users.create_user`` does, with one password hash for all (hashing
        costs a fifth of a second on purpose); test_app signs up through create_user itself."""
        email = f"{role}-{uuid.uuid4().hex[:8]}@example.org"
        if role in ("coordinator", "link_worker") and "organization_id" not in links:
            links["organization_id"] = self.organization_id
        user = users_repo.create_user(
            store=self.api.store,
            user=User(
                id=f"u-{uuid.uuid4().hex[:12]}",
                email=email,
                role=role,
                password_hash=PASSWORD_HASH,
                **links,
            ),
        )
        return email, token_for(key=self.api.key, user_id=user.id)

    def volunteer_token(self, volunteer: Volunteer) -> str:
        return self.user("volunteer", volunteer_id=volunteer.id)[1]


@pytest.fixture
def world(api: Api) -> World:
    return World(api)


class Inbox:
    """An SMTP handler keeping what arrives; ``refuse`` the next few messages with a 451."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.refuse = 0
        self._lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self._lock:
            if self.refuse:
                self.refuse -= 1
                return "451 4.3.0 Mailbox busy, try again later"
            self.messages.append(email.message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, SmtpServer]]:
    """A real SMTP server on a free port keeping what arrives, and how to reach it."""
    handler = Inbox()
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, SmtpServer.of_url(f"smtp://127.0.0.1:{port}")
    finally:
        controller.stop()


def organisation_visits(borough: Any, organization_id: str) -> int:
    """How many of the borough's week's visits are for people ``organization_id`` supports
    (the visits its rota plans)."""
    supported = {s.person_id for s in borough.supported if s.organization_id == organization_id}
    return sum(1 for v in borough.visits if v.person_id in supported)
