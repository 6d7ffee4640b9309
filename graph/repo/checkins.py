"""Loneliness check-ins: ``(Person)-[:REPORTED]->(CheckIn)``. Scoring lives in the service."""

from __future__ import annotations

from graph.models import CheckIn
from graph.repo.errors import NotFound
from graph.repo.records import (
    create_one,
    delete_statement,
    deleted,
    found,
    get_statement,
    read_many,
    read_one,
)
from graph.store.port import GraphStore

CREATE_CHECKIN = """
MATCH (p:Person {id: $person_id})
CREATE (n:CheckIn) SET n = $props
CREATE (p)-[:REPORTED]->(n)
RETURN properties(n) AS n
"""


def create_checkin(*, store: GraphStore, checkin: CheckIn) -> CheckIn:
    """Record a check-in for an existing person; ``NotFound`` without them."""
    missing = NotFound("Person", checkin.person_id)
    return create_one(
        store,
        CREATE_CHECKIN,
        checkin,
        label="CheckIn",
        missing=missing,
        person_id=checkin.person_id,
    )


GET_CHECKIN = get_statement("CheckIn")


def get_checkin(*, store: GraphStore, checkin_id: str) -> CheckIn | None:
    """The check-in with this id, or None."""
    return read_one(store, GET_CHECKIN, {"id": checkin_id}, CheckIn)


def get_checkin_or_raise(*, store: GraphStore, checkin_id: str) -> CheckIn:
    """The check-in with this id; ``NotFound`` if there is none."""
    checkin = get_checkin(store=store, checkin_id=checkin_id)
    return found(checkin, label="CheckIn", node_id=checkin_id)


LIST_CHECKINS_OF_PERSON = """
MATCH (:Person {id: $person_id})-[:REPORTED]->(n:CheckIn)
RETURN properties(n) AS n ORDER BY n.at, n.id
"""


def list_checkins_of_person(*, store: GraphStore, person_id: str) -> list[CheckIn]:
    """The person's check-ins, oldest first."""
    return read_many(store, LIST_CHECKINS_OF_PERSON, {"person_id": person_id}, CheckIn)


DELETE_CHECKIN = delete_statement("CheckIn")


def delete_checkin(*, store: GraphStore, checkin_id: str) -> bool:
    """Remove a check-in recorded in error; True if it existed. (Check-ins are records, so
    there is no update: delete and record again.)"""
    return deleted(store, DELETE_CHECKIN, {"id": checkin_id})
