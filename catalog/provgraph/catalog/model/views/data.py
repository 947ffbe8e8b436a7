"""Views of the data side: datasets, their versions and columns, jobs, runs, quality checks."""

from __future__ import annotations

from dataclasses import dataclass, field

from provgraph.catalog.model.kinds import NodeKind
from provgraph.catalog.model.views.base import Described, Json, NodeView


@dataclass(frozen=True, slots=True, kw_only=True)
class Dataset(Described):
    KIND = NodeKind.DATASET
    namespace: str
    name: str
    labels: list[str] = field(default_factory=list)
    """Free-text tags that are not classifications (`domain=Customer Data`, `email: x=y`),
    kept searchable."""


@dataclass(frozen=True, slots=True, kw_only=True)
class DatasetAlias(NodeView):
    """Another (namespace, name) of a dataset (OpenLineage's `symlinks` facet); its ALIAS_OF
    edge leads to the dataset, where lookups and lineage by this name land."""

    KIND = NodeKind.DATASET_ALIAS
    namespace: str
    name: str
    type: str | None = None
    """What this name names (`TABLE`, `LOCATION`, ...), as the producer said."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SchemaField:
    name: str
    type: str


@dataclass(frozen=True, slots=True, kw_only=True)
class DatasetVersion(NodeView):
    KIND = NodeKind.DATASET_VERSION
    schema: list[dict[str, str]] = field(default_factory=list)
    """[{"name": ..., "type": ...}] in field order; empty when the schema is unknown."""
    produced_by: str | None = None
    """The URN of the run that produced it; None for registered or observed versions."""
    run_failed: bool = False
    """Written by a run that ended FAIL or ABORT: data that may be incomplete."""

    @property
    def fields(self) -> list[SchemaField]:
        return [SchemaField(name=f["name"], type=f["type"]) for f in self.schema]


@dataclass(frozen=True, slots=True, kw_only=True)
class Column(Described):
    KIND = NodeKind.COLUMN
    name: str
    type: str = "unknown"


@dataclass(frozen=True, slots=True, kw_only=True)
class Job(Described):
    KIND = NodeKind.JOB
    namespace: str
    name: str
    version: str | None = None
    """The job's code version (a git sha, a digest of its SQL)."""
    source_code_location: str | None = None
    source_code: str | None = None
    sql: str | None = None
    job_type: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Run(NodeView):
    KIND = NodeKind.RUN
    run_id: str
    job: str | None = None
    """The URN of the job it is an instance of."""
    job_version: str | None = None
    state: str | None = None
    state_time: int | None = None
    """When (event time, µs) the current state was reported: a late event never undoes it."""
    started_at: str | None = None
    ended_at: str | None = None
    error_message: str | None = None
    facets: dict[str, Json] = field(default_factory=dict)
    source_run_id: str | None = None
    """The run id as its producer sent it, when `run_id` (the catalog's UUID) differs: an id
    that is not a UUID, or one another job's run had already (model/run_ids.py)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ValidationResult(NodeView):
    KIND = NodeKind.VALIDATION_RESULT
    dataset_version: str
    observed_by: str
    """The URN of the run that measured it."""
    success: bool
    row_count: int | None = None
    bytes: int | None = None
    column_metrics: dict[str, dict[str, Json]] = field(default_factory=dict)
    assertions: list[dict[str, Json]] = field(default_factory=list)
