"""PolicyDecision: a recorded answer to "may this model use these features for this purpose?"."""

from __future__ import annotations

from functools import cached_property

import strawberry

from provgraph.catalog.model import views
from provgraph.graphql.relations import SUBJECTS
from provgraph.graphql.resolve import CtxInfo
from provgraph.graphql.types.node import Node


@strawberry.type
class PolicyDecision(Node):
    @cached_property
    def stored(self) -> views.PolicyDecision:
        return views.PolicyDecision.of(self.record)

    @strawberry.field
    def allow(self) -> bool:
        return self.stored.allow

    @strawberry.field
    def action(self) -> str:
        return self.stored.action

    @strawberry.field
    def purpose(self) -> str:
        return self.stored.purpose

    @strawberry.field(description="Who asked (the authenticated actor).")
    def principal(self) -> str:
        return self.stored.principal

    @strawberry.field
    def deny(self) -> list[str]:
        return list(self.stored.deny)

    @strawberry.field
    def obligations(self) -> list[str]:
        return list(self.stored.obligations)

    @strawberry.field
    def bundle_revision(self) -> str:
        return self.stored.bundle_revision

    @strawberry.field
    def input_digest(self) -> str:
        return self.stored.input_digest

    @strawberry.field
    def engine(self) -> str:
        return self.stored.engine

    @strawberry.field(description="Set when the engine failed and the decision denied by default.")
    def error(self) -> str | None:
        return self.stored.error

    @strawberry.field(
        metadata=SUBJECTS.metadata(),
        description="The model version, deployment, run and features decided on.",
    )
    async def subjects(self, info: CtxInfo) -> list[Node]:
        return await SUBJECTS.nodes(info, self.record.urn)
