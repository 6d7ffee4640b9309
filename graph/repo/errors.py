"""What repository functions raise when the graph does not hold what the caller named."""

from __future__ import annotations

from graph.store.errors import GraphConstraintError


class NotFound(LookupError):
    """A node the statement needed (``label`` with ``id``) is not in the graph; nothing was
    written."""

    def __init__(self, label: str, node_id: str) -> None:
        super().__init__(f"no {label} with id {node_id!r}")
        self.label = label
        self.node_id = node_id


class AlreadyExists(GraphConstraintError):
    """A node with this ``id`` (or a user with this email) exists already; nothing was written."""

    def __init__(self, label: str, key: str, value: str) -> None:
        super().__init__(f"a {label} with {key} {value!r} already exists")
        self.label = label
        self.key = key
        self.value = value
