"""Settings from the environment (PROVGRAPH_*), overridable by CLI options."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import AliasChoices, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_BUFFER_POOL_MB = 512
"""LadybugDB's page cache; left to itself it would take ~80% of the machine's memory."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PROVGRAPH_", extra="ignore")

    data: Path = Path("provgraph-data")
    store: str = Field(
        default="ladybug",
        description="'ladybug' (embedded, in the data directory) or a neo4j:// / bolt:// URI",
    )
    log: str = Field(
        default="sqlite",
        description="the event log: 'sqlite' (embedded, in the data directory) or a "
        "postgresql:// URL (one log, and the API tokens, shared by every server)",
    )
    applier_lease_s: float = Field(
        default=5.0,
        ge=1.0,
        le=3600.0,
        description="servers sharing a PostgreSQL log and a Neo4j store: how long the applier's "
        "lease lasts unrenewed (it renews about every second): a dead applier is replaced "
        "within this",
    )
    read_wait_s: float = Field(
        default=5.0,
        ge=0.0,
        le=60.0,
        description="the longest a read with `min_seq` waits for this server to reach that "
        "sequence number before answering 503",
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
    backup_key_file: Path | None = None
    """File holding the HMAC key that signs backups and verifies them (README "Backup and
    restore")."""
    host: str = "127.0.0.1"
    port: int = 8000

    # --- request bounds and HTTP safety (README "Access control" and "GraphQL API") ---
    max_body_bytes: int = Field(default=4 * 1024 * 1024, ge=1024)
    """Request bodies are counted as they stream (chunked too); over this: 413, before any of
    it is parsed. 4 MiB is 4x the writer's 1 MiB batch bound (room for spacing, wrappers and
    idempotency keys): a bigger body could only be refused after parsing it."""
    max_json_depth: int = Field(default=64, ge=2, le=10_000)
    """Nesting of JSON bodies (events, facets, GraphQL variables); deeper: 400."""
    graphql_max_cost: int = Field(default=1_000_000, ge=1)
    """Estimated values in one GraphQL response (provgraph.graphql.limits)."""
    graphql_deadline_s: float = Field(default=30.0, gt=0)
    graphql_max_response_bytes: int = Field(default=32 * 1024 * 1024, ge=1024)
    graphql_workers: int = Field(default=2, ge=2, le=64)
    """Threads that execute GraphQL, off the event loop."""
    graphql_cheap_workers: int = Field(default=1, ge=1, le=63)
    """Of those, how many costly operations can never take: kept for cheap ones."""
    graphql_cheap_cost: int = Field(default=20_000, ge=1)
    """An operation whose estimated cost is below this is cheap."""
    allowed_hosts: Annotated[list[str], NoDecode] = Field(default_factory=list)
    """Host header values served (comma-separated; `*` for any). Empty: loopback names only
    in anonymous mode, any host with tokens."""
    trusted_proxies: Annotated[list[str], NoDecode] = Field(default_factory=list)
    """Addresses whose X-Forwarded-For/-Proto is believed (comma-separated); none by default."""
    header_timeout_s: float = Field(default=10.0, gt=0)
    """A client must send a request's headers within this many seconds, else 408 and closed."""
    body_timeout_s: float = Field(default=60.0, gt=0)
    """... and its whole body within this many seconds of the headers, else 408 and closed."""

    # --- the embedded policy engine's processes (README "Policy engine") ---
    policy_memory_mb: int = Field(default=512, ge=128, le=1024 * 1024)
    """The memory bound of each policy engine process (the active bundle's, each candidate's)."""
    policy_deadline_s: float = Field(default=1.0, gt=0, le=3600)
    """One decision of the active bundle must come within this, else it is a deny."""
    candidate_deadline_s: float = Field(default=60.0, gt=0, le=24 * 3600)
    """A what-if or backtest under a candidate bundle: loading it and every evaluation."""

    @model_validator(mode="after")
    def _cheap_workers_leave_some_for_costly(self) -> Settings:
        if self.graphql_cheap_workers >= self.graphql_workers:
            raise ValueError(
                f"graphql_cheap_workers ({self.graphql_cheap_workers}) must be fewer than "
                f"graphql_workers ({self.graphql_workers})"
            )
        return self

    @field_validator("allowed_hosts", "trusted_proxies", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value
