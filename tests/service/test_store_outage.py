"""Fault test: the embedded graph server killed (SIGKILL) under a running ``carecircles serve``
while coordinators register people through real HTTP GraphQL.

Real processes throughout: ``serve`` starts the embedded FalkorDB server as its child and
supervises it; this test kills that child in the middle of the load and checks that

- every answer is a registered person (HTTP 200 with data) or, during the outage, a
  GraphQL-shaped "temporarily unavailable" error with HTTP 503 (never plain text, never a 500);
- ``serve`` reaps the dead server and restarts it on the same port, and the service answers
  again within ``RECOVERY_S`` without ``serve`` being restarted;
- every write that was acknowledged is in the graph afterwards, and no request wrote twice;
- stopping ``serve`` still stops the graph server it restarted.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from graph.models import Area, Organization, User
from graph.repo import users as users_repo
from graph.settings import Settings
from graph.store import open_store
from graph.store.embedded import password_of
from service.accounts.auth import hash_password
from service.accounts.users import token_for
from tests.world import saved

START_TIMEOUT_S = 60.0
RECOVERY_S = 10.0  # from the kill to the first write acknowledged again
CLIENTS = 4
ACKED_BEFORE_KILL = 30  # writes acknowledged before the kill...
ACKED_AFTER_RECOVERY = 30  # ...and after the service is back
GRAPH = "outage"
UNAVAILABLE = {
    "message": "The service is temporarily unavailable; try again in a few seconds.",
    "extensions": {"code": "UNAVAILABLE"},
}
REGISTER_PERSON = """mutation($input: PersonInput!) {
  registerPerson(input: $input) { id firstName } }"""
PEOPLE_NAMED = """MATCH (p:Person) WHERE p.first_name IN $names
RETURN p.id AS id, p.first_name AS name"""


@dataclass
class Answer:
    name: str  # the first name sent, unique per request
    sent_at: float
    status: int
    content_type: str
    body: Any  # the decoded JSON, or the text when it was not JSON
    person_id: str | None = None


@dataclass
class Load:
    """``CLIENTS`` threads registering people, one request after another, until stopped."""

    url: str
    token: str
    area_id: str
    answers: list[Answer] = field(default_factory=list)
    transport_errors: list[str] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)
    changed: threading.Condition = field(default_factory=threading.Condition)

    def run(self) -> list[threading.Thread]:
        threads = [
            threading.Thread(target=self._client, name=f"client-{i}", daemon=True)
            for i in range(CLIENTS)
        ]
        for thread in threads:
            thread.start()
        return threads

    def _client(self) -> None:
        headers = {"Authorization": f"Bearer {self.token}"}
        with httpx.Client(base_url=self.url, timeout=30.0, headers=headers) as client:
            while not self.stop.is_set():
                name = f"N{uuid.uuid4().hex[:12]}"
                variables = {
                    "input": {
                        "firstName": name,
                        "lastName": "Outage",
                        "lat": 51.55,
                        "lon": -0.06,
                        "areaId": self.area_id,
                    }
                }
                sent_at = time.monotonic()
                try:
                    response = client.post(
                        "/graphql", json={"query": REGISTER_PERSON, "variables": variables}
                    )
                except httpx.TransportError as error:
                    self._note(transport_error=f"{type(error).__name__}: {error}")
                    continue
                try:
                    body: Any = response.json()
                except ValueError:
                    body = response.text
                content_type = response.headers.get("content-type", "")
                answer = Answer(name, sent_at, response.status_code, content_type, body)
                data = body.get("data") if isinstance(body, dict) else None
                if response.status_code == 200 and data and not body.get("errors"):
                    answer.person_id = data["registerPerson"]["id"]
                self._note(answer=answer)

    def _note(self, *, answer: Answer | None = None, transport_error: str | None = None) -> None:
        with self.changed:
            if answer is not None:
                self.answers.append(answer)
            if transport_error is not None:
                self.transport_errors.append(transport_error)
            self.changed.notify_all()

    def acknowledged(self, *, sent_after: float = 0.0) -> list[Answer]:
        with self.changed:
            return [a for a in self.answers if a.person_id and a.sent_at >= sent_after]

    def wait_for_acknowledged(self, count: int, *, sent_after: float, timeout: float) -> float:
        """Wait until ``count`` writes sent after ``sent_after`` are acknowledged; the time the
        first of them was sent."""
        deadline = time.monotonic() + timeout
        with self.changed:
            while True:
                acked = self.acknowledged(sent_after=sent_after)
                if len(acked) >= count:
                    return min(a.sent_at for a in acked)
                remaining = deadline - time.monotonic()
                assert remaining > 0, (
                    f"only {len(acked)} of {count} writes acknowledged within {timeout:.0f} s; "
                    f"last answers: {[(a.status, a.body) for a in self.answers[-3:]]}"
                )
                self.changed.wait(remaining)


def _state(pid: int) -> str | None:
    """The process's state letter (``Z`` for a zombie), or None once it is gone (reaped)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return stat.rsplit(")", 1)[1].split()[0]


def _parent(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def _graph_server(data_dir: Path) -> dict[str, Any]:
    recorded: dict[str, Any] = json.loads((data_dir / "falkordb.json").read_text())
    return recorded


def _serve(
    tmp_path: Path, env: dict[str, str], options: list[str]
) -> tuple[subprocess.Popen[bytes], int]:
    """``carecircles serve --port 0`` and the port it says it listens on."""
    log = tmp_path / "serve.log"
    with log.open("wb") as output:
        serve = subprocess.Popen(
            [sys.executable, "-m", "service.cli", "serve", "--port", "0", *options],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:  # polling a log file another process writes
        found = re.search(r"(?:running|serving) on http://127\.0\.0\.1:(\d+)", log.read_text())
        if found:
            return serve, int(found.group(1))
        assert serve.poll() is None, f"carecircles serve exited: {log.read_text()[-2000:]}"
        assert time.monotonic() < deadline, "carecircles serve did not say where it listens"
        time.sleep(0.05)


def _wait_for_health(url: str, serve: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:  # readiness poll
        try:
            if httpx.get(f"{url}/health", timeout=5.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert serve.poll() is None, "carecircles serve exited"
        assert time.monotonic() < deadline, f"/health did not answer 200 within {timeout:.0f} s"
        time.sleep(0.05)


def _seed(data_dir: Path, graph_port: int, key: str) -> tuple[str, str]:
    """An area, an organisation and a coordinator in ``serve``'s graph; (area id, token)."""
    settings = Settings(
        graph_uri=f"falkordb://:{password_of(data_dir)}@127.0.0.1:{graph_port}",
        graph_name=GRAPH,
        data_dir=data_dir,
    )
    store = open_store(settings)
    try:
        area = saved(store, Area(id="area-outage", name="Outage Ward", lat=51.55, lon=-0.06))
        organization = saved(
            store,
            Organization(id="org-outage", name="Outage Befriending", kind="volunteer_centre"),
        )
        user = users_repo.create_user(
            store=store,
            user=User(
                id="u-outage-coordinator",
                email="coordinator@outage.example.org",
                role="coordinator",
                password_hash=hash_password("correct horse battery"),
                organization_id=organization.id,
            ),
        )
    finally:
        store.close()
    return area.id, token_for(key=key.encode(), user_id=user.id)


def _stored(data_dir: Path, graph_port: int, names: list[str]) -> dict[str, list[str]]:
    """First name -> the ids of the people stored with it."""
    settings = Settings(
        graph_uri=f"falkordb://:{password_of(data_dir)}@127.0.0.1:{graph_port}",
        graph_name=GRAPH,
        data_dir=data_dir,
    )
    store = open_store(settings, ensure_schema=False)
    try:
        rows = store.run(PEOPLE_NAMED, {"names": names}, write=False)
    finally:
        store.close()
    found: dict[str, list[str]] = {}
    for row in rows:
        found.setdefault(row["name"], []).append(row["id"])
    return found


@pytest.mark.parametrize("options", [[], ["--workers", "2"]], ids=["one-process", "workers"])
def test_serve_restarts_a_killed_graph_server_under_load_and_keeps_every_acknowledged_write(
    tmp_path: Path, options: list[str]
) -> None:
    """With ``--workers`` the worker processes found the graph server by its pid/port file; they
    reconnect to the restarted one on the same port as ``serve``'s own client does."""
    data_dir = tmp_path / "data"
    key = f"outage-key-{uuid.uuid4().hex}"
    env = {
        **os.environ,
        "CARECIRCLES_GRAPH_URI": "embedded://",
        "CARECIRCLES_GRAPH_NAME": GRAPH,
        "CARECIRCLES_DATA_DIR": str(data_dir),
        "CARECIRCLES_SECRET_KEY": key,
    }
    serve, port = _serve(tmp_path, env, options)
    url = f"http://127.0.0.1:{port}"
    load: Load | None = None
    threads: list[threading.Thread] = []
    try:
        _wait_for_health(url, serve, START_TIMEOUT_S)
        killed = _graph_server(data_dir)
        assert _parent(killed["pid"]) == serve.pid, "serve did not start the graph server"
        area_id, token = _seed(data_dir, killed["port"], key)

        load = Load(url=url, token=token, area_id=area_id)
        threads = load.run()
        load.wait_for_acknowledged(ACKED_BEFORE_KILL, sent_after=0.0, timeout=START_TIMEOUT_S)

        os.kill(killed["pid"], signal.SIGKILL)
        killed_at = time.monotonic()

        back_at = load.wait_for_acknowledged(1, sent_after=killed_at, timeout=RECOVERY_S)
        _wait_for_health(url, serve, RECOVERY_S)
        load.wait_for_acknowledged(
            ACKED_AFTER_RECOVERY, sent_after=killed_at, timeout=START_TIMEOUT_S
        )
        load.stop.set()
        for thread in threads:
            thread.join(timeout=60)

        restarted = _graph_server(data_dir)
        assert restarted["port"] == killed["port"], "restarted on another port"
        assert restarted["pid"] != killed["pid"]
        assert _parent(restarted["pid"]) == serve.pid
        assert _state(killed["pid"]) is None, "the killed graph server was not reaped"
        assert back_at - killed_at < RECOVERY_S

        assert not load.transport_errors, load.transport_errors[:3]
        answers = list(load.answers)
        refused = [a for a in answers if a.person_id is None]
        print(
            f"{len(answers)} requests, {len(refused)} refused while the graph server was down; "
            f"writes acknowledged again {back_at - killed_at:.2f} s after the kill"
        )
        assert refused, "no request was answered while the graph server was down"
        for answer in refused:
            assert answer.status == 503, (answer.status, answer.body)
            assert answer.content_type.startswith("application/json"), answer.content_type
            assert isinstance(answer.body, dict) and answer.body.get("errors"), answer.body
            assert answer.body.get("data") is None, answer.body
            for error in answer.body["errors"]:  # with the field's path when a resolver failed
                assert {k: error[k] for k in UNAVAILABLE} == UNAVAILABLE, answer.body
        assert all(a.status == 200 for a in answers if a.person_id is not None)

        stored = _stored(data_dir, restarted["port"], [a.name for a in answers])
        missing = [a.name for a in answers if a.person_id and stored.get(a.name) != [a.person_id]]
        assert not missing, f"{len(missing)} acknowledged writes not in the graph: {missing[:5]}"
        twice = {name: ids for name, ids in stored.items() if len(ids) > 1}
        assert not twice, f"written more than once: {twice}"

        serve.send_signal(signal.SIGTERM)
        assert serve.wait(timeout=60) == 0
        assert _state(restarted["pid"]) is None, "the restarted graph server outlived serve"
    finally:
        if load is not None:
            load.stop.set()
        if serve.poll() is None:
            serve.send_signal(signal.SIGTERM)
            try:
                serve.wait(timeout=60)
            except subprocess.TimeoutExpired:
                serve.kill()
                serve.wait()
