"""Errors every graph store adapter raises instead of its driver's own exceptions."""

from __future__ import annotations


class GraphError(Exception):
    """A statement failed: bad Cypher, a type error at run time, or a broken constraint."""


class GraphConstraintError(GraphError):
    """A write broke a uniqueness constraint (for example a second node with the same ``id``).

    The whole statement was rolled back: nothing it wrote is left behind.
    """


class GraphUnavailable(GraphError):
    """The graph server cannot be reached (down, not started, or refusing connections)."""


class UnknownGraphURI(ValueError):
    """``CARECIRCLES_GRAPH_URI`` has a scheme no adapter handles."""
