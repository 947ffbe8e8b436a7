"""A running server, over HTTP through `provgraph.client` (token from `$PROVGRAPH_TOKEN`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from provgraph.catalog.service.demo import demo_phases
from provgraph.client import (
    Backtest,
    Client,
    ComplianceEntry,
    FeatureUseDecision,
    ImpactResult,
    LineagePath,
    LineageResult,
    Recipe,
    Submission,
)
from provgraph.client.errors import NotFoundError
from provgraph.policies.bundle import PolicyBundleError
from provgraph.server.targets.port import FeatureUseQuestion

_TRAINING_SETS = """query($first: Int!, $offset: Int!) {
  nodes(kind: TRAINING_SET, first: $first, offset: $offset) { total items { urn createdAt } } }"""


class RemoteTarget:
    def __init__(self, url: str) -> None:
        self.client = Client(url)
        self.where = self.client.url

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
        return self.client.lineage(
            urn,
            direction=direction,  # type: ignore[arg-type]
            depth=depth,
            limit=limit,
            as_of=as_of,
            edge_kinds=edge_kinds,
        )

    def impact(self, urn: str, *, as_of: datetime | None) -> ImpactResult:
        return self.client.impact(urn, as_of=as_of)

    def paths(self, source: str, target: str, *, as_of: datetime | None) -> list[LineagePath]:
        return self.client.paths(source, target, as_of=as_of)

    def submit(self, submissions: list[Submission], *, actor: str) -> tuple[int, int]:
        """The server records the token's actor; `actor` applies to embedded use only."""
        accepted = self.client.submit(submissions)
        return accepted.accepted, accepted.duplicates

    def load_demo(self) -> tuple[int, int, int]:
        added = 0
        for phase in demo_phases():
            accepted = self.client.submit(phase(self._newest_training_set))
            added += accepted.accepted
        ready = self.client.ready()
        return added, ready.nodes or 0, ready.edges or 0

    def _newest_training_set(self, name: str) -> str:
        prefix = f"urn:provgraph:training-set:{name}@"
        found: list[tuple[str, str]] = []
        offset = 0
        while True:
            data = self.client.graphql(_TRAINING_SETS, {"first": 500, "offset": offset})
            page: dict[str, Any] = data["nodes"]
            found += [
                (i["createdAt"], i["urn"]) for i in page["items"] if i["urn"].startswith(prefix)
            ]
            offset += 500
            if offset >= page["total"]:
                break
        if not found:
            raise NotFoundError(404, "NodeNotFoundError", f"no training set named {name!r}", {})
        return max(found)[1]

    def recipe(self, model_version: str) -> Recipe:
        return self.client.recipe(model_version)

    def recheck(self, *, actor: str) -> list[ComplianceEntry]:
        return self.client.recheck_compliance()

    def backtest(self, bundle: Path) -> Backtest:
        if not bundle.is_dir():
            raise PolicyBundleError(f"{bundle} is not a directory of .rego files")
        files = {p.name: p.read_text() for p in sorted(bundle.glob("*.rego"))}
        return self.client.backtest_policies(files)

    def check_feature_use(self, question: FeatureUseQuestion, *, actor: str) -> FeatureUseDecision:
        return self.client.check_feature_use(
            action=question.action,
            purpose=question.purpose,
            features=question.features,
            model_version=question.model_version,
            environment=question.environment,
        )

    def close(self) -> None:
        self.client.close()
