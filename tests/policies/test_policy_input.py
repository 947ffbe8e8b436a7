"""The policy input is one typed model: the gate builds it, the bundle's cases are checked
against it, its published JSON Schema is current, and a renamed key fails here."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import ValidationError

from provgraph.catalog.service.catalog import Catalog
from provgraph.catalog.service.demo import load_demo, model_version_urn
from provgraph.catalog.settings import Settings
from provgraph.policies import input_schema
from provgraph.policies.bundle import PolicyBundle
from provgraph.policies.compliance import compliance_questions
from provgraph.policies.embedded import EmbeddedEngine
from provgraph.policies.gate import FeatureUseGate, FeatureUseRequest
from provgraph.policies.input import PolicyInput, upgraded

ENGINE = EmbeddedEngine(PolicyBundle.builtin())
CASES: list[dict[str, Any]] = ENGINE.evaluate_raw("data.provgraph.feature_use_test.cases")


def test_the_published_schema_is_the_models() -> None:
    assert input_schema.SCHEMA_PATH.read_text() == input_schema.schema_text(), (
        "stale: run python -m provgraph.policies.input_schema --write"
    )
    assert input_schema.main([]) == 0
    published = json.loads(input_schema.SCHEMA_PATH.read_text())
    assert "production" in published["required"]
    assert published["additionalProperties"] is False


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_every_bundle_case_is_a_policy_input_unless_marked_malformed(case: dict[str, Any]) -> None:
    if case.get("malformed"):
        with pytest.raises(ValidationError):
            PolicyInput.model_validate(case["input"])
    else:
        PolicyInput.model_validate(case["input"])


def test_what_the_gate_asks_is_a_policy_input(settings: Settings) -> None:
    with Catalog(settings) as catalog:
        load_demo(catalog)
        gate = FeatureUseGate(catalog, ENGINE)
        questions = [q for _, q in compliance_questions(catalog)] + [
            FeatureUseRequest(
                action="deploy",
                purpose="fraud_detection",
                model_version=model_version_urn("v2"),
                environment="prod-eu",
            )
        ]
        for question in questions:
            assessed = gate.assess_feature_use(question, actor="auditor")
            assert PolicyInput.model_validate(assessed.policy_input) == assessed.facts
            assert assessed.policy_input == assessed.facts.document()
        assert assessed.facts.production is True


def _clean() -> dict[str, Any]:
    case = next(c for c in CASES if c["name"] == "clean use is allowed")
    document: dict[str, Any] = case["input"]
    return document


def test_a_renamed_key_is_refused_by_the_model_and_denied_by_the_bundle() -> None:
    feature = _clean()["features"][0]
    renamed = {**_clean(), "features": [{**_renamed(feature, "status", "certification")}]}
    with pytest.raises(ValidationError, match="certification"):
        PolicyInput.model_validate(renamed)
    decision = ENGINE.evaluate(renamed)
    assert not decision.allow
    assert decision.deny == ["input.features[0].status is missing or of the wrong type"]
    unsaid = _renamed(_clean(), "production", "in_production")
    with pytest.raises(ValidationError):
        PolicyInput.model_validate(unsaid)
    assert ENGINE.evaluate(unsaid).deny == [
        "input.production must be true or false (the catalog's answer)"
    ]


def _renamed(document: dict[str, Any], old: str, new: str) -> dict[str, Any]:
    return {(new if k == old else k): v for k, v in document.items()}


def test_a_recorded_input_from_before_the_fact_is_replayed_with_todays_rule() -> None:
    feature = {"urn": "f:d", "classifications": [], "status": "draft", "quality": "unknown"}
    old = {"action": "deploy", "purpose": "p", "environment": "prod-eu", "features": [feature]}
    assert upgraded(old)["production"] is True
    assert not ENGINE.evaluate(upgraded(old)).allow
    retired = {
        **old,
        "environment": "production",
        "deployment": {"urn": "d", "environment": "production", "status": "retired"},
    }
    assert upgraded(retired)["production"] is False
    assert upgraded({**old, "production": False})["production"] is False
