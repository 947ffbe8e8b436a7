"""What the server answers, as typed models. Fields the server adds later are ignored, so an
older client keeps working against a newer server."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import AliasChoices, BaseModel, ConfigDict, Field

from provgraph.catalog.model.events import CatalogEvent
from provgraph.catalog.model.kinds import EdgeKind, NodeKind


@dataclass(frozen=True, slots=True)
class Submission:
    """A catalog event with the idempotency key to send it under (default: its content digest)."""

    event: CatalogEvent
    idempotency_key: str | None = None


class _Answer(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Receipt(_Answer):
    seq: int
    idempotency_key: str
    duplicate: bool


class EventWarning(_Answer):
    """Something the server noted about an event it accepted (position in the batch)."""

    position: int
    warning: str


class EventsAccepted(_Answer):
    accepted: int
    duplicates: int
    receipts: list[Receipt]
    warnings: list[EventWarning] = []


class OpenLineageAccepted(_Answer):
    received: int
    catalog_events: int
    duplicates: int
    seq: int = 0
    """The highest sequence number of the events logged or found (0 from older servers)."""
    warnings: list[EventWarning] = []


class LineageNode(_Answer):
    urn: str
    kind: NodeKind
    depth: int


class LineageEdge(_Answer):
    kind: EdgeKind
    source: str
    target: str
    valid_from: datetime
    valid_to: datetime | None


class LineageResult(_Answer):
    root: str
    direction: str
    as_of: datetime | None
    nodes: list[LineageNode]
    edges: list[LineageEdge] | None
    is_partial: bool
    partial_reasons: list[str]
    seq: int = 0
    """The event log sequence number the server's index reflected when it answered."""


class ImpactResult(_Answer):
    root: str
    as_of: datetime | None
    feature_versions: list[LineageNode]
    training_sets: list[LineageNode]
    model_versions: list[LineageNode]
    deployments: list[LineageNode]
    is_partial: bool
    partial_reasons: list[str]
    seq: int = 0


class LineagePath(_Answer):
    nodes: list[str]
    edges: list[LineageEdge]


class Node(_Answer):
    urn: str
    kind: NodeKind
    created_at: datetime
    props: dict[str, Any]


class RecipeDataset(_Answer):
    urn: str
    dataset: str
    produced_by: str | None
    job: str | None
    code_version: str | None


class RecipeFeature(_Answer):
    urn: str
    feature: str
    transformation: str | None
    dtype: str | None
    declassifying: bool
    source_columns: list[str]


class RecipeChange(_Answer):
    kind: str
    subject: str
    detail: str


class Recipe(_Answer):
    """How to train a model version again, and what differs now (`changes`)."""

    model_version: str
    artifact_digest: str | None
    framework: str | None
    params: dict[str, Any]
    metrics: dict[str, Any]
    training_set: str | None
    manifest: dict[str, Any]
    training_run: str | None
    job: str | None
    code_version: str | None
    environment: dict[str, Any]
    datasets: list[RecipeDataset]
    features: list[RecipeFeature]
    changes: list[RecipeChange]
    unpinned: list[str] = Field(default_factory=list)
    """What could not be pinned: training_set, digest, rows, split, seed, datasets."""
    code_location: str | None = None
    """The repository (or the job's source code location) the training code ran from."""
    entry_point: str | None = None
    """The script, relative to `code_location`, or `-m module` that trained it."""
    rerun: str | None = None
    """A shell command that checks the recorded commit out and runs the entry point again."""


class ClassificationTrace(_Answer):
    tag: str
    source: str
    """Where the classification was set."""
    path: list[str]
    """From the node asked about to `source`; one element when it was set on the node itself."""

    @property
    def inherited(self) -> bool:
        return len(self.path) > 1


class SearchHit(_Answer):
    urn: str
    kind: NodeKind
    name: str
    score: float
    reasons: list[str]


class SearchPage(_Answer):
    total: int
    hits: list[SearchHit]
    facets: dict[str, dict[str, int]]
    next_cursor: str | None


class FeatureUseDecision(_Answer):
    allow: bool
    deny: list[str]
    obligations: list[str]
    decision_urn: str = Field(validation_alias=AliasChoices("decision_urn", "decision"))
    """URN of the recorded PolicyDecision."""
    bundle_revision: str
    input_digest: str
    engine: str
    error: str | None
    explanations: dict[str, list[ClassificationTrace]]
    input: dict[str, Any]


class Readiness(_Answer):
    status: str
    """`ready`, `catching-up` or `unavailable`."""
    store: str | None = None
    applied_seq: int | None = None
    logged_seq: int | None = None
    nodes: int | None = None
    edges: int | None = None
    detail: str | None = None

    @property
    def ready(self) -> bool:
        return self.status == "ready"


class ComplianceEntry(_Answer):
    """A model version (may it train?) or live deployment (may it serve?) re-checked now."""

    subject: str
    action: str
    purpose: str
    allow: bool
    deny: list[str]
    previously_allowed: bool | None
    """The last recorded decision about this subject and action, if any."""
    decision_urn: str = Field(validation_alias=AliasChoices("decision_urn", "decision"))

    @property
    def newly_non_compliant(self) -> bool:
        return not self.allow and self.previously_allowed is True


class BacktestChange(_Answer):
    """A recorded decision the candidate bundle would decide differently."""

    decision_urn: str = Field(validation_alias=AliasChoices("decision_urn", "decision"))
    action: str
    purpose: str
    was_allowed: bool
    would_allow: bool
    would_deny: list[str]


class Backtest(_Answer):
    replayed: int
    """Recorded decisions replayed under the candidate bundle."""
    changes: list[BacktestChange]
