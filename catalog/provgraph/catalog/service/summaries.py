"""The one place a node's summary is computed: its name and where it stands, for every answer
that lists nodes (lineage, impact, column lineage) on every surface (REST, GraphQL, the CLI).

Only the kinds whose standing lives in their properties (features, model versions, deployments,
runs) are read from the store, all in one round trip; every other node is summarized from its
URN alone, so a long lineage answer over datasets and columns costs no store read.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import NamedTuple, Protocol

from provgraph.catalog.model import views
from provgraph.catalog.model.answers.lineage import LineageNode
from provgraph.catalog.model.graph import NodeRecord
from provgraph.catalog.model.kinds import NodeKind
from provgraph.catalog.model.production import in_production
from provgraph.catalog.model.urn import label_of

Hop = tuple[str, NodeKind, int]
"""A reached node: its URN, kind and distance in hops."""

READ_KINDS = frozenset(
    {NodeKind.FEATURE, NodeKind.MODEL_VERSION, NodeKind.DEPLOYMENT, NodeKind.RUN}
)
"""The kinds whose summary needs their stored properties."""
LABELS_KEPT = 65_536
"""Labels kept for the URNs answered most recently: labelling a URN costs more than the walk
that reached it. Keyed by the index's own URN strings, so a kept label costs only its own
bytes (a few MB at most)."""


class NodeLookup(Protocol):
    def get_nodes(self, urns: Sequence[str]) -> Mapping[str, NodeRecord]: ...


class NodeSummaries:
    def __init__(self, nodes: NodeLookup) -> None:
        self._nodes = nodes

    def lineage_nodes(self, hops: Iterable[Hop]) -> list[LineageNode]:
        """The reached nodes, in the order given, each with its summary."""
        hops = list(hops)
        stored = self._nodes.get_nodes([u for u, kind, _ in hops if kind in READ_KINDS])
        return [_node(urn, kind, depth, stored.get(urn)) for urn, kind, depth in hops]


class _Standing(NamedTuple):
    status: str | None = None
    stage: str | None = None
    environment: str | None = None
    archived: bool = False
    in_production: bool | None = None


def _standing(stored: NodeRecord | None) -> _Standing:
    view = None if stored is None else views.view_of(stored)
    if isinstance(view, views.Feature):
        return _Standing(status=view.status, archived=view.status == "deprecated")
    if isinstance(view, views.ModelVersion):
        return _Standing(stage=view.stage, archived=view.stage == "archived")
    if isinstance(view, views.Deployment):
        return _Standing(
            status=view.status,
            environment=view.environment,
            archived=view.status == "retired",
            in_production=in_production(view),
        )
    if isinstance(view, views.Run):
        return _Standing(status=view.state)
    return _NOWHERE


_NOWHERE = _Standing()


@lru_cache(maxsize=LABELS_KEPT)
def _label(urn: str) -> str:
    return label_of(urn)


def _node(urn: str, kind: NodeKind, depth: int, stored: NodeRecord | None) -> LineageNode:
    if stored is None:
        return LineageNode(urn=urn, kind=kind, name=_label(urn), depth=depth)
    standing = _standing(stored)
    return LineageNode(
        urn=urn,
        kind=kind,
        name=_label(urn),
        depth=depth,
        status=standing.status,
        stage=standing.stage,
        environment=standing.environment,
        archived=standing.archived,
        in_production=standing.in_production,
    )
