"""Delegations: ``(Person)-[:DELEGATES {id, scopes, created_at, expires_at, ended_at}]->(User)``,
and the grants and withdrawals a delegate makes on the person's behalf.

A delegate's grant or withdrawal is one statement that first finds a delegation in force
covering every scope involved, so a delegation ended or expired a moment before refuses it.
Instants are fixed-width UTC text, so string comparison is time comparison.
"""

from __future__ import annotations

from datetime import datetime

from graph.models import ConsentGrant, Delegation, iso_utc
from graph.repo.records import from_properties, to_properties
from graph.store.port import GraphStore, Row

# A new delegation to the same user replaces the one in force (ended at the same instant).
CREATE_DELEGATION = """
MATCH (p:Person {id: $person_id}), (u:User {id: $delegate_id})
OPTIONAL MATCH (p)-[old:DELEGATES]->(u) WHERE old.ended_at IS NULL
WITH p, u, collect(old) AS olds
FOREACH (o IN olds | SET o.ended_at = $at)
CREATE (p)-[d:DELEGATES]->(u)
SET d = $props
RETURN properties(d) AS d
"""


def create_delegation(*, store: GraphStore, delegation: Delegation) -> Delegation | None:
    """Store the delegation (ending one in force to the same user); None when the person or
    the user is not there."""
    params = {
        "person_id": delegation.person_id,
        "delegate_id": delegation.delegate_id,
        "at": iso_utc(delegation.created_at),
        "props": to_properties(delegation),
    }
    rows = store.run(CREATE_DELEGATION, params)
    return from_properties(Delegation, rows[0]["d"]) if rows else None


END_DELEGATION = """
MATCH (:Person {id: $person_id})-[d:DELEGATES]->(:User)
WHERE d.id = $id
SET d.ended_at = coalesce(d.ended_at, $at)
RETURN properties(d) AS d
"""


def end_delegation(
    *, store: GraphStore, person_id: str, delegation_id: str, at: datetime
) -> Delegation | None:
    """End the person's delegation from ``at`` (one ended before keeps its first end); None
    when the person has no such delegation."""
    params = {"person_id": person_id, "id": delegation_id, "at": iso_utc(at)}
    rows = store.run(END_DELEGATION, params)
    return from_properties(Delegation, rows[0]["d"]) if rows else None


DELEGATIONS_OF_PERSON = """
MATCH (:Person {id: $person_id})-[d:DELEGATES]->(u:User)
OPTIONAL MATCH (p:Person {id: u.person_id})
OPTIONAL MATCH (org:Organization {id: u.organization_id})
RETURN properties(d) AS d, u.role AS role, u.email AS email, org.name AS org,
       p.first_name AS first_name, p.last_name AS last_name
ORDER BY d.created_at, d.id
"""


def list_delegations_of_person(*, store: GraphStore, person_id: str) -> list[Row]:
    """Rows ``d`` (the delegation's properties) with who the delegate is: ``role``,
    ``email``, ``org`` and, for a person, ``first_name`` and ``last_name``; oldest first."""
    return store.run(DELEGATIONS_OF_PERSON, {"person_id": person_id}, write=False)


# A delegation ``d`` in force at $at: not ended, begun and not expired (``Delegation.is_active``).
_IN_FORCE = "d.ended_at IS NULL AND d.created_at <= $at AND d.expires_at > $at"
# The delegations ``d`` in force to the user $user_id, from people ``p``.
_TO_USER_IN_FORCE = (
    """
MATCH (u:User {id: $user_id})
MATCH (p:Person)-[d:DELEGATES]->(u)
WHERE """
    + _IN_FORCE
)
DELEGATIONS_TO_USER = (
    _TO_USER_IN_FORCE
    + """
OPTIONAL MATCH (p)-[:SUPPORTED_BY]->(org:Organization)
WITH p, d,
     collect(CASE WHEN org IS NULL THEN null ELSE {id: org.id, name: org.name} END) AS orgs
RETURN properties(d) AS d, p.first_name AS first_name, orgs
ORDER BY d.created_at, d.id
"""
)


def list_delegations_to_user(*, store: GraphStore, user_id: str, at: datetime) -> list[Row]:
    """The delegations in force to the user at ``at``: ``d`` (properties), the person's
    ``first_name`` and the organisations that support them (``orgs``: id, name)."""
    return store.run(DELEGATIONS_TO_USER, {"user_id": user_id, "at": iso_utc(at)}, write=False)


COUNT_DELEGATIONS_TO_USER = _TO_USER_IN_FORCE + "\nRETURN count(d) AS n\n"


def count_delegations_to_user(*, store: GraphStore, user_id: str, at: datetime) -> int:
    """How many people have a delegation to the user in force at ``at``."""
    rows = store.run(
        COUNT_DELEGATIONS_TO_USER, {"user_id": user_id, "at": iso_utc(at)}, write=False
    )
    return int(rows[0]["n"]) if rows else 0


_CREATE_GRANT_BY_DELEGATE_TAIL = """
WITH p, t, d ORDER BY d.created_at DESC LIMIT 1
CREATE (n:ConsentGrant) SET n = $props
CREATE (p)-[:GRANTS]->(n)
CREATE (n)-[:TO]->(t)
RETURN properties(n) AS n
"""
# The delegate is found by expanding from the person and filtered after WITH: Neo4j then never
# plans a scan of the User(id) index for it (tests/graph/test_plans_neo4j.py).
_DELEGATE_GRANT_HEAD = (
    """
MATCH (p:Person {id: $person_id})-[d:DELEGATES]->(u:User)
WITH p, d, u
WHERE u.id = $delegate_id AND """
    + _IN_FORCE
    + """
  AND all(s IN $scopes WHERE s IN d.scopes)
"""
)
CREATE_GRANT_BY_DELEGATE_TO_USER = (
    _DELEGATE_GRANT_HEAD + "MATCH (t:User {id: $grantee_id})" + _CREATE_GRANT_BY_DELEGATE_TAIL
)
CREATE_GRANT_BY_DELEGATE_TO_ORGANIZATION = (
    _DELEGATE_GRANT_HEAD
    + "MATCH (t:Organization {id: $grantee_id})"
    + _CREATE_GRANT_BY_DELEGATE_TAIL
)


def create_grant_by_delegate(*, store: GraphStore, grant: ConsentGrant) -> ConsentGrant | None:
    """Store a grant ``grant.made_by`` makes for the person, only while a delegation to them
    covering every scope of it is in force; None (nothing written) when there is none or the
    grantee is not there."""
    assert grant.made_by is not None
    statement = (
        CREATE_GRANT_BY_DELEGATE_TO_USER
        if grant.grantee_kind == "user"
        else CREATE_GRANT_BY_DELEGATE_TO_ORGANIZATION
    )
    params = {
        "person_id": grant.person_id,
        "delegate_id": grant.made_by,
        "grantee_id": grant.grantee_id,
        "scopes": list(grant.scopes),
        "at": iso_utc(grant.created_at),
        "props": to_properties(grant),
    }
    rows = store.run(statement, params)
    return from_properties(ConsentGrant, rows[0]["n"]) if rows else None


REVOKE_GRANT_BY_DELEGATE = (
    """
MATCH (p:Person)-[:GRANTS]->(n:ConsentGrant {id: $id})
MATCH (u:User {id: $delegate_id})
MATCH (p)-[d:DELEGATES]->(u)
WITH n, d
WHERE """
    + _IN_FORCE
    + """
  AND all(s IN n.scopes WHERE s IN d.scopes)
WITH n LIMIT 1
SET n.revoked_by = CASE WHEN n.revoked_at IS NULL THEN $delegate_id ELSE n.revoked_by END
SET n.revoked_at = coalesce(n.revoked_at, $at)
RETURN properties(n) AS n
"""
)


def revoke_grant_by_delegate(
    *, store: GraphStore, grant_id: str, delegate_id: str, at: datetime
) -> ConsentGrant | None:
    """Withdraw the grant on the person's behalf, only while a delegation to ``delegate_id``
    covering every scope of it is in force; None (nothing written) otherwise."""
    params = {"id": grant_id, "delegate_id": delegate_id, "at": iso_utc(at)}
    rows = store.run(REVOKE_GRANT_BY_DELEGATE, params)
    return from_properties(ConsentGrant, rows[0]["n"]) if rows else None
