"""The feature-use enforcement hook in GraphQL: the decision, its reasons and explanations."""

from __future__ import annotations

import strawberry

from provgraph.graphql.resolve import CtxInfo, record, wrap
from provgraph.graphql.types.classification_trace import ClassificationTrace
from provgraph.graphql.types.node import Node


@strawberry.input
class FeatureUseInput:
    action: str = strawberry.field(description="train, deploy, serve or materialize")
    purpose: str
    features: list[strawberry.ID] = strawberry.field(default_factory=list)
    model_version: strawberry.ID | None = None
    deployment: strawberry.ID | None = None
    environment: str | None = None


@strawberry.type
class FeatureExplanation:
    feature: strawberry.ID
    classifications: list[ClassificationTrace]


@strawberry.type(description="A recorded policy decision on a use of features.")
class FeatureUseResult:
    allow: bool
    deny: list[str]
    obligations: list[str]
    bundle_revision: str
    decision_urn: strawberry.ID
    explanations: list[FeatureExplanation]

    @strawberry.field(description="The recorded PolicyDecision node.")
    async def decision(self, info: CtxInfo) -> Node | None:
        found = await record(info, str(self.decision_urn))
        return wrap(found) if found else None


@strawberry.type(
    description="One model version (may it train for its purpose?) or live deployment."
)
class ComplianceEntry:
    subject: strawberry.ID
    action: str
    purpose: str
    allow: bool
    deny: list[str]
    previously_allowed: bool | None
    newly_non_compliant: bool
    decision_urn: strawberry.ID
    baseline_decision_urn: strawberry.ID | None = strawberry.field(
        default=None, description="The baseline report's decision about this subject, if any."
    )
