"""The policy gate in GraphQL. Both record decisions, so both are mutations: a query (and so a
GET) never writes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry
from pydantic import ValidationError

from provgraph.catalog.access import Role
from provgraph.catalog.model.errors import UnknownReferenceError
from provgraph.graphql.outcomes import invalid_input
from provgraph.graphql.resolve import CtxInfo
from provgraph.graphql.types.classification_trace import ClassificationTrace
from provgraph.graphql.types.errors import ForbiddenError, InvalidInputError, NotFoundError
from provgraph.graphql.types.feature_use import (
    ComplianceEntry,
    FeatureExplanation,
    FeatureUseInput,
    FeatureUseResult,
)
from provgraph.policies.compliance import Baseline, recheck
from provgraph.policies.gate import FeatureUseGate, FeatureUseRequest

FeatureUseOutcome = Annotated[
    FeatureUseResult | NotFoundError | InvalidInputError | ForbiddenError,
    strawberry.union("FeatureUseOutcome"),
]


def feature_use(info: CtxInfo, input: FeatureUseInput) -> FeatureUseOutcome:
    """May a model use these features for this purpose? The decision is recorded as
    provenance; denials come with reasons and classification explanations."""
    gate: FeatureUseGate = info.context.gate
    if info.context.role < Role.PRODUCER:
        return ForbiddenError(
            message=f"feature-use checks need the producer role; {info.context.actor} has "
            f"{info.context.role.label}",
            required_role=Role.PRODUCER.label,
        )
    try:
        request = FeatureUseRequest.model_validate(
            {
                "action": input.action,
                "purpose": input.purpose,
                "features": [str(f) for f in input.features],
                "model_version": input.model_version,
                "deployment": input.deployment,
                "environment": input.environment,
            }
        )
        result = gate.check_feature_use(request, actor=info.context.actor)
    except ValidationError as exc:
        return invalid_input(exc)
    except UnknownReferenceError as exc:
        return NotFoundError(message=str(exc), urn=exc.urn)
    return FeatureUseResult(
        allow=result.allow,
        deny=result.decision.deny,
        obligations=result.decision.obligations,
        bundle_revision=result.decision.bundle_revision,
        decision_urn=strawberry.ID(result.decision_urn),
        explanations=[
            FeatureExplanation(
                feature=strawberry.ID(feature),
                classifications=[ClassificationTrace.of(t) for t in traces],
            )
            for feature, traces in result.explanations.items()
        ],
    )


def compliance_report(
    info: CtxInfo,
    baseline_at: datetime | None = None,
    baseline_bundle_revision: str | None = None,
) -> list[ComplianceEntry]:
    """Re-evaluate every model version and live deployment under the active policies and the
    catalog as it is now (decisions are recorded); newly non-compliant ones were allowed at
    the baseline: the report in force at `baselineAt`, the last one under
    `baselineBundleRevision`, or by default the previous report."""
    if info.context.role < Role.STEWARD:
        raise PermissionError(
            f"complianceReport needs the steward role; {info.context.actor} has "
            f"{info.context.role.label}"
        )
    baseline = Baseline(at=baseline_at, bundle_revision=baseline_bundle_revision)
    entries = recheck(
        info.context.catalog, info.context.gate, actor=info.context.actor, baseline=baseline
    )
    return [
        ComplianceEntry(
            subject=strawberry.ID(e.subject),
            action=e.action,
            purpose=e.purpose,
            allow=e.allow,
            deny=e.deny,
            previously_allowed=e.previously_allowed,
            newly_non_compliant=e.newly_non_compliant,
            decision_urn=strawberry.ID(e.decision),
            baseline_decision_urn=(
                strawberry.ID(e.baseline_decision) if e.baseline_decision else None
            ),
        )
        for e in entries
    ]
