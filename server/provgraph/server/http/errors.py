"""Map catalog errors to HTTP answers: always a 4xx/503 with a message, never a bare 500."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from provgraph.catalog.model.errors import (
    CatalogError,
    DataDirError,
    InvalidEventError,
    InvalidUrnError,
    NodeNotFoundError,
    StoreUnavailableError,
    UnknownReferenceError,
)
from provgraph.catalog.service.writer import EventRejectedError

_STATUS: list[tuple[type[Exception], int]] = [
    (NodeNotFoundError, 404),
    (InvalidUrnError, 400),
    (UnknownReferenceError, 422),
    (InvalidEventError, 422),
    (StoreUnavailableError, 503),
    (DataDirError, 503),
]


def _body(exc: Exception) -> dict[str, object]:
    body: dict[str, object] = {"error": type(exc).__name__, "detail": str(exc)}
    if isinstance(exc, EventRejectedError):
        body["position"] = exc.position
        body["cause"] = type(exc.cause).__name__
    if isinstance(exc, UnknownReferenceError | NodeNotFoundError):
        body["urn"] = exc.urn
    return body


async def _catalog_error(_: Request, exc: Exception) -> JSONResponse:
    status = next((code for kind, code in _STATUS if isinstance(exc, kind)), 400)
    return JSONResponse(_body(exc), status_code=status)


async def _value_error(_: Request, exc: Exception) -> JSONResponse:
    return JSONResponse({"error": "InvalidArgument", "detail": str(exc)}, status_code=400)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(CatalogError, _catalog_error)
    app.add_exception_handler(ValueError, _value_error)
