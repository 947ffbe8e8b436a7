"""POST /api/v1/lineage: OpenLineage events at the Marquez-compatible path; our facet schemas."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool

from provgraph.catalog.access import Principal, Role
from provgraph.catalog.event_roles import authorize
from provgraph.catalog.model.answers.writes import EventWarning, OpenLineageAccepted
from provgraph.catalog.model.errors import InvalidEventError, NodeNotFoundError
from provgraph.catalog.model.graph import canonical_json
from provgraph.catalog.openlineage.ml_facets import SCHEMA_VERSION, json_schema
from provgraph.catalog.openlineage.spec import parse_openlineage
from provgraph.catalog.openlineage.translate import translate
from provgraph.catalog.service.catalog import Catalog
from provgraph.catalog.service.writer import EventRejectedError, Submission
from provgraph.server.http.auth import requires
from provgraph.server.http.events import MAX_BATCH

router = APIRouter(tags=["openlineage"])
MAX_WARNINGS = 1000
"""An answer lists at most this many warnings (and says how many more there were)."""


def _kind(item: Any) -> str:
    if isinstance(item, dict):
        return "RunEvent" if "run" in item else "DatasetEvent" if "dataset" in item else "JobEvent"
    return "event"


@dataclass(frozen=True, slots=True)
class _Batch:
    """An OpenLineage body read into catalog submissions."""

    items: list[Any]
    submissions: list[Submission]
    origin: list[int]
    """The position in `items` each submission came from."""
    warnings: list[EventWarning]


def _read_batch(body: bytes, role: Role) -> _Batch:
    """Decode, translate and authorize a body: in a worker thread, never on the event loop
    (a batch of wide schemas takes seconds)."""
    try:
        payload = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InvalidEventError(f"the body is not valid JSON: {exc}") from None
    items = payload if isinstance(payload, list) else [payload]
    if not items:
        raise InvalidEventError("the batch is empty")
    if len(items) > MAX_BATCH:
        raise InvalidEventError(f"a batch holds at most {MAX_BATCH} events, got {len(items)}")
    batch = _Batch(items, [], [], [])
    for position, item in enumerate(items):
        notes: list[str] = []
        try:
            events = translate(parse_openlineage(item, notes), notes)
        except InvalidEventError as exc:
            raise EventRejectedError(position, f"OpenLineage {_kind(item)}", exc) from exc
        batch.warnings.extend(
            EventWarning(position=position, warning=note) for note in dict.fromkeys(notes)
        )
        digest = hashlib.sha256(canonical_json(item).encode()).hexdigest()
        for number, event in enumerate(events):
            batch.submissions.append(Submission(event, f"openlineage:{digest}:{number}"))
            batch.origin.append(position)
    authorize([s.event for s in batch.submissions], role, positions=batch.origin)
    return batch


@router.post("/api/v1/lineage", status_code=201, response_model=OpenLineageAccepted)
async def post_openlineage(
    request: Request, caller: Annotated[Principal, Depends(requires(Role.PRODUCER))]
) -> OpenLineageAccepted:
    """Accept one OpenLineage event or a JSON array of them; 201 once durably logged."""
    batch = await run_in_threadpool(_read_batch, await request.body(), caller.role)
    catalog: Catalog = request.app.state.catalog
    try:
        receipts = await run_in_threadpool(catalog.submit, batch.submissions, actor=caller.actor)
    except EventRejectedError as exc:
        position = batch.origin[exc.position]
        raise EventRejectedError(
            position, f"OpenLineage {_kind(batch.items[position])}", exc.cause
        ) from exc
    warnings = batch.warnings
    for receipt, position in zip(receipts, batch.origin, strict=True):
        warnings += [EventWarning(position=position, warning=n) for n in receipt.notes]
    warnings.sort(key=lambda w: w.position)
    return OpenLineageAccepted(
        received=len(batch.items),
        catalog_events=len(receipts),
        duplicates=sum(r.duplicate for r in receipts),
        seq=max((r.seq for r in receipts), default=0),
        warnings=warnings[:MAX_WARNINGS],
        more_warnings=max(0, len(warnings) - MAX_WARNINGS),
    )


@router.get(f"/openlineage/facets/{SCHEMA_VERSION}/{{name}}.json")
def facet_schema(name: str) -> dict[str, Any]:
    schema = json_schema(name)
    if schema is None:
        raise NodeNotFoundError(name, f"no provgraph facet named {name!r}")
    return schema
