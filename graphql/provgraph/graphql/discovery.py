"""Queries the feature discovery portal needs: the viewer, known purposes, and look-only
feature usability (what the active policies forbid for a purpose, with the reasons)."""

from __future__ import annotations

import asyncio
from typing import Annotated

import strawberry
from pydantic import ValidationError

from provgraph.catalog.access import Role
from provgraph.catalog.model import views
from provgraph.catalog.model.errors import InvalidUrnError, NodeNotFoundError, UnknownReferenceError
from provgraph.catalog.model.kinds import NodeKind
from provgraph.graphql.outcomes import invalid_input
from provgraph.graphql.resolve import CtxInfo
from provgraph.graphql.types.errors import ForbiddenError, InvalidInputError, NotFoundError
from provgraph.graphql.types.usability import (
    ClassifyInput,
    FeatureUsability,
    Viewer,
    WhatIfEntry,
    WhatIfResult,
)
from provgraph.policies.gate import FeatureUseGate, FeatureUseRequest
from provgraph.policies.what_if import what_if

MAX_USABILITY_FEATURES = 100
PURPOSE_SCAN = 1000
"""Model versions and deployments read to list purposes (the newest ones)."""


@strawberry.type(description="What the active policies say about features for a purpose and step.")
class FeatureUsabilityList:
    purpose: str
    action: str
    features: list[FeatureUsability]


FeatureUsabilityResult = Annotated[
    FeatureUsabilityList | NotFoundError | InvalidInputError,
    strawberry.union("FeatureUsabilityOutcome"),
]


WhatIfOutcome = Annotated[
    WhatIfResult | NotFoundError | InvalidInputError | ForbiddenError,
    strawberry.union("WhatIfOutcome"),
]


@strawberry.type
class DiscoveryQuery:
    @strawberry.field(description="Who the server takes the caller to be, and their role.")
    def viewer(self, info: CtxInfo) -> Viewer:
        actor = info.context.actor
        return Viewer(
            actor=actor, role=info.context.role.label, anonymous=actor.startswith("anonymous@")
        )

    @strawberry.field(
        description="Purposes named by model versions and deployments in the catalog, sorted."
    )
    def purposes(self, info: CtxInfo) -> list[str]:
        reader = info.context.catalog.reader

        def newest(kind: NodeKind) -> list[str]:
            total = reader.count(kind)
            return reader.list_urns(kind, offset=max(0, total - PURPOSE_SCAN), limit=PURPOSE_SCAN)

        versions = reader.views(newest(NodeKind.MODEL_VERSION), views.ModelVersion).values()
        deployments = reader.views(newest(NodeKind.DEPLOYMENT), views.Deployment).values()
        purposes = [v.purpose for v in versions] + [d.purpose for d in deployments]
        return sorted({p for p in purposes if p})

    @strawberry.field(
        description="For each feature, may it be used for this purpose at this step under the "
        "active policies? Look-only: nothing is recorded (the portal greys out what is denied). "
        f"At most {MAX_USABILITY_FEATURES} features."
    )
    async def feature_usability(
        self,
        info: CtxInfo,
        purpose: str,
        features: list[strawberry.ID],
        action: str = "train",
    ) -> FeatureUsabilityResult:
        if len(features) > MAX_USABILITY_FEATURES:
            return InvalidInputError(
                message=f"at most {MAX_USABILITY_FEATURES} features at a time", field="features"
            )
        gate: FeatureUseGate = info.context.gate
        actor = info.context.actor

        def assess() -> list[FeatureUsability]:
            answers = []
            for feature in dict.fromkeys(str(f) for f in features):
                request = FeatureUseRequest.model_validate(
                    {"action": action, "purpose": purpose, "features": [feature]}
                )
                decision = gate.assess_feature_use(request, actor=actor).decision
                answers.append(
                    FeatureUsability(
                        feature=strawberry.ID(feature),
                        allow=decision.allow,
                        deny=decision.deny,
                        obligations=decision.obligations,
                    )
                )
            return answers

        try:
            found = await asyncio.to_thread(assess)
        except ValidationError as exc:
            return invalid_input(exc)
        except UnknownReferenceError as exc:
            return NotFoundError(message=str(exc), urn=exc.urn)
        return FeatureUsabilityList(purpose=purpose, action=action, features=found)

    @strawberry.field(
        description="What if this column, dataset or feature were tagged: which model versions "
        "and live deployments would the active policies deny, for which new reasons? Look-only "
        "(nothing is recorded or changed); steward role."
    )
    async def what_if(self, info: CtxInfo, classify: ClassifyInput) -> WhatIfOutcome:
        if info.context.role < Role.STEWARD:
            return ForbiddenError(
                message=f"whatIf needs the steward role; {info.context.actor} has "
                f"{info.context.role.label}",
                required_role=Role.STEWARD.label,
            )
        context = info.context
        try:
            answer = await asyncio.to_thread(
                what_if,
                context.catalog,
                context.gate,
                tags=[(str(classify.urn), classify.tag)],
                actor=context.actor,
            )
        except (NodeNotFoundError, UnknownReferenceError) as exc:
            return NotFoundError(message=str(exc), urn=exc.urn)
        except InvalidUrnError as exc:
            return InvalidInputError(message=str(exc), field="classify.urn")
        except ValueError as exc:
            return InvalidInputError(message=str(exc), field="classify")
        [(urn, tag)] = answer.tags
        return WhatIfResult(
            urn=strawberry.ID(urn),
            tag=tag,
            affected_features=[strawberry.ID(f) for f in answer.affected_features],
            entries=[
                WhatIfEntry(
                    subject=strawberry.ID(e.subject),
                    action=e.action,
                    purpose=e.purpose,
                    allowed_now=e.allowed_now,
                    allowed_then=e.allowed_then,
                    new_reasons=e.new_reasons,
                    deny_then=e.deny_then,
                    newly_denied=e.newly_denied,
                )
                for e in answer.entries
            ],
        )
