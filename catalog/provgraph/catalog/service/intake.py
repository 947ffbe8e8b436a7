"""One event format for every way in (`POST /api/v1/events`, `provgraph ingest`, the client).

A body is a bare event (`{"type": …}`), a wrapped one (`{"event": {…}, "idempotency_key": …}`),
or a JSON array of either, mixed freely. A malformed event is rejected with one message naming
its position and the field, never a dump of every validation error.
"""

from __future__ import annotations

from typing import Any, get_args

from pydantic import ValidationError

from provgraph.catalog.model.errors import InvalidEventError
from provgraph.catalog.model.events import EVENT_ADAPTER, CatalogEvent
from provgraph.catalog.service.writer import EventRejectedError, Submission

MAX_BATCH = 10_000
MAX_KEY = 256
_WRAPPER_FIELDS = frozenset({"event", "idempotency_key"})
EVENT_TYPES: tuple[str, ...] = tuple(
    str(kind.model_fields["type"].default) for kind in get_args(get_args(CatalogEvent)[0])
)
"""Every event type, in the order of the CatalogEvent union."""


def first_problem(exc: ValidationError, *, skip: str | None = None) -> str:
    """The first validation error as `field.path: message` (the one a user fixes first);
    `skip`: a leading location part to leave out (the tag of a discriminated union)."""
    first = exc.errors(include_url=False)[0]
    loc = list(first["loc"])
    if loc and skip is not None and loc[0] == skip:
        loc = loc[1:]
    where = ".".join(str(part) for part in loc)
    return f"{where}: {first['msg']}" if where else str(first["msg"])


def parse_submissions(raw: Any) -> list[Submission]:
    """The submissions in a decoded JSON body; InvalidEventError (with the position) if bad."""
    items = raw if isinstance(raw, list) else [raw]
    if not items:
        raise InvalidEventError("the batch is empty")
    if len(items) > MAX_BATCH:
        raise InvalidEventError(f"a batch holds at most {MAX_BATCH} events, got {len(items)}")
    return [_submission(position, item) for position, item in enumerate(items)]


def _submission(position: int, item: Any) -> Submission:
    if not isinstance(item, dict):
        raise EventRejectedError(
            position, "event", InvalidEventError(f"expected a JSON object, got {_json_type(item)}")
        )
    key: Any = None
    body: Any = item
    if "event" in item and "type" not in item:
        unknown = sorted(set(item) - _WRAPPER_FIELDS)
        if unknown:
            raise EventRejectedError(
                position,
                "event",
                InvalidEventError(
                    f"unknown field {unknown[0]!r} beside 'event' "
                    "(a wrapped event has only 'event' and 'idempotency_key')"
                ),
            )
        body, key = item["event"], item.get("idempotency_key")
        if key is not None and (not isinstance(key, str) or not 1 <= len(key) <= MAX_KEY):
            raise EventRejectedError(
                position,
                "event",
                InvalidEventError(f"idempotency_key: a string of 1 to {MAX_KEY} characters"),
            )
    event_type = body.get("type") if isinstance(body, dict) else None
    label = event_type if isinstance(event_type, str) else "event"
    if not isinstance(body, dict):
        problem = f"event: expected a JSON object, got {_json_type(body)}"
        raise EventRejectedError(position, label, InvalidEventError(problem))
    if "type" not in body:
        raise EventRejectedError(
            position,
            label,
            InvalidEventError("type: missing (e.g. 'dataset.registered'; see the README)"),
        )
    if event_type not in EVENT_TYPES:
        known = ", ".join(EVENT_TYPES)
        problem = f"type: unknown event type {event_type!r}; known: {known}"
        raise EventRejectedError(position, "event", InvalidEventError(problem))
    try:
        event = EVENT_ADAPTER.validate_python(body)
    except ValidationError as exc:
        problem = first_problem(exc, skip=event_type)
        raise EventRejectedError(position, label, InvalidEventError(problem)) from None
    return Submission(event, key)


def _json_type(value: Any) -> str:
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    return "null" if value is None else type(value).__name__
