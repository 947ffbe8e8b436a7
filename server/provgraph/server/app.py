"""The FastAPI app factory: opens the catalog for the app's lifetime and mounts every interface."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response

from provgraph.catalog import metrics
from provgraph.catalog.access import Role, open_tokens
from provgraph.catalog.service.catalog import Catalog
from provgraph.catalog.service.demo import load_demo
from provgraph.catalog.settings import Settings
from provgraph.policies.engine import PolicyEngine
from provgraph.policies.factory import candidate_limits, engine_limits, policy_engine
from provgraph.policies.gate import FeatureUseGate
from provgraph.server.discovery import announce, withdraw
from provgraph.server.http import events, lineage, openlineage, ops, recipes, search
from provgraph.server.http import policy as policy_http
from provgraph.server.http.errors import install_error_handlers
from provgraph.server.http.graphql_api import graphql_router
from provgraph.server.http.guard import RequestGuard
from provgraph.server.http.openapi import install_openapi
from provgraph.server.http.portal import install_portal
from provgraph.server.http.route_label import method_label, route_label


def create_app(
    settings: Settings,
    *,
    demo: bool = False,
    catalog: Catalog | None = None,
    announce_url: str | None = None,
) -> FastAPI:
    """The app; it opens the catalog on startup unless given one already open (`provgraph serve`
    opens it first, so that startup failures are reported before the server starts), and closes
    it on shutdown. With `announce_url`, the data directory says where it is served (for local
    CLI commands) while the app runs."""
    graphql = graphql_router(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        opened = catalog or Catalog(settings)
        engine: PolicyEngine | None = None
        try:
            if demo:
                load_demo(opened)
            app.state.catalog = opened
            app.state.tokens = open_tokens(settings, data=opened.data_dir.path)
            app.state.anonymous_role = (
                Role.named(settings.anonymous_role) if settings.anonymous_role else None
            )
            engine = policy_engine(settings.opa_url, limits=engine_limits(settings))
            app.state.gate = FeatureUseGate(opened, engine)
            app.state.candidate_limits = candidate_limits(settings)
            # the index is millions of long-lived objects: keep them out of every GC pass,
            # and collect young objects less often (a request allocates thousands)
            gc.collect()
            gc.freeze()
            gc.set_threshold(50_000, 20, 100)
            if announce_url:
                announce(opened.data_dir.path, announce_url)
            yield
        finally:
            graphql.close()
            if announce_url:
                withdraw(opened.data_dir.path)
            if engine is not None:
                engine.close()
            tokens = getattr(app.state, "tokens", None)
            if tokens is not None:
                tokens.close()
            opened.close()

    app = FastAPI(
        title="provgraph",
        version="0.1.0",
        summary="Lineage and governance catalog for machine learning",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    install_error_handlers(app)
    install_openapi(app)
    app.middleware("http")(_count)
    app.add_middleware(RequestGuard, settings=settings)
    app.include_router(ops.router)
    app.include_router(events.router)
    app.include_router(lineage.router)
    app.include_router(recipes.router)
    app.include_router(openlineage.router)
    app.include_router(search.router)
    app.include_router(policy_http.router)
    app.include_router(graphql)
    install_portal(app)
    return app


async def _count(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    response = await call_next(request)
    path = route_label(request)
    status = str(response.status_code)
    metrics.HTTP_REQUESTS.labels(method_label(request.method), path, status).inc()
    return response
