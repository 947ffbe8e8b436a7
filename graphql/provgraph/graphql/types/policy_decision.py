"""PolicyDecision: a recorded answer to "may this model use these features for this purpose?"."""

from __future__ import annotations

import strawberry

from provgraph.catalog.model.kinds import EdgeKind
from provgraph.graphql.resolve import CtxInfo, neighbours, wrap_all
from provgraph.graphql.types.node import Node


@strawberry.type
class PolicyDecision(Node):
    @strawberry.field
    def allow(self) -> bool:
        return bool(self.prop("allow"))

    @strawberry.field
    def action(self) -> str:
        return str(self.prop("action"))

    @strawberry.field
    def purpose(self) -> str:
        return str(self.prop("purpose"))

    @strawberry.field(description="Who asked (the authenticated actor).")
    def principal(self) -> str:
        return str(self.prop("principal"))

    @strawberry.field
    def deny(self) -> list[str]:
        return [str(r) for r in self.prop("deny") or []]

    @strawberry.field
    def obligations(self) -> list[str]:
        return [str(o) for o in self.prop("obligations") or []]

    @strawberry.field
    def bundle_revision(self) -> str:
        return str(self.prop("bundle_revision"))

    @strawberry.field
    def input_digest(self) -> str:
        return str(self.prop("input_digest"))

    @strawberry.field
    def engine(self) -> str:
        return str(self.prop("engine"))

    @strawberry.field(description="Set when the engine failed and the decision denied by default.")
    def error(self) -> str | None:
        return self.text("error")

    @strawberry.field(description="The model version, deployment, run and features decided on.")
    async def subjects(self, info: CtxInfo) -> list[Node]:
        return wrap_all(await neighbours(info, self.record.urn, EdgeKind.DECIDED, outgoing=True))
