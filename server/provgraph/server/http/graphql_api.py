"""Mount the schema on FastAPI at /graphql (GraphiQL, from local assets, is served by portal.py).

Execution never runs on the server's event loop: each operation is validated, bounded and
executed on one of a few GraphQL threads (each with its own event loop for the DataLoaders),
under a deadline, and its answer is encoded there and capped in size; the event loop only
hands the request over and sends the bytes back, so one heavy query cannot starve `/healthz`
or any other request. The JSON body is decoded on a worker thread too. A request body must be
a JSON object (400 otherwise); GET runs queries only (strawberry refuses mutations over GET),
and every field that writes is a mutation.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, cast

from anyio import to_thread
from cross_web import HTTPException as TransportHTTPException
from cross_web import StarletteRequestAdapter
from fastapi import HTTPException, Request
from graphql import GraphQLError, parse
from strawberry.fastapi import GraphQLRouter
from strawberry.http import GraphQLHTTPResponse, process_result
from strawberry.types.execution import ExecutionResult

from provgraph.catalog.access import Role
from provgraph.catalog.settings import Settings
from provgraph.graphql.context import GraphContext
from provgraph.graphql.deadline import Deadline, DeadlineExceededError, stopped_by_deadline
from provgraph.graphql.limits import Budget, estimate_request
from provgraph.graphql.pricing import CatalogSizes
from provgraph.graphql.schema import MAX_TOKENS, schema
from provgraph.server.http.auth import requires
from provgraph.server.http.consistency import wait_for_min_seq


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


class _Decoded(bytes):
    """A request body already decoded (off the event loop); `parse_json` returns its value."""

    value: Any

    def __new__(cls, value: Any) -> _Decoded:
        decoded = super().__new__(cls)
        decoded.value = value
        return decoded


def _decode_request(data: str | bytes) -> Any:
    try:
        parsed = json.loads(data)
    except RecursionError:
        raise HTTPException(400, "the request body is nested too deeply") from None
    if not isinstance(parsed, dict):
        raise HTTPException(
            400, 'a GraphQL request is a JSON object: {"query": ..., "variables": {...}}'
        )
    return parsed


class _RequestAdapter(StarletteRequestAdapter):
    """Decodes a JSON body in a worker thread: a body of megabytes never holds up the event
    loop (strawberry would decode it there)."""

    async def get_body(self) -> bytes:
        body = await super().get_body()
        if "json" not in (self.content_type or ""):
            return body
        return _Decoded(await to_thread.run_sync(_decode_request, body))


class _GraphQLThreads:
    """A few threads, each running one event loop, that execute GraphQL operations.

    Costly operations (estimated cost at or over `graphql_cheap_cost`) wait on the server's
    loop, holding no thread, for one of `workers - cheap_workers` slots; so `cheap_workers`
    threads are always left to cheap operations (the portal's pages, lookups), however many
    costly ones are sent."""

    def __init__(self, workers: int, *, cheap_workers: int = 1) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="graphql")
        self._local = threading.local()
        self._costly = asyncio.Semaphore(max(workers - cheap_workers, 1))

    async def run(
        self, work: Callable[[], Awaitable[Any]], deadline: Deadline, *, costly: bool = False
    ) -> Any:
        if not costly:
            return await asyncio.wrap_future(self._pool.submit(self._run, work, deadline))
        try:
            await asyncio.wait_for(self._costly.acquire(), timeout=deadline.timeout())
        except TimeoutError:
            raise deadline.error() from None
        loop = asyncio.get_running_loop()
        try:
            running = self._pool.submit(self._run, work, deadline)
        except BaseException:
            self._costly.release()
            raise
        # the slot is free when the thread is, not when the caller stops waiting
        running.add_done_callback(lambda _: _call_soon(loop, self._costly.release))
        return await asyncio.wrap_future(running)

    async def call(self, work: Callable[[], Any]) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self._pool, work)

    def _run(self, work: Callable[[], Awaitable[Any]], deadline: Deadline) -> Any:
        loop: asyncio.AbstractEventLoop | None = getattr(self._local, "loop", None)
        if loop is None:
            loop = self._local.loop = asyncio.new_event_loop()
        try:
            deadline.check()  # it may have passed while the request waited for a thread
            return loop.run_until_complete(asyncio.wait_for(work(), timeout=deadline.timeout()))
        except TimeoutError:
            raise deadline.error() from None
        finally:
            _stop_leftovers(loop)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


def _call_soon(loop: asyncio.AbstractEventLoop, callback: Callable[[], None]) -> None:
    with contextlib.suppress(RuntimeError):  # the server's loop closed: nobody waits
        loop.call_soon_threadsafe(callback)


def _stop_leftovers(loop: asyncio.AbstractEventLoop) -> None:
    """Cancel what an operation left scheduled on this thread's loop (work graphql-core settles
    in the background, a loader batch nobody awaits any more), so none of it runs on into the
    next request; each such task stops at its next await or deadline check."""
    leftovers = asyncio.all_tasks(loop)
    for task in leftovers:
        task.cancel()
    if leftovers:
        loop.run_until_complete(asyncio.gather(*leftovers, return_exceptions=True))


class _Router(GraphQLRouter[GraphContext, None]):
    request_adapter_class = _RequestAdapter

    def __init__(self, settings: Settings, threads: _GraphQLThreads) -> None:
        async def context(request: Request) -> GraphContext:
            caller = requires(Role.READER)(request)
            return GraphContext(
                request.app.state.catalog,
                caller.actor,
                getattr(request.app.state, "gate", None),
                role=caller.role,
                budget=Budget(max_cost=settings.graphql_max_cost),
                deadline=Deadline(settings.graphql_deadline_s),
            )

        super().__init__(schema, context_getter=context, graphql_ide=None, prefix="/graphql")
        self._settings = settings
        self._threads = threads

    async def run(self, request: Any, context: Any = None, root_value: Any = None) -> Any:
        """strawberry answers a request it cannot read (bad JSON, no query, a mutation over
        GET) in plain text: raised as our HTTPException, it gets the one error body shape."""
        await wait_for_min_seq(request)
        try:
            return await super().run(request, context=context, root_value=root_value)
        except TransportHTTPException as exc:
            raise HTTPException(exc.status_code, exc.reason) from None

    def parse_json(self, data: str | bytes) -> Any:
        if isinstance(data, _Decoded):
            return data.value
        return _decode_request(data)

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

        deadline: Deadline = context.deadline
        cost = await self._threads.call(lambda: _estimated_cost(request_data, context))
        try:
            result: ExecutionResult = await self._threads.run(
                work, deadline, costly=cost >= self._settings.graphql_cheap_cost
            )
        except DeadlineExceededError as exc:
            return ExecutionResult(data=None, errors=[exc])
        if deadline.expired() or stopped_by_deadline(result.errors) is not None:
            # one error, and none of the data the stop cut short
            return ExecutionResult(data=None, errors=[deadline.error()])
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


def _estimated_cost(request_data: Any, context: GraphContext) -> int:
    """The operation's estimated cost (provgraph.graphql.limits), to choose its lane; 0 for a
    request that does not parse (it is answered with its error at once)."""
    query = getattr(request_data, "query", None)
    if not isinstance(query, str):
        return 0
    try:
        document = parse(query, max_tokens=MAX_TOKENS)
    except GraphQLError:
        return 0
    variables = getattr(request_data, "variables", None)
    return estimate_request(
        schema._schema,
        document,
        variables=variables if isinstance(variables, dict) else None,
        operation_name=getattr(request_data, "operation_name", None),
        sizes=CatalogSizes(context.catalog),
    ).cost


def graphql_router(settings: Settings) -> _Router:
    """The /graphql routes; `close()` them when the app stops."""
    threads = _GraphQLThreads(
        settings.graphql_workers, cheap_workers=settings.graphql_cheap_workers
    )
    return _Router(settings, threads)
