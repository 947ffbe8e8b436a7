"""The reproducibility recipe of a model version: exactly what went in, how to run it again,
and what changed since it was trained (`service/recipe.py` computes it)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class RecipeDataset:
    urn: str
    dataset: str
    produced_by: str | None
    """The run that wrote this version, when a run did."""
    job: str | None
    code_version: str | None


@dataclass(frozen=True, slots=True)
class RecipeFeature:
    urn: str
    feature: str
    transformation: str | None
    dtype: str | None
    declassifying: bool
    source_columns: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RecipeChange:
    kind: str
    """newer_dataset_version, newer_feature_version, feature_deprecated, classification_added,
    classification_removed, content_mismatch."""
    subject: str
    detail: str


@dataclass(frozen=True, slots=True)
class Recipe:
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
    datasets: tuple[RecipeDataset, ...]
    features: tuple[RecipeFeature, ...]
    changes: tuple[RecipeChange, ...]
    unpinned: tuple[str, ...] = ()
    """What the recipe could not pin: training_set, or digest, rows, split, seed (the manifest
    lacks them: the training code loaded the data itself), datasets (none recorded as read)."""
    code_location: str | None = None
    """The repository (or the job's source code location) the training code ran from."""
    entry_point: str | None = None
    """The script, relative to `code_location`, or `-m module` that trained it."""
    rerun: str | None = None
    """A shell command that checks the recorded commit out and runs the entry point again."""
