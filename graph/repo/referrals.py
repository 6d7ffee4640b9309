"""Referrals of a person to a service: a ``Referral`` node linked ``FOR`` the person and ``TO``
the service, mirrored by ``(Person)-[:REFERRED_TO {referral_id, status}]->(Service)`` so graph
walks (suggestions) see outcomes directly."""

from __future__ import annotations

from datetime import datetime

from pydantic import TypeAdapter

from graph.models import Referral, ReferralStatus, iso_utc
from graph.models.base import Text
from graph.repo.errors import NotFound
from graph.repo.records import (
    create_one,
    first_missing,
    get_statement,
    read_one,
    write_one,
)
from graph.store.port import GraphStore, Row

_REFERRAL_STATUS: TypeAdapter[ReferralStatus] = TypeAdapter(ReferralStatus)
_NOTE: TypeAdapter[str | None] = TypeAdapter(Text | None)

CREATE_REFERRAL = """
MATCH (p:Person {id: $person_id}), (s:Service {id: $service_id})
CREATE (n:Referral) SET n = $props
CREATE (n)-[:FOR]->(p)
CREATE (n)-[:TO]->(s)
CREATE (p)-[:REFERRED_TO {referral_id: n.id, status: n.status}]->(s)
RETURN properties(n) AS n
"""


def create_referral(*, store: GraphStore, referral: Referral) -> Referral:
    """Record a referral; ``NotFound`` naming the missing person or service."""
    nodes = [("Person", referral.person_id), ("Service", referral.service_id)]
    try:
        return create_one(
            store,
            CREATE_REFERRAL,
            referral,
            label="Referral",
            missing=NotFound("Person or Service", f"{referral.person_id}/{referral.service_id}"),
            person_id=referral.person_id,
            service_id=referral.service_id,
        )
    except NotFound:
        raise first_missing(store, nodes) from None


GET_REFERRAL = get_statement("Referral")


def get_referral(*, store: GraphStore, referral_id: str) -> Referral | None:
    """The referral with this id, or None."""
    return read_one(store, GET_REFERRAL, {"id": referral_id}, Referral)


REFERRALS_WITH_SERVICES = """
MATCH (r:Referral)-[:FOR]->(:Person {id: $person_id})
OPTIONAL MATCH (r)-[:TO]->(s:Service)
RETURN properties(r) AS r, s.name AS service_name
ORDER BY r.created_at, r.id
"""


def list_referrals_with_services(*, store: GraphStore, person_id: str) -> list[Row]:
    """Rows ``r`` (referral properties) and ``service_name`` of the person's referrals."""
    return store.run(REFERRALS_WITH_SERVICES, {"person_id": person_id}, write=False)


UPDATE_REFERRAL_STATUS = """
MATCH (n:Referral {id: $id})
SET n.status = $status, n.updated_at = $at, n.note = coalesce($note, n.note)
WITH n
OPTIONAL MATCH (:Person {id: n.person_id})-[r:REFERRED_TO]->(:Service {id: n.service_id})
WHERE r.referral_id = n.id
WITH n, collect(r) AS mirrors
FOREACH (r IN mirrors | SET r.status = $status)
RETURN properties(n) AS n
"""


def update_referral_status(
    *,
    store: GraphStore,
    referral_id: str,
    status: ReferralStatus,
    at: datetime,
    note: str | None = None,
) -> Referral:
    """Record how the referral turned out (``note`` replaces the old one when given)."""
    params = {
        "id": referral_id,
        "status": _REFERRAL_STATUS.validate_python(status),
        "at": iso_utc(at),
        "note": _NOTE.validate_python(note),
    }
    missing = NotFound("Referral", referral_id)
    return write_one(store, UPDATE_REFERRAL_STATUS, params, Referral, missing=missing)
