"""The OpenAPI document: every status a route can answer, with the one error shape, and the
request bodies that routes parse themselves (catalog events, OpenLineage events)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from provgraph.server.http.errors import ErrorBody
from provgraph.server.http.events import EVENTS_BODY

_REF = "#/components/schemas/{model}"
_WHY = {
    400: "A malformed URN, argument or JSON body",
    401: "No token, or an unknown or revoked one",
    403: "The token's role is too small",
    404: "No such node (the body names the `urn`)",
    413: "The body is over the size limit",
    415: "The body is not JSON",
    422: "An invalid or inconsistent request or event; nothing was stored",
    500: "An unexpected error; the body's `error_id` is in the server log",
    503: "The store is unavailable or the server is not ready",
}
_URN_PARAMETERS = {"urn", "from", "to"}
_OPERATIONAL = {"/healthz", "/metrics"}


def install_openapi(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title,
                version=app.version,
                summary=app.summary,
                routes=app.routes,
            )
            _declare(document)
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _declare(document: dict[str, Any]) -> None:
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas["ErrorBody"] = ErrorBody.model_json_schema(ref_template=_REF)
    events = EVENTS_BODY.json_schema(ref_template=_REF)
    schemas.update(events.pop("$defs", {}))
    for path, operations in document.get("paths", {}).items():
        for method, operation in operations.items():
            if path == "/api/v1/events" and method == "post":
                operation["requestBody"] = _json_body(
                    events, "a catalog event, a wrapped one, or an array"
                )
            elif path == "/api/v1/lineage" and method == "post":
                operation["requestBody"] = _json_body(
                    {
                        "oneOf": [
                            {"type": "object"},
                            {"type": "array", "items": {"type": "object"}},
                        ]
                    },
                    "an OpenLineage RunEvent, DatasetEvent or JobEvent, or an array of them",
                )
            for status in _statuses(path, method, operation):
                operation.setdefault("responses", {}).setdefault(
                    str(status),
                    {
                        "description": _WHY[status],
                        "content": {
                            "application/json": {"schema": {"$ref": _REF.format(model="ErrorBody")}}
                        },
                    },
                )


def _json_body(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {
        "required": True,
        "description": description,
        "content": {"application/json": {"schema": schema}},
    }


def _statuses(path: str, method: str, operation: dict[str, Any]) -> list[int]:
    if path in _OPERATIONAL:
        return [500] if path == "/metrics" else []
    statuses = {500, 503}
    if operation.get("security"):
        statuses |= {401, 403}
    parameters = {p.get("name") for p in operation.get("parameters", [])}
    if parameters:
        statuses |= {400, 422}
    if parameters & _URN_PARAMETERS or "{" in path:
        statuses.add(404)
    if method in ("post", "put", "patch"):
        statuses |= {400, 413, 415, 422}
    return sorted(statuses)
