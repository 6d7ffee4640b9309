"""What the rota CSV export reads beside the run: the names of the people and volunteers in it."""

from __future__ import annotations

from graph.store.port import GraphStore, Row

NAMES_IN_RUN = """
MATCH (n) WHERE (n:Volunteer OR n:Person) AND n.id IN $ids
RETURN n.id AS id, n.first_name AS first_name, n.last_name AS last_name, n:Volunteer AS volunteer
"""


def names_of_people_and_volunteers(*, store: GraphStore, ids: list[str]) -> list[Row]:
    """Rows of ``id``, ``first_name``, ``last_name`` and ``volunteer`` for these ids."""
    return store.run(NAMES_IN_RUN, {"ids": ids}, write=False)
