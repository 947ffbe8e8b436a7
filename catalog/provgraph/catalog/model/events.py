"""Catalog events: every write becomes one of these, is logged, then applied to the graph.

Events say what happened (a run completed, a model version was registered); the projector
turns them into graph changes. They are validated here for shape; whether they fit what the
catalog already holds is checked when they are projected.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StringConstraints, TypeAdapter

from provgraph.catalog.model.graph import canonical_json
from provgraph.catalog.model.run_ids import MAX_RUN_ID
from provgraph.catalog.model.timeutil import AwareMoment
from provgraph.catalog.model.transformations import MAX_PER_EDGE, Transformation
from provgraph.catalog.model.urn import MAX_URN_BYTES

MAX_NAME = 4_096
"""The longest dataset or job name (characters). OpenLineage sets none and Marquez keeps any
(its unique index fails past ~2,700 bytes); paths, object keys and Spark's job names (which
embed the output's name) pass 1,024. Every URN also stays within MAX_URN_BYTES."""
Name = Annotated[str, StringConstraints(min_length=1, max_length=1024, strip_whitespace=True)]
LongName = Annotated[
    str, StringConstraints(min_length=1, max_length=MAX_NAME, strip_whitespace=True)
]
"""A dataset or job name."""
Text = Annotated[str, StringConstraints(max_length=65_536)]
Tag = Annotated[
    str,
    StringConstraints(min_length=1, max_length=200, pattern=r"^[a-z0-9][a-z0-9_.:\-]*$"),
]
UrnText = Annotated[str, StringConstraints(min_length=16, max_length=MAX_URN_BYTES)]
SourceRunId = Annotated[str, StringConstraints(min_length=1, max_length=MAX_RUN_ID)]
Digest = Annotated[str, StringConstraints(pattern=r"^sha256:[0-9a-f]{64}$")]
Scalar = str | int | float | bool | None
MAX_ITEMS = 10_000


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FieldSpec(_Strict):
    name: Name
    type: Name = "unknown"
    description: Text | None = None
    classifications: list[Tag] = Field(default_factory=list, max_length=100)


def _unset(value: object) -> bool:
    """Fields added later are left out of an event's canonical JSON while unset, so events
    sent before they existed keep their idempotency keys."""
    return value is None or value == []


class AliasSpec(_Strict):
    """Another (namespace, name) of the same dataset (OpenLineage's `symlinks` facet)."""

    namespace: Name
    name: LongName
    type: Name | None = None
    """What the other name names (`TABLE`, `LOCATION`, ...)."""


class DatasetRef(_Strict):
    namespace: Name
    name: LongName
    version: Name | None = None
    """A specific dataset version; by default the dataset's newest version at event time."""


class TransformationSpec(_Strict):
    """How the referring column was derived from this one (OpenLineage's column-lineage
    transformation): DIRECT (IDENTITY, TRANSFORMATION, AGGREGATION) or INDIRECT (FILTER, JOIN,
    GROUP_BY, SORT, WINDOW, CONDITIONAL); `masking` when it hides the value (a hash)."""

    type: Literal["DIRECT", "INDIRECT"]
    subtype: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = None
    description: Annotated[str, StringConstraints(max_length=4096)] | None = None
    masking: StrictBool = False

    def to_model(self) -> Transformation:
        return Transformation(
            type=self.type, subtype=self.subtype, description=self.description, masking=self.masking
        )


def _empty(value: object) -> bool:
    return not value


class ColumnRef(_Strict):
    namespace: Name
    name: LongName
    field: Name
    transformations: list[TransformationSpec] = Field(
        default_factory=list, max_length=MAX_PER_EDGE, exclude_if=_empty
    )
    """How the column was used, where it is a source (column lineage, a feature's sources);
    none said means DIRECT. Left out of the canonical form when empty, so events without it
    keep their idempotency keys."""


class JobRef(_Strict):
    namespace: Name
    name: LongName


class JobSpec(_Strict):
    namespace: Name
    name: LongName
    version: Name | None = None
    """The job's code version (e.g. a git sha or a digest of its SQL)."""
    source_code_location: Text | None = None
    source_code: Text | None = None
    sql: Text | None = None
    job_type: Name | None = None
    description: Text | None = None
    owners: list[Name] = Field(default_factory=list, max_length=100)


class AssertionSpec(_Strict):
    assertion: Name
    success: StrictBool
    column: Name | None = None


class QualitySpec(_Strict):
    """Data-quality facts about one dataset version, as a run observed them."""

    row_count: int | None = None
    bytes: int | None = None
    column_metrics: dict[Name, dict[Name, Scalar]] = Field(default_factory=dict)
    assertions: list[AssertionSpec] = Field(default_factory=list, max_length=MAX_ITEMS)


class InputSpec(_Strict):
    namespace: Name
    name: LongName
    version: Name | None = None
    """A specific dataset version; by default the version matching `fields`, else the newest."""
    fields: list[FieldSpec] = Field(default_factory=list, max_length=MAX_ITEMS)
    """The schema the run saw; a schema the catalog has not seen becomes a new version."""
    quality: QualitySpec | None = None
    aliases: list[AliasSpec] = Field(default_factory=list, max_length=100, exclude_if=_unset)
    """Other names of this dataset: lookups and lineage by either name reach it."""


class OutputSpec(_Strict):
    namespace: Name
    name: LongName
    labels: list[Text] = Field(default_factory=list, max_length=MAX_ITEMS)
    fields: list[FieldSpec] = Field(default_factory=list, max_length=MAX_ITEMS)
    column_lineage: dict[Name, list[ColumnRef]] = Field(default_factory=dict)
    """For each output field, the input columns it was derived from."""
    description: Text | None = None
    owners: list[Name] = Field(default_factory=list, max_length=100)
    quality: QualitySpec | None = None
    aliases: list[AliasSpec] = Field(default_factory=list, max_length=100, exclude_if=_unset)
    """Other names of this dataset: lookups and lineage by either name reach it."""


class FeatureRef(_Strict):
    group: Name
    name: Name
    version: Name | None = None


class _Event(_Strict):
    event_time: AwareMoment


class DatasetRegistered(_Event):
    type: Literal["dataset.registered"] = "dataset.registered"
    namespace: Name
    name: LongName
    description: Text | None = None
    labels: list[Text] = Field(default_factory=list, max_length=MAX_ITEMS)
    fields: list[FieldSpec] = Field(default_factory=list, max_length=MAX_ITEMS)
    column_lineage: dict[Name, list[ColumnRef]] = Field(default_factory=dict)
    """Output field -> the columns it is derived from (an OpenLineage DatasetEvent's
    columnLineage facet); fields and source columns not yet known are learnt."""
    owners: list[Name] = Field(default_factory=list, max_length=100)
    aliases: list[AliasSpec] = Field(default_factory=list, max_length=100, exclude_if=_unset)
    """Other names of this dataset: lookups and lineage by either name reach it."""


class RunRecorded(_Event):
    type: Literal["run.recorded"] = "run.recorded"
    run_id: UUID
    job: JobSpec
    state: Literal["START", "RUNNING", "COMPLETE", "FAIL", "ABORT", "OTHER"] = "COMPLETE"
    """OTHER leaves the run's state as it was."""
    started_at: AwareMoment | None = None
    parent_run_id: UUID | None = None
    parent_job: JobRef | None = None
    """The parent run's job: lets a child arrive before its parent, which is then created."""
    inputs: list[InputSpec] = Field(default_factory=list, max_length=MAX_ITEMS)
    outputs: list[OutputSpec] = Field(default_factory=list, max_length=MAX_ITEMS)
    error_message: Text | None = None
    facets: dict[Name, Any] = Field(default_factory=dict)
    """Run and job facets kept verbatim (e.g. from OpenLineage) for provenance."""
    source_run_id: SourceRunId | None = Field(default=None, exclude_if=_unset)
    """The run id as the producer sent it, when `run_id` was derived from it (run_ids.py)."""
    parent_source_run_id: SourceRunId | None = Field(default=None, exclude_if=_unset)
    """The parent's run id as the producer sent it, when `parent_run_id` was derived."""


class JobDeclared(_Event):
    """A job's definition and the datasets it reads and writes, without a run (design time)."""

    type: Literal["job.declared"] = "job.declared"
    job: JobSpec
    inputs: list[DatasetRef] = Field(default_factory=list, max_length=MAX_ITEMS)
    outputs: list[DatasetRef] = Field(default_factory=list, max_length=MAX_ITEMS)


class FeatureDefined(_Event):
    type: Literal["feature.defined"] = "feature.defined"
    group: Name
    name: Name
    description: Text | None = None
    dtype: Name = "unknown"
    entity: Name | None = None
    transformation: Text
    sources: list[ColumnRef] = Field(min_length=1, max_length=1000)
    declassifying: StrictBool = False
    """A steward's decision that the transformation removes what makes its sources sensitive:
    nothing they carry reaches the feature. Only a steward may send it (a producer's evidence
    is a masking transformation on `sources`)."""
    run_id: UUID | None = None
    """The run that materialized the feature: links it to the dataset versions that run read."""
    run_job: JobRef | None = Field(default=None, exclude_if=_unset)
    """The job of `run_id`: finds the run when its id was reused by another job's run."""
    owners: list[Name] = Field(default_factory=list, max_length=100)
    stored_in: ColumnRef | None = Field(default=None, exclude_if=_unset)
    """The column of the table `run_id` wrote that holds the feature's values (the feature
    table a trainer reads), when that is not one of `sources`."""


class TrainingSetCreated(_Event):
    type: Literal["training_set.created"] = "training_set.created"
    name: Name
    features: list[FeatureRef] = Field(min_length=1, max_length=MAX_ITEMS)
    sources: list[DatasetRef] = Field(default_factory=list, max_length=1000)
    manifest: dict[Name, Scalar] = Field(default_factory=dict)
    """Reproducibility facts: time window, filters, split, row count, seed."""


class ModelVersionRegistered(_Event):
    type: Literal["model_version.registered"] = "model_version.registered"
    model: Name
    artifact_digest: Digest
    label: Name | None = None
    training_set: Name | None = None
    """A training-set URN, or a name meaning the newest training set of that name."""
    training_run_id: UUID | None = None
    training_job: JobRef | None = Field(default=None, exclude_if=_unset)
    """The job of `training_run_id`: finds the run when its id was reused by another job's."""
    framework: Name | None = None
    params: dict[Name, Scalar] = Field(default_factory=dict)
    metrics: dict[Name, float] = Field(default_factory=dict)
    purpose: Name | None = None
    stage: Literal["development", "staging", "production", "archived"] = "development"
    owners: list[Name] = Field(default_factory=list, max_length=100)


class DeploymentRecorded(_Event):
    type: Literal["deployment.recorded"] = "deployment.recorded"
    environment: Name
    name: Name
    model_version: UrnText
    status: Literal["active", "retired"] = "active"
    endpoint: Text | None = None
    purpose: Name | None = None
    owners: list[Name] = Field(default_factory=list, max_length=100)
    """Who answers for the deployment; none given leaves its owners as they are."""


class LineageDeclared(_Event):
    """Lineage no producer emits, declared by hand: `downstream` was derived from `upstream`."""

    type: Literal["lineage.declared"] = "lineage.declared"
    downstream: UrnText
    upstream: UrnText
    description: Text | None = None


class AssetDescribed(_Event):
    type: Literal["asset.described"] = "asset.described"
    urn: UrnText
    description: Text


class OwnersAssigned(_Event):
    """Replaces the owners of a dataset, job, feature, model or deployment."""

    type: Literal["asset.owners_assigned"] = "asset.owners_assigned"
    urn: UrnText
    owners: list[Name] = Field(min_length=1, max_length=100)


class ClassificationChanged(_Event):
    """Tags a column, dataset or feature with a classification (present) or removes the tag."""

    type: Literal["classification.changed"] = "classification.changed"
    urn: UrnText
    tag: Tag
    present: StrictBool = True


class FeatureStatusChanged(_Event):
    type: Literal["feature.status_changed"] = "feature.status_changed"
    urn: UrnText
    status: Literal["draft", "certified", "deprecated"]
    reason: Text | None = None


class PolicyDecided(_Event):
    """A policy decision on a use of features, kept as provenance."""

    type: Literal["policy.decided"] = "policy.decided"
    decision_id: UUID
    action: Name
    purpose: Name
    principal: Name
    subjects: list[UrnText] = Field(default_factory=list, max_length=MAX_ITEMS)
    """The model version, deployment, run and features the decision is about."""
    allow: StrictBool
    deny: list[Text] = Field(default_factory=list, max_length=1000)
    obligations: list[Text] = Field(default_factory=list, max_length=1000)
    bundle_revision: Name
    input_digest: Name
    engine: Name
    error: Text | None = None
    policy_input: dict[str, Any] = Field(default_factory=dict)
    """The input document as decided on, so a candidate bundle can be backtested against it."""
    origin: Literal["use", "compliance"] = "use"
    """`use`: gated real work (train, deploy, serve, materialize); `compliance`: made by a
    compliance report (its baseline for "newly non-compliant")."""


CatalogEvent = Annotated[
    DatasetRegistered
    | RunRecorded
    | JobDeclared
    | FeatureDefined
    | TrainingSetCreated
    | ModelVersionRegistered
    | DeploymentRecorded
    | LineageDeclared
    | AssetDescribed
    | OwnersAssigned
    | ClassificationChanged
    | FeatureStatusChanged
    | PolicyDecided,
    Field(discriminator="type"),
]

EVENT_ADAPTER: TypeAdapter[CatalogEvent] = TypeAdapter(CatalogEvent)


def parse_event(data: Any) -> CatalogEvent:
    return EVENT_ADAPTER.validate_python(data)


def event_to_json(event: CatalogEvent) -> str:
    """An event's canonical JSON as the log stores it (its idempotency key: idempotency.py)."""
    return canonical_json(event.model_dump(mode="json"))
