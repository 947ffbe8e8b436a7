"""Map the errors we define to HTTP answers (the table is in error_codes.py); anything else is
a bug: a 500 with an error id that is also written to the log, never a 4xx that hides it."""

from __future__ import annotations

import logging
import uuid

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from provgraph.catalog.model.errors import NodeNotFoundError, UnknownReferenceError
from provgraph.catalog.service.writer import EventRejectedError
from provgraph.server.error_codes import DEFINED, http_status

log = logging.getLogger("provgraph.server")


def _body(exc: Exception) -> dict[str, object]:
    body: dict[str, object] = {"error": type(exc).__name__, "detail": str(exc)}
    if isinstance(exc, EventRejectedError):
        body["position"] = exc.position
        body["cause"] = type(exc.cause).__name__
    if isinstance(exc, UnknownReferenceError | NodeNotFoundError):
        body["urn"] = exc.urn
    return body


async def _defined_error(_: Request, exc: Exception) -> JSONResponse:
    return JSONResponse(_body(exc), status_code=http_status(exc) or 500)


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    error_id = uuid.uuid4().hex
    log.error(
        "unexpected error %s on %s %s", error_id, request.method, request.url.path, exc_info=exc
    )
    body = {
        "error": "InternalError",
        "detail": f"unexpected error; the server log has it under error id {error_id}",
        "error_id": error_id,
    }
    return JSONResponse(body, status_code=500)


def install_error_handlers(app: FastAPI) -> None:
    for kind in DEFINED:
        app.add_exception_handler(kind, _defined_error)
    app.add_exception_handler(Exception, _unexpected_error)
