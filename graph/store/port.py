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

    async def arun(
        self, query: str, params: Params | None = None, *, write: bool = True
    ) -> list[Row]:
        """``run``, awaited on the running event loop without blocking it (no thread): what
        the API's hot paths use. Each event loop gets its own connections."""
        ...

    async def aclose(self) -> None:
        """Close the connections ``arun`` opened for the running event loop."""
        ...

    def ensure_schema(self) -> None:
        """Create constraints and indexes; idempotent."""
        ...

    def close(self) -> None: ...
