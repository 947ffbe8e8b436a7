"""The embedded engine's process: the capabilities list refuses built-ins wherever a bundle
refers to them, the active bundle's decisions are bounded in time, memory and answer size
(a bound reached is a deny that says why, and the next question gets a fresh process), and
the process has none of the server's environment."""

from __future__ import annotations

from typing import Any

import pytest

from provgraph.policies.bundle import PolicyBundle, PolicyBundleError
from provgraph.policies.embedded import EmbeddedEngine
from provgraph.policies.opa.capabilities import REFUSED
from provgraph.policies.opa.process import EngineLimits
from provgraph.policies.sandbox import CandidateStoppedError, candidate_engine

HEAD = "package provgraph.feature_use\n\nimport rego.v1\n\n"
ALLOW = {"features": [{"urn": "f"}]}
# a decision that is fine unless the question asks for trouble
ON_DEMAND = (
    HEAD
    + "spin if {\n\tinput.spin\n\tsome i in numbers.range(1, 100000)\n"
    + "\tsome j in numbers.range(1, 100000)\n\ti * j == -1\n}\n\n"
    + "big := count([n | some n in numbers.range(1, 4000000)]) if input.big\n\n"
    + "many := numbers.range(1, 300000) if input.many\n\n"
    + "default many := []\n\n"
    + 'decision := {"allow": count({1 | spin} | {1 | big}) == 0, "deny": many, "obligations": []}\n'
)


def bundle(source: str) -> PolicyBundle:
    return PolicyBundle.of({"candidate.rego": source}, origin="a test bundle")


@pytest.fixture(scope="module")
def engine() -> Any:
    """Bounds small enough to reach in a test; the deadline long enough for the memory bound
    (or the answer's) to come first on a busy machine."""
    limits = EngineLimits(memory_mb=256, deadline_s=30.0, max_answer_bytes=1024 * 1024)
    started = EmbeddedEngine(bundle(ON_DEMAND), limits=limits)
    yield started
    started.close()


@pytest.mark.parametrize(
    "written",
    [
        'x := http.send({"method": "GET", "url": "http://127.0.0.1:9/"})',
        'x := http["send"]({"method": "GET", "url": "http://127.0.0.1:9/"})',
        "x if {\n\tf(1) with f as time.now_ns\n}\n\nf(n) := n",
        'x := net.cidr_contains("10.0.0.0/8", "10.1.2.3")',
        "x := opa.runtime().env",
        'x := rand.intn("seed", 10)',
        'x := uuid.rfc4122("k")',
    ],
)
def test_refused_builtins_are_refused_wherever_they_are_written(written: str) -> None:
    with pytest.raises(PolicyBundleError, match=r"candidate\.rego:[56]: .* may not be used"):
        EmbeddedEngine(bundle(HEAD + written + "\n"))


def test_every_refused_namespace_or_name_is_a_builtin_reference() -> None:
    assert set(REFUSED) == {
        "http.send",
        "net.*",
        "opa.runtime",
        "time.now_ns",
        "rand.intn",
        "uuid.rfc4122",
    }


def test_deterministic_builtins_stay_allowed() -> None:
    source = HEAD + (
        'moment := time.parse_rfc3339_ns("2026-01-01T00:00:00Z")\n\n'
        'decision := {"allow": moment > 0, "deny": [], "obligations": [sprintf("%d", [moment])]}\n'
    )
    decision = EmbeddedEngine(bundle(source)).evaluate(ALLOW)
    assert decision.allow and decision.obligations == ["1767225600000000000"]


def test_a_decision_past_its_deadline_is_a_deny_and_the_next_one_is_fine() -> None:
    engine = EmbeddedEngine(bundle(ON_DEMAND), limits=EngineLimits(deadline_s=2.0))
    stopped = engine.evaluate({**ALLOW, "spin": True})
    assert not stopped.allow and stopped.error == "the policy engine did not answer within 2 s"
    assert engine.evaluate(ALLOW).allow
    engine.close()


def test_a_decision_past_the_memory_bound_is_a_deny_and_the_next_one_is_fine(engine: Any) -> None:
    stopped = engine.evaluate({**ALLOW, "big": True})
    assert not stopped.allow
    assert stopped.error == "the policy engine ran out of its memory bound of 256 MiB"
    assert engine.evaluate({**ALLOW, "other": 1}).allow


def test_an_answer_past_its_size_bound_is_a_deny(engine: Any) -> None:
    stopped = engine.evaluate({**ALLOW, "many": True})
    assert not stopped.allow and stopped.error is not None
    assert "larger than the bound of 1048576 bytes" in stopped.error
    assert engine.evaluate({**ALLOW, "other": 2}).allow


def test_a_candidate_shares_one_deadline_across_its_evaluations() -> None:
    limits = EngineLimits(memory_mb=256, deadline_s=3.0)
    with candidate_engine(bundle(ON_DEMAND), limits=limits) as candidate:
        assert candidate.evaluate(ALLOW).allow
        with pytest.raises(CandidateStoppedError, match="deadline of 3 s"):
            candidate.evaluate({**ALLOW, "spin": True})
        with pytest.raises(CandidateStoppedError):
            candidate.evaluate(ALLOW)  # stopped for good: the question is over


def test_an_evaluation_error_of_a_candidate_is_a_deny_not_a_stop() -> None:
    source = HEAD + 'decision := {"allow": 1 / 0 == 1, "deny": [], "obligations": []}\n'
    with candidate_engine(bundle(source)) as candidate:
        decision = candidate.evaluate(ALLOW)
    assert not decision.allow and decision.error and "divide by zero" in decision.error
