"""The serving hook for FastAPI model servers: a dependency that lets a request through only
under a fresh `serve` allow, honours the policy's obligations, and records predictions.

    guard = ServingGuard(deployment="fraud-detector", environment="production",
                         purpose="fraud_detection")
    app = FastAPI(lifespan=guard.lifespan)

    @app.post("/predict")
    def predict(body: Rows, use: Annotated[Use, Depends(guard)]) -> ...: ...
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException

from provgraph.catalog.model.kinds import NodeKind
from provgraph.catalog.model.urn import Urn
from provgraph.client import Client
from provgraph.integrations.serving.decisions import CachedDecision, DecisionCache
from provgraph.integrations.serving.recorder import PredictionRecorder
from provgraph.integrations.spool import MAX_BYTES, MAX_EVENTS

LOG_EVERY_PREDICTION = "log every prediction"
"""An obligation starting with this makes every prediction recorded, not a sample."""


@dataclass(frozen=True)
class Use:
    """What a request may rely on: the decision it was let through under."""

    decision: CachedDecision

    @property
    def model_version(self) -> str | None:
        return self.decision.model_version


class ServingGuard:
    def __init__(
        self,
        *,
        deployment: str,
        environment: str,
        purpose: str,
        sample: float = 0.01,
        refresh_every: float = 30.0,
        poll_every: float = 2.0,
        max_age: float = 120.0,
        flush_every: float = 10.0,
        outbox_dir: str | Path | None = None,
        outbox_events: int = MAX_EVENTS,
        outbox_bytes: int = MAX_BYTES,
        url: str | None = None,
        token: str | None = None,
        client: Client | None = None,
    ) -> None:
        self.client = client or Client(url=url, token=token)
        self.deployment = str(Urn(NodeKind.DEPLOYMENT, deployment, environment))
        self.decisions = DecisionCache(
            self.client,
            self.deployment,
            purpose,
            environment,
            refresh_every=refresh_every,
            poll_every=poll_every,
            max_age=max_age,
        )
        self.recorder = PredictionRecorder(
            self.client,
            self.deployment,
            ("provgraph.serving", f"predict.{environment}.{deployment}"),
            sample=sample,
            flush_every=flush_every,
            outbox_dir=outbox_dir,
            outbox_events=outbox_events,
            outbox_bytes=outbox_bytes,
        )

    def start(self) -> None:
        self.decisions.start()
        self.recorder.start()

    def stop(self) -> None:
        self.decisions.stop()
        self.recorder.stop()

    @asynccontextmanager
    async def lifespan(self, app: FastAPI) -> AsyncIterator[None]:
        self.start()
        try:
            yield
        finally:
            self.stop()

    async def __call__(self) -> AsyncIterator[Use]:
        started = time.perf_counter()
        decision = self.decisions.current()
        log_all = any(o.startswith(LOG_EVERY_PREDICTION) for o in decision.obligations)
        self.recorder.model_version = decision.model_version
        self.recorder.feature_versions = decision.feature_versions
        if not decision.allow:
            self._record(started, decision, 403, required=False)
            raise HTTPException(
                403,
                {
                    "error": "ServingDenied",
                    "detail": "; ".join(decision.reasons) or "denied",
                    "decision": decision.decision,
                },
            )
        if log_all and not self.recorder.admit():
            # the obligation could not be honoured: fail closed rather than serve unlogged
            raise HTTPException(
                503,
                {
                    "error": "AuditLogUnavailable",
                    "detail": "every prediction must be logged, and the prediction outbox "
                    "is full or cannot be written; retry once the catalog takes its records",
                    "decision": decision.decision,
                },
                headers={"Retry-After": "5"},
            )
        status = 200
        try:
            yield Use(decision)
        except Exception:
            status = 500
            raise
        finally:
            self._record(started, decision, status, required=log_all)

    def _record(
        self, started: float, decision: CachedDecision, status: int, *, required: bool
    ) -> None:
        self.recorder.record(
            latency_ms=(time.perf_counter() - started) * 1000.0,
            allowed=decision.allow,
            decision=decision.decision,
            status=status,
            keep=not decision.allow,
            required=required,
        )


def describe(use: Use) -> dict[str, Any]:
    return {"model_version": use.model_version, "decision": use.decision.decision}
