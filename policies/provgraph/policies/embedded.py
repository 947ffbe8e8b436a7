"""The embedded engine: the real OPA (v1.20, Go) in this process, through
opa-golib-python-bindings. The bundle is compiled once; decisions are cached by input digest
and bundle revision, so a repeated question costs a dictionary lookup.

OPA's bridge is a Go c-shared library that uses the C allocator and its own Go heap, unlike
regopy (rego-cpp), whose shared library bundles snmalloc and exports the global C++
`operator new`/`delete`: loaded before LadybugDB, it made every write leak about half a MiB.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, replace
from typing import Any

from provgraph.policies.bundle import ENTRYPOINT, PolicyBundle, PolicyBundleError
from provgraph.policies.decision import Decision, decision_from_result, failed, input_digest

try:
    from opa_bindings import OpaEngine, OpaError, OpaUndefinedError
except ImportError as exc:  # pragma: no cover - the set-up step installs it
    raise ImportError(
        "the embedded policy engine needs opa-golib-python-bindings: "
        "pip install --ignore-requires-python --no-deps opa-golib-python-bindings==0.4.4"
    ) from exc

CACHE_SIZE = 10_000
"""Decisions kept (least recently used dropped first): ~2 KiB each, so at most ~20 MiB."""
DOCUMENT = ENTRYPOINT.replace("/", ".")
_LOCATED = re.compile(r"^\s*(?:\d+ errors? occurred:\s*)?([^\s:]+\.rego):(\d+)(?::(\d+))?: (.+)$")
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

    def __init__(self, bundle: PolicyBundle) -> None:
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, Decision] = OrderedDict()
        self._opa = _compile(bundle)
        self._bundle = bundle

    @property
    def revision(self) -> str:
        return self._bundle.revision

    @property
    def bundle(self) -> PolicyBundle:
        return self._bundle

    def load(self, bundle: PolicyBundle) -> None:
        """Switch to another bundle; a bundle that does not compile leaves the old one active."""
        opa = _compile(bundle)
        with self._lock:  # the old engine closes when its last evaluation drops it
            self._opa, self._bundle = opa, bundle
            self._cache.clear()

    def evaluate(self, document: dict[str, Any]) -> Decision:
        digest = input_digest(document)
        with self._lock:
            cached = self._cache.get(digest)
            if cached is not None:
                self._cache.move_to_end(digest)
                return replace(cached, cached=True)
            opa, revision = self._opa, self._bundle.revision
        try:
            result = opa.eval_document(DOCUMENT, document)
        except OpaUndefinedError:
            return failed("the decision is undefined", revision, digest, self.name)
        except (OpaError, ValueError, TypeError, RecursionError) as exc:
            return failed(str(exc)[:500], revision, digest, self.name)
        decision = decision_from_result(result, revision=revision, digest=digest, engine=self.name)
        with self._lock:
            if revision == self._bundle.revision:
                self._cache[digest] = decision
                while len(self._cache) > CACHE_SIZE:
                    self._cache.popitem(last=False)
        return decision

    def evaluate_raw(self, ref: str) -> Any:
        """The value of a document of the bundle, e.g. `data.provgraph.feature_use_test.cases`."""
        return self._opa.eval_document(ref.removeprefix("data."))

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
                    value = self._opa.eval_document(name)
                except OpaUndefinedError:
                    results.append(RegoTestResult(name, False, "undefined"))
                except OpaError as exc:
                    results.append(RegoTestResult(name, False, str(exc)))
                else:
                    results.append(RegoTestResult(name, value is True, None))
        return results


def _compile(bundle: PolicyBundle) -> Any:
    opa = OpaEngine()
    try:
        for name, source in {**bundle.modules, **bundle.tests}.items():
            opa.add_policy(name, source)
        opa.eval_document(DOCUMENT, {})  # prepares (compiles) the whole bundle
    except OpaUndefinedError:
        pass  # it compiles; an empty question may well have no decision
    except OpaError as exc:
        opa.close()
        raise PolicyBundleError(_describe(exc.message)) from exc
    return opa


def _describe(message: str) -> str:
    """OPA's errors as `file:line: what`, one per line, without its source excerpts."""
    located = []
    for line in message.splitlines():
        found = _LOCATED.match(line)
        if found:
            file, row, _, what = found.groups()
            located.append(f"{file}:{row}: {what}")
    if located:
        return "\n".join(located)
    return f"the policy bundle does not compile: {message.strip()[:500]}"
