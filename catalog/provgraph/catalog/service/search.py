"""Search for discovery: documents built from the graph, kept current after every batch."""

from __future__ import annotations

import base64
from dataclasses import dataclass

from provgraph.catalog.model import views
from provgraph.catalog.model.errors import InvalidArgumentError
from provgraph.catalog.model.graph import EdgeRecord, GraphChange, NodeRecord
from provgraph.catalog.model.kinds import EdgeKind, NodeKind
from provgraph.catalog.model.production import in_production
from provgraph.catalog.model.urn import Urn
from provgraph.catalog.search.port import (
    SEARCHABLE,
    IndexPage,
    SearchDocument,
    SearchFilters,
    SearchIndex,
)
from provgraph.catalog.service import fields
from provgraph.catalog.service.classification import ClassificationService
from provgraph.catalog.service.lineage_index import LineageIndex
from provgraph.catalog.service.quality import validations, verdict
from provgraph.catalog.service.traversal import Direction, TraversalLimits
from provgraph.catalog.store.port import CatalogStore

MAX_PAGE = 100
_VERSION_KINDS = {
    NodeKind.DATASET_VERSION: NodeKind.DATASET,
    NodeKind.FEATURE_VERSION: NodeKind.FEATURE,
    NodeKind.MODEL_VERSION: NodeKind.MODEL,
}
_BY_SOURCE = frozenset(
    {
        EdgeKind.OWNED_BY,
        EdgeKind.CLASSIFIED_AS,
        EdgeKind.HAS_VERSION,
        EdgeKind.HAS_COLUMN,
        EdgeKind.DERIVED_FROM,
    }
)
"""Edges whose effect on search documents depends on their source node only."""
_IMPACT_LIMITS = TraversalLimits(depth=40, limit=100_000, deadline_s=2.0)


@dataclass(frozen=True, slots=True)
class Cursor:
    offset: int

    def encode(self) -> str:
        return base64.urlsafe_b64encode(f"offset:{self.offset}".encode()).decode()

    @classmethod
    def decode(cls, text: str | None) -> Cursor:
        if not text:
            return cls(0)
        try:
            kind, _, value = base64.urlsafe_b64decode(text.encode()).decode().partition(":")
            if kind != "offset" or not value.isdigit():
                raise ValueError
            return cls(int(value))
        except (ValueError, UnicodeDecodeError):
            raise InvalidArgumentError(f"not a search cursor: {text!r}") from None


class SearchService:
    def __init__(
        self,
        index: SearchIndex,
        store: CatalogStore,
        lineage: LineageIndex,
        classifications: ClassificationService,
    ) -> None:
        self._index = index
        self._store = store
        self._lineage = lineage
        self._classifications = classifications

    # ---- reads ----------------------------------------------------------------------------

    def search(
        self,
        query: str,
        filters: SearchFilters | None = None,
        *,
        first: int = 20,
        after: str | None = None,
    ) -> IndexPage:
        if not 1 <= first <= MAX_PAGE:
            raise InvalidArgumentError(f"first must be between 1 and {MAX_PAGE}, got {first}")
        if len(query) > 1000:
            raise InvalidArgumentError("a search query is at most 1000 characters")
        bad = [k for k in (filters.kinds if filters else ()) if k not in SEARCHABLE]
        if bad:
            raise InvalidArgumentError(
                f"only {', '.join(k.value for k in SEARCHABLE)} are searchable, not {bad[0].value}"
            )
        return self._index.search(
            query, filters or SearchFilters(), first=first, offset=Cursor.decode(after).offset
        )

    # ---- keeping the index current --------------------------------------------------------

    def ensure_current(self, applied_seq: int) -> bool:
        """Rebuild from the graph if the index is behind the store; True if it rebuilt."""
        if self._index.applied_seq() == applied_seq:
            return False
        self._index.clear()
        urns = [n.urn for n in self._store.iter_nodes() if n.kind in SEARCHABLE]
        for start in range(0, len(urns), 2000):
            self._index.upsert(self._documents(urns[start : start + 2000]), applied_seq=-1)
        self._index.upsert([], applied_seq=applied_seq)
        return True

    def refresh(self, change: GraphChange, applied_seq: int) -> None:
        """Re-index the searchable nodes a change touched (listener of the event writer)."""
        affected: set[str] = set()
        for node in [*change.nodes, *change.updated]:
            affected |= self._owners_of(node.urn, node.kind)
        edges = list(change.opened)
        for closure in change.closed:
            edge = self._lineage.edge_by_id(closure.src, closure.eid)
            if edge is not None:
                edges.append(edge)
        seen: set[tuple[EdgeKind, str]] = set()
        created = {node.urn for node in change.nodes}
        for edge in edges:
            if edge.kind in _BY_SOURCE:  # what these touch depends on the source alone
                if (edge.kind, edge.src) in seen:
                    continue  # e.g. 10,000 HAS_COLUMN edges of one new version: one look
                seen.add((edge.kind, edge.src))
            if edge.kind is EdgeKind.DERIVED_FROM and edge.src in created:
                # a new node: what is downstream of it is new too, and indexed as such
                affected |= self._owners_of(edge.src, self._lineage.kind_of(edge.src))
                continue
            affected |= self._touched_by(edge)
        self._index.upsert(self._documents(sorted(affected)), applied_seq=applied_seq)

    def _owners_of(self, urn: str, kind: NodeKind | None) -> set[str]:
        """The searchable nodes whose documents show `urn`."""
        if kind in _VERSION_KINDS:  # the container's document shows its newest version
            container = str(Urn.parse(urn).container())
            return {urn, container} if kind in SEARCHABLE else {container}
        if kind in SEARCHABLE:
            return {urn}
        if kind is NodeKind.COLUMN and Urn.parse(urn).is_field:
            return {str(Urn.parse(urn).container())}
        if kind is NodeKind.COLUMN:
            features = {
                str(Urn.parse(e.src).container())
                for e in self._lineage.edges_to(urn, EdgeKind.COMPUTED_FROM)
            }
            return {str(Urn.parse(urn).container()), *features}
        return set()

    def _touched_by(self, edge: EdgeRecord) -> set[str]:
        kind = edge.kind
        if kind is EdgeKind.CLASSIFIED_AS:
            # a tag is inherited downstream: everything that inherits it shows it
            found = self._owners_of(edge.src, self._lineage.kind_of(edge.src))
            for start in self._tagged_nodes(edge.src):
                found |= self._downstream_owners(start)
            return found
        if kind in _BY_SOURCE:
            return self._owners_of(edge.src, self._lineage.kind_of(edge.src))
        if kind is EdgeKind.COMPUTED_FROM:
            return self._owners_of(edge.src, NodeKind.FEATURE_VERSION)
        if kind is EdgeKind.ALIAS_OF:
            return {edge.dst}  # the dataset's document lists its other names
        if kind is EdgeKind.DERIVED_FROM:
            # column lineage learnt later (a DatasetEvent) changes what is downstream carries
            found = self._owners_of(edge.src, self._lineage.kind_of(edge.src))
            return found | self._downstream_owners(edge.src)
        if kind is EdgeKind.VALIDATES:
            found = self._owners_of(edge.dst, NodeKind.DATASET_VERSION)
            for column in self._lineage.edges_from(edge.dst, EdgeKind.HAS_COLUMN):
                found |= self._owners_of(column.dst, NodeKind.COLUMN)
            return found
        if kind is EdgeKind.SERVES:
            upstream = self._lineage.traverse(
                edge.dst, Direction.UPSTREAM, at=None, limits=_IMPACT_LIMITS
            )
            found = set()
            for urn, node_kind, _ in self._lineage.describe(upstream):
                found |= self._owners_of(urn, node_kind)
            return found
        return set()

    def _tagged_nodes(self, urn: str) -> list[str]:
        """Where lineage starts for a tag on `urn`: the node, or for a dataset's field, the
        field's column in the dataset's newest version."""
        parsed = Urn.parse(urn)
        if parsed.kind is NodeKind.COLUMN and parsed.is_field:
            newest = self._newest_version(str(parsed.container()))
            return [str(Urn.parse(newest).column(parsed.field or ""))] if newest else []
        return [urn]

    def _downstream_owners(self, urn: str) -> set[str]:
        if not self._lineage.has(urn):
            return set()
        reached = self._lineage.traverse(urn, Direction.DOWNSTREAM, at=None, limits=_IMPACT_LIMITS)
        found: set[str] = set()
        for node, node_kind, _ in self._lineage.describe(reached):
            found |= self._owners_of(node, node_kind)
        return found

    # ---- documents ------------------------------------------------------------------------

    def _documents(self, urns: list[str]) -> list[SearchDocument]:
        records = self._store.get_nodes(urns)
        versions = {urn: self._newest_version(urn) for urn in records}
        extra = [v for v in versions.values() if v] + [
            r for v in versions.values() if v for r in validations(self._lineage, v)
        ]
        reached = {urn: self._deployments(urn) for urn in records}
        deployments = sorted({d for found in reached.values() for d in found})
        more = self._store.get_nodes(extra + deployments)
        live = {d for d in deployments if d in more and in_production(views.Deployment.of(more[d]))}
        carried = self._classifications.carried(list(records))
        return [
            self._document(
                records[u], versions[u], more, carried.get(u, frozenset()), len(live & reached[u])
            )
            for u in urns
            if u in records
        ]

    def _newest_version(self, urn: str) -> str | None:
        # the one rule (versions.py), O(1) from the index: walking every HAS_VERSION edge cost
        # each write O(versions) (17,000 a year for an hourly job)
        return fields.newest_version_at(self._lineage, urn, None)

    def _document(
        self,
        node: NodeRecord,
        version: str | None,
        more: dict[str, NodeRecord],
        tags: frozenset[str],
        production: int,
    ) -> SearchDocument:
        urn = Urn.parse(node.urn)
        columns: list[str] = []
        if version is not None and node.kind is NodeKind.DATASET:
            column_urns = [e.dst for e in self._lineage.edges_from(version, EdgeKind.HAS_COLUMN)]
            columns = [Urn.parse(c).field or "" for c in column_urns]
        elif version is not None and node.kind is NodeKind.FEATURE:
            column_urns = [e.dst for e in self._lineage.edges_from(version, EdgeKind.COMPUTED_FROM)]
            columns = [f"{Urn.parse(c).name} {Urn.parse(c).field}" for c in column_urns]
        checks = [
            views.ValidationResult.of(more[r])
            for r in (validations(self._lineage, version) if version else [])
            if r in more
        ]
        updated = max([node.created_at] + ([more[version].created_at] if version in more else []))
        return SearchDocument(
            urn=node.urn,
            kind=node.kind,
            name=urn.name,
            namespace=urn.namespace or "",
            description=_description(node, self._aliases(node.urn), more.get(version or "")),
            columns=columns,
            owners=sorted(
                Urn.parse(e.dst).name
                for e in self._lineage.edges_from(node.urn, EdgeKind.OWNED_BY, open_only=True)
            ),
            tags=sorted(tags),  # the one rule of what it carries, as every surface answers
            status=views.Feature.of(node).status if node.kind is NodeKind.FEATURE else "none",
            quality=verdict(checks),
            production_deployments=production,
            updated_at=updated,
        )

    def _aliases(self, urn: str) -> list[str]:
        """A dataset's other names (symlinks), `namespace/name`, searchable with it."""
        found = (Urn.parse(e.src) for e in self._lineage.edges_to(urn, EdgeKind.ALIAS_OF))
        return sorted(f"{alias.namespace}/{alias.name}" for alias in found)

    def _deployments(self, urn: str) -> set[str]:
        """The deployments its lineage reaches; those in production (the one rule,
        model/production.py) are what a document counts."""
        reached = self._lineage.traverse(urn, Direction.DOWNSTREAM, at=None, limits=_IMPACT_LIMITS)
        return set(self._lineage.reached_of_kind(reached, NodeKind.DEPLOYMENT))


def _description(node: NodeRecord, aliases: list[str], newest: NodeRecord | None) -> str:
    """What the document's description text searches: the description and what names the node
    beyond its URN — a dataset's labels (free-text tags that are not classifications) and other
    names, a model's newest purpose and stage, a run's job and state, a deployment's purpose."""
    stored = views.view_of(node)
    text = (stored.description if isinstance(stored, views.Described) else None) or ""
    return " ".join([text, *_named_by(stored, aliases, newest)]).strip()


def _named_by(stored: views.NodeView, aliases: list[str], newest: NodeRecord | None) -> list[str]:
    words: list[str | None] = []
    if isinstance(stored, views.Dataset):
        words = [*stored.labels, *aliases]
    elif isinstance(stored, views.Model) and newest is not None:
        version = views.ModelVersion.of(newest)
        words = [version.purpose, version.stage, version.label]
    elif isinstance(stored, views.ModelVersion):
        words = [stored.purpose, stored.stage, stored.label, stored.framework]
    elif isinstance(stored, views.Deployment):
        model = Urn.parse(stored.model_version).name
        words = [stored.purpose, stored.environment, stored.status, model]
    elif isinstance(stored, views.Run):
        job = Urn.parse(stored.job) if stored.job else None
        words = [job.name if job else None, job.namespace if job else None, stored.state]
        words.append(stored.source_run_id)
    elif isinstance(stored, views.Job):
        words = [stored.job_type, stored.source_code_location]
    return [word for word in words if word]
