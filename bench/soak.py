"""Memory under sustained writes: a real `provgraph serve` on loopback, its RSS sampled as events
arrive, in three phases:

1. new: OpenLineage COMPLETE RunEvents, each writing a new 8-column dataset from one of 500
   raw tables (a run, a dataset, a version, 8 columns, their lineage edges) — RSS may grow only
   by what the index, the caches and the store's page cache hold for the new nodes: the bench
   prints bytes per node;
2. resend: the same events again (idempotent duplicates) — nothing new, RSS must stay flat;
3. update: `asset.described` on 500 existing datasets (described once before the phase),
   cycling seven descriptions, each a new event (a later time) applied to the graph — nothing
   new but log entries, RSS must stay flat;
4. graphql: the same through the GraphQL `describe` mutation, one per request.

Usage: python bench/soak.py [--events 100000] [--batch 100] [--resend 20000] [--updates 20000]
                            [--mutations 2000] [--buffer-pool-mb N]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx

from provgraph.catalog.model.urn import Urn
from tests.support.server import RunningServer, serving

PRODUCER = "https://github.com/OpenLineage/OpenLineage/tree/1.54.0/integration/spark"
SCHEMA_URL = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"
FIELDS = [f"c{i}" for i in range(8)]
RUN_NAMESPACE = uuid.UUID("6b1f0c4e-5a8e-4d55-9a3e-0b7f6f1d2c11")


def _schema() -> dict[str, Any]:
    return {"schema": {"fields": [{"name": f, "type": "string"} for f in FIELDS]}}


def new_dataset_event(number: int) -> dict[str, Any]:
    """Run `number` of job `number % 100` reads raw.t{number % 500}, writes derived.d{number}."""
    source = f"raw.t{number % 500}"
    lineage = {
        f: {"inputFields": [{"namespace": "s3://lake", "name": source, "field": f}]} for f in FIELDS
    }
    return {
        "producer": PRODUCER,
        "schemaURL": SCHEMA_URL,
        "eventType": "COMPLETE",
        "eventTime": "2026-05-01T00:05:00Z",
        "run": {"runId": str(uuid.uuid5(RUN_NAMESPACE, str(number)))},
        "job": {"namespace": "spark://soak", "name": f"job_{number % 100}"},
        "inputs": [{"namespace": "s3://lake", "name": source, "facets": _schema()}],
        "outputs": [
            {
                "namespace": "s3://lake",
                "name": f"derived.d{number}",
                "facets": {**_schema(), "columnLineage": {"fields": lineage}},
            }
        ],
    }


UPDATED = 500
"""Datasets the update phases describe again and again."""


def _described(number: int) -> tuple[str, str]:
    dataset = number % UPDATED
    return str(
        Urn.dataset("s3://lake", f"derived.d{dataset}")
    ), f"revision {number % 7} of d{dataset}"


def describe_event(number: int) -> dict[str, Any]:
    """A new event every time (its time differs), that changes nothing the graph did not hold."""
    urn, description = _described(number)
    at = datetime(2026, 5, 2, tzinfo=UTC) + timedelta(seconds=number)
    event = {"type": "asset.described", "event_time": at.isoformat(), "urn": urn}
    return {"event": {**event, "description": description}}


DESCRIBE = (
    "mutation($urn: ID!, $d: String!) { describe(urn: $urn, description: $d) { __typename } }"
)


def describe_mutation(number: int) -> dict[str, Any]:
    urn, description = _described(number)
    return {"query": DESCRIBE, "variables": {"urn": urn, "d": description}}


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


class Sampler:
    def __init__(self, server: RunningServer, client: httpx.Client) -> None:
        self._server, self._client = server, client
        self.started = time.perf_counter()
        print("| phase | events sent | nodes | edges | RSS MiB | seconds |")
        print("|---|---:|---:|---:|---:|---:|")

    def sample(self, phase: str, sent: int) -> tuple[int, float]:
        ready = self._client.get(f"{self._server.url}/readyz").json()
        rss = rss_mib(self._server.process.pid)
        seconds = time.perf_counter() - self.started
        print(
            f"| {phase} | {sent:,} | {ready['nodes']:,} | {ready['edges']:,} | {rss:,.0f} | "
            f"{seconds:,.0f} |",
            flush=True,
        )
        return int(ready["nodes"]), rss


def batches(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def send(client: httpx.Client, url: str, body: list[Any]) -> None:
    answer = client.post(url, json=body if len(body) > 1 or url.endswith("/lineage") else body[0])
    if answer.status_code >= 300 or "Error" in answer.text[:200]:
        raise RuntimeError(f"{url} answered {answer.status_code}: {answer.text[:300]}")


def run_phase(
    phase: str,
    sampler: Sampler,
    client: httpx.Client,
    url: str,
    bodies: list[Any],
    batch: int,
    samples: int,
) -> list[tuple[int, float]]:
    every = max(1, len(bodies) // samples)
    points, sent, next_sample = [], 0, every
    for chunk in batches(bodies, batch):
        send(client, url, chunk)
        sent += len(chunk)
        if sent >= next_sample or sent == len(bodies):
            points.append(sampler.sample(phase, sent))
            next_sample += every
    return points


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--resend", type=int, default=20_000)
    parser.add_argument("--updates", type=int, default=20_000)
    parser.add_argument("--mutations", type=int, default=2_000)
    parser.add_argument("--samples", type=int, default=10, help="RSS samples per phase")
    parser.add_argument("--buffer-pool-mb", type=int, default=None)
    args = parser.parse_args()
    env = {"PROVGRAPH_BUFFER_POOL_MB": str(args.buffer_pool_mb)} if args.buffer_pool_mb else {}
    if args.events < UPDATED:
        parser.error(f"--events must be at least {UPDATED}")
    events = [new_dataset_event(n) for n in range(args.events)]
    with (
        tempfile.TemporaryDirectory() as tmp,
        serving(Path(tmp) / "data", env=env) as server,
        httpx.Client(timeout=300) as client,
    ):
        lineage, native = f"{server.url}/api/v1/lineage", f"{server.url}/api/v1/events"
        warm = [new_dataset_event(args.events + n) for n in range(500)]  # every raw table once
        run_phase("warm-up", Sampler(server, client), client, lineage, warm, args.batch, 1)
        sampler = Sampler(server, client)
        start = sampler.sample("start", 0)
        new = run_phase("new", sampler, client, lineage, events, args.batch, args.samples)
        resent = events[: args.resend]
        flat1 = run_phase("resend", sampler, client, lineage, resent, args.batch, args.samples)
        first = [describe_event(n) for n in range(UPDATED)]  # the first description is new data
        run_phase("describe once", sampler, client, native, first, args.batch, 1)
        updates = [describe_event(n) for n in range(args.updates)]
        flat2 = run_phase("update", sampler, client, native, updates, args.batch, args.samples)
        graphql = f"{server.url}/graphql"
        mutations = [describe_mutation(n) for n in range(args.mutations)]
        flat3 = run_phase("graphql", sampler, client, graphql, mutations, 1, args.samples)
    (nodes0, rss0), (nodes1, rss1) = start, new[-1]
    per_node = (rss1 - rss0) * 1024 * 1024 / max(1, nodes1 - nodes0)
    print(
        f"\nnew: +{nodes1 - nodes0:,} nodes, RSS {rss0:,.0f} -> {rss1:,.0f} MiB: "
        f"{per_node:,.0f} bytes per node ({per_node * 11 / 1024:,.1f} KiB per event)"
    )
    for label, points in (("resend", flat1), ("update", flat2), ("graphql", flat3)):
        if not points:
            continue
        low, high = min(p[1] for p in points), max(p[1] for p in points)
        print(
            f"{label}: {len(points)} samples, RSS {points[0][1]:,.0f} -> {points[-1][1]:,.0f} MiB"
            f" (range {low:,.0f}-{high:,.0f}), nodes {points[0][0]:,} -> {points[-1][0]:,}"
        )


if __name__ == "__main__":
    main()
