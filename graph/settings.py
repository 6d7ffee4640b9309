"""Configuration, read once from the environment (DESIGN.md, "Configuration")."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

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
    graph_name: str = Field(default="carecircles", description="the named graph on FalkorDB")
    neo4j_database: str = Field(default="neo4j", description="the database on a Neo4j server")
    neo4j_max_connection_pool_size: int = Field(default=50, ge=1)
    neo4j_connection_acquisition_timeout: float = Field(
        default=30.0, gt=0, description="seconds to wait for a free pooled connection"
    )
    neo4j_max_transaction_retry_time: float = Field(
        default=30.0, ge=0, description="seconds the driver retries a transient failure"
    )
    data_dir: Path = Path(".carecircles")
    secret_key: str = ""

    @property
    def graph_uri_shown(self) -> str:
        """The URI as it may be printed: a password in it replaced by ``***``."""
        parts = urlsplit(self.graph_uri)
        if parts.password is None:
            return self.graph_uri
        user = parts.username or ""
        host = parts.netloc.rsplit("@", 1)[-1]
        return urlunsplit(
            (parts.scheme, f"{user}:***@{host}", parts.path, parts.query, parts.fragment)
        )

    @property
    def is_embedded(self) -> bool:
        return self.graph_uri.startswith("embedded://")

    @property
    def is_neo4j(self) -> bool:
        return self.graph_uri.split("://", 1)[0] in NEO4J_SCHEMES


NEO4J_SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process, read once."""
    return Settings()
