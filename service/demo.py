"""``carecircles serve --demo``: a borough to look at, this week's rota published, and a
sign-in for one user of each role."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from graph.models import User
from graph.repo import users as users_repo
from graph.repo.users import get_user_by_email
from graph.store.port import GraphStore
from service.auth import hash_password
from service.rota import publish_rota, run_rota
from service.users import create_user, token_for
from service.weeks import monday_of, today

DEMO_DOMAIN = "demo.carecircles.example"
COUNT_PEOPLE = "MATCH (p:Person) RETURN count(p) AS n"
FIRST_OF = "MATCH (n) WHERE $label IN labels(n) RETURN n.id AS id ORDER BY n.id LIMIT 1"
# A volunteer with proposed visits this week, so the demo volunteer has something to answer.
VOLUNTEER_WITH_PROPOSALS = """
MATCH (vol:Volunteer)-[a:ASSIGNED {status: 'proposed'}]->(v:Visit)
WHERE v.week_start = $week_start
RETURN vol.id AS id, count(a) AS n ORDER BY n DESC, id LIMIT 1
"""


@dataclass(frozen=True)
class DemoSignIn:
    role: str
    email: str
    password: str
    token: str


def seed_if_empty(*, store: GraphStore) -> bool:
    """Load the demo borough (this week's visits) when there are no people; True if loaded."""
    if store.run(COUNT_PEOPLE, {}, write=False)[0]["n"]:
        return False
    from seed.borough import generate_borough
    from seed.load import load_borough

    load_borough(store=store, borough=generate_borough("demo", 0, week_start=monday_of(today())))
    return True


def publish_this_week(*, store: GraphStore, time_limit: float = 8.0) -> str:
    run = run_rota(store=store, week_start=monday_of(today()), time_limit=time_limit)
    publish_rota(store=store, run_id=run.id)
    return run.id


def demo_sign_ins(*, store: GraphStore, key: bytes) -> list[DemoSignIn]:
    """One user per role, created once; each start gives them a fresh password."""
    week_start = monday_of(today()).isoformat()
    volunteer = store.run(VOLUNTEER_WITH_PROPOSALS, {"week_start": week_start}, write=False)
    volunteer_id = volunteer[0]["id"] if volunteer else _first(store, "Volunteer")
    links: dict[str, dict[str, str | None]] = {
        "coordinator": {},
        "link_worker": {},
        "volunteer": {"volunteer_id": volunteer_id},
        "person": {"person_id": _first(store, "Person")},
        "admin": {},
    }
    sign_ins = []
    for role, link in links.items():
        email = f"{role.replace('_', '-')}@{DEMO_DOMAIN}"
        password = secrets.token_urlsafe(9)
        existing = get_user_by_email(store=store, email=email)
        if existing is None:
            user = create_user(store=store, email=email, password=password, role=role, **link)
        else:
            user = users_repo.update_user(
                store=store,
                user=User.model_validate(
                    existing.model_dump() | {"password_hash": hash_password(password)}
                ),
            )
        sign_ins.append(DemoSignIn(role, email, password, token_for(key=key, user_id=user.id)))
    return sign_ins


def _first(store: GraphStore, label: str) -> str | None:
    rows = store.run(FIRST_OF, {"label": label}, write=False)
    return rows[0]["id"] if rows else None
