"""The command line: users add, rota run and publish, against the test's own graph."""

from __future__ import annotations

from dataclasses import dataclass

from typer.testing import CliRunner

from graph.models import Organization, Person, Volunteer, Window
from graph.repo import people, volunteers
from graph.settings import Settings, get_settings
from graph.store import GraphStore
from service.accounts.auth import read_token
from service.accounts.users import current_user_from_header
from service.cli import app
from service.config import secret_key
from tests.loops import in_own_loop
from tests.world import saved


@dataclass(frozen=True)
class Done:
    returncode: int
    stdout: str
    stderr: str


def _carecircles(env: dict[str, str], *args: str) -> Done:
    """Run the command in this process (as the console script would), on the test's graph."""
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, list(args), env=env)
    finally:
        get_settings.cache_clear()
    return Done(result.exit_code, result.stdout, result.stderr)


def test_users_add_prints_a_working_token_last(
    store: GraphStore, graph_env: dict[str, str], graph_settings: Settings
) -> None:
    saved(
        store,
        Organization(id="org-hub", name="Volunteer hub", kind="coordinating"),
    )
    done = _carecircles(
        graph_env, "users", "add", "--role", "coordinator", "--email", "Cleo@Example.org"
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert any(line.startswith("password: ") for line in lines)
    settings = graph_settings.model_copy(update={"data_dir": graph_env["CARECIRCLES_DATA_DIR"]})
    key = secret_key(settings)
    assert read_token(key=key, token=lines[-1]) is not None
    header = f"Bearer {lines[-1]}"
    user = in_own_loop(current_user_from_header(store=store, key=key, authorization=header))
    assert user is not None
    assert (user.email, user.role, user.organization_id) == (
        "cleo@example.org",
        "coordinator",
        "org-hub",
    )


def test_users_add_rejects_bad_input_and_writes_nothing(
    store: GraphStore, graph_env: dict[str, str]
) -> None:
    for args, field in (
        (["--role", "boss", "--email", "a@example.org"], "--role"),
        (
            ["--role", "volunteer", "--email", "a@example.org", "--volunteer-id", "nope"],
            "volunteer_id",
        ),
        (["--role", "person", "--email", "a@example.org"], "person_id"),
        (["--role", "admin", "--email", "not-an-email"], "email"),
        (["--role", "admin", "--email", "a@example.org", "--password", "short"], "password"),
    ):
        done = _carecircles(graph_env, "users", "add", *args)
        assert done.returncode != 0
        assert field in done.stderr, done.stderr
    assert store.run("MATCH (u:User) RETURN count(u) AS n") == [{"n": 0}]


def test_users_add_with_an_organization_makes_it_and_without_one_names_the_choices(
    store: GraphStore, graph_env: dict[str, str]
) -> None:
    done = _carecircles(
        graph_env,
        "users",
        "add",
        "--role",
        "link_worker",
        "--email",
        "lw@example.org",
        "--organization",
        "org-second-team",
    )
    assert done.returncode == 0, done.stderr
    assert "organisation: org-second-team" in done.stdout
    rows = store.run("MATCH (o:Organization {id: 'org-second-team'}) RETURN o.kind AS kind")
    assert rows == [{"kind": "social_prescribing"}]
    saved(store, Organization(id="org-third", name="Third", kind="community_group"))
    # Two organisations and none the demo's of this role: the command names the choices.
    done = _carecircles(
        graph_env, "users", "add", "--role", "coordinator", "--email", "co@example.org"
    )
    assert done.returncode == 2
    assert "--organization" in done.stderr and "org-second-team, org-third" in done.stderr


def test_rota_run_and_publish(store: GraphStore, graph_env: dict[str, str]) -> None:
    people.create_person(
        store=store,
        person=Person(
            id="p-ann",
            first_name="Ann",
            last_name="Smith",
            lat=51.55,
            lon=-0.06,
            visit_windows=[Window(day=1, start="10:00", end="12:00")],
        ),
    )
    volunteers.create_volunteer(
        store=store,
        volunteer=Volunteer(
            id="v-val",
            first_name="Val",
            last_name="Jones",
            email="val@example.org",
            lat=51.55,
            lon=-0.06,
            checked=True,
            availability=[Window(day=1, start="09:00", end="17:00")],
        ),
    )
    done = _carecircles(graph_env, "rota", "run", "--week", "2026-W48", "--time-limit", "2")
    assert done.returncode == 0, done.stderr
    assert "covered 1/1 visits" in done.stdout
    run_id = done.stdout.strip().splitlines()[-1]
    done = _carecircles(graph_env, "rota", "publish", run_id)
    assert done.returncode == 0, done.stderr
    assert "1 proposed" in done.stdout
    rows = store.run(
        "MATCH (:Volunteer {id: 'v-val'})-[a:ASSIGNED]->(v:Visit) "
        "RETURN a.status AS s, v.start AS t"
    )
    assert rows == [{"s": "proposed", "t": "10:00"}]
    again = _carecircles(graph_env, "rota", "publish", run_id)
    assert again.returncode == 2 and "already published" in again.stderr
    bad = _carecircles(graph_env, "rota", "run", "--week", "48")
    assert bad.returncode != 0 and "week" in bad.stderr
