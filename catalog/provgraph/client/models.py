"""What the server answers, as typed models. Fields the server adds later are ignored, so an
older client keeps working against a newer server.

The lineage answers and nodes are the catalog's own declared answers (`model.answers`), the
classes the server sends: the client reads them back into the same classes, so the two cannot
drift apart. The others are still declared here; `tests/client/test_openapi_models.py` fails
when any of them differs from the server's OpenAPI document.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import AliasChoices, BaseModel, ConfigDict, Field

from provgraph.catalog.model.answers.lineage import ImpactResult as ImpactResult
from provgraph.catalog.model.answers.lineage import LineageEdge as LineageEdge
from provgraph.catalog.model.answers.lineage import LineageNode as LineageNode
from provgraph.catalog.model.answers.lineage import LineagePath as LineagePath
from provgraph.catalog.model.answers.lineage import LineageResult as LineageResult
from provgraph.catalog.model.answers.lineage import NodeSummary as NodeSummary
from provgraph.catalog.model.answers.nodes import Node as Node
from provgraph.catalog.model.events import CatalogEvent
from provgraph.catalog.model.kinds import NodeKind


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
    warnings: list[EventWarning] = []


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
