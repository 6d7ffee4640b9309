"""Who may do what: the one access policy (deny by default).

Every GraphQL field and mutation declares who may use it where it is defined, with the
``@policy`` schema directive (``policy(...)`` below, Strawberry's documented schema
directives), so the published schema (service/schema.graphql) shows it too. A rule is a role
and a **relationship** between the caller and whose data it is, with a consent scope and a
time where they apply:

- ``self``: the person's own record, the volunteer's own record and visits, the user's own
  account;
- ``own organisation``: the caller's organisation supports the person
  (``(Person)-[:SUPPORTED_BY]->(Organization)``), the volunteer volunteers with it
  (``VOLUNTEERS_WITH``), the rota run is its own (``RotaRun.organization_id``);
- ``consent``: anyone else to whom the person has a grant in force naming the scope (staff of
  another organisation see nothing of a person without one);
- ``holding the visit``: the volunteer who holds a visit (the address on its day);
- ``as returned``: a field of a result whose own field decided (typed results, pages);
- ``referred to their organisation's service``: a partner and a person a link worker referred
  to one of the partner's organisation's services (what deciding or an accepted referral needs);
- ``delegated by the person``: someone the person chose to grant and withdraw consent for
  them, within the scopes and until the end they set (service.consent.delegation).

The checks live here and in ``service.consent.policy`` (what a user may see of a person:
``Access``; the access log: ``Reads``); ``tests/service/test_policy_schema.py`` walks the whole
schema and fails on a field or mutation without a declared policy, and
``tests/service/test_access_matrix.py`` tries every role from its own and another organisation,
with and without consent, against every query and mutation on personal data.

Roles in words:

- coordinator: their organisation's people (arranging visits), volunteers, visits and rota;
  more of a person only by the person's consent;
- link worker: their organisation's people (no addresses without consent); volunteers and rota
  are not theirs;
- volunteer: their own record and visits, and open visits they are eligible for, seen with first
  name and approximate area only; the address only for a visit they hold, on its day;
- person: their own record only, and who may see it (they grant and revoke);
- admin: users and organisations, no personal data;
- partner: their organisation's services and the referrals to them; of a referred person only
  what the referral's basis allows (``REFERRAL``, service.consent.policy.referral_basis).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import strawberry
from strawberry.schema_directive import Location

from service.accounts.auth import ROLES
from service.api.errors import NotAllowed, NotSignedIn
from service.context import CurrentUser, RequestContext
from service.weeks import today, visit_date

STAFF = ("coordinator", "link_worker")

SELF = "self"
OWN_ORGANISATION = "own organisation"
CONSENT = "consent"
HOLDER = "holding the visit"
AS_RETURNED = "as returned"
ANYONE = "anyone signed in"
# A partner and a person referred to one of its organisation's services: the ward and the
# referral's note to decide; first name, and phone if agreed, once accepted; nothing after.
REFERRAL = "referred to their organisation's service"
# Someone the person chose to act for them on their consent, within the scopes and until the
# end they set (service.consent.delegation).
DELEGATED = "delegated by the person"
RELATIONSHIPS = (
    SELF,
    OWN_ORGANISATION,
    CONSENT,
    HOLDER,
    AS_RETURNED,
    ANYONE,
    REFERRAL,
    DELEGATED,
)


@dataclass(frozen=True)
class Rule:
    """One way to be allowed: ``roles`` in ``relationship``, with a consent ``scope`` (one of
    service.consent.policy.SCOPES) and a ``when`` where they apply."""

    roles: tuple[str, ...]
    relationship: str
    scope: str | None = None
    when: str | None = None

    def __post_init__(self) -> None:
        assert self.relationship in RELATIONSHIPS, self.relationship
        assert all(r in ROLES for r in self.roles), self.roles

    def text(self) -> str:
        words = f"{', '.join(self.roles) or 'anyone'}: {self.relationship}"
        if self.scope:
            words += f" ({self.scope})"
        if self.when:
            words += f", {self.when}"
        return words


@strawberry.schema_directive(
    name="policy",
    locations=[Location.FIELD_DEFINITION, Location.OBJECT],
    description="Who may use this field or mutation (any one rule suffices: role: "
    "relationship, consent scope, time), and whether what it returns about someone is "
    "written to their access log. On a type: every field of it, unless the field says more.",
)
class Policy:
    rules: list[str]
    logged: bool = False


def policy(*rules: Rule, logged: bool = False) -> Policy:
    """The ``@policy`` directive for a field, a mutation or a type."""
    return Policy(rules=[r.text() for r in rules], logged=logged)


# Rules used across domains.
STAFF_OWN = Rule(STAFF, OWN_ORGANISATION)
COORDINATOR_OWN = Rule(("coordinator",), OWN_ORGANISATION)
PERSON_SELF = Rule(("person",), SELF)
VOLUNTEER_SELF = Rule(("volunteer",), SELF)
SIGNED_IN_SELF = Rule(ROLES, SELF)
RETURNED = Rule((), AS_RETURNED)
ANYONE_SIGNED_IN = Rule(ROLES, ANYONE)

AS_RETURNED_POLICY = policy(RETURNED)


def signed_in(context: RequestContext) -> CurrentUser:
    if context.user is None:
        raise NotSignedIn()
    return context.user


def require_role(context: RequestContext, *roles: str) -> CurrentUser:
    user = signed_in(context)
    if user.role not in roles:
        raise NotAllowed()
    return user


def require_staff(context: RequestContext, *roles: str) -> CurrentUser:
    """A coordinator or link worker (as listed) who belongs to an organisation."""
    user = require_role(context, *roles)
    if user.organization_id is None:
        raise NotAllowed("Not allowed: you do not belong to an organisation yet.")
    return user


def organization_of(user: CurrentUser) -> str:
    """The staff user's organisation (``require_staff`` has made sure there is one)."""
    assert user.organization_id is not None
    return user.organization_id


def require_volunteer(context: RequestContext) -> str:
    """The caller's volunteer id."""
    user = require_role(context, "volunteer")
    if user.volunteer_id is None:
        raise NotAllowed()
    return user.volunteer_id


def may_see_address(
    user: CurrentUser | None,
    *,
    my_status: str | None,
    week_start: str,
    day: int,
    on: date | None = None,
) -> bool:
    """A volunteer only for a visit they hold, on its day (staff: the person's ``contact``
    consent, through service.consent.policy)."""
    if user is None or user.role != "volunteer":
        return False
    return my_status == "accepted" and visit_date(week_start, day) == (on or today())
