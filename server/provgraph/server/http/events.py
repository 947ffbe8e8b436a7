"""POST /api/v1/events: provgraph's native catalog events, one object or a JSON array."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from provgraph.catalog.access import Principal, Role
from provgraph.catalog.model.errors import InvalidArgumentError
from provgraph.catalog.model.events import CatalogEvent
from provgraph.catalog.service.catalog import Catalog
from provgraph.catalog.service.writer import Submission
from provgraph.server.http.auth import requires

router = APIRouter(prefix="/api/v1", tags=["events"])

MAX_BATCH = 10_000


class EventIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    event: CatalogEvent
    idempotency_key: str | None = Field(default=None, min_length=1, max_length=256)


class ReceiptOut(BaseModel):
    seq: int
    idempotency_key: str
    duplicate: bool


class EventsAccepted(BaseModel):
    accepted: int
    duplicates: int
    receipts: list[ReceiptOut]


@router.post("/events", response_model=EventsAccepted)
def post_events(
    request: Request,
    body: Annotated[EventIn | list[EventIn], Body()],
    caller: Annotated[Principal, Depends(requires(Role.PRODUCER))],
) -> EventsAccepted:
    items = body if isinstance(body, list) else [body]
    if not items:
        raise InvalidArgumentError("the batch is empty")
    if len(items) > MAX_BATCH:
        raise InvalidArgumentError(f"a batch holds at most {MAX_BATCH} events, got {len(items)}")
    catalog: Catalog = request.app.state.catalog
    receipts = catalog.submit(
        [Submission(item.event, item.idempotency_key) for item in items],
        actor=caller.actor,
    )
    return EventsAccepted(
        accepted=sum(not r.duplicate for r in receipts),
        duplicates=sum(r.duplicate for r in receipts),
        receipts=[
            ReceiptOut(seq=r.seq, idempotency_key=r.idempotency_key, duplicate=r.duplicate)
            for r in receipts
        ],
    )
