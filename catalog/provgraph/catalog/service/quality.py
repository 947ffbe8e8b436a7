"""Data quality of a dataset or feature version: the checks recorded on the data it reads."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from provgraph.catalog.model import views
from provgraph.catalog.model.graph import EdgeRecord
from provgraph.catalog.model.kinds import EdgeKind, NodeKind
from provgraph.catalog.model.urn import Urn
from provgraph.catalog.service.lineage_index import LineageIndex

Quality = Literal["passing", "failing", "unknown"]


MAX_SOURCE_COLUMNS = 10_000
"""Bound on the columns followed upstream of a feature version's sources."""


def validations(index: LineageIndex, version: str) -> list[str]:
    """URNs of the current validation results on a dataset version, or on the data a feature
    version reads and is stored in: the dataset versions of its source columns, of the feature
    table column holding its values (STORED_IN), and of every column those derive from (its
    source data all the way up, along open column lineage).

    A check run again on the same dataset version by the same validating job replaces its
    earlier result, so a failing validation that is fixed and re-run counts as passing."""
    if index.kind_of(version) is NodeKind.FEATURE_VERSION:
        start = [
            e.dst
            for kind in (EdgeKind.COMPUTED_FROM, EdgeKind.STORED_IN)
            for e in index.edges_from(version, kind)
        ]
        columns = _upstream_columns(index, start)
        checked = {str(Urn.parse(c).dataset_version()) for c in columns}
    else:
        checked = {version}
    current: list[str] = []
    for checked_version in sorted(checked):
        newest: dict[str, EdgeRecord] = {}
        for edge in index.edges_to(checked_version, EdgeKind.VALIDATES):
            validator = _validator(index, edge.src)
            kept = newest.get(validator)
            if kept is None or (kept.valid_from, kept.src) <= (edge.valid_from, edge.src):
                newest[validator] = edge
        current += sorted(e.src for e in newest.values())
    return current


def _validator(index: LineageIndex, result: str) -> str:
    """The job whose run recorded a validation result (its run, when the job is unknown)."""
    run_id = Urn.parse(result).namespace  # validation-result:<run id>:<dataset>
    if run_id is None:
        return result
    run = str(Urn(NodeKind.RUN, run_id))
    jobs = index.edges_from(run, EdgeKind.INSTANCE_OF, open_only=True)
    return jobs[0].dst if jobs else run


def _upstream_columns(index: LineageIndex, start: list[str]) -> set[str]:
    seen = set(start)
    frontier = list(start)
    while frontier and len(seen) < MAX_SOURCE_COLUMNS:
        found = []
        for column in frontier:
            for edge in index.edges_from(column, EdgeKind.DERIVED_FROM, open_only=True):
                if edge.dst not in seen and index.kind_of(edge.dst) is NodeKind.COLUMN:
                    seen.add(edge.dst)
                    found.append(edge.dst)
        frontier = found
    return seen


def verdict(checks: Iterable[views.ValidationResult]) -> Quality:
    """unknown without checks; passing when every check passed; failing otherwise."""
    found = list(checks)
    if not found:
        return "unknown"
    return "passing" if all(check.success for check in found) else "failing"
