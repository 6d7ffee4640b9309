"""Configuration, read once from the environment (DESIGN.md, "Configuration")."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Environment variables prefixed ``CARECIRCLES_``."""

    model_config = SettingsConfigDict(env_prefix="CARECIRCLES_", extra="ignore")

    graph_uri: str = Field(
        default="embedded://",
        description="embedded:// (default), bolt://host:7687 or neo4j://host:7687",
    )
    graph_user: str = "neo4j"
    graph_password: str = ""
    graph_name: str = Field(default="carecircles", description="graph (FalkorDB) or database name")
    data_dir: Path = Path(".carecircles")
    secret_key: str = ""

    @property
    def is_embedded(self) -> bool:
        return self.graph_uri.startswith("embedded://")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process, read once."""
    return Settings()
