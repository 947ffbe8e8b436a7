"""Tagging a source column pii makes a feature derived from it pii, and advertising use is denied
with that reason — through Python, REST and GraphQL — and every decision is recorded."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import ValidationError

from provgraph.catalog.model.errors import UnknownReferenceError
from provgraph.catalog.model.events import ClassificationChanged, FeatureStatusChanged
from provgraph.catalog.model.kinds import EdgeKind, NodeKind
from provgraph.catalog.model.urn import Urn
from provgraph.catalog.service.catalog import Catalog
from provgraph.catalog.service.demo import load_demo, model_version_urn
from provgraph.catalog.service.writer import Submission
from provgraph.catalog.settings import Settings
from provgraph.policies.bundle import PolicyBundle
from provgraph.policies.embedded import EmbeddedEngine
from provgraph.policies.gate import FeatureUseDeniedError, FeatureUseGate, FeatureUseRequest
from tests.support.server import RunningServer, serving

TENURE = "urn:provgraph:feature:rider_risk:rider_tenure_days"
NOW = datetime(2026, 6, 1, tzinfo=UTC)


def _signup_column(catalog: Catalog) -> str:
    newest = max(
        catalog.index.edges_from(TENURE, EdgeKind.HAS_VERSION), key=lambda e: e.valid_from
    ).dst
    upstream = catalog.lineage.lineage(newest).nodes
    return next(
        n.urn for n in upstream if "public.riders@" in n.urn and n.urn.endswith("#signup_ts")
    )


@pytest.fixture
def gate(settings: Settings) -> Iterator[tuple[Catalog, FeatureUseGate]]:
    with Catalog(settings) as catalog:
        load_demo(catalog)
        yield catalog, FeatureUseGate(catalog, EmbeddedEngine(PolicyBundle.builtin()))


def _ask(purpose: str, **extra: Any) -> FeatureUseRequest:
    return FeatureUseRequest(action="train", purpose=purpose, features=[TENURE], **extra)


def test_a_pii_source_column_denies_advertising_use_in_python(
    gate: tuple[Catalog, FeatureUseGate],
) -> None:
    catalog, hook = gate
    assert hook.check_feature_use(_ask("advertising"), actor="alice").allow
    signup = _signup_column(catalog)
    catalog.submit(
        [Submission(ClassificationChanged(event_time=NOW, urn=signup, tag="pii"))], actor="steward"
    )
    result = hook.check_feature_use(_ask("advertising"), actor="alice")
    assert not result.allow
    assert result.decision.deny == [
        f"{TENURE} carries personal data (pii) and cannot be used for advertising"
    ]
    trace = result.explanations[TENURE][0]
    assert trace.tag == "pii" and trace.source == str(Urn.parse(signup).field_urn())
    assert trace.inherited and trace.path[-2] == signup
    with pytest.raises(FeatureUseDeniedError) as denied:
        hook.require_feature_use(_ask("advertising"), actor="alice")
    assert denied.value.reasons == result.decision.deny
    assert hook.require_feature_use(_ask("fraud_detection"), actor="alice").allow

    recorded = catalog.get_node(result.decision_urn)
    assert recorded is not None and recorded.props["allow"] is False
    assert recorded.props["principal"] == "alice" and recorded.props["bundle_revision"].startswith(
        "sha256:"
    )
    subjects = {e.dst for e in catalog.index.edges_from(result.decision_urn, EdgeKind.DECIDED)}
    assert subjects == {TENURE}
    assert catalog.index.count_of_kind(NodeKind.POLICY_DECISION) == 4
    assert [
        e.actor for e in catalog.log.read(after_seq=28) if e.event.type == "policy.decided"
    ] == ["alice"] * 4


def test_the_production_deploy_gate_uses_the_model_versions_features(
    gate: tuple[Catalog, FeatureUseGate],
) -> None:
    catalog, hook = gate
    ask = FeatureUseRequest(
        action="deploy",
        purpose="fraud_detection",
        model_version=model_version_urn("v2"),
        environment="production",
    )
    # the demo's features are certified and their source data passes its checks
    assert hook.check_feature_use(ask, actor="ci").allow
    catalog.submit(
        [Submission(FeatureStatusChanged(event_time=NOW, urn=TENURE, status="draft"))],
        actor="steward",
    )
    result = hook.check_feature_use(ask, actor="ci")
    assert not result.allow
    assert len(result.policy_input["features"]) == 5
    assert any("is not certified" in r for r in result.decision.deny)
    staging = hook.check_feature_use(
        FeatureUseRequest(
            action="deploy",
            purpose="fraud_detection",
            deployment="urn:provgraph:deployment:staging:fraud-detector",
        ),
        actor="ci",
    )
    # staging, but the model version it serves is registered at stage production: still gated
    assert staging.policy_input["environment"] == "staging"
    assert staging.policy_input["model"]["stage"] == "production" and not staging.allow
    drafts = hook.check_feature_use(
        FeatureUseRequest(
            action="deploy", purpose="fraud_detection", features=[TENURE], environment="staging"
        ),
        actor="ci",
    )
    assert drafts.allow


def test_unknown_features_and_models_are_errors_not_allows(
    gate: tuple[Catalog, FeatureUseGate],
) -> None:
    _, hook = gate
    for request in (
        FeatureUseRequest(
            action="train", purpose="x", features=["urn:provgraph:feature:nope:nope"]
        ),
        FeatureUseRequest(
            action="train",
            purpose="x",
            model_version="urn:provgraph:model-version:m@0000000000000000",
        ),
    ):
        with pytest.raises(UnknownReferenceError):
            hook.check_feature_use(request, actor="alice")
    # a reference that cannot name a feature is invalid input, refused before any look-up
    for malformed in ("garbage", model_version_urn("v1")):
        with pytest.raises(ValidationError):
            FeatureUseRequest(action="train", purpose="x", features=[malformed])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    with serving(tmp_path_factory.mktemp("gate") / "data", "--demo") as running:
        yield running


def _token(data: Path, name: str, role: str) -> dict[str, str]:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "provgraph.server.cli",
            "token",
            "create",
            name,
            "--role",
            role,
            "--data",
            str(data),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return {"Authorization": f"Bearer {done.stdout.strip()}"}


def test_rest_and_graphql_hooks_and_the_decision_afterwards(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with serving(data, "--demo", anonymous=None) as server:
        bob, carol = _token(data, "bob", "producer"), _token(data, "carol", "producer")
        email_feature = "urn:provgraph:feature:rider_risk:pickup_city_entropy"
        body = {"action": "train", "purpose": "advertising", "features": [email_feature]}
        rest = httpx.post(f"{server.url}/api/v1/policy/feature-use", json=body, headers=bob)
        assert rest.status_code == 200, rest.text
        answer = rest.json()
        assert answer["allow"] is False and "pii" in answer["deny"][0]
        assert answer["explanations"][email_feature][0]["tag"] == "pii.location"
        query = (
            """mutation { featureUse(input: {action: "train", purpose: "advertising", features: ["%s"]}) {
            ... on FeatureUseResult { allow deny explanations { feature classifications { tag path } }
                                      decision { ... on PolicyDecision { allow principal subjects { urn } } } } } }"""
            % email_feature
        )
        gql = httpx.post(f"{server.url}/graphql", json={"query": query}, headers=carol).json()
        result = gql["data"]["featureUse"]
        assert result["allow"] is False and result["deny"] == answer["deny"]
        assert result["decision"] == {
            "allow": False,
            "principal": "token:carol",
            "subjects": [{"urn": email_feature}],
        }
        recorded = httpx.get(
            f"{server.url}/api/v1/nodes", params={"urn": answer["decision_urn"]}, headers=bob
        ).json()
        assert (
            recorded["props"]["principal"] == "token:bob"
            and recorded["props"]["deny"] == answer["deny"]
        )
        reader = _token(data, "rita", "reader")
        assert (
            httpx.post(
                f"{server.url}/api/v1/policy/feature-use", json=body, headers=reader
            ).status_code
            == 403
        )
        assert httpx.post(f"{server.url}/api/v1/policy/feature-use", json=body).status_code == 401


@pytest.mark.parametrize(
    ("body", "status", "needle"),
    [
        ({"action": "fly", "purpose": "x", "features": []}, 422, "action"),
        ({"action": "train", "purpose": "", "features": []}, 422, "purpose"),
        (
            {"action": "train", "purpose": "x", "features": ["urn:provgraph:feature:no:such"]},
            422,
            "not in the catalog",
        ),
        ({"action": "train", "purpose": "x", "features": ["f"] * 1001}, 422, "features"),
        ({"action": "train", "purpose": "x", "extra": 1}, 422, "extra"),
    ],
)
def test_bad_questions_get_4xx(
    server: RunningServer, body: dict[str, Any], status: int, needle: str
) -> None:
    response = httpx.post(f"{server.url}/api/v1/policy/feature-use", json=body)
    assert response.status_code == status and needle in response.text


def test_compliance_report_in_graphql(server: RunningServer) -> None:
    body = httpx.post(
        f"{server.url}/graphql",
        json={
            "query": "mutation { complianceReport { subject action allow deny newlyNonCompliant decisionUrn } }"
        },
    ).json()
    entries = body["data"]["complianceReport"]
    assert {e["action"] for e in entries} == {"train", "serve"}
    assert not any(e["newlyNonCompliant"] for e in entries)
    # production needs certified features: v2 (in production) and the deployments serving it
    # are non-compliant; v1, archived when v2 replaced it in production, may train
    # the demo's production is compliant; its one violation is the consent-scoped trips_7d
    # reused by the rider-promo marketing model and its staging deployment
    denied = {e["subject"].split("@")[0] for e in entries if not e["allow"]}
    assert denied == {
        "urn:provgraph:model-version:rider-promo",
        "urn:provgraph:deployment:staging:rider-promo",
    }
