"""The request guard: what every request must satisfy before any route sees it.

A pure ASGI middleware, in this order:
1. the Host header names this server (`allowed_hosts`; loopback names only when anonymous
   access is on and none are set) — no DNS rebinding onto a local catalog;
2. a request that may change something (any method but GET/HEAD/OPTIONS) from a browser page
   of another origin is refused (its `Origin` must be this host or an allowed one);
3. such a request is authenticated before a byte of its body is read (401 otherwise); if it
   has a body or a content type, it must say it sends JSON (415 otherwise), and its body is
   counted as it streams, chunked or not:
   at `max_body_bytes` it stops with 413, and a body slower than `body_timeout_s` gets 408;
   its JSON may nest at most `max_json_depth` (400).
The body, once read, is handed to the route unchanged.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from typing import Any
from urllib.parse import urlsplit

from anyio import to_thread
from fastapi import HTTPException
from starlette.requests import Request

from provgraph.catalog.access import TokenStoreUnavailableError
from provgraph.catalog.settings import Settings
from provgraph.server.http.auth import principal

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
OPEN_PATHS = frozenset({"/healthz", "/readyz"})
"""Answered whatever the Host: probes call by address."""
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
_SPECIAL = re.compile(rb'["\\\[\]{}]')
"""One byte of a class: matching cannot backtrack, so finding them all is linear."""
_INLINE_SCAN_BYTES = 16 * 1024
_QUOTE, _BACKSLASH = ord('"'), ord("\\")
_OPENERS, _CLOSERS = frozenset(b"[{"), frozenset(b"]}")


def json_depth(body: bytes) -> int:
    """How deeply a JSON text nests: one pass over its quotes, backslashes and brackets
    (strings and their escapes skipped; no parsing, no recursion, no backtracking)."""
    depth = deepest = 0
    in_string = False
    escaped_until = -1
    for found in _SPECIAL.finditer(body):
        at = found.start()
        if at < escaped_until:
            continue  # the character a backslash escapes
        byte = body[at]
        if in_string:
            if byte == _BACKSLASH:
                escaped_until = at + 2
            elif byte == _QUOTE:
                in_string = False
        elif byte == _QUOTE:
            in_string = True
        elif byte in _OPENERS:
            depth += 1
            deepest = max(deepest, depth)
        elif byte in _CLOSERS:
            depth -= 1
    return deepest


def _host_name(value: str) -> str:
    """`example.com:8000` -> `example.com`; `[::1]:8000` -> `::1`."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[1 : value.find("]")] if "]" in value else value
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


def _has_body(request: Request) -> bool:
    length = request.headers.get("content-length")
    return "transfer-encoding" in request.headers or (length is not None and length != "0")


def _is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )


class RequestGuard:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self._app = app
        self._settings = settings
        hosts = [h.lower() for h in settings.allowed_hosts]
        if not hosts and settings.anonymous_role:
            hosts = list(LOOPBACK_NAMES)
        self._any_host = not hosts or "*" in hosts
        self._hosts = frozenset(_host_name(h) for h in hosts)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        request = Request(scope)
        host = request.headers.get("host", "")
        if scope["path"] not in OPEN_PATHS and not self._host_allowed(host):
            await _answer(send, 400, "UnknownHost", "this server does not answer to that Host")
            return
        if scope["method"] in SAFE_METHODS:
            await self._app(scope, receive, send)
            return
        origin = request.headers.get("origin")
        if origin is not None and not self._origin_allowed(origin, host):
            await _answer(send, 403, "CrossOrigin", "requests from another origin are refused")
            return
        try:
            principal(request)
        except HTTPException as exc:
            await _answer(
                send, exc.status_code, "Unauthorized", str(exc.detail), headers=exc.headers
            )
            return
        except TokenStoreUnavailableError as exc:
            await _answer(send, 503, type(exc).__name__, str(exc))
            return
        content_type = request.headers.get("content-type")
        if content_type is None and not _has_body(request):
            await self._app(scope, receive, send)  # nothing to read (e.g. POST .../recheck)
            return
        if not _is_json(content_type or ""):
            await _answer(
                send,
                415,
                "UnsupportedMediaType",
                "send the body as 'Content-Type: application/json'",
            )
            return
        body = await self._read_body(request, receive, send)
        if body is None:
            return
        limit = self._settings.max_json_depth
        depth = await self._depth(body)
        if depth > limit:
            await _answer(
                send, 400, "TooDeeplyNested", f"JSON bodies may nest at most {limit} levels"
            )
            return
        await self._app(scope, _replay(body, receive), send)

    def _host_allowed(self, host: str) -> bool:
        return self._any_host or _host_name(host) in self._hosts

    def _origin_allowed(self, origin: str, host: str) -> bool:
        netloc = urlsplit(origin).netloc.lower()
        if netloc and netloc == host.strip().lower():
            return True
        name = _host_name(netloc)
        if not self._settings.allowed_hosts:
            return False
        return "*" in self._settings.allowed_hosts or name in self._hosts

    async def _read_body(self, request: Request, receive: Receive, send: Send) -> bytes | None:
        limit = self._settings.max_body_bytes
        too_large = f"request bodies are limited to {limit:,} bytes"
        length = request.headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > limit):
            await _answer(send, 413, "PayloadTooLarge", too_large)
            return None
        chunks: list[bytes] = []
        size = 0
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._settings.body_timeout_s
        while True:
            try:
                message = await asyncio.wait_for(receive(), timeout=deadline - loop.time())
            except TimeoutError:
                detail = f"the body did not arrive within {self._settings.body_timeout_s:g} s"
                await _answer(send, 408, "RequestTimeout", detail, close=True)
                return None
            if message["type"] == "http.disconnect":
                return None
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await _answer(send, 413, "PayloadTooLarge", too_large, close=True)
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    async def _depth(self, body: bytes) -> int:
        if len(body) <= _INLINE_SCAN_BYTES:
            return json_depth(body)
        return await to_thread.run_sync(json_depth, body)


def _replay(body: bytes, receive: Receive) -> Receive:
    """The body in one message, then the client's own messages (a disconnect, when it comes)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _answer(
    send: Send,
    status: int,
    error: str,
    detail: str,
    *,
    close: bool = False,
    headers: Mapping[str, str] | None = None,
) -> None:
    """The one error shape (`{"error", "detail"}`), sent before any route runs."""
    payload = json.dumps({"error": error, "detail": detail}).encode()
    raw = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(payload)).encode()),
        *((k.lower().encode(), v.encode()) for k, v in (headers or {}).items()),
    ]
    if close:
        raw.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": payload})
