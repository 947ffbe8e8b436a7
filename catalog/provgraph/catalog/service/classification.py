"""Classifications set on columns, datasets and features, and the ones nodes inherit along lineage.

Inheritance is computed on demand from the lineage index at the moment asked, so it is as-of
correct and a removed source classification stops propagating at once. Each inherited
classification comes with every node where it was set (bounded, flagged when cut), each
with its shortest path. Propagation follows
data, conservatively:

- a column inherits from the columns it was derived from; a column of a run's output without
  column lineage inherits from every column of that run's inputs (never less than the truth);
- a classification set on a column belongs to the dataset's field (the versionless column), so
  it holds for that field in every version of the dataset, from when it was set until removed;
- a dataset's own classifications cover all its versions' columns;
- a feature carries what its newest version (at that moment) inherits;
- feature versions inherit from their source columns and their feature; training sets from
  their feature versions and source data; model versions from their training sets;
  deployments from the model version they serve at that moment;
- a feature version whose transformation is declared declassifying (hash, aggregate,
  k-anonymize) stops everything upstream of it.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, replace
from datetime import datetime

from provgraph.catalog.model import views
from provgraph.catalog.model.errors import NodeNotFoundError
from provgraph.catalog.model.kinds import EdgeKind, NodeKind
from provgraph.catalog.model.timeutil import to_micros
from provgraph.catalog.model.urn import Urn
from provgraph.catalog.service import fields
from provgraph.catalog.service.lineage_index import LineageIndex
from provgraph.catalog.store.port import CatalogStore

MAX_VISITED = 100_000
MAX_SOURCES_PER_TAG = 25
"""Explanations list at most this many sources per tag; the traces of a cut tag say so."""


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


class ClassificationService:
    def __init__(self, index: LineageIndex, store: CatalogStore) -> None:
        self._index = index
        self._store = store

    def classifications(
        self, urn: str, *, as_of: datetime | None = None
    ) -> list[ClassificationTrace]:
        """Direct and inherited classifications of `urn`: every source of each tag (bounded),
        each with its shortest path. A versionless column means the field in the newest
        version at that moment."""
        Urn.parse(urn)
        at = None if as_of is None else to_micros(as_of)
        asked = urn
        urn = fields.resolve(self._index, urn, at)
        created = self._index.created_at(urn)
        if created is None:
            raise NodeNotFoundError(asked)
        if at is not None and created > at:
            raise NodeNotFoundError(asked, f"{asked} did not exist yet as of {as_of}")
        found: dict[tuple[str, str], ClassificationTrace] = {}
        per_tag: dict[str, int] = {}
        cut: set[str] = set()
        came_from: dict[str, str | None] = {urn: None}
        queue: deque[str] = deque([urn])
        while queue:
            if len(came_from) >= MAX_VISITED:
                cut.update(per_tag)
                break
            node = queue.popleft()
            for holder in self._holders(node):
                for edge in self._index.related(
                    holder, EdgeKind.CLASSIFIED_AS, outgoing=True, at=at
                ):
                    tag = Urn.parse(edge.dst).name
                    if (tag, holder) in found:
                        continue
                    if per_tag.get(tag, 0) >= MAX_SOURCES_PER_TAG:
                        cut.add(tag)
                        continue
                    per_tag[tag] = per_tag.get(tag, 0) + 1
                    path = _path(came_from, node) + ([holder] if holder != node else [])
                    found[(tag, holder)] = ClassificationTrace(
                        tag, holder, path, inherited=node != urn
                    )
            if node != urn and (
                self._declassifying(node) or self._index.kind_of(node) is NodeKind.FEATURE
            ):
                continue  # a feature reached from one version must not pull in another's sources
            for upstream in self._upstream(node, at):
                if upstream not in came_from:
                    came_from[upstream] = node
                    queue.append(upstream)
        traces = [replace(t, truncated=True) if t.tag in cut else t for t in found.values()]
        return sorted(traces, key=lambda t: (len(t.path), t.tag, t.source))

    def _holders(self, node: str) -> list[str]:
        """Where tags of `node` are set: itself, and for a column also its field."""
        parsed = Urn.parse(node)
        if parsed.kind is NodeKind.COLUMN and not parsed.is_field:
            field = str(parsed.field_urn())
            return [node, field] if self._index.has(field) else [node]
        return [node]

    def tags(self, urn: str, *, as_of: datetime | None = None) -> list[str]:
        return sorted({t.tag for t in self.classifications(urn, as_of=as_of)})

    def _related(
        self, urn: str, kind: EdgeKind, at: int | None, *, outgoing: bool = True
    ) -> list[str]:
        edges = self._index.related(urn, kind, outgoing=outgoing, at=at)
        return [e.dst if outgoing else e.src for e in edges]

    def _upstream(self, urn: str, at: int | None) -> list[str]:
        kind = self._index.kind_of(urn)
        if kind is NodeKind.COLUMN:
            if Urn.parse(urn).is_field:
                return []
            version = str(Urn.parse(urn).dataset_version())
            derived = self._related(urn, EdgeKind.DERIVED_FROM, at)
            return (
                [*derived, version] if derived else [*self._run_input_columns(version, at), version]
            )
        if kind is NodeKind.DATASET_VERSION:
            return [str(Urn.parse(urn).container()), *self._related(urn, EdgeKind.DERIVED_FROM, at)]
        if kind is NodeKind.DATASET:
            return self._related(urn, EdgeKind.DERIVED_FROM, at)
        if kind is NodeKind.FEATURE:
            newest = fields.newest_version_at(self._index, urn, at)
            return [newest] if newest else []
        if kind is NodeKind.FEATURE_VERSION:
            return [
                *self._related(urn, EdgeKind.COMPUTED_FROM, at),
                str(Urn.parse(urn).container()),
            ]
        if kind is NodeKind.TRAINING_SET:
            sources = self._related(urn, EdgeKind.DRAWN_FROM, at)
            columns = [c for s in sources for c in self._related(s, EdgeKind.HAS_COLUMN, at)]
            return [*self._related(urn, EdgeKind.INCLUDES, at), *sources, *columns]
        if kind is NodeKind.MODEL_VERSION:
            return self._related(urn, EdgeKind.TRAINED_ON, at)
        if kind is NodeKind.DEPLOYMENT:
            return self._related(urn, EdgeKind.SERVES, at)
        return []

    def _run_input_columns(self, version: str, at: int | None) -> list[str]:
        runs = self._related(version, EdgeKind.PRODUCED, at, outgoing=False)
        inputs = [v for run in runs for v in self._related(run, EdgeKind.CONSUMED, at)]
        return [c for v in inputs for c in self._related(v, EdgeKind.HAS_COLUMN, at)]

    def _declassifying(self, urn: str) -> bool:
        if self._index.kind_of(urn) is not NodeKind.FEATURE_VERSION:
            return False
        node = self._store.get_nodes([urn]).get(urn)
        return node is not None and views.FeatureVersion.of(node).declassifying


def _path(came_from: dict[str, str | None], node: str) -> list[str]:
    path = [node]
    while (previous := came_from[path[-1]]) is not None:
        path.append(previous)
    path.reverse()
    return path
