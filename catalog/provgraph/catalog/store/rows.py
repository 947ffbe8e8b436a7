"""Conversions between graph records and the flat parameter rows every adapter sends."""

from __future__ import annotations

import json
from typing import Any

from provgraph.catalog.model.graph import (
    EdgeClosure,
    EdgeRecord,
    NodeRecord,
    canonical_json,
)
from provgraph.catalog.model.kinds import EdgeKind, NodeKind


def node_row(node: NodeRecord) -> dict[str, Any]:
    return {
        "urn": node.urn,
        "kind": node.kind.value,
        "created_at": node.created_at,
        "props": node.props_json(),
    }


def edge_row(edge: EdgeRecord) -> dict[str, Any]:
    return {
        "eid": edge.eid,
        "kind": edge.kind.value,
        "src": edge.src,
        "dst": edge.dst,
        "valid_from": edge.valid_from,
        "valid_to": edge.valid_to,
        "props": canonical_json(edge.props),
    }


def closure_row(closure: EdgeClosure) -> dict[str, Any]:
    return {"eid": closure.eid, "src": closure.src, "valid_to": closure.valid_to}


def node_from(urn: str, kind: str, created_at: int, props: str | None) -> NodeRecord:
    return NodeRecord(
        urn=urn, kind=NodeKind(kind), created_at=int(created_at), props=json.loads(props or "{}")
    )


def edge_from(
    kind: str, src: str, dst: str, valid_from: int, valid_to: int, props: str | None
) -> EdgeRecord:
    return EdgeRecord(
        kind=EdgeKind(kind),
        src=src,
        dst=dst,
        valid_from=int(valid_from),
        valid_to=int(valid_to),
        props=json.loads(props or "{}"),
    )
