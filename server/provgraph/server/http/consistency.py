"""Read-your-writes: `min_seq` on reads, and the sequence number every answer reflects.

A client that wrote (and got the write's sequence number back) passes it as `min_seq` to a
read on any server: the server waits, at most `read_wait_s`, until its lineage and search
indexes reflect that sequence number, else answers 503 with the seq it has reached. Every
answer of these routes carries `X-Provgraph-Seq`: the seq the indexes reflected.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request, Response

from provgraph.catalog.service.catalog import Catalog

SEQ_HEADER = "X-Provgraph-Seq"
MAX_SEQ = 2**62


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
