"""GET /api/v1/recipe: how to train a model version again, and what changed since."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool

from provgraph.catalog.access import Role
from provgraph.catalog.service.catalog import Catalog
from provgraph.catalog.service.recipe import Recipe
from provgraph.server.http.auth import requires
from provgraph.server.http.consistency import read_after

router = APIRouter(
    prefix="/api/v1",
    tags=["lineage"],
    dependencies=[Depends(requires(Role.READER)), Depends(read_after)],
)


@router.get("/recipe", response_model=Recipe)
async def get_recipe(request: Request, urn: str) -> Recipe:
    """The exact recipe of a model version (404 when there is no such model version)."""
    catalog: Catalog = request.app.state.catalog
    return await run_in_threadpool(catalog.recipes.recipe, urn)
