"""One HTTP exchange with retries: exponential backoff with jitter, for idempotent calls only."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from provgraph.client.errors import ApiError, TransportError, api_error

RETRY_STATUSES = frozenset({429, 502, 503, 504})


@dataclass(frozen=True, slots=True)
class Retry:
    """How often and how patiently to retry.

    Idempotent calls (reads, catalog events — always sent with an idempotency key — and
    OpenLineage events, keyed by their content on the server) are retried on connection errors,
    timeouts and `statuses`; other calls (feature-use questions, which record a decision, and
    GraphQL) only when the connection could not be made, so the server never saw them.
    """

    attempts: int = 5
    """Tries in all, the first included (1: never retry)."""
    backoff: float = 0.25
    """Seconds before the first retry; doubled each time, with jitter."""
    max_delay: float = 8.0
    statuses: frozenset[int] = field(default=RETRY_STATUSES)

    def delay(self, retry: int, response: httpx.Response | None) -> float:
        after = response.headers.get("retry-after") if response is not None else None
        if after is not None and after.strip().isdigit():
            return min(self.max_delay, float(after))
        base = min(self.max_delay, self.backoff * (2**retry))
        return float(base * random.uniform(0.5, 1.0))  # jitter, not cryptography


_NEVER_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


def exchange(
    http: httpx.Client,
    method: str,
    path: str,
    *,
    retry: Retry,
    idempotent: bool,
    params: Any = None,
    json: Any = None,
    accept: frozenset[int] = frozenset(),
) -> httpx.Response:
    """Send the request; the response when its status is 2xx or in `accept`, else a typed error."""
    attempt = 0
    while True:
        response: httpx.Response | None = None
        try:
            response = http.request(method, path, params=params, json=json)
        except httpx.TransportError as exc:
            retryable = idempotent or isinstance(exc, _NEVER_SENT)
            if not retryable or attempt + 1 >= retry.attempts:
                raise TransportError(f"{method} {http.base_url}{path}: {exc!r}") from exc
        else:
            if response.is_success or response.status_code in accept:
                return response
            error = _error_of(response)
            if not idempotent or response.status_code not in retry.statuses:
                raise error
            if attempt + 1 >= retry.attempts:
                raise error
        time.sleep(retry.delay(attempt, response))
        attempt += 1


def _error_of(response: httpx.Response) -> ApiError:
    try:
        body: Any = response.json()
    except ValueError:
        body = response.text[:1000]
    return api_error(response.status_code, body, response.reason_phrase)
