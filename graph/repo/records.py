"""Models to graph properties and back, and the few steps every repository function shares.

Storage decisions (the same on FalkorDB and Neo4j, which hold only scalars and arrays of scalars):

- A model is stored as the properties of one node, named as its fields; ``None`` fields are not
  stored at all (absent reads back as ``None``).
- Lists of plain values (languages, interest ids, scopes) are string arrays; nested values
  (``GraphModel.json_fields``: windows, schedules, metrics) are JSON text.
- Dates are ``YYYY-MM-DD`` and instants ``YYYY-MM-DDTHH:MM:SSZ`` strings (``graph.models.base``).
- Every statement returns the node as ``properties(n) AS n`` so rows are plain maps on both
  backends.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from graph.models import GraphModel
from graph.repo.errors import AlreadyExists, NotFound
from graph.repo.links import _RETURN_NODE
from graph.store.errors import GraphConstraintError
from graph.store.port import GraphStore, Params

M = TypeVar("M", bound=GraphModel)

MAX_PAGE = 500


def to_properties(model: GraphModel) -> dict[str, Any]:
    """The node properties of ``model``: JSON-mode values, nested fields as JSON text."""
    values = model.model_dump(mode="json")
    for name in model.json_fields:
        values[name] = json.dumps(values[name], separators=(",", ":"), sort_keys=True)
    return {name: value for name, value in values.items() if value is not None}


def from_properties(cls: type[M], properties: dict[str, Any]) -> M:
    """The model held in node ``properties`` (validated again, so bad stored data is loud)."""
    values = dict(properties)
    for name in cls.json_fields:
        if isinstance(values.get(name), str):
            values[name] = json.loads(values[name])
    return cls.model_validate(values)


@dataclass(frozen=True)
class Page(Generic[M]):
    """One page of a list in id order; pass ``end_cursor`` as ``after`` for the next page."""

    items: list[M]
    has_next: bool

    @property
    def end_cursor(self) -> str | None:
        return str(getattr(self.items[-1], "id", "")) if self.items else None


def get_statement(label: str) -> str:
    """``MATCH`` one ``label`` node by ``$id`` (labels come from code, never from input)."""
    return f"MATCH (n:{label} {{id: $id}}) RETURN properties(n) AS n"


def list_statement(label: str) -> str:
    """A page of ``label`` nodes in id order after ``$after``, at most ``$limit``."""
    return (
        f"MATCH (n:{label}) WHERE $after IS NULL OR n.id > $after\n"
        "RETURN properties(n) AS n ORDER BY n.id LIMIT $limit"
    )


def update_statement(label: str, *links: str) -> str:
    """Replace every property of the ``label`` node ``$id`` with ``$props``, then relink."""
    return f"MATCH (n:{label} {{id: $id}}) SET n = $props\n" + "".join(links) + _RETURN_NODE


def page_params(*, first: int, after: str | None) -> Params:
    """Parameters ``$after`` and ``$limit`` (one more than asked, to know if there is more)."""
    if not 1 <= first <= MAX_PAGE:
        raise ValueError(f"first: expected 1..{MAX_PAGE}, got {first}")
    return {"after": after, "limit": first + 1}


def read_one(store: GraphStore, statement: str, params: Params, cls: type[M]) -> M | None:
    rows = store.run(statement, params, write=False)
    return from_properties(cls, rows[0]["n"]) if rows else None


def read_many(store: GraphStore, statement: str, params: Params, cls: type[M]) -> list[M]:
    return [from_properties(cls, row["n"]) for row in store.run(statement, params, write=False)]


def read_page(
    store: GraphStore, statement: str, params: Params, cls: type[M], *, first: int
) -> Page[M]:
    items = read_many(store, statement, params, cls)
    return Page(items=items[:first], has_next=len(items) > first)


def update_one(store: GraphStore, statement: str, model: M, *, label: str) -> M:
    """Run an ``update_statement`` for ``model``; ``NotFound`` if its id is absent."""
    node_id = str(getattr(model, "id", ""))
    params = {"id": node_id, "props": to_properties(model)}
    return write_one(store, statement, params, type(model), missing=NotFound(label, node_id))


def write_one(
    store: GraphStore, statement: str, params: Params, cls: type[M], *, missing: NotFound
) -> M:
    """Run a write that returns one node ``n``; no row means ``missing`` (nothing written)."""
    rows = store.run(statement, params)
    if not rows:
        raise missing
    return from_properties(cls, rows[0]["n"])


def create_one(
    store: GraphStore,
    statement: str,
    model: M,
    *,
    label: str,
    missing: Exception | None = None,
    **params: Any,
) -> M:
    """Create ``model`` with ``statement`` (``$props`` plus ``params``).

    Raises ``AlreadyExists`` on a duplicate id and ``missing`` when a node the statement
    matches first is absent; either way nothing is written.
    """
    node_id = str(getattr(model, "id", ""))
    try:
        rows = store.run(statement, {"props": to_properties(model), **params})
    except GraphConstraintError as error:
        raise AlreadyExists(label, "id", node_id) from error
    if not rows:
        raise missing or NotFound(label, node_id)
    return from_properties(type(model), rows[0]["n"])


def first_missing(store: GraphStore, nodes: list[tuple[str, str]]) -> NotFound:
    """After a write matched nothing: ``NotFound`` for the first of ``(label, id)`` absent."""
    for label, node_id in nodes:
        if not store.run(get_statement(label), {"id": node_id}, write=False):
            return NotFound(label, node_id)
    return NotFound(nodes[0][0], nodes[0][1])


NODE_EXISTS = "MATCH (n) WHERE n.id = $id AND $label IN labels(n) RETURN count(n) AS n"


def node_exists(*, store: GraphStore, label: str, node_id: str) -> bool:
    """True if there is a node with this label and id."""
    return bool(store.run(NODE_EXISTS, {"id": node_id, "label": label}, write=False)[0]["n"])
