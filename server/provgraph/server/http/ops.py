"""Operational endpoints: liveness, readiness and Prometheus metrics."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse, PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from provgraph.catalog.model.answers.readiness import Readiness
from provgraph.catalog.model.errors import CatalogError
from provgraph.catalog.service.catalog import Catalog
from provgraph.server.http.errors import without_paths

router = APIRouter(tags=["operations"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """On the event loop itself: never queued behind work in the thread pools."""
    return {"status": "ok"}


@router.get(
    "/readyz",
    response_model=Readiness,
    response_model_exclude_none=True,
    responses={503: {"model": Readiness, "description": "Unavailable, or catching up"}},
)
def readyz(request: Request) -> JSONResponse:
    catalog: Catalog = request.app.state.catalog
    try:
        catalog.store.ping()
        applied = catalog.store.applied_seq()
        logged = catalog.log.last_seq()
    except CatalogError as exc:
        return _answer(Readiness(status="unavailable", detail=without_paths(str(exc))), 503)
    trouble = catalog.writer.health()
    if trouble is not None:  # e.g. a full disk; clears by itself once writes work again
        return _answer(Readiness(status="unavailable", detail=without_paths(trouble)), 503)
    nodes, edges = catalog.index.counts()
    ready = applied >= logged
    readiness = Readiness(
        status="ready" if ready else "catching-up",
        store=catalog.store.backend,
        applied_seq=applied,
        logged_seq=logged,
        nodes=nodes,
        edges=edges,
    )
    return _answer(readiness, 200 if ready else 503)


def _answer(readiness: Readiness, status: int) -> JSONResponse:
    return JSONResponse(readiness.model_dump(mode="json", exclude_none=True), status_code=status)


@router.get(
    "/metrics",
    response_class=PlainTextResponse,
    responses={200: {"description": "Prometheus text exposition format"}},
)
def metrics() -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
