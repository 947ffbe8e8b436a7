"""A serve decision kept fresh off the request path; requests read it without waiting.

A refresher thread asks the gate (`serve`, recorded as provenance) when the catalog changed
(its applied sequence moved: a classification, a status, a new version, a redeploy) and at
least every `refresh_every` seconds. Requests read the newest answer: an allow younger than
`max_age` lets them through, anything else is a deny — fail closed when no fresh decision
can be had (catalog down for longer than `max_age`, or never reached).
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field

from pydantic import ValidationError

from provgraph.client import Client, ProvgraphError
from provgraph.policies.input import PolicyInput

log = logging.getLogger("provgraph.serving")


@dataclass(frozen=True)
class CachedDecision:
    allow: bool
    reasons: list[str]
    obligations: list[str]
    decision: str | None
    fetched_at: float
    """time.monotonic() when the gate answered."""
    catalog_seq: int | None = None
    model_version: str | None = None
    """The version the deployment served when the gate decided."""
    feature_versions: tuple[str, ...] = ()
    """The feature versions the decision was about (the model's training set)."""

    def fresh(self, max_age: float, now: float | None = None) -> bool:
        return ((now if now is not None else time.monotonic()) - self.fetched_at) <= max_age


_NONE = CachedDecision(False, ["no serve decision yet"], [], None, float("-inf"))


@dataclass
class DecisionCache:
    client: Client
    deployment: str
    purpose: str
    environment: str | None = None
    refresh_every: float = 30.0
    poll_every: float = 2.0
    max_age: float = 120.0
    _current: CachedDecision = field(default=_NONE, init=False)
    _stop: threading.Event = field(default_factory=threading.Event, init=False)
    _thread: threading.Thread | None = field(default=None, init=False)
    refreshes: int = field(default=0, init=False)
    failures: int = field(default=0, init=False)

    def current(self) -> CachedDecision:
        """The decision a request acts on: the cached one if fresh, else a deny."""
        decision = self._current
        if decision.fresh(self.max_age):
            return decision
        return CachedDecision(
            False,
            ["no fresh serve decision (catalog unreachable?): failing closed"],
            [],
            decision.decision,
            decision.fetched_at,
            decision.catalog_seq,
            decision.model_version,
            decision.feature_versions,
        )

    def refresh(self) -> CachedDecision:
        """Ask the gate now (blocking); keeps the previous answer when the catalog fails."""
        seq = self._catalog_seq()
        try:
            answer = self.client.check_feature_use(
                action="serve",
                purpose=self.purpose,
                deployment=self.deployment,
                environment=self.environment,
            )
        except ProvgraphError as exc:
            self.failures += 1
            log.warning("serve decision for %s not refreshed: %s", self.deployment, exc)
            return self._current
        self.refreshes += 1
        try:  # the gate's input, read through the one typed model the bundle reads too
            facts = PolicyInput.model_validate(answer.input)
        except ValidationError as exc:
            self.failures += 1
            log.warning(
                "serve decision for %s has an input not understood: %s", self.deployment, exc
            )
            self._current = CachedDecision(
                False,
                ["the policy input is not the one this integration reads: failing closed"],
                [],
                answer.decision_urn,
                time.monotonic(),
                seq,
            )
            return self._current
        self._current = CachedDecision(
            allow=answer.allow,
            reasons=list(answer.deny),
            obligations=list(answer.obligations),
            decision=answer.decision_urn,
            fetched_at=time.monotonic(),
            catalog_seq=seq,
            model_version=facts.model.urn if facts.model else None,
            feature_versions=tuple(sorted({f.version or f.urn for f in facts.features})),
        )
        return self._current

    def start(self) -> None:
        if self._thread is not None:
            return
        self.refresh()
        self._stop.clear()
        self._thread = threading.Thread(
            target=self._run, name="provgraph-serve-decisions", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.wait(self.poll_every):
            current = self._current
            age = time.monotonic() - current.fetched_at
            seq = self._catalog_seq()
            changed = seq is not None and seq != current.catalog_seq
            if changed or age >= self.refresh_every:
                self.refresh()

    def _catalog_seq(self) -> int | None:
        try:
            return self.client.ready().applied_seq
        except ProvgraphError:
            return None
