"""Lineage, impact and paths over the demo catalog, now and as of past moments."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from provgraph.catalog.model.errors import InvalidUrnError, NodeNotFoundError
from provgraph.catalog.model.kinds import EdgeKind, NodeKind
from provgraph.catalog.service.catalog import Catalog
from provgraph.catalog.service.demo import load_demo, model_version_urn
from provgraph.catalog.service.traversal import Direction, PartialReason
from provgraph.catalog.settings import Settings

PROD = "urn:provgraph:deployment:production:fraud-detector"
FEB = datetime(2026, 2, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Catalog]:
    with Catalog(Settings(data=tmp_path_factory.mktemp("demo") / "data")) as catalog:
        load_demo(catalog)
        yield catalog


def _urns(catalog: Catalog, urn: str, **kwargs: object) -> set[str]:
    return {n.urn for n in catalog.lineage.lineage(urn, **kwargs).nodes}  # type: ignore[arg-type]


def _raw_column(catalog: Catalog, table: str, field: str) -> str:
    version = next(
        u
        for u in _urns(catalog, PROD)
        if u.startswith("urn:provgraph:dataset-version:postgres") and table in u
    )
    return version.replace("dataset-version", "column") + "#" + field


def test_production_serves_v2_now_and_served_v1_in_february(demo: Catalog) -> None:
    now = demo.lineage.lineage(PROD, depth=1)
    feb = demo.lineage.lineage(PROD, depth=1, as_of=FEB)
    assert [n.urn for n in now.nodes if n.kind is NodeKind.MODEL_VERSION] == [
        model_version_urn("v2")
    ]
    assert [n.urn for n in feb.nodes if n.kind is NodeKind.MODEL_VERSION] == [
        model_version_urn("v1")
    ]


def test_upstream_reaches_the_pii_source_columns(demo: Catalog) -> None:
    upstream = _urns(demo, PROD)
    assert _raw_column(demo, "public.riders", "email") in upstream
    feb = _urns(demo, PROD, as_of=FEB)
    enriched = "urn:provgraph:dataset-version:s3%3A//rides-lake:curated.trips_enriched@"
    now_versions = {u for u in upstream if u.startswith(enriched)}
    feb_versions = {u for u in feb if u.startswith(enriched)}
    assert len(now_versions) == len(feb_versions) == 1
    assert now_versions != feb_versions


def test_as_of_job_lineage_follows_the_job_version(demo: Catalog) -> None:
    labels = "urn:provgraph:dataset:s3%3A//rides-lake:curated.fraud_labels"
    kinds = frozenset({EdgeKind.WRITES, EdgeKind.READS})
    now = _urns(demo, labels, edge_kinds=kinds)
    feb = _urns(demo, labels, edge_kinds=kinds, as_of=FEB)
    disputes = "urn:provgraph:dataset:kafka%3A//rides-events%3A9092:payments.disputes"
    chargebacks = "urn:provgraph:dataset:kafka%3A//rides-events%3A9092:payments.chargebacks"
    assert disputes in now and chargebacks not in now
    assert chargebacks in feb and disputes not in feb


def test_downstream_of_a_raw_column_reaches_models_and_deployments(demo: Catalog) -> None:
    email = _raw_column(demo, "public.riders", "email")
    downstream = demo.lineage.lineage(email, direction=Direction.DOWNSTREAM)
    kinds = {n.kind for n in downstream.nodes}
    assert {NodeKind.FEATURE_VERSION, NodeKind.MODEL_VERSION, NodeKind.DEPLOYMENT} <= kinds


def test_impact_lists_live_deployments_as_of_the_moment(demo: Catalog) -> None:
    email = _raw_column(demo, "public.riders", "email")
    now = demo.lineage.impact(email)
    assert {n.urn for n in now.deployments} == {
        PROD,
        "urn:provgraph:deployment:staging:fraud-detector",
    }
    assert model_version_urn("v1") in {n.urn for n in now.model_versions}
    before_deploy = demo.lineage.impact(email, as_of=datetime(2026, 1, 17, tzinfo=UTC))
    assert before_deploy.deployments == [] and before_deploy.model_versions == []


def test_depth_and_limit_make_results_partial_and_say_why(demo: Catalog) -> None:
    shallow = demo.lineage.lineage(PROD, depth=2)
    assert shallow.is_partial and shallow.partial_reasons == [PartialReason.DEPTH]
    assert max(n.depth for n in shallow.nodes) == 2
    capped = demo.lineage.lineage(PROD, limit=5)
    assert len(capped.nodes) == 5
    assert PartialReason.LIMIT in capped.partial_reasons
    full = demo.lineage.lineage(PROD)
    assert not full.is_partial


def test_edges_only_join_returned_nodes(demo: Catalog) -> None:
    result = demo.lineage.lineage(PROD, depth=3)
    urns = {n.urn for n in result.nodes}
    assert result.edges is not None and len(result.edges) >= len(urns) - 1
    assert all(e.source in urns and e.target in urns for e in result.edges)
    assert demo.lineage.lineage(PROD, include_edges=False).edges is None


def test_edge_kind_filter(demo: Catalog) -> None:
    result = demo.lineage.lineage(PROD, edge_kinds=frozenset({EdgeKind.SERVES}))
    assert [n.kind for n in result.nodes] == [NodeKind.DEPLOYMENT, NodeKind.MODEL_VERSION]


def test_paths_explain_why_a_deployment_touches_a_column(demo: Catalog) -> None:
    email = _raw_column(demo, "public.riders", "email")
    paths = demo.lineage.paths(PROD, email)
    assert paths
    kinds = [e.kind for e in paths[0].edges]
    assert kinds == [
        EdgeKind.SERVES,
        EdgeKind.TRAINED_ON,
        EdgeKind.INCLUDES,
        EdgeKind.COMPUTED_FROM,
        EdgeKind.DERIVED_FROM,
    ]
    assert paths[0].nodes[0] == PROD and paths[0].nodes[-1] == email
    assert demo.lineage.paths(PROD, "urn:provgraph:owner:team%3Arider-platform") == []


def test_unknown_and_malformed_urns(demo: Catalog) -> None:
    with pytest.raises(NodeNotFoundError):
        demo.lineage.lineage("urn:provgraph:dataset:nope:nope")
    with pytest.raises(InvalidUrnError, match="unknown node kind"):
        demo.lineage.lineage("urn:provgraph:table:x:y")
    with pytest.raises(NodeNotFoundError, match="did not exist yet"):
        demo.lineage.lineage(PROD, as_of=datetime(2025, 1, 1, tzinfo=UTC))
    with pytest.raises(ValueError, match="depth"):
        demo.lineage.lineage(PROD, depth=0)
