"""POST /api/v1/policy/feature-use: the enforcement hook for callers that are not Python."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from provgraph.catalog.access import Principal, Role
from provgraph.catalog.model.answers import policy as answers
from provgraph.policies.bundle import PolicyBundle
from provgraph.policies.compliance import (
    BacktestChange,
    Baseline,
    ComplianceEntry,
    backtest,
    recheck,
)
from provgraph.policies.engine import PolicyEngine
from provgraph.policies.gate import FeatureUseDecision, FeatureUseGate, FeatureUseRequest
from provgraph.policies.sandbox import candidate_engine
from provgraph.policies.what_if import WhatIfAnswer, what_if
from provgraph.server.http.auth import requires

router = APIRouter(prefix="/api/v1/policy", tags=["policy"])


@router.post("/feature-use", response_model=answers.FeatureUseDecision)
async def feature_use(
    request: Request,
    body: FeatureUseRequest,
    caller: Annotated[Principal, Depends(requires(Role.PRODUCER))],
) -> answers.FeatureUseDecision:
    """Allowed and denied uses both answer 200 with the decision; bad questions get 4xx."""
    gate: FeatureUseGate = request.app.state.gate
    result = await run_in_threadpool(gate.check_feature_use, body, actor=caller.actor)
    return decision_out(result)


def decision_out(result: FeatureUseDecision) -> answers.FeatureUseDecision:
    """A recorded gate decision as the API answers it (the CLI's embedded target too)."""
    decision = result.decision
    return answers.FeatureUseDecision(
        allow=decision.allow,
        deny=decision.deny,
        obligations=decision.obligations,
        decision_urn=result.decision_urn,
        bundle_revision=decision.bundle_revision,
        input_digest=decision.input_digest,
        engine=decision.engine,
        error=decision.error,
        explanations=result.explanations,
        input=result.policy_input,
    )


@router.post("/recheck", response_model=list[answers.ComplianceEntry])
async def recheck_compliance(
    request: Request,
    caller: Annotated[Principal, Depends(requires(Role.STEWARD))],
    baseline_at: datetime | None = None,
    baseline_bundle_revision: Annotated[str | None, Query(max_length=200)] = None,
) -> list[answers.ComplianceEntry]:
    """Re-evaluate every model version and live deployment now and record the decisions
    (what `provgraph policy recheck` prints). "Newly non-compliant" is measured against the
    compliance report in force at `baseline_at`, the last one under
    `baseline_bundle_revision`, or by default the previous report."""
    gate: FeatureUseGate = request.app.state.gate
    baseline = Baseline(at=baseline_at, bundle_revision=baseline_bundle_revision)
    entries = await run_in_threadpool(
        recheck, request.app.state.catalog, gate, actor=caller.actor, baseline=baseline
    )
    return [compliance_out(e) for e in entries]


def compliance_out(entry: ComplianceEntry) -> answers.ComplianceEntry:
    """A re-checked subject as the API answers it (the CLI's embedded target too)."""
    return answers.ComplianceEntry(
        subject=entry.subject,
        action=entry.action,
        purpose=entry.purpose,
        allow=entry.allow,
        deny=entry.deny,
        previously_allowed=entry.previously_allowed,
        decision_urn=entry.decision,
        newly_non_compliant=entry.newly_non_compliant,
        baseline_decision_urn=entry.baseline_decision,
    )


class CandidateBundle(BaseModel):
    model_config = ConfigDict(extra="forbid")

    files: dict[Annotated[str, Field(pattern=r"^[\w.-]{1,200}\.rego$")], str] = Field(
        min_length=1, max_length=200
    )
    """File name -> Rego source."""


@router.post("/backtest", response_model=answers.Backtest)
async def backtest_bundle(
    request: Request,
    body: CandidateBundle,
    caller: Annotated[Principal, Depends(requires(Role.STEWARD))],
) -> answers.Backtest:
    """Replay every recorded decision under a candidate bundle; records nothing. The bundle is
    evaluated in a process of its own under the engine's capabilities, a deadline and a memory
    bound: a bundle that does not compile or calls a refused built-in is a 422 naming file and
    line, one stopped at a bound is a 422 saying which (`CandidateStoppedError`)."""

    def run() -> tuple[int, list[BacktestChange]]:
        with candidate_engine(
            PolicyBundle.of(body.files, origin="the candidate bundle"),
            limits=request.app.state.candidate_limits,
        ) as engine:
            return backtest(request.app.state.catalog, engine)

    replayed, changes = await run_in_threadpool(run)
    return backtest_out(replayed, changes)


def backtest_out(replayed: int, changes: list[BacktestChange]) -> answers.Backtest:
    """A backtest as the API answers it (the CLI's embedded target too)."""
    return answers.Backtest(
        replayed=replayed,
        changes=[
            answers.BacktestChange(
                decision_urn=c.decision,
                action=c.action,
                purpose=c.purpose,
                was_allowed=c.was_allowed,
                would_allow=c.would_allow,
                would_deny=c.would_deny,
            )
            for c in changes
        ],
    )


class HypotheticalTag(BaseModel):
    model_config = ConfigDict(extra="forbid")

    urn: Annotated[str, Field(min_length=1, max_length=4096)]
    """A column (versioned or not), dataset or feature."""
    tag: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_.:\-]{0,199}$")]


class WhatIfIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tags: list[HypotheticalTag] = Field(default_factory=list, max_length=100)
    bundle: CandidateBundle | None = None
    """A candidate bundle to decide with instead of the active one."""


class WhatIfEntryOut(BaseModel):
    subject: str
    action: str
    purpose: str
    allowed_now: bool
    allowed_then: bool
    new_reasons: list[str]
    deny_then: list[str]
    newly_denied: bool


class WhatIfOut(BaseModel):
    """The one what-if answer (GraphQL `whatIf` answers the same): the subjects the
    hypothetical would decide differently."""

    tags: list[HypotheticalTag]
    affected_features: list[str]
    entries: list[WhatIfEntryOut]


@router.post("/what-if", response_model=WhatIfOut)
async def what_if_compliance(
    request: Request,
    body: WhatIfIn,
    caller: Annotated[Principal, Depends(requires(Role.STEWARD))],
) -> WhatIfOut:
    """Which model versions and live deployments would be decided differently, and why, if
    these columns were tagged and/or this candidate bundle were active. Look-only: records
    nothing. A candidate bundle is evaluated as in the backtest (its own process, bounds,
    422s)."""
    gate: FeatureUseGate = request.app.state.gate

    def run() -> WhatIfAnswer:
        def answer(engine: PolicyEngine | None) -> WhatIfAnswer:
            return what_if(
                request.app.state.catalog,
                gate,
                actor=caller.actor,
                tags=[(t.urn, t.tag) for t in body.tags],
                candidate=engine,
            )

        if body.bundle is None:
            return answer(None)
        with candidate_engine(
            PolicyBundle.of(body.bundle.files, origin="the candidate bundle"),
            limits=request.app.state.candidate_limits,
        ) as engine:
            return answer(engine)

    found = await run_in_threadpool(run)
    return WhatIfOut(
        tags=[HypotheticalTag(urn=urn, tag=tag) for urn, tag in found.tags],
        affected_features=found.affected_features,
        entries=[
            WhatIfEntryOut(
                subject=e.subject,
                action=e.action,
                purpose=e.purpose,
                allowed_now=e.allowed_now,
                allowed_then=e.allowed_then,
                new_reasons=e.new_reasons,
                deny_then=e.deny_then,
                newly_denied=e.newly_denied,
            )
            for e in found.entries
        ],
    )
