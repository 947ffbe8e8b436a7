"""Search answers: the hits for a query, ranked, with why each ranks where it does."""

from __future__ import annotations

from dataclasses import dataclass, field

from provgraph.catalog.model.kinds import NodeKind


@dataclass(frozen=True, slots=True)
class SearchHit:
    urn: str
    kind: NodeKind
    name: str
    score: float
    reasons: list[str]
    description: str = ""
    owners: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    """What it carries, set on it or inherited (the classification service's one rule), as
    of when it was indexed."""
    status: str = "none"
    quality: str = "unknown"
    production_deployments: int = 0


@dataclass(frozen=True, slots=True)
class SearchPage:
    """One page of hits, with facet counts over every match and the cursor of the next page."""

    total: int
    hits: list[SearchHit]
    facets: dict[str, dict[str, int]]
    next_cursor: str | None
