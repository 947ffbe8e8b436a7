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


def _validation(
    run_id: uuid.UUID, *, ok: bool, when: int, job: str = "validate.riders"
) -> RunRecorded:
    from provgraph.catalog.model.events import InputSpec

    return RunRecorded(
        event_time=at(when),
        run_id=run_id,
        job=JobSpec(namespace="great_expectations", name=job),
        inputs=[
            InputSpec(
                namespace="db",
                name="riders",
                quality=QualitySpec(assertions=[AssertionSpec(assertion="not null", success=ok)]),
            )
        ],
    )


def test_a_re_run_check_replaces_its_earlier_result_and_upstream_data_counts(
    tmp_path: Path,
) -> None:
    from provgraph.catalog.model.events import InputSpec

    """A feature computed from a feature table sees the checks on the table it derives from;
    the same validating job's newest result is the one that counts."""
    with Catalog(Settings(data=tmp_path / "d")) as catalog:
        table = RunRecorded(
            event_time=at(2),
            run_id=uuid.uuid4(),
            job=JobSpec(namespace="spark", name="features"),
            inputs=[InputSpec(namespace="db", name="riders")],
            outputs=[
                OutputSpec(
                    namespace="db",
                    name="features",
                    fields=[FieldSpec(name="tenure", type="int")],
                    column_lineage={
                        "tenure": [ColumnRef(namespace="db", name="riders", field="signup")]
                    },
                )
            ],
        )
        feature = FeatureDefined(
            event_time=at(3),
            group="risk",
            name="tenure",
            transformation="days_since(signup)",
            sources=[ColumnRef(namespace="db", name="features", field="tenure")],
        )
        catalog.submit(subs(_run([]), table, feature), actor="t")
        version = catalog.reader.newest_version(FEATURE)
        assert version is not None and catalog.reader.quality(version) == "unknown"

        catalog.submit(subs(_validation(uuid.uuid4(), ok=False, when=5)), actor="t")
        assert catalog.reader.quality(version) == "failing"
        catalog.submit(subs(_validation(uuid.uuid4(), ok=True, when=6)), actor="t")
        assert catalog.reader.quality(version) == "passing"
        catalog.submit(
            subs(_validation(uuid.uuid4(), ok=False, when=7, job="other.check")), actor="t"
        )
        assert catalog.reader.quality(version) == "failing"
