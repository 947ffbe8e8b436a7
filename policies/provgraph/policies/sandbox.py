"""Candidate bundles (what-if, backtest) are untrusted code: each is evaluated in an engine
process of its own, with the capabilities list, under one deadline for the whole question
(loading the bundle and every evaluation it makes) and a memory bound; the process is killed
when the question is answered or a bound is reached. Nothing it computes stays in the server.

Unlike the active bundle's engine, which denies when it fails (fail closed), a candidate that
is stopped ends the question with CandidateStoppedError: a look-only answer built on a bundle
that did not finish would be no answer. An OPA evaluation error is still a deny, as it would be
in production.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from provgraph.policies.bundle import PolicyBundle, PolicyBundleError
from provgraph.policies.decision import Decision, decision_from_result, encoded_input, failed
from provgraph.policies.opa.process import (
    DECISION,
    EngineEvaluationError,
    EngineLimits,
    EngineProcess,
    EngineStoppedError,
)

CANDIDATE_LIMITS = EngineLimits(memory_mb=512, deadline_s=60.0)
"""For candidates `deadline_s` is the whole question's: loading and every evaluation."""


class CandidateStoppedError(PolicyBundleError):
    """The candidate bundle was stopped at its deadline or memory bound, or crashed."""


class CandidateEngine:
    name = "candidate"

    def __init__(self, process: EngineProcess, bundle: PolicyBundle, *, deadline: float) -> None:
        self._process = process
        self._bundle = bundle
        self._deadline = deadline

    @property
    def revision(self) -> str:
        return self._bundle.revision

    def evaluate(self, document: dict[str, Any]) -> Decision:
        try:
            body, digest = encoded_input(document)
        except (ValueError, TypeError) as exc:
            return failed(f"the input is not JSON: {exc}"[:500], self.revision, "", self.name)
        try:
            defined, result = self._process.evaluate(
                DECISION, body, deadline_s=_left(self._deadline, self._process.limits)
            )
        except EngineStoppedError as exc:
            raise _stopped(exc, self._process.limits) from None
        except EngineEvaluationError as exc:
            return failed(str(exc)[:500], self.revision, digest, self.name)
        if not defined:
            return failed("the decision is undefined", self.revision, digest, self.name)
        return decision_from_result(result, revision=self.revision, digest=digest, engine=self.name)

    def close(self) -> None:
        self._process.close()


@contextmanager
def candidate_engine(
    bundle: PolicyBundle, *, limits: EngineLimits = CANDIDATE_LIMITS
) -> Iterator[CandidateEngine]:
    """PolicyBundleError when the bundle is refused or does not compile, CandidateStoppedError
    (one) when it is stopped, loading it or later."""
    deadline = time.monotonic() + limits.deadline_s
    process = EngineProcess(limits=limits)
    try:
        try:
            process.load(bundle, deadline_s=_left(deadline, limits))
        except EngineStoppedError as exc:
            raise _stopped(exc, limits) from None
        yield CandidateEngine(process, bundle, deadline=deadline)
    finally:
        process.close()


def _left(deadline: float, limits: EngineLimits) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise _stopped(EngineStoppedError("deadline", "no time left"), limits)
    return left


def _stopped(exc: EngineStoppedError, limits: EngineLimits) -> CandidateStoppedError:
    if exc.reason == "deadline":
        return CandidateStoppedError(
            f"the candidate bundle did not finish within its deadline of {limits.deadline_s:g} s "
            "and was stopped"
        )
    return CandidateStoppedError(f"the candidate bundle was stopped: {exc}")
