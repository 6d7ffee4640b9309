"""People met at a group, recorded as ties: once the person goes to a group (an ``ATTENDS`` tie
from a volunteer's log of an accompanied visit or the partner's attendance report), the person
or their link worker records whom they met there. Each becomes a new ``KNOWS`` tie (kind
``group``) or strengthens the one they had, with the place they met
(``service.wellbeing.feedback.tie_met_at_group``).

Whom the caller may name: the person, people they know already who go there (strengthening
a tie); their link worker, anyone who goes there whom the link worker may see by name (staff of
an organisation supporting them, or their consent: ``service.consent.policy``). Who may call is
decided by the GraphQL layer (the person, or a link worker with the person's ``plan`` consent).
"""

from __future__ import annotations

from dataclasses import dataclass

import words
from graph.models import iso_utc, utc_now
from graph.repo import relationships
from graph.store.port import GraphStore
from service.consent import policy
from service.consent.policy import ARRANGING_VISITS
from service.context import CurrentUser
from service.plans.plans import PlanInvalid
from service.wellbeing.feedback import tie_met_at_group

MET_MAX = 10
FIELD = "metPersonIds"


@dataclass(frozen=True)
class PersonThere:
    """Someone else who goes to the group: how the person knows them already, in words (None:
    not yet), and on what basis staff see their name (None for the person themselves): what
    the access log says of the read."""

    person_id: str
    first_name: str
    known_as: str | None
    seen_as: policy.Access | None = None


@dataclass(frozen=True)
class GroupAttended:
    """A group the person goes to, how many times it was recorded, and the people there the
    caller may name."""

    service_id: str
    service_name: str
    times: int
    people: list[PersonThere]


@dataclass(frozen=True)
class NotAttended:
    """The person has no attendance recorded at the service."""


def groups_attended(*, store: GraphStore, user: CurrentUser, person_id: str) -> list[GroupAttended]:
    """The groups the person goes to, latest first, each with the people there whom ``user``
    may name (per the module docstring)."""
    rows = relationships.groups_attended(store=store, person_id=person_id)
    others = sorted({o["id"] for row in rows for o in row["others"]})
    if user.role == "person":
        seen: dict[str, policy.Access] = {}
    else:
        seen = policy.accesses_to_people(store=store, user=user, person_ids=others)
    found = []
    for row in rows:
        people = []
        for other in sorted(row["others"], key=lambda o: (o["first_name"] or "", o["id"])):
            kinds = sorted(k for k in other["kinds"] if k)
            named = seen.get(other["id"])
            if (user.role == "person" and kinds) or (named and named.allows(ARRANGING_VISITS)):
                known = words.joined([words.TIES.get(k, k) for k in kinds]) if kinds else None
                people.append(PersonThere(other["id"], other["first_name"] or "", known, named))
        found.append(
            GroupAttended(row["service_id"], row["service_name"], int(row["times"] or 0), people)
        )
    return found


def record_people_met(
    *,
    store: GraphStore,
    person_id: str,
    service_id: str,
    met_ids: list[str],
    user: CurrentUser,
) -> GroupAttended | PlanInvalid | NotAttended:
    """Record that the person met ``met_ids`` at the service; the group as it is now."""
    if not 1 <= len(met_ids) <= MET_MAX:
        return PlanInvalid(FIELD, f"expected 1 to {MET_MAX} people, got {len(met_ids)}")
    if len(set(met_ids)) != len(met_ids):
        return PlanInvalid(FIELD, "expected each person once")
    before = groups_attended(store=store, user=user, person_id=person_id)
    group = next((g for g in before if g.service_id == service_id), None)
    if group is None:
        return NotAttended()
    there = {p.person_id for p in group.people}
    unknown = [i for i in met_ids if i not in there]
    if unknown:
        return PlanInvalid(
            FIELD,
            f"expected people who also go to {group.service_name} and whom you may name here, "
            f"got {len(unknown)} other{'s' if len(unknown) > 1 else ''}",
        )
    update = tie_met_at_group()
    relationships.record_met_at(
        store=store,
        person_id=person_id,
        service_id=service_id,
        met_ids=met_ids,
        offset=update.offset,
        factor=update.factor,
        now=iso_utc(utc_now()),
    )
    after = groups_attended(store=store, user=user, person_id=person_id)
    return next((g for g in after if g.service_id == service_id), group)
