"""Run: one execution of a job, with what it read and wrote."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Annotated

import strawberry

from provgraph.catalog.model import views
from provgraph.catalog.model.kinds import EdgeKind
from provgraph.graphql.relations import DECIDED_ON, INPUTS, OUTPUTS, PRODUCED_MODELS, decided_on
from provgraph.graphql.resolve import CtxInfo, neighbours, wrap, wrap_all
from provgraph.graphql.scalars import JSON
from provgraph.graphql.types.node import Node

if TYPE_CHECKING:
    from provgraph.graphql.types.dataset_version import DatasetVersion
    from provgraph.graphql.types.job import Job
    from provgraph.graphql.types.model_version import ModelVersion
    from provgraph.graphql.types.policy_decision import PolicyDecision

_Version = Annotated["DatasetVersion", strawberry.lazy("provgraph.graphql.types.dataset_version")]
_Job = Annotated["Job", strawberry.lazy("provgraph.graphql.types.job")]
_ModelVersion = Annotated["ModelVersion", strawberry.lazy("provgraph.graphql.types.model_version")]

_Decision = Annotated["PolicyDecision", strawberry.lazy("provgraph.graphql.types.policy_decision")]


@strawberry.type
class Run(Node):
    @cached_property
    def stored(self) -> views.Run:
        return views.Run.of(self.record)

    @strawberry.field(description="The catalog's UUID of the run.")
    def run_id(self) -> str:
        return self.stored.run_id

    @strawberry.field(
        description="The run id as its producer sent it, where the catalog's runId differs: "
        "an id that is not a UUID (runId is derived from it and the job), or one that "
        "another job's run already had (this run was kept apart)."
    )
    def source_run_id(self) -> str | None:
        return self.stored.source_run_id

    @strawberry.field(description="START, RUNNING, COMPLETE, FAIL or ABORT.")
    def state(self) -> str | None:
        return self.stored.state

    @strawberry.field
    def started_at(self) -> str | None:
        return self.stored.started_at

    @strawberry.field
    def ended_at(self) -> str | None:
        return self.stored.ended_at

    @strawberry.field
    def job_version(self) -> str | None:
        return self.stored.job_version

    @strawberry.field
    def error_message(self) -> str | None:
        return self.stored.error_message

    @strawberry.field(description="Facets the producer sent, verbatim (OpenLineage).")
    def facets(self) -> JSON:
        return JSON(self.stored.facets)

    @strawberry.field
    async def job(self, info: CtxInfo) -> _Job | None:
        found = await neighbours(info, self.record.urn, EdgeKind.INSTANCE_OF, outgoing=True)
        return wrap(found[0]) if found else None  # type: ignore[return-value]

    @strawberry.field
    async def parent(self, info: CtxInfo) -> Run | None:
        found = await neighbours(info, self.record.urn, EdgeKind.CHILD_OF, outgoing=True)
        return wrap(found[0]) if found else None  # type: ignore[return-value]

    @strawberry.field(metadata=INPUTS.metadata())
    async def inputs(self, info: CtxInfo) -> list[_Version]:
        return await INPUTS.nodes(info, self.record.urn)

    @strawberry.field(metadata=OUTPUTS.metadata())
    async def outputs(self, info: CtxInfo) -> list[_Version]:
        return await OUTPUTS.nodes(info, self.record.urn)

    @strawberry.field(metadata=PRODUCED_MODELS.metadata())
    async def produced_models(self, info: CtxInfo) -> list[_ModelVersion]:
        return await PRODUCED_MODELS.nodes(info, self.record.urn)

    @strawberry.field(
        metadata=DECIDED_ON.metadata(),
        description="Policy decisions recorded about this node, oldest first.",
    )
    async def decisions(self, info: CtxInfo) -> list[_Decision]:
        return wrap_all(await decided_on(info, self.record.urn))
