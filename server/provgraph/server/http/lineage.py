"""REST lineage reads (GraphQL offers the same and more): lineage, impact, paths, nodes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from provgraph.catalog.access import Role
from provgraph.catalog.model.answers.lineage import ImpactResult, LineagePath, LineageResult
from provgraph.catalog.model.answers.nodes import Node
from provgraph.catalog.model.errors import InvalidArgumentError, NodeNotFoundError
from provgraph.catalog.model.kinds import EdgeKind
from provgraph.catalog.model.timeutil import Moment, utc
from provgraph.catalog.service import fields
from provgraph.catalog.service.catalog import Catalog
from provgraph.catalog.service.classification import ClassificationTrace
from provgraph.catalog.service.traversal import Direction
from provgraph.server.http.auth import requires
from provgraph.server.http.consistency import read_after
from provgraph.server.http.urns import resolve_urn

router = APIRouter(
    prefix="/api/v1",
    tags=["lineage"],
    dependencies=[Depends(requires(Role.READER)), Depends(read_after)],
)


def _catalog(request: Request) -> Catalog:
    catalog: Catalog = request.app.state.catalog
    return catalog


def parse_edge_kinds(text: str | None) -> frozenset[EdgeKind] | None:
    if not text:
        return None
    kinds = []
    for name in text.split(","):
        try:
            kinds.append(EdgeKind(name.strip().upper()))
        except ValueError:
            known = ", ".join(k.value for k in EdgeKind)
            raise InvalidArgumentError(
                f"unknown edge kind {name.strip()!r}; known: {known}"
            ) from None
    return frozenset(kinds)


@router.get("/lineage", response_model=LineageResult)
def get_lineage(
    request: Request,
    urn: str,
    direction: Direction = Direction.UPSTREAM,
    depth: Annotated[int, Query(ge=1, le=100)] = 20,
    as_of: Moment | None = None,
    edge_kinds: str | None = None,
    limit: Annotated[int, Query(ge=1, le=100_000)] = 10_000,
    include_edges: bool = True,
    all_versions: bool = False,
) -> LineageResult:
    catalog = _catalog(request)
    return catalog.lineage.lineage(
        resolve_urn(catalog, urn),
        direction=direction,
        depth=depth,
        as_of=utc(as_of),
        edge_kinds=parse_edge_kinds(edge_kinds),
        limit=limit,
        include_edges=include_edges,
        all_versions=all_versions,
    )


@router.get("/impact", response_model=ImpactResult)
def get_impact(request: Request, urn: str, as_of: Moment | None = None) -> ImpactResult:
    catalog = _catalog(request)
    return catalog.lineage.impact(resolve_urn(catalog, urn), as_of=utc(as_of))


@router.get("/paths", response_model=list[LineagePath])
def get_paths(
    request: Request,
    source: Annotated[str, Query(alias="from")],
    target: Annotated[str, Query(alias="to")],
    as_of: Moment | None = None,
) -> list[LineagePath]:
    catalog = _catalog(request)
    return catalog.lineage.paths(
        resolve_urn(catalog, source), resolve_urn(catalog, target), as_of=utc(as_of)
    )


@router.get("/nodes", response_model=Node)
def get_node(request: Request, urn: str) -> Node:
    catalog = _catalog(request)
    node = catalog.get_node(fields.resolve(catalog.index, resolve_urn(catalog, urn)))
    if node is None:
        raise NodeNotFoundError(urn)
    return Node.of(node)


@router.get("/classifications", response_model=list[ClassificationTrace])
def get_classifications(
    request: Request, urn: str, as_of: Moment | None = None
) -> list[ClassificationTrace]:
    """Classifications set on a node or inherited along lineage, each with its path."""
    catalog = _catalog(request)
    return catalog.classifications.classifications(resolve_urn(catalog, urn), as_of=utc(as_of))
