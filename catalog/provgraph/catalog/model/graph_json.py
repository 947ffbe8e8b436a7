"""A graph change as JSON: what an applier publishes for the other servers' indexes."""

from __future__ import annotations

import json
from typing import Any

from provgraph.catalog.model.graph import EdgeClosure, EdgeRecord, GraphChange, NodeRecord
from provgraph.catalog.model.kinds import EdgeKind, NodeKind


def change_to_json(change: GraphChange) -> str:
    body = {
        "nodes": [_node(n) for n in change.nodes],
        "updated": [_node(n) for n in change.updated],
        "opened": [
            [e.kind.value, e.src, e.dst, e.valid_from, e.valid_to, e.props] for e in change.opened
        ],
        "closed": [[c.eid, c.src, c.valid_to] for c in change.closed],
    }
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False)


def change_from_json(text: str) -> GraphChange:
    body: dict[str, Any] = json.loads(text)
    return GraphChange(
        nodes=[_node_from(row) for row in body["nodes"]],
        updated=[_node_from(row) for row in body["updated"]],
        opened=[
            EdgeRecord(EdgeKind(kind), src, dst, int(vf), int(vt), props)
            for kind, src, dst, vf, vt, props in body["opened"]
        ],
        closed=[EdgeClosure(eid, src, int(vt)) for eid, src, vt in body["closed"]],
    )


def _node(node: NodeRecord) -> list[Any]:
    return [node.urn, node.kind.value, node.created_at, node.props]


def _node_from(row: list[Any]) -> NodeRecord:
    urn, kind, created_at, props = row
    return NodeRecord(urn, NodeKind(kind), int(created_at), props)
