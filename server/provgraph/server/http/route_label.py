"""The route a request matched, as a metrics label: its path template, never the raw path."""

from __future__ import annotations

from fastapi import Request
from starlette.routing import Match


def route_label(request: Request) -> str:
    """FastAPI's own routes put themselves in the scope; the plain Starlette routes FastAPI adds
    (the OpenAPI document, the docs) are matched here; what matches nothing is `unmatched`."""
    route = request.scope.get("route")
    path = getattr(route, "path", None)
    if isinstance(path, str):
        return path
    for candidate in request.app.router.routes:
        match, _ = candidate.matches(request.scope)
        if match is Match.FULL:
            label = getattr(candidate, "path", None)
            return label if isinstance(label, str) else "unmatched"
    return "unmatched"


_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def method_label(method: str) -> str:
    """The request's method as a metrics label: any other token a client sends is `other`, so
    clients cannot grow the metric families (kept for the process's life) one label at a time."""
    return method if method in _METHODS else "other"
