"""One rule for data quality: search and the policy gate report the same for a feature."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from provgraph.catalog.model.events import (
    AssertionSpec,
    ColumnRef,
    FeatureDefined,
    FieldSpec,
    JobSpec,
    OutputSpec,
    QualitySpec,
    RunRecorded,
)
from provgraph.catalog.service.catalog import Catalog
from provgraph.catalog.settings import Settings
from provgraph.policies.bundle import PolicyBundle
from provgraph.policies.embedded import EmbeddedEngine
from provgraph.policies.gate import FeatureUseGate, FeatureUseRequest
from tests.support.events import at, subs

FEATURE = "urn:provgraph:feature:risk:tenure"


def _run(checks: list[bool]) -> RunRecorded:
    quality = QualitySpec(
        row_count=10,
        assertions=[
            AssertionSpec(assertion=f"check {i}", success=ok) for i, ok in enumerate(checks)
        ],
    )
    return RunRecorded(
        event_time=at(1),
        run_id=uuid.uuid4(),
        job=JobSpec(namespace="spark", name="load_riders"),
        outputs=[
            OutputSpec(
                namespace="db",
                name="riders",
                fields=[FieldSpec(name="signup", type="timestamp")],
                quality=quality if checks else None,
            )
        ],
    )


@pytest.mark.parametrize(
    ("checks", "expected"),
    [([True, True], "passing"), ([True, False], "failing"), ([], "unknown")],
)
def test_search_and_the_gate_agree_on_quality(
    tmp_path: Path, checks: list[bool], expected: str
) -> None:
    with Catalog(Settings(data=tmp_path / "d")) as catalog:
        feature = FeatureDefined(
            event_time=at(2),
            group="risk",
            name="tenure",
            transformation="days_since(signup)",
            sources=[ColumnRef(namespace="db", name="riders", field="signup")],
        )
        catalog.submit(subs(_run(checks), feature), actor="t")
        version = catalog.reader.newest_version(FEATURE)
        assert version is not None and catalog.reader.quality(version) == expected

        [hit] = [h for h in catalog.search.search("tenure").hits if h.urn == FEATURE]
        assert hit.quality == expected

        gate = FeatureUseGate(catalog, EmbeddedEngine(PolicyBundle.builtin()))
        asked = FeatureUseRequest(action="train", purpose="fraud_detection", features=[FEATURE])
        decided = gate.check_feature_use(asked, actor="t")
        assert decided.policy_input["features"][0]["quality"] == expected
