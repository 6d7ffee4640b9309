"""Consent grants: ``(Person)-[:GRANTS]->(ConsentGrant)-[:TO]->(User|Organization)``."""

from __future__ import annotations

from datetime import datetime

from graph.models import ConsentGrant, iso_utc
from graph.repo.errors import NotFound
from graph.repo.records import (
    create_one,
    first_missing,
    get_statement,
    read_many,
    read_one,
    write_one,
)
from graph.store.port import GraphStore, Row

_CREATE_GRANT_TAIL = """
CREATE (n:ConsentGrant) SET n = $props
CREATE (p)-[:GRANTS]->(n)
CREATE (n)-[:TO]->(t)
RETURN properties(n) AS n
"""
CREATE_GRANT_TO_USER = (
    "MATCH (p:Person {id: $person_id}), (t:User {id: $grantee_id})" + _CREATE_GRANT_TAIL
)
CREATE_GRANT_TO_ORGANIZATION = (
    "MATCH (p:Person {id: $person_id}), (t:Organization {id: $grantee_id})" + _CREATE_GRANT_TAIL
)


def create_grant(*, store: GraphStore, grant: ConsentGrant) -> ConsentGrant:
    """Record a person's grant; ``NotFound`` naming the missing person or grantee."""
    grantee_label = "User" if grant.grantee_kind == "user" else "Organization"
    statement = (
        CREATE_GRANT_TO_USER if grant.grantee_kind == "user" else (CREATE_GRANT_TO_ORGANIZATION)
    )
    try:
        return create_one(
            store,
            statement,
            grant,
            label="ConsentGrant",
            missing=NotFound(grantee_label, grant.grantee_id),
            person_id=grant.person_id,
            grantee_id=grant.grantee_id,
        )
    except NotFound:
        nodes = [("Person", grant.person_id), (grantee_label, grant.grantee_id)]
        raise first_missing(store, nodes) from None


GET_GRANT = get_statement("ConsentGrant")


def get_grant(*, store: GraphStore, grant_id: str) -> ConsentGrant | None:
    """The grant with this id, or None."""
    return read_one(store, GET_GRANT, {"id": grant_id}, ConsentGrant)


LIST_GRANTS_OF_PERSON = """
MATCH (:Person {id: $person_id})-[:GRANTS]->(n:ConsentGrant)
RETURN properties(n) AS n ORDER BY n.created_at, n.id
"""


def list_grants_of_person(*, store: GraphStore, person_id: str) -> list[ConsentGrant]:
    """All the person's grants (active, expired and revoked), oldest first."""
    return read_many(store, LIST_GRANTS_OF_PERSON, {"person_id": person_id}, ConsentGrant)


GRANTS_WITH_GRANTEES = """
MATCH (:Person {id: $person_id})-[:GRANTS]->(g:ConsentGrant)
OPTIONAL MATCH (g)-[:TO]->(t)
OPTIONAL MATCH (org:Organization {id: t.organization_id})
OPTIONAL MATCH (r:User) WHERE r.id = coalesce(g.recorded_by, g.made_by)
OPTIONAL MATCH (rorg:Organization) WHERE r IS NOT NULL AND rorg.id = r.organization_id
OPTIONAL MATCH (rp:Person) WHERE r IS NOT NULL AND rp.id = r.person_id
OPTIONAL MATCH (w:User) WHERE w.id = g.revoked_by
OPTIONAL MATCH (wp:Person) WHERE w IS NOT NULL AND wp.id = w.person_id
RETURN properties(g) AS g, t.name AS name, t.role AS role, t.email AS email, org.name AS org,
       r.role AS recorder_role, r.email AS recorder_email, rorg.name AS recorder_org,
       rp.first_name + ' ' + rp.last_name AS recorder_name,
       w.role AS revoker_role, w.email AS revoker_email,
       wp.first_name + ' ' + wp.last_name AS revoker_name
ORDER BY g.created_at, g.id
"""


def list_grants_with_grantees(*, store: GraphStore, person_id: str) -> list[Row]:
    """Rows ``g`` (grant properties) and the grantee's ``name``, ``role``, ``email``, ``org``;
    who recorded it (staff) or made it on the person's behalf (a delegate):
    ``recorder_role``, ``recorder_email``, ``recorder_org``, ``recorder_name`` (a person's
    name); who withdrew it on their behalf: ``revoker_role``, ``revoker_email``,
    ``revoker_name``."""
    return store.run(GRANTS_WITH_GRANTEES, {"person_id": person_id}, write=False)


# Instants are fixed-width UTC text, so string comparison is time comparison.
LIST_ACTIVE_GRANTS = """
MATCH (:Person {id: $person_id})-[:GRANTS]->(n:ConsentGrant)
WHERE n.grantee_id IN $grantee_ids AND n.revoked_at IS NULL
  AND n.created_at <= $at AND n.expires_at > $at
RETURN properties(n) AS n ORDER BY n.created_at, n.id
"""


def list_active_grants(
    *, store: GraphStore, person_id: str, grantee_ids: list[str], at: datetime
) -> list[ConsentGrant]:
    """The person's grants in force at ``at`` to any of ``grantee_ids`` (a user id and their
    organisation's id, say)."""
    params = {"person_id": person_id, "grantee_ids": list(grantee_ids), "at": iso_utc(at)}
    return read_many(store, LIST_ACTIVE_GRANTS, params, ConsentGrant)


REVOKE_GRANT = """
MATCH (n:ConsentGrant {id: $id})
SET n.revoked_at = coalesce(n.revoked_at, $at)
RETURN properties(n) AS n
"""


def revoke_grant(*, store: GraphStore, grant_id: str, at: datetime) -> ConsentGrant:
    """Revoke the grant from ``at`` (a grant revoked before keeps its first revocation time)."""
    params = {"id": grant_id, "at": iso_utc(at)}
    missing = NotFound("ConsentGrant", grant_id)
    return write_one(store, REVOKE_GRANT, params, ConsentGrant, missing=missing)
