"""Graph records exchanged between the services and the store adapters."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from provgraph.catalog.model.kinds import EdgeKind, NodeKind
from provgraph.catalog.model.timeutil import OPEN_END
from provgraph.catalog.model.urn import Urn

JsonDict = dict[str, Any]


@dataclass(frozen=True, slots=True)
class NodeRecord:
    urn: str
    kind: NodeKind
    created_at: int
    props: JsonDict = field(default_factory=dict)

    def props_json(self) -> str:
        return canonical_json(self.props)


@dataclass(frozen=True)
class EdgeRecord:
    kind: EdgeKind
    src: str
    dst: str
    valid_from: int
    valid_to: int = OPEN_END
    props: JsonDict = field(default_factory=dict, compare=False)

    @cached_property
    def eid(self) -> str:
        """Identity: derived from kind, endpoints and valid_from, so a replay finds the edge."""
        return edge_id(self.kind, self.src, self.dst, self.valid_from)

    @property
    def is_open(self) -> bool:
        return self.valid_to == OPEN_END


@dataclass(frozen=True, slots=True)
class EdgeClosure:
    eid: str
    src: str
    valid_to: int


@dataclass(slots=True)
class GraphChange:
    """What one or more events do to the graph; applied by a store in one transaction.

    `nodes` are new nodes, `updated` existing nodes with new properties, `opened` new edges and
    `closed` edges whose validity ends. A change is applied exactly once (the store records
    the event sequence number it reached in the same transaction), so nothing here needs
    to be an upsert.
    """

    nodes: list[NodeRecord] = field(default_factory=list)
    updated: list[NodeRecord] = field(default_factory=list)
    opened: list[EdgeRecord] = field(default_factory=list)
    closed: list[EdgeClosure] = field(default_factory=list)


def edge_id(kind: EdgeKind, src: str, dst: str, valid_from: int) -> str:
    digest = hashlib.sha256(f"{kind.value}\x1f{src}\x1f{dst}\x1f{valid_from}".encode())
    return digest.hexdigest()[:24]


def canonical_json(value: object) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def content_version(content: object) -> str:
    """A content-derived version id: the same content always gets the same id."""
    return hashlib.sha256(canonical_json(content).encode()).hexdigest()[:16]


def training_set_urn(
    name: str, *, features: list[str], sources: list[str], manifest: Mapping[str, object]
) -> Urn:
    """A training set is its content: the feature and dataset version URNs it draws on and its
    manifest. Producers that know them name the set they just recorded by this URN."""
    content = {"features": features, "sources": sources, "manifest": dict(manifest)}
    return Urn(NodeKind.TRAINING_SET, name, version=content_version(content))
