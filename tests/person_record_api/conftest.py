"""The real API server and world builder of tests/service, reused for the API around a
person's record (consent, check-ins and alerts, referrals, their own data), plus consent grants
made through the same use-case the API calls."""

from __future__ import annotations

from datetime import timedelta

from graph.models import ConsentGrant, Person, utc_now
from service.consent import policy
from tests.service.conftest import Api, World
from tests.service.conftest import api as api  # noqa: F401  (fixture)
from tests.service.conftest import world as world  # noqa: F401  (fixture)

CHECK_IN = """mutation($input: CheckInInput!) {
  recordCheckIn(input: $input) {
    __typename
    ... on CheckInRecorded { checkIn { id score loneliness } person { need } alertReasons }
    ... on InvalidAnswers { field message }
  }
}"""


def grant(
    builder: World,
    person: Person,
    *,
    user_id: str | None = None,
    organization_id: str | None = None,
    scopes: tuple[str, ...] = ("checkins",),
    purpose: str = "support after a hospital stay",
    days: int = 30,
) -> ConsentGrant:
    """The person's grant to a user or organisation, in force for ``days`` days."""
    return policy.make_grant(
        store=builder.api.store,
        person_id=person.id,
        grantee_user_id=user_id,
        grantee_organization_id=organization_id,
        purpose=purpose,
        scopes=list(scopes),
        expires_at=utc_now() + timedelta(days=days),
    )


def count(server: Api, label: str) -> int:
    return int(server.store.run(f"MATCH (n:{label}) RETURN count(n) AS n")[0]["n"])
