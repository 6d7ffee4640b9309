"""What ``carecircles serve --demo`` reads to set up its demo: is there a borough, who is in it."""

from __future__ import annotations

from graph.store.port import GraphStore, Row

COUNT_PEOPLE = "MATCH (p:Person) RETURN count(p) AS n"

PERSON_IDS = "MATCH (p:Person) RETURN p.id AS id ORDER BY id"

FIRST_OF = "MATCH (n) WHERE $label IN labels(n) RETURN n.id AS id ORDER BY n.id LIMIT 1"

# The volunteer with the most proposed visits in the week (ties: the lowest id).
VOLUNTEER_WITH_PROPOSALS = """
MATCH (vol:Volunteer)-[a:ASSIGNED {status: 'proposed'}]->(v:Visit)
WHERE v.week_start = $week_start
RETURN vol.id AS id, count(a) AS n ORDER BY n DESC, id LIMIT 1
"""


def count_people(*, store: GraphStore) -> int:
    """How many people the graph holds."""
    return int(store.run(COUNT_PEOPLE, {}, write=False)[0]["n"])


def list_person_ids(*, store: GraphStore) -> list[str]:
    """Every person's id, in id order."""
    return [row["id"] for row in store.run(PERSON_IDS, {}, write=False)]


def lowest_id_with_label(*, store: GraphStore, label: str) -> str | None:
    """The lowest id among nodes with ``label``, or None when there are none."""
    rows = store.run(FIRST_OF, {"label": label}, write=False)
    return rows[0]["id"] if rows else None


def volunteer_with_most_proposals(*, store: GraphStore, week_start: str) -> str | None:
    """The id of the volunteer with the most proposed visits in the week, or None."""
    rows = store.run(VOLUNTEER_WITH_PROPOSALS, {"week_start": week_start}, write=False)
    return rows[0]["id"] if rows else None


# The demo's partner: the organisation running the first lunch club (by id), and whether any
# referral to it exists yet.
DEMO_LUNCH_CLUB = """
MATCH (s:Service {category: 'lunch_club'})
WHERE s.organization_id IS NOT NULL
OPTIONAL MATCH (r:Referral)-[:TO]->(s)
WITH s, count(r) AS referrals
RETURN s.id AS service_id, s.organization_id AS organization_id, referrals
ORDER BY s.id
LIMIT 1
"""


def demo_lunch_club(*, store: GraphStore) -> Row | None:
    """The first lunch club with an organisation: ``service_id``, ``organization_id`` and how
    many ``referrals`` it has; None when the borough has none."""
    rows = store.run(DEMO_LUNCH_CLUB, write=False)
    return rows[0] if rows else None
