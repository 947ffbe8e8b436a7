"""GET /api/v1/search: feature discovery over REST (GraphQL has the same as `search`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from provgraph.catalog.access import Role
from provgraph.catalog.model.answers.search import SearchPage
from provgraph.catalog.model.kinds import NodeKind
from provgraph.catalog.model.timeutil import Moment
from provgraph.catalog.search.port import SearchFilters
from provgraph.catalog.service.catalog import Catalog
from provgraph.catalog.service.search import Cursor
from provgraph.server.http.auth import requires
from provgraph.server.http.consistency import read_after

router = APIRouter(
    prefix="/api/v1",
    tags=["search"],
    dependencies=[Depends(requires(Role.READER)), Depends(read_after)],
)


@router.get("/search", response_model=SearchPage)
def search(
    request: Request,
    q: Annotated[str, Query(max_length=1000)] = "",
    kind: Annotated[list[NodeKind] | None, Query()] = None,
    owner: str | None = None,
    classification: str | None = None,
    status: str | None = None,
    updated_after: Moment | None = None,
    in_production: bool | None = None,
    first: Annotated[int, Query(ge=1, le=100)] = 20,
    after: str | None = None,
) -> SearchPage:
    catalog: Catalog = request.app.state.catalog
    filters = SearchFilters(
        kinds=tuple(kind or ()),
        owner=owner,
        classification=classification,
        status=status,
        updated_after=updated_after,
        in_production=in_production,
    )
    page = catalog.search.search(q, filters, first=first, after=after)
    next_cursor = None if page.next_offset is None else Cursor(page.next_offset).encode()
    return SearchPage(page.total, page.hits, page.facets, next_cursor)
