"""``carecircles users add --role partner --organization ID``: a user of the organisation that
offers services (made when it does not exist yet); a partner without an organisation, where
there are several, is refused naming the choices."""

from __future__ import annotations

from graph.models import Organization
from graph.settings import Settings
from graph.store import GraphStore
from service.accounts.users import current_user_from_header
from service.config import secret_key
from tests.loops import in_own_loop
from tests.service.test_cli import _carecircles
from tests.world import saved


def test_users_add_makes_a_partner_of_the_organisation(
    store: GraphStore, graph_env: dict[str, str], graph_settings: Settings
) -> None:
    saved(store, Organization(id="org-shed", name="Mare Street Men's Shed", kind="charity"))
    done = _carecircles(
        graph_env,
        "users",
        "add",
        "--role",
        "partner",
        "--email",
        "pat@example.org",
        "--organization",
        "org-lunch",
    )
    assert done.returncode == 0, done.stderr
    settings = graph_settings.model_copy(update={"data_dir": graph_env["CARECIRCLES_DATA_DIR"]})
    header = f"Bearer {done.stdout.strip().splitlines()[-1]}"
    user = in_own_loop(
        current_user_from_header(store=store, key=secret_key(settings), authorization=header)
    )
    assert user is not None
    assert (user.role, user.organization_id) == ("partner", "org-lunch")

    refused = _carecircles(
        graph_env, "users", "add", "--role", "partner", "--email", "pam@example.org"
    )
    assert refused.returncode == 2
    assert "organization_id: give --organization, one of org-lunch, org-shed" in refused.stderr
    assert store.run("MATCH (u:User {email: 'pam@example.org'}) RETURN count(u) AS n") == [{"n": 0}]
