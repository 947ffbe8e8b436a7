"""POST /api/v1/policy/feature-use: the enforcement hook for callers that are not Python."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel

from provgraph.catalog.access import Principal, Role
from provgraph.policies.gate import FeatureUseGate, FeatureUseRequest
from provgraph.server.http.auth import requires

router = APIRouter(prefix="/api/v1/policy", tags=["policy"])


class TraceOut(BaseModel):
    tag: str
    source: str
    inherited: bool
    path: list[str]


class DecisionOut(BaseModel):
    allow: bool
    deny: list[str]
    obligations: list[str]
    decision: str
    """URN of the recorded PolicyDecision."""
    bundle_revision: str
    input_digest: str
    engine: str
    error: str | None
    explanations: dict[str, list[TraceOut]]
    input: dict[str, Any]


@router.post("/feature-use", response_model=DecisionOut)
async def feature_use(
    request: Request,
    body: FeatureUseRequest,
    caller: Annotated[Principal, Depends(requires(Role.PRODUCER))],
) -> DecisionOut:
    """Allowed and denied uses both answer 200 with the decision; bad questions get 4xx."""
    gate: FeatureUseGate = request.app.state.gate
    result = await run_in_threadpool(gate.check_feature_use, body, actor=caller.actor)
    decision = result.decision
    return DecisionOut(
        allow=decision.allow,
        deny=decision.deny,
        obligations=decision.obligations,
        decision=result.decision_urn,
        bundle_revision=decision.bundle_revision,
        input_digest=decision.input_digest,
        engine=decision.engine,
        error=decision.error,
        explanations={
            feature: [
                TraceOut(tag=t.tag, source=t.source, inherited=t.inherited, path=t.path)
                for t in traces
            ]
            for feature, traces in result.explanations.items()
        },
        input=result.policy_input,
    )
