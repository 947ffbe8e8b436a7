"""The Mutation type: what no producer emits. Each mutation becomes an event with its actor."""

from __future__ import annotations

from dataclasses import asdict, is_dataclass
from typing import Annotated, Any

import strawberry
from pydantic import ValidationError

from provgraph.catalog.access import Role
from provgraph.catalog.event_roles import refusal, required_role, type_role
from provgraph.catalog.model.errors import CatalogError, UnknownReferenceError
from provgraph.catalog.model.events import parse_event
from provgraph.catalog.model.timeutil import utc_now
from provgraph.catalog.service.writer import EventRejectedError, Submission
from provgraph.graphql.gate_mutations import compliance_report, feature_use
from provgraph.graphql.inputs import (
    DefineFeatureInput,
    RecordDeploymentInput,
    RegisterDatasetInput,
    RegisterModelVersionInput,
)
from provgraph.graphql.outcomes import invalid_input
from provgraph.graphql.resolve import CtxInfo
from provgraph.graphql.types.errors import (
    ForbiddenError,
    InvalidInputError,
    NotFoundError,
    RejectedError,
)


@strawberry.type(description="The change was logged (or was already there: duplicate).")
class MutationSuccess:
    seq: int
    duplicate: bool


MutationResult = Annotated[
    MutationSuccess | NotFoundError | InvalidInputError | RejectedError | ForbiddenError,
    strawberry.union("MutationResult"),
]


def _plain(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return {k: _plain(v) for k, v in asdict(value).items() if v is not None}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _forbidden(info: CtxInfo, event_type: str, needed: Role) -> ForbiddenError:
    return ForbiddenError(
        message=f"{event_type} needs the {needed.label} role; "
        f"{info.context.actor} has {info.context.role.label}",
        required_role=needed.label,
    )


def _submit(
    info: CtxInfo, event_type: str, **fields: Any
) -> MutationSuccess | NotFoundError | InvalidInputError | RejectedError | ForbiddenError:
    # the type's least role first (a reader learns nothing about the input), then the event's
    # own: owners or classifications inside a registration make it curation (event_roles)
    least = type_role(event_type) or Role.ADMIN  # a type no client may send: nobody passes
    if info.context.role < least:
        return _forbidden(info, event_type, least)
    payload = {
        "type": event_type,
        "event_time": utc_now(),  # unless the input gives its own
        **{k: _plain(v) for k, v in fields.items() if v is not None},
    }
    try:
        event = parse_event(payload)
    except ValidationError as exc:
        return invalid_input(exc, skip=1)  # the event type is not the caller's field
    refused = refusal(event, info.context.role)
    if refused is not None:  # the one rule of who may send what (event_roles), its words too
        needed = required_role(event) or Role.ADMIN
        return ForbiddenError(message=refused, required_role=needed.label)
    try:
        receipt = info.context.catalog.submit([Submission(event)], actor=info.context.actor)[0]
    except EventRejectedError as exc:
        if isinstance(exc.cause, UnknownReferenceError):
            return NotFoundError(message=str(exc.cause), urn=exc.cause.urn)
        return RejectedError(message=str(exc.cause), reason=type(exc.cause).__name__)
    except CatalogError as exc:
        return RejectedError(message=str(exc), reason=type(exc).__name__)
    return MutationSuccess(seq=receipt.seq, duplicate=receipt.duplicate)


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description="Register a dataset and (with fields) a version of its schema."
    )
    def register_dataset(self, info: CtxInfo, input: RegisterDatasetInput) -> MutationResult:
        return _submit(info, "dataset.registered", **_plain(input))

    @strawberry.mutation(description="Define (a new version of) a feature from dataset columns.")
    def define_feature(self, info: CtxInfo, input: DefineFeatureInput) -> MutationResult:
        return _submit(info, "feature.defined", **_plain(input))

    @strawberry.mutation(description="Register a model version by its artifact digest.")
    def register_model_version(
        self, info: CtxInfo, input: RegisterModelVersionInput
    ) -> MutationResult:
        return _submit(info, "model_version.registered", **_plain(input))

    @strawberry.mutation(
        description="Record that a deployment now serves a model version (or retired)."
    )
    def record_deployment(self, info: CtxInfo, input: RecordDeploymentInput) -> MutationResult:
        return _submit(info, "deployment.recorded", **_plain(input))

    @strawberry.mutation
    def describe(self, info: CtxInfo, urn: strawberry.ID, description: str) -> MutationResult:
        return _submit(info, "asset.described", urn=str(urn), description=description)

    @strawberry.mutation(
        description="Replace the owners of a dataset, job, feature, model or deployment."
    )
    def set_owners(self, info: CtxInfo, urn: strawberry.ID, owners: list[str]) -> MutationResult:
        return _submit(info, "asset.owners_assigned", urn=str(urn), owners=owners)

    @strawberry.mutation(description="Tag a column, dataset or feature with a classification.")
    def classify(self, info: CtxInfo, urn: strawberry.ID, tag: str) -> MutationResult:
        return _submit(info, "classification.changed", urn=str(urn), tag=tag, present=True)

    @strawberry.mutation(description="Remove a classification tag set directly on a node.")
    def declassify(self, info: CtxInfo, urn: strawberry.ID, tag: str) -> MutationResult:
        return _submit(info, "classification.changed", urn=str(urn), tag=tag, present=False)

    @strawberry.mutation
    def certify_feature(
        self, info: CtxInfo, urn: strawberry.ID, reason: str | None = None
    ) -> MutationResult:
        return _submit(
            info, "feature.status_changed", urn=str(urn), status="certified", reason=reason
        )

    @strawberry.mutation
    def deprecate_feature(
        self, info: CtxInfo, urn: strawberry.ID, reason: str | None = None
    ) -> MutationResult:
        return _submit(
            info, "feature.status_changed", urn=str(urn), status="deprecated", reason=reason
        )

    feature_use = strawberry.mutation(
        resolver=feature_use,
        description="May a model use these features for this purpose? The decision is "
        "recorded as provenance; denials come with reasons and classification explanations.",
    )
    compliance_report = strawberry.mutation(
        resolver=compliance_report,
        description="Re-evaluate every model version and live deployment under the active "
        "policies and the catalog as it is now (decisions are recorded); newly non-compliant "
        "ones were allowed at their last recorded decision.",
    )
