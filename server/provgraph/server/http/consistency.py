"""Read-your-writes: `min_seq` on reads, and the sequence number every answer reflects.

A client that wrote (and got the write's sequence number back) passes it as `min_seq` to a
read on any server: the server waits, at most `read_wait_s`, until its lineage and search
indexes reflect that sequence number, else answers 503 with the seq it has reached. Every
answer of these routes carries `X-Provgraph-Seq`: the seq the indexes reflected.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import HTTPException, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from provgraph.catalog.service.catalog import Catalog

SEQ_HEADER = "X-Provgraph-Seq"
MAX_SEQ = 2**62


async def wait_for_min_seq(request: Request) -> None:
    """`POST /graphql?min_seq=N`: the same wait before the operation runs (503 if not reached)."""
    text = request.query_params.get("min_seq")
    if not text:
        return
    if not text.isdigit() or int(text) > MAX_SEQ:
        raise HTTPException(400, f"min_seq must be a whole number from 0 to {MAX_SEQ}")
    catalog: Catalog = request.app.state.catalog
    await run_in_threadpool(catalog.wait_for_seq, int(text))


def read_after(
    request: Request,
    response: Response,
    min_seq: Annotated[
        int | None,
        Query(
            ge=0,
            le=MAX_SEQ,
            description="answer only once this server reflects this log sequence number "
            "(read-your-writes); 503 with its current `seq` after a bounded wait",
        ),
    ] = None,
) -> None:
    catalog: Catalog = request.app.state.catalog
    seq = catalog.wait_for_seq(min_seq) if min_seq else catalog.progress.seq
    response.headers[SEQ_HEADER] = str(seq)
