"""The node labels and indexed properties both adapters set up (DESIGN.md, "The graph").

Every label gets a uniqueness constraint on ``id``. ``INDEXED_PROPERTIES`` lists the other
properties queries look nodes up by; each adapter turns both into its own DDL.
"""

from __future__ import annotations

NODE_LABELS: tuple[str, ...] = (
    "Person",
    "Volunteer",
    "Service",
    "Organization",
    "Area",
    "Interest",
    "CareCircle",
    "Visit",
    "CheckIn",
    "Referral",
    "User",
    "ConsentGrant",
    "RotaRun",
    "AccessLog",
    "Erasure",
    "Alert",
    "Notice",
    "SignInThrottle",
    "Plan",
    "Goal",
    "Review",
)

# (label, property) pairs that queries filter on besides ``id``. Neo4j's plans prove they are
# used (tests/graph/test_plans_neo4j.py): a visit's week is ``week_start`` (an index on ``week``,
# a property no visit has, left every week's visits to a scan of all visits), and the registry
# looks volunteers up by ``email``.
INDEXED_PROPERTIES: tuple[tuple[str, str], ...] = (
    ("User", "email"),
    ("Volunteer", "email"),
    ("Visit", "week_start"),
    ("Visit", "status"),
    ("Visit", "start"),
    ("AccessLog", "person_id"),
    ("RotaRun", "week"),
    ("Notice", "status"),
)

# Every relationship type the model uses (DESIGN.md). FalkorDB plans a statement against the
# types that exist when it starts: a write statement planned before the first ASSIGNED edge
# existed treated ``(vol)-[:ASSIGNED]->(other)`` as matching nothing even after a concurrent
# claim had created one, so on a fresh graph two overlapping claims by one volunteer could both
# win (2 of 40 trials of 12 racing claims). The FalkorDB adapter registers these types when it
# sets up the schema. Neo4j resolves types when it runs a statement and needs nothing.
RELATIONSHIP_TYPES: tuple[str, ...] = (
    "ABOUT",
    "ASSIGNED",
    "ATTENDS",
    "DELEGATES",
    "FOR",
    "GRANTS",
    "IN",
    "INTERESTED_IN",
    "KNOWS",
    "MEMBER_OF",
    "OF",
    "OFFERS",
    "PART_OF",
    "REFERRED_TO",
    "REPORTED",
    "SUPPORTED_BY",
    "SUPPORTS",
    "TO",
    "VOLUNTEERS_WITH",
)
