"""Both engines give identical decisions on the same bundle; the OPA path fails closed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from provgraph.policies.bundle import PolicyBundle
from provgraph.policies.embedded import EmbeddedEngine
from provgraph.policies.opa_server import OpaServerEngine
from tests.support.opa_server import opa_server
from tests.support.ports import free_port

BUNDLE = PolicyBundle.builtin()
EMBEDDED = EmbeddedEngine(BUNDLE)
CASES: list[dict[str, Any]] = EMBEDDED.evaluate_raw("data.provgraph.feature_use_test.cases")


@pytest.fixture(scope="module")
def opa() -> Iterator[OpaServerEngine]:
    with opa_server(BUNDLE) as url:
        engine = OpaServerEngine(url, timeout_s=5)
        yield engine
        engine.close()


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_engines_agree(opa: OpaServerEngine, case: dict[str, Any]) -> None:
    embedded, remote = EMBEDDED.evaluate(case["input"]), opa.evaluate(case["input"])
    assert (remote.allow, remote.deny, remote.obligations) == (
        embedded.allow,
        embedded.deny,
        embedded.obligations,
    )
    assert remote.input_digest == embedded.input_digest
    assert remote.bundle_revision == embedded.bundle_revision == BUNDLE.revision
    assert remote.engine == "opa-server" and remote.error is None


def test_an_unreachable_opa_denies_and_says_why() -> None:
    engine = OpaServerEngine(f"http://127.0.0.1:{free_port()}", timeout_s=0.5)
    decision = engine.evaluate(CASES[0]["input"])
    assert not decision.allow and decision.error and "did not answer" in decision.error


def test_an_undefined_decision_denies(tmp_path: Any) -> None:
    (tmp_path / "other.rego").write_text("package other\nx := 1\n")
    with opa_server(PolicyBundle.from_directory(tmp_path)) as url:
        decision = OpaServerEngine(url).evaluate(CASES[0]["input"])
    assert not decision.allow and decision.error and "undefined" in decision.error


def test_a_bad_url_is_refused() -> None:
    with pytest.raises(ValueError, match="OPA_URL"):
        OpaServerEngine("opa:8181")


def test_the_server_decides_with_opa_when_opa_url_is_set(tmp_path: Any) -> None:
    import httpx

    from tests.support.server import serving

    with (
        opa_server(BUNDLE) as url,
        serving(tmp_path / "data", "--demo", env={"OPA_URL": url}) as server,
    ):
        feature = "urn:provgraph:feature:rider_risk:pickup_city_entropy"
        body = {"action": "train", "purpose": "advertising", "features": [feature]}
        answer = httpx.post(f"{server.url}/api/v1/policy/feature-use", json=body).json()
    assert answer["engine"] == "opa-server" and answer["allow"] is False
    assert answer["bundle_revision"] == BUNDLE.revision
