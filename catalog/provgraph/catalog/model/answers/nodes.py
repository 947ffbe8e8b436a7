"""One stored node, as `GET /api/v1/nodes` answers it: its kind, when it was recorded and its
properties (the view's stored form)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from provgraph.catalog.model.graph import JsonDict, NodeRecord
from provgraph.catalog.model.kinds import NodeKind
from provgraph.catalog.model.timeutil import from_micros
from provgraph.catalog.model.views import view_of


@dataclass(frozen=True, slots=True)
class Node:
    urn: str
    kind: NodeKind
    created_at: datetime
    props: JsonDict

    @classmethod
    def of(cls, record: NodeRecord) -> Node:
        created_at = from_micros(record.created_at)
        assert created_at is not None
        return cls(record.urn, record.kind, created_at, view_of(record).to_props())
