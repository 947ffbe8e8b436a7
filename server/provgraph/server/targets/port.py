"""What a CLI command may ask of a catalog, wherever it is."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

from provgraph.client import (
    Backtest,
    ComplianceEntry,
    FeatureUseDecision,
    ImpactResult,
    LineagePath,
    LineageResult,
    Recipe,
    Submission,
)
from provgraph.client.client import Action


@dataclass(frozen=True)
class FeatureUseQuestion:
    action: Action
    purpose: str
    features: list[str]
    model_version: str | None = None
    environment: str | None = None


class Target(Protocol):
    where: str
    """Where the catalog is, for messages: a data directory or a URL."""

    def lineage(
        self,
        urn: str,
        *,
        direction: str,
        depth: int,
        limit: int,
        as_of: datetime | None,
        edge_kinds: Sequence[str] | None,
    ) -> LineageResult: ...

    def impact(self, urn: str, *, as_of: datetime | None) -> ImpactResult: ...

    def paths(self, source: str, target: str, *, as_of: datetime | None) -> list[LineagePath]: ...

    def submit(self, submissions: list[Submission], *, actor: str) -> tuple[int, int]:
        """(new events stored, duplicates ignored)."""
        ...

    def load_demo(self) -> tuple[int, int, int]:
        """(new events, nodes, edges)."""
        ...

    def recipe(self, model_version: str) -> Recipe: ...

    def recheck(self, *, actor: str) -> list[ComplianceEntry]: ...

    def backtest(self, bundle: Path) -> Backtest: ...

    def check_feature_use(self, question: FeatureUseQuestion, *, actor: str) -> FeatureUseDecision:
        """Ask the policy gate (the decision is recorded, as every gate decision is)."""
        ...

    def close(self) -> None: ...
