"""Organisations and who belongs to them:
``(Person)-[:SUPPORTED_BY {since, basis}]->(Organization)`` and
``(Volunteer)-[:VOLUNTEERS_WITH {since}]->(Organization)``. A staff user works for the
organisation named by their ``organization_id`` (a property of the User: it is read with the
user on every request, no extra statement).

The access policy (service/access.py, service/consent/policy.py) asks ``relations_to_people``
which people an organisation supports, together with the grants in force to the caller, in
one statement; lists of people and volunteers are an organisation's own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from graph.models import ConsentGrant, Person, Volunteer, iso_utc
from graph.repo.records import Page, from_properties, read_many, read_page
from graph.store.port import GraphStore, Row

SUPPORT_PERSON = """
MATCH (p:Person {id: $person_id}), (o:Organization {id: $organization_id})
MERGE (p)-[s:SUPPORTED_BY]->(o)
SET s.since = coalesce(s.since, $since), s.basis = coalesce(s.basis, $basis)
RETURN p.id AS id
"""


def support_person(
    *, store: GraphStore, person_id: str, organization_id: str, since: datetime, basis: str
) -> bool:
    """The organisation supports the person from ``since`` (kept if it already did); False
    when either is missing."""
    params = {
        "person_id": person_id,
        "organization_id": organization_id,
        "since": iso_utc(since),
        "basis": basis,
    }
    return bool(store.run(SUPPORT_PERSON, params))


VOLUNTEER_WITH = """
MATCH (v:Volunteer {id: $volunteer_id}), (o:Organization {id: $organization_id})
MERGE (v)-[s:VOLUNTEERS_WITH]->(o)
SET s.since = coalesce(s.since, $since)
RETURN v.id AS id
"""


def volunteer_with(
    *, store: GraphStore, volunteer_id: str, organization_id: str, since: datetime
) -> bool:
    """The volunteer volunteers with the organisation; False when either is missing."""
    params = {"volunteer_id": volunteer_id, "organization_id": organization_id}
    return bool(store.run(VOLUNTEER_WITH, params | {"since": iso_utc(since)}))


ORGANIZATION_PEOPLE = """
MATCH (p:Person)-[:SUPPORTED_BY]->(:Organization {id: $organization_id})
WHERE $after IS NULL OR p.id > $after
RETURN properties(p) AS n ORDER BY p.id LIMIT $limit
"""


def people_of(
    *, store: GraphStore, organization_id: str, first: int, after: str | None
) -> Page[Person]:
    """The people the organisation supports, in id order, ``first`` after ``after``."""
    params = {"organization_id": organization_id, "after": after, "limit": first + 1}
    return read_page(store, ORGANIZATION_PEOPLE, params, Person, first=first)


SEARCH_ORGANIZATION_PEOPLE = """
MATCH (p:Person)-[:SUPPORTED_BY]->(:Organization {id: $organization_id})
WHERE ($after IS NULL OR p.id > $after)
  AND all(w IN $words WHERE toLower(p.first_name) CONTAINS w OR toLower(p.last_name) CONTAINS w)
RETURN properties(p) AS n ORDER BY p.id LIMIT $limit
"""


def search_people_of(
    *, store: GraphStore, organization_id: str, words: list[str], after: str | None, limit: int
) -> list[Person]:
    """Up to ``limit`` of the organisation's people whose first or last name contains every
    one of ``words`` (lower case), in id order after ``after``."""
    params = {"organization_id": organization_id, "words": words, "after": after, "limit": limit}
    return read_many(store, SEARCH_ORGANIZATION_PEOPLE, params, Person)


ORGANIZATION_VOLUNTEERS = """
MATCH (v:Volunteer)-[:VOLUNTEERS_WITH]->(:Organization {id: $organization_id})
WHERE $after IS NULL OR v.id > $after
RETURN properties(v) AS n ORDER BY v.id LIMIT $limit
"""


def volunteers_of(
    *, store: GraphStore, organization_id: str, first: int, after: str | None
) -> Page[Volunteer]:
    """The volunteers who volunteer with the organisation, in id order."""
    params = {"organization_id": organization_id, "after": after, "limit": first + 1}
    return read_page(store, ORGANIZATION_VOLUNTEERS, params, Volunteer, first=first)


ORGANIZATION_VOLUNTEER_IDS = """
MATCH (v:Volunteer)-[:VOLUNTEERS_WITH]->(:Organization {id: $organization_id})
RETURN collect(v.id) AS ids
"""


def volunteer_ids_of(*, store: GraphStore, organization_id: str) -> set[str]:
    return _ids(store, ORGANIZATION_VOLUNTEER_IDS, organization_id)


ORGANIZATION_PERSON_IDS = """
MATCH (p:Person)-[:SUPPORTED_BY]->(:Organization {id: $organization_id})
RETURN collect(p.id) AS ids
"""


def person_ids_of(*, store: GraphStore, organization_id: str) -> set[str]:
    return _ids(store, ORGANIZATION_PERSON_IDS, organization_id)


def _ids(store: GraphStore, statement: str, organization_id: str) -> set[str]:
    rows = store.run(statement, {"organization_id": organization_id}, write=False)
    return set(rows[0]["ids"]) if rows else set()


VOLUNTEER_IS_WITH = """
MATCH (v:Volunteer {id: $volunteer_id})-[:VOLUNTEERS_WITH]->(o:Organization {id: $organization_id})
RETURN v.id AS id
"""


def volunteers_with(*, store: GraphStore, volunteer_id: str, organization_id: str) -> bool:
    """Whether the volunteer volunteers with the organisation."""
    params = {"volunteer_id": volunteer_id, "organization_id": organization_id}
    return bool(store.run(VOLUNTEER_IS_WITH, params, write=False))


@dataclass(frozen=True)
class Relation:
    """One person as seen from one organisation and user: whether the organisation supports
    them, and the person's grants in force to the user or the organisation."""

    person_id: str
    supported: bool
    grants: list[ConsentGrant]


# Instants are fixed-width UTC text, so string comparison is time comparison.
RELATIONS_TO_PEOPLE = """
UNWIND $person_ids AS pid
MATCH (p:Person {id: pid})
OPTIONAL MATCH (p)-[:SUPPORTED_BY]->(o:Organization {id: $organization_id})
WITH p, count(o) > 0 AS supported
OPTIONAL MATCH (p)-[:GRANTS]->(n:ConsentGrant)
WHERE n.grantee_id IN $grantee_ids AND n.revoked_at IS NULL
  AND n.created_at <= $at AND n.expires_at > $at
RETURN p.id AS person_id, supported, collect(properties(n)) AS grants
"""


def relations_to_people(
    *,
    store: GraphStore,
    person_ids: list[str],
    organization_id: str | None,
    grantee_ids: list[str],
    at: datetime,
) -> dict[str, Relation]:
    """For each of ``person_ids`` that exists: whether ``organization_id`` supports them and
    their grants in force at ``at`` to any of ``grantee_ids`` (oldest first). One statement."""
    params = {
        "person_ids": person_ids,
        "organization_id": organization_id or "",
        "grantee_ids": grantee_ids,
        "at": iso_utc(at),
    }
    found = {}
    for row in store.run(RELATIONS_TO_PEOPLE, params, write=False):
        grants = sorted(
            (from_properties(ConsentGrant, g) for g in row["grants"]),
            key=lambda g: (g.created_at, g.id),
        )
        found[row["person_id"]] = Relation(row["person_id"], bool(row["supported"]), grants)
    return found


ORGANIZATION_NAME = "MATCH (o:Organization {id: $id}) RETURN o.name AS name"


def organization_name(*, store: GraphStore, organization_id: str) -> str | None:
    rows = store.run(ORGANIZATION_NAME, {"id": organization_id}, write=False)
    return str(rows[0]["name"]) if rows else None


ENSURE_ORGANIZATION = """
MERGE (o:Organization {id: $id})
ON CREATE SET o.name = $name, o.kind = $kind, o.created_at = $at
RETURN o.created_at = $at AND o.name = $name AS created
"""


def ensure_organization(
    *, store: GraphStore, organization_id: str, name: str, kind: str, at: datetime
) -> bool:
    """The organisation ``organization_id``, made with ``name`` and ``kind`` when it does not
    exist yet; True when it was made now."""
    params = {"id": organization_id, "name": name, "kind": kind, "at": iso_utc(at)}
    rows = store.run(ENSURE_ORGANIZATION, params)
    return bool(rows and rows[0]["created"])


ORGANIZATIONS_SUPPORTING = """
MATCH (:Person {id: $person_id})-[s:SUPPORTED_BY]->(o:Organization)
RETURN o.id AS id, o.name AS name, s.since AS since
ORDER BY o.name, o.id
"""


def organizations_supporting(*, store: GraphStore, person_id: str) -> list[Row]:
    """The organisations that support the person: rows ``id``, ``name``, ``since``."""
    return store.run(ORGANIZATIONS_SUPPORTING, {"person_id": person_id}, write=False)
