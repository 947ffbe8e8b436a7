"""Per-request GraphQL context: the services, the caller, and fresh DataLoaders."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from strawberry.dataloader import DataLoader
from strawberry.fastapi import BaseContext

from provgraph.catalog.access import Role
from provgraph.catalog.model.graph import EdgeRecord, NodeRecord
from provgraph.catalog.model.kinds import EdgeKind
from provgraph.catalog.service.catalog import Catalog
from provgraph.graphql.limits import Budget


@dataclass(frozen=True)
class RelationKey:
    urn: str
    kind: EdgeKind
    outgoing: bool
    as_of: datetime | None = None


@dataclass
class Loaders:
    """One loader per relation shape; a request's resolvers share them, so each level of a
    query costs one store round trip for nodes, whatever the number of parents."""

    catalog: Catalog
    nodes: DataLoader[str, NodeRecord | None] = field(init=False)
    related: DataLoader[RelationKey, list[EdgeRecord]] = field(init=False)

    def __post_init__(self) -> None:
        self.nodes = DataLoader(load_fn=self._load_nodes)
        self.related = DataLoader(load_fn=self._load_related)

    async def _load_nodes(self, urns: list[str]) -> list[NodeRecord | None]:
        # the server executes GraphQL on its own threads (never the event loop): call directly
        found = self.catalog.reader.get_nodes(urns)
        return [found.get(urn) for urn in urns]

    async def _load_related(self, keys: list[RelationKey]) -> list[list[EdgeRecord]]:
        reader = self.catalog.reader
        return [reader.related(k.urn, k.kind, outgoing=k.outgoing, as_of=k.as_of) for k in keys]


class GraphContext(BaseContext):
    def __init__(
        self,
        catalog: Catalog,
        actor: str,
        gate: Any = None,
        *,
        role: Role,
        budget: Budget | None = None,
    ) -> None:
        super().__init__()
        self.catalog = catalog
        self.role = role
        """Required, with no default: a caller that forgets it fails instead of acting as admin."""
        self.budget = budget or Budget()
        """The request's depth, alias and cost bounds (provgraph.graphql.limits)."""
        self.gate = gate
        """The feature-use gate (provgraph.policies), set by the app that composes them."""
        self.actor = actor
        self.loaders = Loaders(catalog)
