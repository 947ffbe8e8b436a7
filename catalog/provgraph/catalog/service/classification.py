"""Classifications set on columns, datasets and features, and the ones nodes inherit along lineage.

The one rule of which classifications an asset carries: every surface (REST, GraphQL and the
portal, search documents and facets, the policy gate's input, what-if) asks this service.
Inheritance is computed on demand from the lineage index at the moment asked, so it is as-of
correct and a removed source classification stops propagating at once. Each inherited
classification comes with every node where it was set (bounded, flagged when cut), each with
its shortest path. Propagation follows data, conservatively:

- a column inherits from the columns it was derived from along DIRECT column lineage; not
  along INDIRECT edges (filter, join, group, sort, window: kept and shown, they carry no
  values), nor along edges whose every DIRECT transformation masks (a hash): that is the
  evidence that declassifies (model/transformations.py). A column of a run's output without
  any column lineage inherits from every column of that run's inputs (never less than the
  truth);
- a classification set on a column belongs to the dataset's field (the versionless column), so
  it holds for that field in every version of the dataset, from when it was set until a
  steward removes it — a schema without the field does not end it;
- a dataset's own classifications cover all its versions' columns; a dataset (or dataset
  version) asked about carries what its columns carry (in its newest version at that moment);
- a feature carries what its newest version (at that moment) inherits, a model what its
  newest version does;
- feature versions inherit from their source columns (along the same DIRECT, unmasked rule)
  and their feature; a feature version whose transformation a steward declared declassifying
  inherits nothing from its sources. Training sets inherit from their feature versions and
  source data, model versions from their training sets, deployments from the model version
  they serve at that moment;
- what a training set was drawn from is read at the moment it was created: a model version
  keeps what the data it was trained on carried, however that data's lineage moved on later
  (tags are read at the moment asked, so a tag added since still reaches it).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from provgraph.catalog.model import views
from provgraph.catalog.model.answers.classification import ClassificationTrace
from provgraph.catalog.model.errors import NodeNotFoundError
from provgraph.catalog.model.kinds import EdgeKind, NodeKind
from provgraph.catalog.model.timeutil import to_micros
from provgraph.catalog.model.transformations import carries_classifications, of_edge
from provgraph.catalog.model.urn import Urn
from provgraph.catalog.service import fields
from provgraph.catalog.service.lineage_index import LineageIndex
from provgraph.catalog.store.port import CatalogStore

__all__ = ["ClassificationService", "ClassificationTrace"]

MAX_VISITED = 100_000
MAX_SOURCES_PER_TAG = 25
"""Explanations list at most this many sources per tag; the traces of a cut tag say so."""
_EXPANDED_AT_START = {NodeKind.FEATURE, NodeKind.MODEL}
"""Containers walked into only when asked about: a feature reached from one of its versions
must not pull in another version's sources (nor, see _contents, a dataset reached from one
of its columns its other columns)."""

_Visit = tuple[str, int | None]
"""A node, and the moment its lineage is read at (None: now)."""
_Inputs = dict[_Visit, list[str]]
"""Per walk: a dataset version's run input columns, by version and moment."""


@dataclass(frozen=True, slots=True)
class _Walk:
    start: str
    order: list[_Visit]
    came_from: dict[_Visit, _Visit | None]
    cut: bool


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
        at = None if as_of is None else to_micros(as_of)
        walk = self._walk(urn, at, as_of)
        found: dict[tuple[str, str], ClassificationTrace] = {}
        per_tag: dict[str, int] = {}
        cut: set[str] = set()
        for visit in walk.order:
            node = visit[0]
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
                    path = _path(walk.came_from, visit) + ([holder] if holder != node else [])
                    found[(tag, holder)] = ClassificationTrace(
                        tag, holder, path, inherited=node != walk.start
                    )
        if walk.cut:
            cut.update(per_tag)
        traces = [replace(t, truncated=True) if t.tag in cut else t for t in found.values()]
        return sorted(traces, key=lambda t: (len(t.path), t.tag, t.source))

    def tags(self, urn: str, *, as_of: datetime | None = None) -> list[str]:
        return sorted({t.tag for t in self.classifications(urn, as_of=as_of)})

    def carried(self, urns: Sequence[str]) -> dict[str, frozenset[str]]:
        """The tags each of `urns` carries now — the tags of `classifications`, without the
        explanations — sharing the work between them (indexing many nodes at once). The same
        walk, memoized node by node (lineage is acyclic); not cut at MAX_VISITED."""
        memo: dict[_Visit, frozenset[str]] = {}
        inputs: _Inputs = {}
        found: dict[str, frozenset[str]] = {}
        for urn in urns:
            if not self._index.has(urn):
                continue
            # the node asked about is walked its own way: expanded, with its contents
            steps = self._upstream(urn, None, inputs) + self._contents(urn, None)
            tags = set(self._own(urn))
            for step in steps:
                tags |= memo.get(step) or self._memoized(step, memo, inputs)
            found[urn] = frozenset(tags)
        return found

    def _memoized(
        self, root: _Visit, memo: dict[_Visit, frozenset[str]], inputs: _Inputs
    ) -> frozenset[str]:
        """What `root` carries when reached from elsewhere, by a depth-first walk that leaves
        every node it finishes in `memo`."""
        steps_of: dict[_Visit, list[_Visit]] = {}
        open_: set[_Visit] = set()
        stack: list[_Visit] = [root]
        while stack:
            visit = stack[-1]
            if visit in memo:
                stack.pop()
                continue
            if visit not in steps_of:
                expanded = self._index.kind_of(visit[0]) not in _EXPANDED_AT_START
                steps_of[visit] = self._upstream(*visit, inputs) if expanded else []
                open_.add(visit)
                pending = [s for s in steps_of[visit] if s not in memo and s not in open_]
                if pending:
                    stack.extend(pending)
                    continue
            stack.pop()
            if visit in memo:
                continue
            tags = set(self._own(visit[0]))
            for step in steps_of[visit]:
                tags |= memo.get(step, frozenset())  # a step still open would be a cycle
            memo[visit] = frozenset(tags)
            open_.discard(visit)
        return memo[root]

    def _own(self, node: str) -> set[str]:
        """The tags set on `node` itself (a column: also on its field), open now."""
        return {
            Urn.parse(edge.dst).name
            for holder in self._holders(node)
            for edge in self._index.related(holder, EdgeKind.CLASSIFIED_AS, outgoing=True, at=None)
        }

    def sources(self, urn: str) -> frozenset[str]:
        """Every node whose own classifications `urn` carries now (the field of a column
        included): what a tag set on one of them would reach `urn` through (what-if)."""
        walk = self._walk(urn, None, None)
        return frozenset(h for node, _ in walk.order for h in self._holders(node))

    # ---- the walk -------------------------------------------------------------------------

    def _walk(self, urn: str, at: int | None, as_of: datetime | None) -> _Walk:
        Urn.parse(urn)
        asked = urn
        urn = fields.resolve(self._index, urn, at)
        created = self._index.created_at(urn)
        if created is None:
            raise NodeNotFoundError(asked)
        if at is not None and created > at:
            raise NodeNotFoundError(asked, f"{asked} did not exist yet as of {as_of}")
        start: _Visit = (urn, at)
        came_from: dict[_Visit, _Visit | None] = {start: None}
        order: list[_Visit] = []
        queue: deque[_Visit] = deque([start])
        inputs: _Inputs = {}
        cut = False
        while queue:
            if len(came_from) >= MAX_VISITED:
                cut = True
                break
            visit = queue.popleft()
            order.append(visit)
            node, moment = visit
            if visit != start and self._index.kind_of(node) in _EXPANDED_AT_START:
                continue
            steps = self._upstream(node, moment, inputs)
            if visit == start:
                steps += self._contents(node, moment)
            for step in steps:
                if step not in came_from:
                    came_from[step] = visit
                    queue.append(step)
        return _Walk(urn, order, came_from, cut)

    def _holders(self, node: str) -> list[str]:
        """Where tags of `node` are set: itself, and for a column also its field."""
        parsed = Urn.parse(node)
        if parsed.kind is NodeKind.COLUMN and not parsed.is_field:
            field = str(parsed.field_urn())
            return [node, field] if self._index.has(field) else [node]
        return [node]

    def _related(
        self, urn: str, kind: EdgeKind, at: int | None, *, outgoing: bool = True
    ) -> list[str]:
        return self._index.related_urns(urn, kind, outgoing=outgoing, at=at)

    def _carrying(self, urn: str, kind: EdgeKind, at: int | None) -> list[str]:
        """Upstream ends of the column-lineage edges of `urn` that carry classifications."""
        edges = self._index.related(urn, kind, outgoing=True, at=at)
        return [e.dst for e in edges if carries_classifications(of_edge(e.props))]

    def _contents(self, urn: str, at: int | None) -> list[_Visit]:
        """What an asked-about dataset (version) holds: its newest version's columns."""
        kind = self._index.kind_of(urn)
        version: str | None = urn if kind is NodeKind.DATASET_VERSION else None
        if kind is NodeKind.DATASET:
            version = fields.newest_version_at(self._index, urn, at)
        if version is None:
            return []
        columns = self._related(version, EdgeKind.HAS_COLUMN, at)
        return [(v, at) for v in ([version] if version != urn else []) + columns]

    def _upstream(self, urn: str, at: int | None, inputs: _Inputs) -> list[_Visit]:
        kind = self._index.kind_of(urn)
        found: list[str]
        if kind is NodeKind.COLUMN:
            if Urn.parse(urn).is_field:
                return []
            version = str(Urn.parse(urn).dataset_version())
            derived = self._index.related(urn, EdgeKind.DERIVED_FROM, outgoing=True, at=at)
            if derived:
                carried = [e.dst for e in derived if carries_classifications(of_edge(e.props))]
                found = [*carried, version]
            else:
                found = [*self._run_input_columns(version, at, inputs), version]
        elif kind is NodeKind.DATASET_VERSION:
            found = [
                str(Urn.parse(urn).container()),
                *self._carrying(urn, EdgeKind.DERIVED_FROM, at),
            ]
        elif kind is NodeKind.DATASET:
            found = self._carrying(urn, EdgeKind.DERIVED_FROM, at)
        elif kind in (NodeKind.FEATURE, NodeKind.MODEL):
            newest = fields.newest_version_at(self._index, urn, at)
            found = [newest] if newest else []
        elif kind is NodeKind.FEATURE_VERSION:
            sources = (
                [] if self._declassifying(urn) else self._carrying(urn, EdgeKind.COMPUTED_FROM, at)
            )
            found = [*sources, str(Urn.parse(urn).container())]
        elif kind is NodeKind.TRAINING_SET:
            return self._drawn(urn, at)
        elif kind is NodeKind.MODEL_VERSION:
            found = self._related(urn, EdgeKind.TRAINED_ON, at)
        elif kind is NodeKind.DEPLOYMENT:
            found = self._related(urn, EdgeKind.SERVES, at)
        else:
            found = []
        return [(u, at) for u in found]

    def _drawn(self, urn: str, at: int | None) -> list[_Visit]:
        """A training set's features and source data, as they were when it was drawn."""
        created = self._index.created_at(urn)
        then = created if at is None or (created is not None and created < at) else at
        sources = self._related(urn, EdgeKind.DRAWN_FROM, then)
        columns = [c for s in sources for c in self._related(s, EdgeKind.HAS_COLUMN, then)]
        found = [*self._related(urn, EdgeKind.INCLUDES, then), *sources, *columns]
        return [(u, then) for u in found]

    def _run_input_columns(self, version: str, at: int | None, cache: _Inputs) -> list[str]:
        """Every column of what the runs that wrote `version` read (once per walk: each of
        the version's columns without column lineage asks)."""
        found = cache.get((version, at))
        if found is None:
            runs = self._related(version, EdgeKind.PRODUCED, at, outgoing=False)
            read = [v for run in runs for v in self._related(run, EdgeKind.CONSUMED, at)]
            found = [c for v in read for c in self._related(v, EdgeKind.HAS_COLUMN, at)]
            cache[(version, at)] = found
        return found

    def _declassifying(self, urn: str) -> bool:
        """A steward declared the feature version's transformation declassifying."""
        node = self._store.get_nodes([urn]).get(urn)
        return node is not None and views.FeatureVersion.of(node).declassifying


def _path(came_from: dict[_Visit, _Visit | None], visit: _Visit) -> list[str]:
    path = [visit]
    while (previous := came_from[path[-1]]) is not None:
        path.append(previous)
    path.reverse()
    return [node for node, _ in path]
