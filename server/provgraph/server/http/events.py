"""POST /api/v1/events: provgraph's native catalog events — a bare event, a wrapped one
(`{"event": …, "idempotency_key": …}`) or an array of either (the format `provgraph ingest`
reads too)."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from provgraph.catalog.access import Principal, Role
from provgraph.catalog.event_roles import authorize
from provgraph.catalog.model.answers.writes import EventsAccepted, EventWarning, Receipt
from provgraph.catalog.model.errors import InvalidEventError
from provgraph.catalog.model.events import CatalogEvent
from provgraph.catalog.service.catalog import Catalog
from provgraph.catalog.service.intake import MAX_BATCH, MAX_KEY, parse_submissions
from provgraph.catalog.service.writer import Submission
from provgraph.server.http.auth import requires

router = APIRouter(prefix="/api/v1", tags=["events"])

__all__ = ["EVENTS_BODY", "MAX_BATCH", "router"]


class EventIn(BaseModel):
    """A catalog event with the idempotency key to log it under (default: its content digest)."""

    model_config = ConfigDict(extra="forbid")

    event: CatalogEvent
    idempotency_key: str | None = Field(default=None, min_length=1, max_length=MAX_KEY)


EVENTS_BODY: TypeAdapter[Any] = TypeAdapter(CatalogEvent | EventIn | list[CatalogEvent | EventIn])
"""The request body's shape, for the OpenAPI document (parsing is `parse_submissions`)."""


def decode_json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InvalidEventError(f"the body is not valid JSON: {exc}") from None


def _read_batch(body: bytes, role: Role) -> list[Submission]:
    """Decode, validate and authorize a batch: in a worker thread, never on the event loop
    (a batch of 10,000-field tables takes seconds)."""
    submissions = parse_submissions(decode_json(body))
    authorize([s.event for s in submissions], role)
    return submissions


@router.post(
    "/events",
    response_model=EventsAccepted,
    openapi_extra={"x-provgraph-body": "CatalogEventsBody"},
)
async def post_events(
    request: Request, caller: Annotated[Principal, Depends(requires(Role.PRODUCER))]
) -> EventsAccepted:
    """Log catalog events as one atomic batch: all of them, or none with the reason."""
    submissions = await run_in_threadpool(_read_batch, await request.body(), caller.role)
    catalog: Catalog = request.app.state.catalog
    receipts = await run_in_threadpool(catalog.submit, submissions, actor=caller.actor)
    return EventsAccepted(
        accepted=sum(not r.duplicate for r in receipts),
        duplicates=sum(r.duplicate for r in receipts),
        receipts=[
            Receipt(seq=r.seq, idempotency_key=r.idempotency_key, duplicate=r.duplicate)
            for r in receipts
        ],
        warnings=[
            EventWarning(position=position, warning=note)
            for position, r in enumerate(receipts)
            for note in r.notes
        ],
    )
