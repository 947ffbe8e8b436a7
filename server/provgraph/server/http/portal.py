"""The browser portal, GraphiQL and the OpenAPI docs, all from assets built into the package.

`./dev setup` (or the wheel's build hook) builds `portal/` with npm into `portal_dist/` beside
this package: the portal's own files, plus GraphiQL, React and Swagger UI copied from their npm
packages under `vendor/`, so nothing is loaded from a CDN. Unknown paths outside the API answer
the portal's index.html, so a deep link survives a reload.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse

PORTAL_DIST = Path(__file__).resolve().parent.parent / "portal_dist"
API_PREFIXES = ("api/", "graphql", "openapi.json", "healthz", "readyz", "metrics", "docs")
NOT_BUILT = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>provgraph: portal not built</title></head><body><main>
<h1>The provgraph portal is not built</h1>
<p>This server was installed from source without its front-end build. Run
<code>./dev setup</code> (or <code>cd portal &amp;&amp; npm ci &amp;&amp; npm run build</code>)
and restart the server. The APIs work without it: <code>POST /graphql</code>,
<code>/api/v1/...</code>.</p></main></body></html>"""


def _asset(dist: Path, relative: str) -> Path | None:
    """The built file at `relative`, never anything outside the build folder."""
    if not relative or "\x00" in relative:
        return None
    candidate = (dist / relative).resolve()
    if not candidate.is_relative_to(dist.resolve()) or not candidate.is_file():
        return None
    return candidate


def _page(dist: Path, name: str) -> Response:
    page = dist / name
    if not page.is_file():
        return HTMLResponse(NOT_BUILT, status_code=503)
    # the pages name hashed assets: always revalidate the page itself
    return FileResponse(page, media_type="text/html", headers={"Cache-Control": "no-cache"})


def portal_router(dist: Path = PORTAL_DIST) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/docs")
    def docs() -> Response:
        if not (dist / "vendor" / "swagger-ui-bundle.js").is_file():
            return HTMLResponse(NOT_BUILT, status_code=503)
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="provgraph API",
            swagger_js_url="/vendor/swagger-ui-bundle.js",
            swagger_css_url="/vendor/swagger-ui.css",
            swagger_favicon_url="/vendor/favicon-32x32.png",
        )

    @router.get("/{path:path}")
    def portal(path: str) -> Response:
        found = _asset(dist, path)
        if found is not None and not found.name.startswith("."):
            immutable = path.startswith("assets/")
            cache = "public, max-age=31536000, immutable" if immutable else "no-cache"
            return FileResponse(found, headers={"Cache-Control": cache})
        if path.startswith(API_PREFIXES):
            return JSONResponse({"error": "NotFound", "detail": f"no such path: /{path}"}, 404)
        return _page(dist, "index.html")

    return router


def wants_graphiql(request: Request) -> bool:
    """A browser opening /graphql (not a GraphQL GET request, which carries a query)."""
    return (
        request.method == "GET"
        and request.url.path.rstrip("/") == "/graphql"
        and "text/html" in request.headers.get("accept", "")
        and "query" not in request.query_params
    )


def install_portal(app: FastAPI, dist: Path = PORTAL_DIST) -> None:
    """GraphiQL before authentication (it sends the signed-in token itself), then the portal's
    catch-all route; call last, after every API router."""

    async def graphiql(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        if wants_graphiql(request):
            return _page(dist, "graphiql.html")
        return await call_next(request)

    app.middleware("http")(graphiql)
    app.include_router(portal_router(dist))
