"""Read access for the API layers: nodes from the store, relations from the lineage index.

The GraphQL layer batches these calls through DataLoaders; it never talks to a store itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TypeVar

from provgraph.catalog.model import views
from provgraph.catalog.model.errors import NodeNotFoundError
from provgraph.catalog.model.graph import EdgeRecord, NodeRecord
from provgraph.catalog.model.kinds import EdgeKind, NodeKind
from provgraph.catalog.model.timeutil import to_micros
from provgraph.catalog.model.views import NodeView
from provgraph.catalog.service import fields
from provgraph.catalog.service.lineage_index import LineageIndex
from provgraph.catalog.service.quality import Quality, validations, verdict
from provgraph.catalog.store.port import CatalogStore

V = TypeVar("V", bound=NodeView)


class CatalogReader:
    def __init__(self, store: CatalogStore, index: LineageIndex) -> None:
        self._store = store
        self._index = index

    def get_nodes(self, urns: Sequence[str]) -> dict[str, NodeRecord]:
        """Nodes by URN (unknown URNs are left out), in one store round trip."""
        known = [u for u in dict.fromkeys(urns) if self._index.has(u)]
        return self._store.get_nodes(known) if known else {}

    def view(self, urn: str, view: type[V]) -> V:
        """The typed view of one node (NodeNotFoundError when the catalog does not have it)."""
        found = self.get_nodes([urn]).get(urn)
        if found is None:
            raise NodeNotFoundError(urn)
        return view.of(found)

    def views(self, urns: Sequence[str], view: type[V]) -> dict[str, V]:
        """Typed views by URN (unknown URNs are left out), in one store round trip."""
        return {urn: view.of(found) for urn, found in self.get_nodes(urns).items()}

    def related(
        self, urn: str, kind: EdgeKind, *, outgoing: bool, as_of: datetime | None = None
    ) -> list[EdgeRecord]:
        at = None if as_of is None else to_micros(as_of)
        return self._index.related(urn, kind, outgoing=outgoing, at=at)

    def degree(self, urn: str, kind: EdgeKind, *, outgoing: bool) -> int:
        """How many edges of `kind` leave (or enter) `urn`, open or closed: no `related` answer,
        at any moment, is longer."""
        return self._index.degree(urn, kind, outgoing=outgoing)

    def largest_degree(self, node_kind: NodeKind | None, kind: EdgeKind, *, outgoing: bool) -> int:
        """The longest `degree` of any node of `node_kind` (None: of any kind)."""
        return self._index.largest_degree(node_kind, kind, outgoing=outgoing)

    def history(self, urn: str, kind: EdgeKind, *, outgoing: bool) -> list[EdgeRecord]:
        """Every edge of `kind` at `urn`, open or closed, oldest first."""
        edges = self._index.edges_from(urn, kind) if outgoing else self._index.edges_to(urn, kind)
        return sorted(edges, key=lambda e: e.valid_from)

    def newest_version(self, container: str, *, as_of: datetime | None = None) -> str | None:
        """The newest version of a dataset, feature or model (the rule in versions.py)."""
        return fields.newest_version_at(
            self._index, container, None if as_of is None else to_micros(as_of)
        )

    def quality(self, version: str) -> Quality:
        """passing / failing / unknown: the checks recorded on the data a dataset or feature
        version reads."""
        checks = self.views(validations(self._index, version), views.ValidationResult)
        return verdict(checks.values())

    def exists(self, urn: str) -> bool:
        return self._index.has(urn)

    def kind_of(self, urn: str) -> NodeKind | None:
        return self._index.kind_of(urn)

    def list_urns(self, kind: NodeKind, *, offset: int, limit: int) -> list[str]:
        return self._index.urns_of_kind(kind, offset=offset, limit=limit)

    def count(self, kind: NodeKind) -> int:
        return self._index.count_of_kind(kind)
