"""Mutation inputs."""

from __future__ import annotations

from datetime import datetime

import strawberry

from provgraph.graphql.scalars import JSON


@strawberry.input
class FieldInput:
    name: str
    type: str = "unknown"
    description: str | None = None
    classifications: list[str] = strawberry.field(default_factory=list)


@strawberry.input
class RegisterDatasetInput:
    namespace: str
    name: str
    description: str | None = None
    fields: list[FieldInput] = strawberry.field(default_factory=list)
    owners: list[str] = strawberry.field(default_factory=list)


@strawberry.input
class ColumnInput:
    namespace: str
    name: str
    field: str


@strawberry.input
class DefineFeatureInput:
    group: str
    name: str
    transformation: str
    sources: list[ColumnInput]
    description: str | None = None
    dtype: str = "unknown"
    entity: str | None = None
    declassifying: bool = False
    owners: list[str] = strawberry.field(default_factory=list)


@strawberry.input
class RegisterModelVersionInput:
    model: str
    artifact_digest: str
    label: str | None = None
    training_set: str | None = None
    training_run_id: str | None = None
    framework: str | None = None
    params: JSON | None = None
    metrics: JSON | None = None
    purpose: str | None = None
    stage: str = "development"
    owners: list[str] = strawberry.field(default_factory=list)


@strawberry.input
class RecordDeploymentInput:
    environment: str
    name: str
    model_version: strawberry.ID
    status: str = "active"
    endpoint: str | None = None
    purpose: str | None = None
    owners: list[str] = strawberry.field(default_factory=list)
    event_time: datetime | None = strawberry.field(
        default=None,
        description="When the deployment changed (default: now); an event older than the "
        "deployment's current state is rejected.",
    )
