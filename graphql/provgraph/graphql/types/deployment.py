"""Deployment: an endpoint serving a model version, with its serving history."""

from __future__ import annotations

from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, Annotated

import strawberry

from provgraph.catalog.model import views
from provgraph.catalog.model.kinds import EdgeKind
from provgraph.catalog.model.production import in_production
from provgraph.catalog.model.timeutil import from_micros
from provgraph.graphql.relations import DECIDED_ON, decided_on
from provgraph.graphql.resolve import CtxInfo, neighbours, wrap, wrap_all
from provgraph.graphql.types.curated import Owned

if TYPE_CHECKING:
    from provgraph.graphql.types.model_version import ModelVersion
    from provgraph.graphql.types.policy_decision import PolicyDecision

_ModelVersion = Annotated["ModelVersion", strawberry.lazy("provgraph.graphql.types.model_version")]


@strawberry.type(description="A period during which a deployment served one model version.")
class ServingPeriod:
    model_version: strawberry.ID
    valid_from: datetime
    valid_to: datetime | None


_Decision = Annotated["PolicyDecision", strawberry.lazy("provgraph.graphql.types.policy_decision")]


@strawberry.type
class Deployment(Owned):
    @cached_property
    def stored(self) -> views.Deployment:
        return views.Deployment.of(self.record)

    @strawberry.field
    def environment(self) -> str:
        return self.stored.environment

    @strawberry.field
    def name(self) -> str:
        return self.stored.name

    @strawberry.field(description="active or retired.")
    def status(self) -> str:
        return self.stored.status

    @strawberry.field(
        description="Active in a production environment: the catalog's one rule (environment "
        "production or prod, or starting with production- or prod-), the one the policy gate and "
        "search apply."
    )
    def in_production(self) -> bool:
        return in_production(self.stored)

    @strawberry.field
    def endpoint(self) -> str | None:
        return self.stored.endpoint

    @strawberry.field
    def purpose(self) -> str | None:
        return self.stored.purpose

    @strawberry.field(description="The model version served at a moment (default now).")
    async def served_version(
        self, info: CtxInfo, as_of: datetime | None = None
    ) -> _ModelVersion | None:
        found = await neighbours(info, self.record.urn, EdgeKind.SERVES, outgoing=True, as_of=as_of)
        return wrap(found[0]) if found else None  # type: ignore[return-value]

    @strawberry.field(description="Which version it served when, oldest first.")
    def history(self, info: CtxInfo) -> list[ServingPeriod]:
        periods = info.context.catalog.reader.history(
            self.record.urn, EdgeKind.SERVES, outgoing=True
        )
        return [
            ServingPeriod(
                model_version=strawberry.ID(e.dst),
                valid_from=from_micros(e.valid_from) or datetime.min,
                valid_to=from_micros(e.valid_to),
            )
            for e in periods
        ]

    @strawberry.field(
        metadata=DECIDED_ON.metadata(),
        description="Policy decisions recorded about this node, oldest first.",
    )
    async def decisions(self, info: CtxInfo) -> list[_Decision]:
        return wrap_all(await decided_on(info, self.record.urn))
