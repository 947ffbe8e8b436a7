"""Operational endpoints: liveness, readiness and Prometheus metrics."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse, PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from provgraph.catalog import metrics as catalog_metrics
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
    lag_events, lag_seconds = catalog.lag()
    tailer = catalog.tailer
    if tailer is None:
        ready = applied >= logged
    else:  # a shared log: ready once the indexes caught up, then serving while they follow
        if tailer.trouble is not None:
            return _answer(
                Readiness(status="unavailable", detail=without_paths(tailer.trouble)), 503
            )
        ready = catalog.progress.caught_up_once
    readiness = Readiness(
        status="ready" if ready else "catching-up",
        store=catalog.store.backend,
        applied_seq=applied,
        logged_seq=logged,
        index_seq=catalog.progress.seq,
        lag_events=lag_events,
        lag_seconds=round(lag_seconds, 3),
        applier=tailer.applier if tailer is not None else None,
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
def metrics(request: Request) -> Response:
    catalog: Catalog = request.app.state.catalog
    try:
        lag_events, lag_seconds = catalog.lag()
    except CatalogError:  # the log is unreachable: /readyz says so; the gauges keep their last
        pass
    else:
        catalog_metrics.INDEX_SEQ.set(catalog.progress.seq)
        catalog_metrics.LAG_EVENTS.set(lag_events)
        catalog_metrics.LAG_SECONDS.set(lag_seconds)
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
