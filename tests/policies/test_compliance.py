"""Re-check after a classification change reports the newly non-compliant; backtest a bundle."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from provgraph.catalog.model.events import (
    CatalogEvent,
    ClassificationChanged,
    ColumnRef,
    DeploymentRecorded,
    FeatureDefined,
    FeatureRef,
    ModelVersionRegistered,
    TrainingSetCreated,
)
from provgraph.catalog.model.kinds import NodeKind
from provgraph.catalog.service.catalog import Catalog
from provgraph.catalog.service.writer import Submission
from provgraph.catalog.settings import Settings
from provgraph.policies.bundle import PolicyBundle
from provgraph.policies.compliance import backtest, recheck
from provgraph.policies.embedded import EmbeddedEngine
from provgraph.policies.gate import FeatureUseGate
from tests.support.events import at, dataset

MV = "urn:provgraph:model-version:ads@" + "b" * 16
DAY = datetime(2026, 1, 5, tzinfo=UTC)


def _ads_catalog(catalog: Catalog) -> None:
    events: list[CatalogEvent] = [
        dataset("users", "id", "age"),
        FeatureDefined(
            event_time=at(2),
            group="u",
            name="age",
            transformation="x",
            sources=[ColumnRef(namespace="db", name="users", field="age")],
        ),
        TrainingSetCreated(
            event_time=at(3), name="ts", features=[FeatureRef(group="u", name="age")]
        ),
        ModelVersionRegistered(
            event_time=at(4),
            model="ads",
            artifact_digest="sha256:" + "b" * 64,
            training_set="ts",
            purpose="advertising",
        ),
        DeploymentRecorded(
            event_time=DAY,
            environment="staging",
            name="ads",
            model_version=MV,
            purpose="advertising",
        ),
    ]
    catalog.submit([Submission(e) for e in events], actor="t")


def _tag_age_pii(catalog: Catalog) -> None:
    version = next(
        u for u in catalog.index.urns_of_kind(NodeKind.DATASET_VERSION) if ":users@" in u
    )
    catalog.submit(
        [
            Submission(
                ClassificationChanged(
                    event_time=at(6),
                    urn=version.replace("dataset-version", "column") + "#age",
                    tag="pii",
                )
            )
        ],
        actor="steward",
    )


def test_a_new_pii_tag_makes_the_model_and_its_deployment_newly_non_compliant(
    settings: Settings,
) -> None:
    with Catalog(settings) as catalog:
        _ads_catalog(catalog)
        gate = FeatureUseGate(catalog, EmbeddedEngine(PolicyBundle.builtin()))
        first = recheck(catalog, gate, actor="auditor")
        assert [(e.action, e.allow, e.newly_non_compliant) for e in first] == [
            ("train", True, False),
            ("serve", True, False),
        ]
        _tag_age_pii(catalog)
        second = recheck(catalog, gate, actor="auditor")
        assert [(e.subject, e.newly_non_compliant) for e in second] == [
            (MV, True),
            ("urn:provgraph:deployment:staging:ads", True),
        ]
        assert "cannot be used for advertising" in second[0].deny[0]


def test_backtest_replays_recorded_decisions_under_a_candidate(
    settings: Settings, tmp_path: Path
) -> None:
    with Catalog(settings) as catalog:
        _ads_catalog(catalog)
        recheck(
            catalog,
            FeatureUseGate(catalog, EmbeddedEngine(PolicyBundle.builtin())),
            actor="auditor",
        )
        stricter = PolicyBundle.builtin().modules["feature_use.rego"] + (
            '\ndeny contains "advertising is suspended" if input.purpose == "advertising"\n'
        )
        (tmp_path / "feature_use.rego").write_text(stricter)
        replayed, changes = backtest(catalog, EmbeddedEngine(PolicyBundle.from_directory(tmp_path)))
        assert replayed == 2 and len(changes) == 2
        assert all(c.was_allowed and not c.would_allow for c in changes)
        assert changes[0].would_deny == ["advertising is suspended"]
        unchanged = backtest(catalog, EmbeddedEngine(PolicyBundle.builtin()))
        assert unchanged == (2, [])


def test_the_cli(settings: Settings, tmp_path: Path) -> None:
    with Catalog(settings) as catalog:
        _ads_catalog(catalog)

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [
                sys.executable,
                "-m",
                "provgraph.server.cli",
                "policy",
                *args,
                "--data",
                str(settings.data),
            ],
            capture_output=True,
            text=True,
            timeout=120,
            env=os.environ.copy(),
        )

    ok = cli("recheck")
    assert ok.returncode == 0 and "0 non-compliant" in ok.stdout, ok.stderr
    with Catalog(settings) as catalog:
        _tag_age_pii(catalog)
    newly = cli("recheck", "--json")
    assert newly.returncode == 1 and all(not e["allow"] for e in json.loads(newly.stdout))
    again = cli("recheck")
    assert again.returncode == 0 and "2 non-compliant, 0 newly" in again.stdout
    (tmp_path / "b.rego").write_text("package broken\nallow if { 1 = }\n")
    broken = cli("backtest", "--bundle", str(tmp_path))
    assert broken.returncode == 4 and "b.rego:2" in broken.stderr
    missing = cli("backtest")
    assert missing.returncode == 4 and "--bundle" in missing.stderr
