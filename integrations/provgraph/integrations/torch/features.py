"""A materialized feature table (parquet) read into torch tensors, pinned by a manifest.

What was read is described exactly: the feature versions and the dataset version the table
is, the rows read, a sha256 over the bytes of the columns read (in order) and one per column
(`digest.<column>`), the split and the seed. Two runs that read the same data get the same
digests; a changed row changes them — which is how the catalog tells that the bytes of one
dataset version changed outside any tracked job.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.parquet as pq
import torch
from torch.utils.data import Dataset

from provgraph.catalog.model.views.ml import COLUMN_DIGEST
from provgraph.integrations.errors import IntegrationError


@dataclass(frozen=True)
class FeatureSource:
    """One feature as the catalog knows it: its newest version and the column holding it."""

    group: str
    name: str
    version_urn: str
    version: str
    column: str
    dataset: tuple[str, str]
    """The (namespace, name) of the feature table the column belongs to."""


@dataclass(frozen=True)
class Manifest:
    """The training set, pinned: enough to read exactly the same rows again."""

    name: str
    dataset_namespace: str
    dataset_name: str
    dataset_version: str | None
    features: tuple[FeatureSource, ...]
    label: str | None
    rows: int
    train_rows: int
    test_rows: int
    digest: str
    column_digests: tuple[tuple[str, str], ...]
    """(column, sha256 of its values) for every column read, the label included."""
    split: float
    seed: int
    path: str

    def as_facts(self) -> dict[str, str | int | float | bool | None]:
        """The flat form kept in the training set's manifest in the catalog."""
        facts: dict[str, str | int | float | bool | None] = {
            "path": self.path,
            "label": self.label,
            "rows": self.rows,
            "train_rows": self.train_rows,
            "test_rows": self.test_rows,
            "digest": self.digest,
            "split": self.split,
            "seed": self.seed,
            "columns": ",".join(f.column for f in self.features),
        }
        facts.update({f"{COLUMN_DIGEST}{column}": value for column, value in self.column_digests})
        return {name: value for name, value in facts.items() if value is not None}


class FeatureTable(Dataset[tuple[torch.Tensor, torch.Tensor]]):
    """Rows of feature values (float32) with their label, as a map-style torch Dataset."""

    def __init__(self, features: torch.Tensor, labels: torch.Tensor) -> None:
        self.features = features
        self.labels = labels

    def __len__(self) -> int:
        return int(self.features.shape[0])

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        return self.features[index], self.labels[index]


@dataclass
class LoadedFeatures:
    train: FeatureTable
    test: FeatureTable
    manifest: Manifest
    columns: list[str] = field(default_factory=list)


def read_feature_table(
    path: str | Path,
    *,
    name: str,
    dataset: tuple[str, str],
    dataset_version: str | None,
    features: list[FeatureSource],
    label: str | None,
    split: float,
    seed: int,
) -> LoadedFeatures:
    if not 0.0 < split <= 1.0:
        raise IntegrationError(f"split must be in (0, 1], got {split}")
    if not features:
        raise IntegrationError("a training set needs at least one feature")
    location = Path(path)
    if not location.exists():
        raise IntegrationError(f"feature table {location} does not exist")
    columns = [f.column for f in features] + ([label] if label else [])
    try:
        table = pq.read_table(location, columns=columns)
    except (KeyError, ValueError, OSError) as exc:
        raise IntegrationError(f"cannot read {columns} from {location}: {exc}") from exc
    arrays = [_column(table, c) for c in columns]
    digest = hashlib.sha256()
    column_digests = []
    for column, values in zip(columns, arrays, strict=True):
        raw = np.ascontiguousarray(values).tobytes()
        digest.update(column.encode() + b"\0")
        digest.update(raw)
        column_digests.append((column, "sha256:" + hashlib.sha256(raw).hexdigest()))
    matrix = np.stack(arrays[: len(features)], axis=1).astype(np.float32)
    labels = arrays[-1].astype(np.float32) if label else np.zeros(len(matrix), dtype=np.float32)
    order = np.random.default_rng(seed).permutation(len(matrix))
    cut = round(len(matrix) * split)
    train, test = order[:cut], order[cut:]
    manifest = Manifest(
        name=name,
        dataset_namespace=dataset[0],
        dataset_name=dataset[1],
        dataset_version=dataset_version,
        features=tuple(features),
        label=label,
        rows=len(matrix),
        train_rows=len(train),
        test_rows=len(test),
        digest="sha256:" + digest.hexdigest(),
        column_digests=tuple(column_digests),
        split=split,
        seed=seed,
        path=str(location.resolve()),
    )
    return LoadedFeatures(
        train=FeatureTable(torch.from_numpy(matrix[train]), torch.from_numpy(labels[train])),
        test=FeatureTable(torch.from_numpy(matrix[test]), torch.from_numpy(labels[test])),
        manifest=manifest,
        columns=columns,
    )


def _column(table: Any, column: str) -> np.ndarray[Any, Any]:
    values = table.column(column)
    if values.null_count:
        raise IntegrationError(f"column {column!r} has {values.null_count} missing values")
    try:
        return np.asarray(values.to_numpy(), dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise IntegrationError(f"column {column!r} is not numeric: {exc}") from exc
