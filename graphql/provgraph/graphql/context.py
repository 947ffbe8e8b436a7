"""Per-request GraphQL context: the services, the caller, and fresh DataLoaders."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from strawberry.fastapi import BaseContext

from provgraph.catalog.access import Role
from provgraph.catalog.model.graph import EdgeRecord, NodeRecord
from provgraph.catalog.model.kinds import EdgeKind
from provgraph.catalog.service.catalog import Catalog
from provgraph.graphql.batch_loader import BatchLoader
from provgraph.graphql.deadline import Deadline
from provgraph.graphql.limits import Budget

NODE_CHUNK = 1_000
"""Nodes fetched per store round trip; the deadline is checked between chunks."""


@dataclass(frozen=True)
class RelationKey:
    urn: str
    kind: EdgeKind
    outgoing: bool
    as_of: datetime | None = None


@dataclass
class Loaders:
    """One loader per relation shape; a request's resolvers share them, so each level of a
    query costs one store round trip for nodes, whatever the number of parents (one per
    NODE_CHUNK nodes). Both check the request's deadline between units of work and, past it,
    answer nothing for the keys left."""

    catalog: Catalog
    deadline: Deadline
    nodes: BatchLoader[str, NodeRecord | None] = field(init=False)
    related: BatchLoader[RelationKey, list[EdgeRecord]] = field(init=False)

    def __post_init__(self) -> None:
        self.nodes = BatchLoader(load_fn=self._load_nodes)
        self.related = BatchLoader(load_fn=self._load_related)

    async def _load_nodes(self, urns: list[str]) -> list[NodeRecord | None]:
        # the server executes GraphQL on its own threads (never the event loop): call directly
        found: dict[str, NodeRecord] = {}
        for start in range(0, len(urns), NODE_CHUNK):
            if self.deadline.expired():  # the rest is not fetched (provgraph.graphql.deadline)
                break
            found.update(self.catalog.reader.get_nodes(urns[start : start + NODE_CHUNK]))
        return [found.get(urn) for urn in urns]

    async def _load_related(self, keys: list[RelationKey]) -> list[list[EdgeRecord]]:
        reader, deadline = self.catalog.reader, self.deadline
        found: list[list[EdgeRecord]] = []
        for k in keys:
            stop = deadline.expired()  # the rest is not looked up (provgraph.graphql.deadline)
            found.append(
                [] if stop else reader.related(k.urn, k.kind, outgoing=k.outgoing, as_of=k.as_of)
            )
        return found


class GraphContext(BaseContext):
    def __init__(
        self,
        catalog: Catalog,
        actor: str,
        gate: Any = None,
        *,
        role: Role,
        budget: Budget | None = None,
        deadline: Deadline | None = None,
    ) -> None:
        super().__init__()
        self.catalog = catalog
        self.role = role
        """Required, with no default: a caller that forgets it fails instead of acting as admin."""
        self.budget = budget or Budget()
        """The request's depth, alias and cost bounds (provgraph.graphql.limits)."""
        self.gate = gate
        """The feature-use gate (provgraph.policies), set by the app that composes them."""
        self.deadline = deadline or Deadline.unbounded()
        """When the request must stop (provgraph.graphql.deadline); the server sets one."""
        self.actor = actor
        self.loaders = Loaders(catalog, self.deadline)
