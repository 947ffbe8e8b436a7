"""Re-check after a classification change reports the newly non-compliant; backtest a bundle."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from provgraph.catalog.model import views
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
from provgraph.catalog.model.timeutil import from_micros
from provgraph.catalog.model.urn import Urn
from provgraph.catalog.service.catalog import Catalog
from provgraph.catalog.service.demo import load_demo
from provgraph.catalog.service.writer import Submission
from provgraph.catalog.settings import Settings
from provgraph.policies.bundle import PolicyBundle
from provgraph.policies.compliance import (
    Baseline,
    ComplianceEntry,
    backtest,
    reached_by_tag,
    recheck,
)
from provgraph.policies.embedded import EmbeddedEngine
from provgraph.policies.gate import FeatureUseGate, FeatureUseRequest
from provgraph.policies.what_if import what_if
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


def test_feature_use_checks_in_between_never_reset_the_baseline(settings: Settings) -> None:
    with Catalog(settings) as catalog:
        _ads_catalog(catalog)
        gate = FeatureUseGate(catalog, EmbeddedEngine(PolicyBundle.builtin()))
        first = recheck(catalog, gate, actor="auditor")
        _tag_age_pii(catalog)
        # a feature-use check (denied now) between two reports must not become the baseline
        ask = FeatureUseRequest(action="train", purpose="advertising", model_version=MV)
        assert not gate.check_feature_use(ask, actor="trainer").allow
        second = recheck(catalog, gate, actor="auditor")
        assert [e.newly_non_compliant for e in second] == [True, True]
        assert second[0].baseline_decision == first[0].decision
        # the default baseline is the previous report: now both were already denied there
        third = recheck(catalog, gate, actor="auditor")
        assert [e.newly_non_compliant for e in third] == [False, False]
        # an explicit baseline: the report in force at a moment, or under a bundle revision
        at_first = recheck(
            catalog,
            gate,
            actor="auditor",
            baseline=Baseline(at=max(_created(catalog, e) for e in first)),
        )
        assert [e.newly_non_compliant for e in at_first] == [True, True]
        revision = catalog.get_node(third[0].decision)
        assert revision is not None
        under = views.PolicyDecision.of(revision).bundle_revision
        by_bundle = recheck(
            catalog, gate, actor="auditor", baseline=Baseline(bundle_revision=under)
        )
        assert [e.previously_allowed for e in by_bundle] == [False, False]
        unknown = recheck(catalog, gate, actor="auditor", baseline=Baseline(bundle_revision="nope"))
        assert [e.previously_allowed for e in unknown] == [None, None]


def _created(catalog: Catalog, entry: ComplianceEntry) -> datetime:
    node = catalog.get_node(entry.decision)
    assert node is not None
    moment = from_micros(node.created_at)
    assert moment is not None
    return moment


def test_what_if_names_what_a_new_tag_would_block_without_writing(settings: Settings) -> None:
    with Catalog(settings) as catalog:
        _ads_catalog(catalog)
        gate = FeatureUseGate(catalog, EmbeddedEngine(PolicyBundle.builtin()))
        logged = catalog.log.last_seq() if hasattr(catalog.log, "last_seq") else None
        counts = catalog.index.counts()
        entries = what_if(
            catalog, gate, actor="steward", tags=[("urn:provgraph:column:db:users#age", "pii")]
        ).entries
        assert [(e.subject, e.allowed_now, e.allowed_then) for e in entries] == [
            (MV, True, False),
            ("urn:provgraph:deployment:staging:ads", True, False),
        ]
        assert all(e.newly_denied for e in entries)
        assert "cannot be used for advertising" in entries[0].deny_then[0]
        assert entries[0].new_reasons == entries[0].deny_then
        assert catalog.index.counts() == counts  # nothing recorded, not even a decision
        if logged is not None:
            assert catalog.log.last_seq() == logged
        untouched = what_if(catalog, gate, actor="steward")
        assert untouched.entries == [] and untouched.affected_features == []  # nothing differs


def test_the_demo_is_compliant_in_production_with_one_violation(settings: Settings) -> None:
    with Catalog(settings) as catalog:
        load_demo(catalog)
        gate = FeatureUseGate(catalog, EmbeddedEngine(PolicyBundle.builtin()))
        report = {e.subject: e for e in recheck(catalog, gate, actor="auditor")}
        assert report["urn:provgraph:deployment:production:fraud-detector"].allow
        denied = [e for e in report.values() if not e.allow]
        assert {e.subject for e in denied} == {
            "urn:provgraph:model-version:rider-promo@" + denied[0].subject.split("@")[1],
            "urn:provgraph:deployment:staging:rider-promo",
        }
        assert all("consented for fraud_detection only" in e.deny[0] for e in denied)
        # a what-if changes something: tagging the raw fare column pii blocks nothing that
        # fraud detection may use, while tagging it for advertising-only consent would
        blocked = what_if(
            catalog,
            gate,
            actor="steward",
            tags=[
                (
                    "urn:provgraph:column:postgres%3A//rides-db%3A5432:public.trips#fare_amount",
                    "consent:billing",
                )
            ],
        )
        newly = {e.subject for e in blocked.entries if e.newly_denied}
        assert "urn:provgraph:deployment:production:fraud-detector" in newly


def test_routine_serving_decisions_are_aggregated(settings: Settings) -> None:
    with Catalog(settings) as catalog:
        _ads_catalog(catalog)
        gate = FeatureUseGate(catalog, EmbeddedEngine(PolicyBundle.builtin()))
        ask = FeatureUseRequest(
            action="serve", purpose="advertising", deployment="urn:provgraph:deployment:staging:ads"
        )
        first = gate.check_feature_use(ask, actor="server")
        again = [gate.check_feature_use(ask, actor="server") for _ in range(20)]
        assert {d.decision_urn for d in again} == {first.decision_urn}
        assert catalog.index.count_of_kind(NodeKind.POLICY_DECISION) == 1
        train = FeatureUseRequest(action="train", purpose="advertising", model_version=MV)
        gate.check_feature_use(train, actor="trainer")
        gate.check_feature_use(train, actor="trainer")
        assert catalog.index.count_of_kind(NodeKind.POLICY_DECISION) == 3  # gating: every one


def test_a_hypothetical_tag_reaches_what_propagation_would(settings: Settings) -> None:
    """What-if asks the classification rule: a tag on trips#rider_id reaches the features that
    copy it, not those that only join on it (INDIRECT), and the email reaches nothing past its
    hash (masking)."""
    with Catalog(settings) as catalog:
        load_demo(catalog)
        trips = "urn:provgraph:column:postgres%3A//rides-db%3A5432:public.trips"
        riders = "urn:provgraph:column:postgres%3A//rides-db%3A5432:public.riders"
        reached = {Urn.parse(u).name for u in reached_by_tag(catalog, f"{trips}#rider_id")}
        assert reached == {"trips_7d", "avg_fare", "pickup_city_entropy"}
        assert reached_by_tag(catalog, f"{riders}#email") == set()
        tenure = {Urn.parse(u).name for u in reached_by_tag(catalog, f"{riders}#signup_ts")}
        assert tenure == {"rider_tenure_days"}
