"""Write the schema as SDL to service/schema.graphql: ``python -m service.api.export``."""

from __future__ import annotations

from pathlib import Path

from service.schema import schema

SCHEMA_FILE = Path(__file__).resolve().parents[1] / "schema.graphql"


def schema_sdl() -> str:
    return str(schema).rstrip() + "\n"


def main() -> None:
    SCHEMA_FILE.write_text(schema_sdl())
    print(f"wrote {SCHEMA_FILE}")


if __name__ == "__main__":
    main()
