"""Mount the schema on FastAPI at /graphql (GraphiQL, from local assets, is served by portal.py).

Execution never runs on the server's event loop: each operation is validated, bounded and
executed on one of a few GraphQL threads (each with its own event loop for the DataLoaders),
under a deadline, and its answer is encoded there and capped in size; the event loop only
hands the request over and sends the bytes back, so one heavy query cannot starve `/healthz`
or any other request. A request body must be a JSON object (400 otherwise); GET runs queries
only (strawberry refuses mutations over GET), and every field that writes is a mutation.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, cast

from cross_web import HTTPException as TransportHTTPException
from fastapi import HTTPException, Request
from graphql import GraphQLError
from strawberry.fastapi import GraphQLRouter
from strawberry.http import GraphQLHTTPResponse, process_result
from strawberry.types.execution import ExecutionResult

from provgraph.catalog.access import Role
from provgraph.catalog.settings import Settings
from provgraph.graphql.context import GraphContext
from provgraph.graphql.limits import Budget
from provgraph.graphql.schema import schema
from provgraph.server.http.auth import requires


class _Encoded(dict[str, Any]):
    """A response already encoded (off the event loop); `encode_json` sends its bytes."""

    def __init__(self, payload: bytes) -> None:
        super().__init__()
        self.payload = payload


def _error_payload(message: str, code: str, **extensions: Any) -> bytes:
    body = {
        "data": None,
        "errors": [{"message": message, "extensions": {"code": code, **extensions}}],
    }
    return json.dumps(body).encode()


class _GraphQLThreads:
    """A few threads, each running one event loop, that execute GraphQL operations."""

    def __init__(self, workers: int) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="graphql")
        self._local = threading.local()

    async def run(self, work: Callable[[], Awaitable[Any]], deadline_s: float) -> Any:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, self._run, work, deadline_s)

    async def call(self, work: Callable[[], Any]) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self._pool, work)

    def _run(self, work: Callable[[], Awaitable[Any]], deadline_s: float) -> Any:
        loop: asyncio.AbstractEventLoop | None = getattr(self._local, "loop", None)
        if loop is None:
            loop = self._local.loop = asyncio.new_event_loop()
        return loop.run_until_complete(asyncio.wait_for(work(), timeout=deadline_s))

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


class _Router(GraphQLRouter[GraphContext, None]):
    def __init__(self, settings: Settings, threads: _GraphQLThreads) -> None:
        async def context(request: Request) -> GraphContext:
            caller = requires(Role.READER)(request)
            return GraphContext(
                request.app.state.catalog,
                caller.actor,
                getattr(request.app.state, "gate", None),
                role=caller.role,
                budget=Budget(max_cost=settings.graphql_max_cost),
            )

        super().__init__(schema, context_getter=context, graphql_ide=None, prefix="/graphql")
        self._settings = settings
        self._threads = threads

    async def run(self, request: Any, context: Any = None, root_value: Any = None) -> Any:
        """strawberry answers a request it cannot read (bad JSON, no query, a mutation over
        GET) in plain text: raised as our HTTPException, it gets the one error body shape."""
        try:
            return await super().run(request, context=context, root_value=root_value)
        except TransportHTTPException as exc:
            raise HTTPException(exc.status_code, exc.reason) from None

    def parse_json(self, data: str | bytes) -> Any:
        try:
            parsed = json.loads(data)
        except RecursionError:
            raise HTTPException(400, "the request body is nested too deeply") from None
        if not isinstance(parsed, dict):
            raise HTTPException(
                400, 'a GraphQL request is a JSON object: {"query": ..., "variables": {...}}'
            )
        return parsed

    async def execute_single(
        self,
        request: Any,
        request_adapter: Any,
        sub_response: Any,
        context: Any,
        root_value: Any,
        request_data: Any,
    ) -> ExecutionResult:
        parent = super().execute_single

        def work() -> Awaitable[ExecutionResult]:
            return parent(
                request=request,
                request_adapter=request_adapter,
                sub_response=sub_response,
                context=context,
                root_value=root_value,
                request_data=request_data,
            )

        deadline = self._settings.graphql_deadline_s
        try:
            result: ExecutionResult = await self._threads.run(work, deadline)
        except TimeoutError:
            return ExecutionResult(
                data=None,
                errors=[
                    GraphQLError(
                        f"the request ran past its deadline of {deadline:g} s and was stopped",
                        extensions={"code": "DEADLINE_EXCEEDED", "deadlineSeconds": deadline},
                    )
                ],
            )
        return result

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        cap = self._settings.graphql_max_response_bytes

        def encode() -> bytes:
            payload = json.dumps(process_result(result), separators=(",", ":")).encode()
            if len(payload) > cap:
                return _error_payload(
                    f"the response is {len(payload):,} bytes, over the cap of {cap:,}: "
                    "select less, or page with first/limit",
                    "RESPONSE_TOO_LARGE",
                    responseBytes=len(payload),
                    maxResponseBytes=cap,
                )
            return payload

        payload: bytes = await self._threads.call(encode)
        return cast(GraphQLHTTPResponse, _Encoded(payload))

    def encode_json(self, data: object) -> str | bytes:
        if isinstance(data, _Encoded):
            return data.payload
        return super().encode_json(data)

    def close(self) -> None:
        self._threads.close()


def graphql_router(settings: Settings) -> _Router:
    """The /graphql routes; `close()` them when the app stops."""
    return _Router(settings, _GraphQLThreads(settings.graphql_workers))
