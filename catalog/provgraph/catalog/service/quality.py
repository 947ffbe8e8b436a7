"""Data quality of a dataset or feature version: the checks recorded on the data it reads."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from provgraph.catalog.model import views
from provgraph.catalog.model.kinds import EdgeKind, NodeKind
from provgraph.catalog.model.urn import Urn
from provgraph.catalog.service.lineage_index import LineageIndex

Quality = Literal["passing", "failing", "unknown"]


def validations(index: LineageIndex, version: str) -> list[str]:
    """URNs of the validation results recorded on a dataset version, or on the dataset versions
    whose columns a feature version is computed from."""
    if index.kind_of(version) is NodeKind.FEATURE_VERSION:
        columns = [e.dst for e in index.edges_from(version, EdgeKind.COMPUTED_FROM)]
        checked = {str(Urn.parse(c).dataset_version()) for c in columns}
    else:
        checked = {version}
    return [e.src for v in sorted(checked) for e in index.edges_to(v, EdgeKind.VALIDATES)]


def verdict(checks: Iterable[views.ValidationResult]) -> Quality:
    """unknown without checks; passing when every check passed; failing otherwise."""
    found = list(checks)
    if not found:
        return "unknown"
    return "passing" if all(check.success for check in found) else "failing"
