"""One rule for "newest version": GraphQL and the policy gate agree even on a timestamp tie."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from provgraph.catalog.access import Role
from provgraph.catalog.model.events import ColumnRef, FeatureDefined
from provgraph.catalog.model.kinds import EdgeKind
from provgraph.catalog.service.catalog import Catalog
from provgraph.catalog.settings import Settings
from provgraph.graphql.context import GraphContext
from provgraph.graphql.schema import schema
from provgraph.policies.bundle import PolicyBundle
from provgraph.policies.embedded import EmbeddedEngine
from provgraph.policies.gate import FeatureUseGate, FeatureUseRequest
from tests.support.events import at, dataset, subs

FEATURE = "urn:provgraph:feature:risk:tenure"
QUERY = '{ node(urn: "%s") { ... on Feature { versions { urn } latestVersion { urn } } } }'


def _define(transformation: str) -> FeatureDefined:
    return FeatureDefined(
        event_time=at(3),
        group="risk",
        name="tenure",
        transformation=transformation,
        sources=[ColumnRef(namespace="db", name="riders", field="signup")],
    )


def _graphql(catalog: Catalog) -> dict[str, Any]:
    result: Any = asyncio.run(
        schema.execute(
            QUERY % FEATURE, context_value=GraphContext(catalog, "test", role=Role.ADMIN)
        )
    )
    assert result.errors is None, result.errors
    found: dict[str, Any] = result.data["node"]
    return found


@pytest.mark.parametrize("order", [("a", "b"), ("b", "a")])
def test_graphql_latest_version_and_the_gate_agree_on_a_tie(
    tmp_path: Path, order: tuple[str, str]
) -> None:
    settings = Settings(data=tmp_path / "d")
    with Catalog(settings) as catalog:
        catalog.submit(subs(dataset("riders", "signup", day=1)), actor="t")
        # two definitions recorded at the same instant: two versions, one timestamp
        catalog.submit(subs(*(_define(f"days_since(signup) -- {t}") for t in order)), actor="t")
        versions = [e.dst for e in catalog.index.edges_from(FEATURE, EdgeKind.HAS_VERSION)]
        assert len(versions) == 2
        assert (
            len({e.valid_from for e in catalog.index.edges_from(FEATURE, EdgeKind.HAS_VERSION)})
            == 1
        )
        newest = max(versions)  # the tie goes to the greater URN

        found = _graphql(catalog)
        assert found["latestVersion"]["urn"] == newest
        assert found["versions"][-1]["urn"] == newest
        gate = FeatureUseGate(catalog, EmbeddedEngine(PolicyBundle.builtin()))
        decision = gate.check_feature_use(
            FeatureUseRequest(action="train", purpose="fraud_detection", features=[FEATURE]),
            actor="t",
        )
        assert decision.policy_input["features"][0]["version"] == newest
        assert catalog.reader.newest_version(FEATURE) == newest

    with Catalog(settings) as reopened:  # the index rebuilt from the store agrees
        assert reopened.reader.newest_version(FEATURE) == newest
        assert _graphql(reopened)["latestVersion"]["urn"] == newest
