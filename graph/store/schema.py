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
)

# (label, property) pairs that queries filter on besides ``id``.
INDEXED_PROPERTIES: tuple[tuple[str, str], ...] = (
    ("User", "email"),
    ("Visit", "week"),
    ("Visit", "status"),
    ("Visit", "start"),
    ("AccessLog", "person_id"),
    ("RotaRun", "week"),
)
