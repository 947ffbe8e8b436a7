"""The SearchIndex port: documents in, ranked and faceted pages out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from provgraph.catalog.model.answers.search import SearchHit
from provgraph.catalog.model.kinds import NodeKind

SEARCHABLE = (
    NodeKind.FEATURE,
    NodeKind.DATASET,
    NodeKind.MODEL,
    NodeKind.MODEL_VERSION,
    NodeKind.TRAINING_SET,
    NodeKind.JOB,
    NodeKind.RUN,
    NodeKind.DEPLOYMENT,
)
SCHEMA_VERSION = 2
"""What the documents hold and which kinds are indexed: an index written under another version
is emptied on open and rebuilt from the graph. Bump it whenever either changes."""


@dataclass(frozen=True, slots=True)
class SearchDocument:
    urn: str
    kind: NodeKind
    name: str
    namespace: str
    description: str
    columns: list[str]
    owners: list[str]
    tags: list[str]
    status: str
    """draft, certified or deprecated (features); 'none' for other kinds."""
    quality: str
    """passing, failing or unknown: the newest recorded checks on its (source) data."""
    production_deployments: int
    updated_at: int


@dataclass(frozen=True, slots=True)
class SearchFilters:
    kinds: Sequence[NodeKind] = ()
    owner: str | None = None
    classification: str | None = None
    """A tag or a tag prefix: 'pii' matches 'pii' and 'pii.email'."""
    status: str | None = None
    updated_after: datetime | None = None
    in_production: bool | None = None


@dataclass(frozen=True, slots=True)
class IndexPage:
    """One page of an index's hits; the API answers it as `model.answers.search.SearchPage`."""

    total: int
    hits: list[SearchHit]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    next_offset: int | None = None


class SearchIndex(Protocol):
    def upsert(self, documents: Sequence[SearchDocument], *, applied_seq: int) -> None: ...

    def applied_seq(self) -> int: ...

    def clear(self) -> None: ...

    def search(
        self, query: str, filters: SearchFilters, *, first: int, offset: int
    ) -> IndexPage: ...

    def close(self) -> None: ...
