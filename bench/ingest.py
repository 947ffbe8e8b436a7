"""Durable OpenLineage ingestion over HTTP: events/s, each one fsync'd to the log before the 201.

A real `provgraph serve` on loopback receives Spark-shaped RunEvents (START + COMPLETE with
schema and column lineage) from a client thread pool, in batches (JSON arrays) and one by one.
Usage: python bench/ingest.py [--events 20000] [--batch 100] [--clients 4]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx

from tests.support.server import serving

PRODUCER = "https://github.com/OpenLineage/OpenLineage/tree/1.54.0/integration/spark"
SCHEMA_URL = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"


def _schema(*fields: str) -> dict[str, Any]:
    return {"schema": {"fields": [{"name": f, "type": "string"} for f in fields]}}


def run_events(number: int) -> list[dict[str, Any]]:
    """A START and a COMPLETE for one run of job `number % 50`, reading two of 200 tables."""
    run_id = str(uuid.uuid4())
    job = {"namespace": "spark://bench", "name": f"job_{number % 50}"}
    inputs = [
        {
            "namespace": "s3://lake",
            "name": f"raw.t{(number + k) % 200}",
            "facets": _schema("id", "v"),
        }
        for k in (0, 1)
    ]
    lineage = {
        "fields": {
            "v": {
                "inputFields": [{"namespace": "s3://lake", "name": inputs[0]["name"], "field": "v"}]
            }
        }
    }
    output = {
        "namespace": "s3://lake",
        "name": f"derived.t{number % 300}",
        "facets": {**_schema("id", "v"), "columnLineage": lineage},
    }
    base = {"producer": PRODUCER, "schemaURL": SCHEMA_URL, "job": job, "inputs": inputs}
    return [
        {
            **base,
            "eventType": "START",
            "eventTime": "2026-05-01T00:00:00Z",
            "run": {"runId": run_id},
        },
        {
            **base,
            "eventType": "COMPLETE",
            "eventTime": "2026-05-01T00:05:00Z",
            "run": {"runId": run_id},
            "outputs": [output],
        },
    ]


def measure(url: str, total: int, batch: int, clients: int) -> float:
    events = [e for n in range(total // 2) for e in run_events(n)]
    chunks = [events[i : i + batch] for i in range(0, len(events), batch)]

    local = threading.local()

    def send(chunk: list[dict[str, Any]]) -> None:
        if not hasattr(local, "client"):
            local.client = httpx.Client(timeout=120)  # one connection per client thread
        body: Any = chunk if batch > 1 else chunk[0]
        local.client.post(f"{url}/api/v1/lineage", json=body).raise_for_status()

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(send, chunks))
    return len(events) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--clients", type=int, default=4)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, serving(Path(tmp) / "data") as server:
        batched = measure(server.url, args.events, args.batch, args.clients)
        single = measure(server.url, min(args.events, 2000), 1, args.clients)
        ready = httpx.get(f"{server.url}/readyz").json()
    print("| mode | events | events/s (durable, fsync'd before 201) |")
    print("|---|---:|---:|")
    print(f"| batches of {args.batch}, {args.clients} clients | {args.events:,} | {batched:,.0f} |")
    print(
        f"| one event per request, {args.clients} clients | {min(args.events, 2000):,} | {single:,.0f} |"
    )
    print(
        f"\ncatalog after the run: {ready['nodes']:,} nodes, {ready['edges']:,} edges, seq {ready['logged_seq']:,}"
    )


if __name__ == "__main__":
    main()
