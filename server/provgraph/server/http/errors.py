"""Map the errors we define to HTTP answers (the table is in error_codes.py); anything else is
a bug: a 500 with an error id that is also written to the log, never a 4xx that hides it."""

from __future__ import annotations

import logging
import re
import uuid

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from provgraph.catalog.event_roles import EventForbiddenError
from provgraph.catalog.model.errors import (
    NodeNotFoundError,
    NotCaughtUpError,
    UnknownReferenceError,
)
from provgraph.catalog.service.writer import EventRejectedError
from provgraph.server.error_codes import DEFINED, http_status

log = logging.getLogger("provgraph.server")
_PATH = re.compile(r"(?<![\w:/.])/(?:[\w.\-]+/)*[\w.\-]+")


def without_paths(message: str) -> str:
    """A message fit for a client: file-system paths replaced by `<path>`."""
    return _PATH.sub("<path>", message)


def _body(exc: Exception) -> dict[str, object]:
    body: dict[str, object] = {"error": type(exc).__name__, "detail": str(exc)}
    if isinstance(exc, EventRejectedError):
        body["position"] = exc.position
        body["cause"] = type(exc.cause).__name__
    if isinstance(exc, EventForbiddenError):
        body["position"] = exc.position
    if isinstance(exc, UnknownReferenceError | NodeNotFoundError):
        body["urn"] = exc.urn
    if isinstance(exc, NotCaughtUpError):
        body["seq"] = exc.seq
    return body


async def _defined_error(_: Request, exc: Exception) -> JSONResponse:
    status = http_status(exc) or 500
    body = _body(exc)
    if status >= 500:  # an unavailable dependency: say what, never where on disk
        body["detail"] = without_paths(str(body["detail"]))
    return JSONResponse(body, status_code=status)


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
    install_http_error_handlers(app)


class ErrorBody(BaseModel):
    """Every error answer, whatever its status."""

    error: str
    """The kind of error: the name of the error we raised (`NodeNotFoundError`,
    `InvalidEventError`, …) or, for what the HTTP layer refuses, `Unauthorized`, `Forbidden`,
    `NotFound`, `MethodNotAllowed`, `PayloadTooLarge`, `InvalidRequest`, `InternalError`."""
    detail: str
    position: int | None = None
    """In a batch: the position of the rejected event."""
    cause: str | None = None
    urn: str | None = None
    """The unknown URN, when one is."""
    seq: int | None = None
    """On a 503 for `min_seq`: the sequence number this server's indexes reflect."""
    error_id: str | None = None
    """On a 500: the id the server log has the error under."""


_HTTP_NAMES = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    405: "MethodNotAllowed",
    406: "NotAcceptable",
    413: "PayloadTooLarge",
    415: "UnsupportedMediaType",
    429: "TooManyRequests",
}


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail
    if exc.status_code == 404 and detail == "Not Found":
        detail = f"no route {request.method} {request.url.path}"
    elif exc.status_code == 405 and detail == "Method Not Allowed":
        detail = f"{request.url.path} does not answer {request.method}"
    body = {"error": _HTTP_NAMES.get(exc.status_code, "HTTPError"), "detail": str(detail)}
    return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)


async def _validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = exc.errors()
    first = problems[0] if problems else {"loc": (), "msg": "invalid request"}
    where = ".".join(str(part) for part in first.get("loc", ()))
    detail = f"{where}: {first.get('msg')}" if where else str(first.get("msg"))
    return JSONResponse({"error": "InvalidRequest", "detail": detail}, status_code=422)


def install_http_error_handlers(app: FastAPI) -> None:
    """What the HTTP layer refuses (no route, no token, a malformed parameter) answers in the
    same shape as the errors we define."""
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
