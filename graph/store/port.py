"""The one small port every backend adapter implements (DESIGN.md, "Backends")."""

from __future__ import annotations

from typing import Any, Protocol

Row = dict[str, Any]
Params = dict[str, Any]


class GraphStore(Protocol):
    """Runs one openCypher statement and returns its rows as plain dicts keyed by column."""

    backend: str  # "falkordb" or "neo4j"

    def run(self, query: str, params: Params | None = None, *, write: bool = True) -> list[Row]:
        """Run one statement atomically; ``write=False`` lets a backend route it as a read."""
        ...

    def ensure_schema(self) -> None:
        """Create constraints and indexes; idempotent."""
        ...

    def close(self) -> None: ...
