"""Views of the ML chain: features and their versions, training sets, models, deployments."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from provgraph.catalog.model.kinds import NodeKind
from provgraph.catalog.model.views.base import Described, Json, NodeView

FeatureStatus = Literal["draft", "certified", "deprecated"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Feature(Described):
    KIND = NodeKind.FEATURE
    group: str
    name: str
    dtype: str | None = None
    entity: str | None = None
    status: FeatureStatus = "draft"
    status_reason: str | None = None
    status_changed_at: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class FeatureVersion(NodeView):
    """An immutable definition: a changed definition is a new version."""

    KIND = NodeKind.FEATURE_VERSION
    transformation: str
    dtype: str | None = None
    entity: str | None = None
    sources: list[str] = field(default_factory=list)
    """The logical source fields it reads (versionless column URNs, `dataset#field`); which
    versions of them a materialization read is in its COMPUTED_FROM edges."""
    declassifying: bool = False
    """A steward declared that the transformation removes what makes its sources sensitive
    (hash, aggregate): nothing they carry reaches it."""


@dataclass(frozen=True, slots=True, kw_only=True)
class TrainingSet(Described):
    KIND = NodeKind.TRAINING_SET
    name: str
    features: list[str] = field(default_factory=list)
    """URNs of the feature versions it includes."""
    sources: list[str] = field(default_factory=list)
    """URNs of the dataset versions it is drawn from."""
    manifest: dict[str, Json] = field(default_factory=dict)

    @property
    def column_digests(self) -> dict[str, str]:
        """Column -> sha256 of the values read, from the manifest's `digest.<column>` keys."""
        return {
            key.removeprefix(COLUMN_DIGEST): value
            for key, value in self.manifest.items()
            if key.startswith(COLUMN_DIGEST) and isinstance(value, str)
        }


COLUMN_DIGEST = "digest."
"""Manifest keys `digest.<column>`: the sha256 of one column's values as the producer read them
(the torch integration writes them), so two reads of one dataset version can be compared."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Model(Described):
    KIND = NodeKind.MODEL
    name: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ModelVersion(Described):
    KIND = NodeKind.MODEL_VERSION
    artifact_digest: str
    training_set: str | None = None
    training_run: str | None = None
    framework: str | None = None
    params: dict[str, Json] = field(default_factory=dict)
    metrics: dict[str, Json] = field(default_factory=dict)
    label: str | None = None
    purpose: str | None = None
    stage: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Deployment(Described):
    KIND = NodeKind.DEPLOYMENT
    environment: str
    name: str
    model_version: str
    """The URN of the model version it serves (or served, when retired)."""
    status: str = "active"
    endpoint: str | None = None
    purpose: str | None = None
