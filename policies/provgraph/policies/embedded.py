"""The embedded engine: the real OPA (v1.20, Go), which the wheel carries, in an engine process
of its own (opa/process.py) that evaluates the bundle with the capabilities list
(opa/capabilities.py), a deadline per decision and a memory bound. The bundle is compiled once;
decisions are cached here by input digest and bundle revision, so a repeated question costs a
dictionary lookup and never leaves the server.

A decision the process does not give in time, or that stops it (out of memory, a crash), is a
deny that says why (fail closed); the next question starts a fresh process with the bundle.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, replace
from typing import Any

from provgraph.policies.bundle import PolicyBundle, PolicyBundleError
from provgraph.policies.decision import Decision, decision_from_result, encoded_input, failed
from provgraph.policies.opa.process import (
    DECISION,
    EngineEvaluationError,
    EngineLimits,
    EngineProcess,
)

CACHE_SIZE = 10_000
"""Decisions kept (least recently used dropped first): ~2 KiB each, so at most ~20 MiB."""
_TEST_RULE = re.compile(r"^(test_\w+)\b", re.MULTILINE)
_PACKAGE = re.compile(r"^package\s+([\w.]+)", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class RegoTestResult:
    """One OPA-style `test_` rule of the bundle's *_test.rego files, as `opa test` runs it."""

    name: str
    """`package.rule`, e.g. `provgraph.deny_by_default_test.test_an_empty_question_is_denied`."""
    passed: bool
    error: str | None = None


class EmbeddedEngine:
    name = "embedded"

    def __init__(self, bundle: PolicyBundle, *, limits: EngineLimits | None = None) -> None:
        self._limits = limits or EngineLimits()
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, Decision] = OrderedDict()
        self._process = EngineProcess.loaded(bundle, limits=self._limits)
        self._bundle = bundle

    @property
    def revision(self) -> str:
        return self._bundle.revision

    @property
    def bundle(self) -> PolicyBundle:
        return self._bundle

    def load(self, bundle: PolicyBundle) -> None:
        """Switch to another bundle; a bundle that does not load leaves the old one active."""
        process = EngineProcess.loaded(bundle, limits=self._limits)
        with self._lock:
            old, self._process, self._bundle = self._process, process, bundle
            self._cache.clear()
        old.close()

    def close(self) -> None:
        self._process.close()

    def evaluate(self, document: dict[str, Any]) -> Decision:
        try:
            body, digest = encoded_input(document)
        except (ValueError, TypeError) as exc:
            return failed(f"the input is not JSON: {exc}"[:500], self.revision, "", self.name)
        with self._lock:
            cached = self._cache.get(digest)
            if cached is not None:
                self._cache.move_to_end(digest)
                return replace(cached, cached=True)
            revision = self._bundle.revision
        try:
            defined, result = self._running().evaluate(DECISION, body)
        except (EngineEvaluationError, PolicyBundleError) as exc:
            return failed(str(exc)[:500], revision, digest, self.name)
        if not defined:
            return failed("the decision is undefined", revision, digest, self.name)
        decision = decision_from_result(result, revision=revision, digest=digest, engine=self.name)
        with self._lock:
            if revision == self._bundle.revision:
                self._cache[digest] = decision
                while len(self._cache) > CACHE_SIZE:
                    self._cache.popitem(last=False)
        return decision

    def evaluate_raw(self, ref: str) -> Any:
        """The value of a document of the bundle, e.g. `data.provgraph.feature_use_test.cases`;
        EngineEvaluationError when it is undefined or cannot be evaluated."""
        defined, value = self._running().evaluate(ref.removeprefix("data."), b"")
        if not defined:
            raise EngineEvaluationError(f"{ref} is undefined")
        return value

    def run_tests(self) -> list[RegoTestResult]:
        """Run every `test_` rule of the bundle's *_test.rego files, as `opa test` does: a rule
        passes when it is true; false, undefined or an evaluation error is a failure."""
        results = []
        for source in self._bundle.tests.values():
            package = _PACKAGE.search(source)
            if package is None:
                continue
            for rule in dict.fromkeys(_TEST_RULE.findall(source)):
                name = f"{package.group(1)}.{rule}"
                try:
                    defined, value = self._running().evaluate(name, b"")
                except (EngineEvaluationError, PolicyBundleError) as exc:
                    results.append(RegoTestResult(name, False, str(exc)))
                else:
                    error = None if defined else "undefined"
                    results.append(RegoTestResult(name, defined and value is True, error))
        return results

    def _running(self) -> EngineProcess:
        """The engine process, started again with the bundle if the last one was stopped."""
        with self._lock:
            if not self._process.alive:
                self._process = EngineProcess.loaded(self._bundle, limits=self._limits)
            return self._process
