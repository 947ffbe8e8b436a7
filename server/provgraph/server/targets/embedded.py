"""The catalog opened in this process (the data directory must be free)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError

from provgraph.catalog.model.errors import InvalidArgumentError
from provgraph.catalog.service.catalog import Catalog
from provgraph.catalog.service.demo import load_demo
from provgraph.catalog.service.traversal import Direction
from provgraph.catalog.service.writer import Submission as WriterSubmission
from provgraph.catalog.settings import Settings
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
from provgraph.server.http.lineage import parse_edge_kinds
from provgraph.server.targets.port import FeatureUseQuestion

if TYPE_CHECKING:
    from provgraph.policies.gate import FeatureUseRequest


class EmbeddedTarget:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.where = str(settings.data)
        self._catalog: Catalog | None = None

    @property
    def catalog(self) -> Catalog:
        if self._catalog is None:
            self._catalog = Catalog(self.settings)
        return self._catalog

    def lineage(
        self,
        urn: str,
        *,
        direction: str,
        depth: int,
        limit: int,
        as_of: datetime | None,
        edge_kinds: Sequence[str] | None,
    ) -> LineageResult:
        return self.catalog.lineage.lineage(
            urn,
            direction=Direction(direction),
            depth=depth,
            limit=limit,
            as_of=as_of,
            edge_kinds=parse_edge_kinds(",".join(edge_kinds) if edge_kinds else None),
        )

    def impact(self, urn: str, *, as_of: datetime | None) -> ImpactResult:
        return self.catalog.lineage.impact(urn, as_of=as_of)

    def paths(self, source: str, target: str, *, as_of: datetime | None) -> list[LineagePath]:
        return self.catalog.lineage.paths(source, target, as_of=as_of)

    def submit(self, submissions: list[Submission], *, actor: str) -> tuple[int, int]:
        receipts = self.catalog.submit(
            [WriterSubmission(s.event, s.idempotency_key) for s in submissions], actor=actor
        )
        new = sum(not r.duplicate for r in receipts)
        return new, len(receipts) - new

    def load_demo(self) -> tuple[int, int, int]:
        added = load_demo(self.catalog)
        nodes, edges = self.catalog.index.counts()
        return added, nodes, edges

    def recipe(self, model_version: str) -> Recipe:
        return self.catalog.recipes.recipe(model_version)

    def recheck(self, *, actor: str) -> list[ComplianceEntry]:
        from provgraph.policies.compliance import recheck
        from provgraph.policies.factory import engine_limits, policy_engine
        from provgraph.policies.gate import FeatureUseGate
        from provgraph.server.http.policy import compliance_out

        engine = policy_engine(self.settings.opa_url, limits=engine_limits(self.settings))
        try:
            entries = recheck(self.catalog, FeatureUseGate(self.catalog, engine), actor=actor)
        finally:
            engine.close()
        return [compliance_out(entry) for entry in entries]

    def backtest(self, bundle: Path) -> Backtest:
        from provgraph.policies.bundle import PolicyBundle
        from provgraph.policies.compliance import backtest
        from provgraph.policies.factory import candidate_limits
        from provgraph.policies.sandbox import candidate_engine
        from provgraph.server.http.policy import backtest_out

        with candidate_engine(
            PolicyBundle.from_directory(bundle), limits=candidate_limits(self.settings)
        ) as engine:
            replayed, changes = backtest(self.catalog, engine)
        return backtest_out(replayed, changes)

    def check_feature_use(self, question: FeatureUseQuestion, *, actor: str) -> FeatureUseDecision:
        from provgraph.policies.factory import engine_limits, policy_engine
        from provgraph.policies.gate import FeatureUseGate
        from provgraph.server.http.policy import decision_out

        request = _feature_use_request(question)
        engine = policy_engine(self.settings.opa_url, limits=engine_limits(self.settings))
        try:
            result = FeatureUseGate(self.catalog, engine).check_feature_use(request, actor=actor)
        finally:
            engine.close()
        return decision_out(result)

    def close(self) -> None:
        if self._catalog is not None:
            self._catalog.close()
            self._catalog = None


def _feature_use_request(question: FeatureUseQuestion) -> FeatureUseRequest:
    """The gate's own question model: its validation (feature references, bounds) applies."""
    from provgraph.policies.gate import FeatureUseRequest

    try:
        return FeatureUseRequest.model_validate(asdict(question))
    except ValidationError as exc:
        raise InvalidArgumentError(_first_error(exc)) from None


def _first_error(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(part) for part in first.get("loc", ()))
    return f"{where}: {first.get('msg', 'invalid')}" if where else str(first.get("msg"))
