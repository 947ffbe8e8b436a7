"""The Rego bundle: its cases and `test_` rules, compile errors with file and line, deny by
default, caching."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from provgraph.policies.bundle import PolicyBundle, PolicyBundleError
from provgraph.policies.embedded import EmbeddedEngine, RegoTestResult

BUNDLE = PolicyBundle.builtin()
ENGINE = EmbeddedEngine(BUNDLE)
CASES: list[dict[str, Any]] = ENGINE.evaluate_raw("data.provgraph.feature_use_test.cases")
REGO_TESTS = ENGINE.run_tests()


def test_the_bundle_has_opa_style_test_rules() -> None:
    assert any(t.name.endswith(".test_an_empty_question_is_denied") for t in REGO_TESTS)


@pytest.mark.parametrize("result", REGO_TESTS, ids=[t.name for t in REGO_TESTS])
def test_rego_test_rule(result: RegoTestResult) -> None:
    assert result.passed, result.error


def test_a_failing_or_undefined_test_rule_is_reported(tmp_path: Path) -> None:
    (tmp_path / "feature_use.rego").write_text(BUNDLE.modules["feature_use.rego"])
    (tmp_path / "p_test.rego").write_text(
        "package p_test\n\nimport data.provgraph.feature_use\n\n"
        "test_wrong if {\n\tfeature_use.decision.allow with input as {}\n}\n\n"
        "test_right if {\n\tnot feature_use.decision.allow with input as {}\n}\n"
    )
    results = EmbeddedEngine(PolicyBundle.from_directory(tmp_path)).run_tests()
    assert [(r.name, r.passed) for r in results] == [
        ("p_test.test_wrong", False),
        ("p_test.test_right", True),
    ]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_rego_case(case: dict[str, Any]) -> None:
    decision = ENGINE.evaluate(case["input"])
    assert decision.allow is case["allow"], decision.deny
    if "deny" in case:
        assert decision.deny == case["deny"]
    if "obligations" in case:
        assert decision.obligations == case["obligations"]
    assert decision.error is None


def test_the_revision_names_the_modules_not_the_tests(tmp_path: Path) -> None:
    for name, source in {**BUNDLE.modules, **BUNDLE.tests}.items():
        (tmp_path / name).write_text(source)
    assert PolicyBundle.from_directory(tmp_path).revision == BUNDLE.revision
    (tmp_path / "feature_use_test.rego").write_text(
        "package provgraph.feature_use_test\ncases := []\n"
    )
    assert PolicyBundle.from_directory(tmp_path).revision == BUNDLE.revision
    (tmp_path / "extra.rego").write_text("package extra\nx := 1\n")
    assert PolicyBundle.from_directory(tmp_path).revision != BUNDLE.revision


def test_malformed_rego_is_rejected_with_file_and_line_and_the_old_bundle_stays(
    tmp_path: Path,
) -> None:
    (tmp_path / "feature_use.rego").write_text(BUNDLE.modules["feature_use.rego"])
    (tmp_path / "broken.rego").write_text("package broken\n\nallow if { 1 = }\n")
    engine = EmbeddedEngine(BUNDLE)
    with pytest.raises(PolicyBundleError, match=r"broken\.rego:3"):
        engine.load(PolicyBundle.from_directory(tmp_path))
    assert engine.revision == BUNDLE.revision
    assert engine.evaluate(CASES[0]["input"]).allow


def test_a_bundle_that_parses_but_does_not_compile_is_rejected_with_file_and_line(
    tmp_path: Path,
) -> None:
    (tmp_path / "feature_use.rego").write_text(BUNDLE.modules["feature_use.rego"])
    (tmp_path / "unsafe.rego").write_text("package unsafe\n\nallow if {\n\tx := y\n}\n")
    with pytest.raises(PolicyBundleError) as raised:
        EmbeddedEngine(PolicyBundle.from_directory(tmp_path))
    assert str(raised.value).startswith("unsafe.rego:4: rego_unsafe_var_error")


def test_a_policy_that_returns_no_decision_denies(tmp_path: Path) -> None:
    (tmp_path / "p.rego").write_text("package provgraph.feature_use\ndecision := 42\n")
    decision = EmbeddedEngine(PolicyBundle.from_directory(tmp_path)).evaluate(CASES[0]["input"])
    assert not decision.allow and decision.error and "no decision object" in decision.error


def test_a_policy_that_allows_everything_still_cannot_allow_with_deny_reasons(
    tmp_path: Path,
) -> None:
    (tmp_path / "p.rego").write_text(
        'package provgraph.feature_use\ndecision := {"allow": true, "deny": ["no"], "obligations": []}\n'
    )
    assert not EmbeddedEngine(PolicyBundle.from_directory(tmp_path)).evaluate({}).allow


def test_repeated_questions_are_answered_from_the_cache() -> None:
    engine = EmbeddedEngine(BUNDLE)
    first = engine.evaluate(CASES[1]["input"])
    second = engine.evaluate(CASES[1]["input"])
    assert not first.cached and second.cached and first == second


def test_empty_or_missing_bundles(tmp_path: Path) -> None:
    with pytest.raises(PolicyBundleError, match=r"no \.rego modules"):
        PolicyBundle.from_directory(tmp_path)
    with pytest.raises(PolicyBundleError, match="not a directory"):
        PolicyBundle.from_directory(tmp_path / "absent")
