"""The embedded engine: regopy (rego-cpp). The bundle is compiled once; decisions are cached by
input digest and bundle revision, so a repeated question costs a dictionary lookup."""

from __future__ import annotations

import json
import re
import threading
from collections import OrderedDict
from dataclasses import replace
from typing import Any

from regopy import Input, Interpreter, RegoError

from provgraph.policies.bundle import ENTRYPOINT, PolicyBundle, PolicyBundleError
from provgraph.policies.decision import Decision, decision_from_result, failed, input_digest

CACHE_SIZE = 50_000
_LOCATION = re.compile(r"\(error \d+:([^|\s]+)\|(\d+)\|")
"""rego-cpp errors name the file and the byte offset of the offending code."""


class EmbeddedEngine:
    name = "embedded"

    def __init__(self, bundle: PolicyBundle) -> None:
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, Decision] = OrderedDict()
        self._interpreter, self._compiled = _compile(bundle)
        self._bundle = bundle

    @property
    def revision(self) -> str:
        return self._bundle.revision

    @property
    def bundle(self) -> PolicyBundle:
        return self._bundle

    def load(self, bundle: PolicyBundle) -> None:
        """Switch to another bundle; a bundle that does not compile leaves the old one active."""
        interpreter, compiled = _compile(bundle)
        with self._lock:
            self._interpreter, self._compiled, self._bundle = interpreter, compiled, bundle
            self._cache.clear()

    def evaluate(self, document: dict[str, Any]) -> Decision:
        digest = input_digest(document)
        with self._lock:
            cached = self._cache.get(digest)
            if cached is not None:
                self._cache.move_to_end(digest)
                return replace(cached, cached=True)
            try:
                self._interpreter.set_input(Input(document))
                output = self._interpreter.query_bundle_entrypoint(self._compiled, ENTRYPOINT)
                result = _first_expression(str(output))
            except (RegoError, ValueError, TypeError) as exc:
                return failed(str(exc)[:500], self.revision, digest, self.name)
            decision = decision_from_result(
                result, revision=self.revision, digest=digest, engine=self.name
            )
            self._cache[digest] = decision
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
            return decision

    def evaluate_raw(self, query: str) -> Any:
        """Evaluate a query against the bundle's data (test cases, debugging)."""
        with self._lock:
            return _first_expression(str(self._interpreter.query(query)))


def _compile(bundle: PolicyBundle) -> tuple[Interpreter, Any]:
    interpreter = Interpreter()
    try:
        for name, source in bundle.modules.items():
            interpreter.add_module(name, source)
        for name, source in bundle.tests.items():
            interpreter.add_module(name, source)
        compiled = interpreter.build(None, [ENTRYPOINT])
    except RegoError as exc:
        sources = {**bundle.modules, **bundle.tests}
        raise PolicyBundleError(_describe(exc, sources)) from exc
    return interpreter, compiled


def _describe(exc: RegoError, sources: dict[str, str]) -> str:
    text = str(exc)
    message = re.search(r"errormsg \d+:([^)]*)\)", text)
    what = message.group(1) if message else text.splitlines()[0]
    found = _LOCATION.search(text)
    if found and found.group(1) in sources:
        before = sources[found.group(1)].encode()[: int(found.group(2))].decode(errors="ignore")
        line = before.count("\n") + 1
        column = len(before) - (before.rfind("\n") + 1) + 1
        return f"{found.group(1)}:{line}:{column}: {what}"
    return f"the policy bundle does not compile: {what}"


def _first_expression(text: str) -> Any:
    parsed = json.loads(text)
    expressions = parsed.get("expressions") if isinstance(parsed, dict) else None
    if not expressions:
        raise ValueError(f"no result from the policy: {text[:200]}")
    return expressions[0]
