"""Settings from the environment (PROVGRAPH_*), overridable by CLI options."""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_BUFFER_POOL_MB = 512
"""LadybugDB's page cache; left to itself it would take ~80% of the machine's memory."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PROVGRAPH_", extra="ignore")

    data: Path = Path("provgraph-data")
    store: str = Field(
        default="ladybug",
        description="'ladybug' (embedded, in the data directory) or a neo4j:// / bolt:// URI",
    )
    buffer_pool_mb: int = Field(
        default=DEFAULT_BUFFER_POOL_MB,
        ge=64,
        le=1024 * 1024,
        description="LadybugDB's buffer pool (page cache) in MiB: the most the embedded store "
        "keeps in memory; pages beyond it are read from disk again",
    )
    neo4j_user: str = "neo4j"
    neo4j_password: str = ""
    neo4j_database: str = "neo4j"
    opa_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("OPA_URL", "PROVGRAPH_OPA_URL"),
        description="Decide with this OPA server instead of the embedded engine",
    )
    anonymous_role: str | None = Field(
        default=None,
        description="Let requests without a token in, with this role (for the embedded demo)",
    )
    host: str = "127.0.0.1"
    port: int = 8000
