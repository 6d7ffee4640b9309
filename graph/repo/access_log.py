"""The access log: who read which parts of a person's record, when and why.

Append-only: there is no update or delete here. The one change ever made to an entry is by
``erase_person``, which replaces the person id with the erasure record's id.
"""

from __future__ import annotations

from graph.models import AccessLogEntry
from graph.repo.errors import AlreadyExists
from graph.repo.records import create_one, to_properties
from graph.store.errors import GraphConstraintError
from graph.store.port import GraphStore, Row

APPEND_ACCESS = "CREATE (n:AccessLog) SET n = $props RETURN properties(n) AS n"


def append_access(*, store: GraphStore, entry: AccessLogEntry) -> AccessLogEntry:
    """Add one entry."""
    return create_one(store, APPEND_ACCESS, entry, label="AccessLog")


APPEND_ACCESSES = """
UNWIND $rows AS row
CREATE (n:AccessLog) SET n = row
RETURN count(n) AS created
"""


def append_accesses(*, store: GraphStore, entries: list[AccessLogEntry]) -> int:
    """Add many entries in one statement (a page of people read at once); how many."""
    if not entries:
        return 0
    try:
        rows = store.run(APPEND_ACCESSES, {"rows": [to_properties(e) for e in entries]})
    except GraphConstraintError as error:
        raise AlreadyExists("AccessLog", "id", ", ".join(e.id for e in entries[:5])) from error
    return int(rows[0]["created"])


ACCESS_WITH_ACTORS = """
MATCH (n:AccessLog) WHERE n.person_id = $person_id
WITH n ORDER BY n.at DESC, n.id DESC LIMIT $limit
OPTIONAL MATCH (u:User {id: n.actor_user_id})
OPTIONAL MATCH (o:Organization {id: u.organization_id})
RETURN properties(n) AS n, u.role AS role, u.email AS email, o.name AS org
ORDER BY n.at DESC, n.id DESC
"""


def list_access_with_actors(*, store: GraphStore, person_id: str, limit: int) -> list[Row]:
    """The newest entries ``n`` about the person, with the actor's ``role``, ``email``, ``org``."""
    params = {"person_id": person_id, "limit": limit}
    return store.run(ACCESS_WITH_ACTORS, params, write=False)
