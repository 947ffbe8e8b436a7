"""Why a node carries a classification: where it was set and the lineage path it came along."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ClassificationTrace:
    tag: str
    source: str
    """Where the classification was set: a node, or the field (versionless column) of a column."""
    path: list[str]
    """From the node asked about to `source`; a column's tag ends with the column, then the
    field it was set on."""
    inherited: bool = False
    truncated: bool = False
    """More sources give this tag than are listed, or the walk was cut at MAX_VISITED."""
