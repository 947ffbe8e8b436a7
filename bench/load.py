"""Load: many concurrent clients against a real `provgraph serve` on loopback, mixing GraphQL
lineage, GraphQL search and OpenLineage writes (one event per request, as producers send them),
while a prober in its own process asks /healthz every 100 ms.

Prints requests/s, p50/p99 and errors per kind (a non-2xx answer, a GraphQL error, a timeout or
a dropped connection), /healthz p50/p99/max and the server's RSS at the start and the end.
Client and server share this machine's cores.

Usage: python bench/load.py [--clients 100] [--seconds 60] [--seed-events 2000]
                            [--mix lineage=4,search=3,write=3]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import random
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx

from tests.support.server import serving

PRODUCER = "https://github.com/OpenLineage/OpenLineage/tree/1.54.0/integration/spark"
SCHEMA_URL = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"
FIELDS = ["id", "amount", "city", "email"]
LINEAGE = """query($urn: ID!) { lineage(urn: $urn, direction: UPSTREAM, depth: 20, limit: 500) {
  ... on LineageGraph { isPartial nodes { urn kind depth } edges { kind source target } } } }"""
SEARCH = """query($q: String!) { search(query: $q, first: 20) {
  ... on SearchResults { total hits { urn } facets { kinds { value count } } } } }"""
WORDS = ["fare", "rider", "trip", "email", "city", "amount", "risk", "out", "load", "driver"]
TIMEOUT_S = 60.0


def run_event(number: int, *, layer: int) -> dict[str, Any]:
    """A COMPLETE run of job `load_{layer}_{number % 20}`: reads `l{layer}.t{number % 50}`,
    writes `l{layer + 1}.t{number % 50}` with column lineage (a chain of layers)."""
    source = {"namespace": "s3://load", "name": f"l{layer}.t{number % 50}"}
    schema = {"schema": {"fields": [{"name": f, "type": "string"} for f in FIELDS]}}
    lineage = {f: {"inputFields": [{**source, "field": f}]} for f in FIELDS}
    return {
        "producer": PRODUCER,
        "schemaURL": SCHEMA_URL,
        "eventType": "COMPLETE",
        "eventTime": "2026-05-01T00:05:00Z",
        "run": {"runId": str(uuid.uuid4())},
        "job": {"namespace": "spark://load", "name": f"load_{layer}_{number % 20}"},
        "inputs": [{**source, "facets": schema}],
        "outputs": [
            {
                "namespace": "s3://load",
                "name": f"l{layer + 1}.t{number % 50}",
                "facets": {**schema, "columnLineage": {"fields": lineage}},
            }
        ],
    }


def percentile(samples: list[float], fraction: float) -> float:
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


class Tally:
    def __init__(self) -> None:
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))

    def error(self, kind: str, what: str) -> None:
        self.errors[kind][what] += 1


async def one_request(client: httpx.AsyncClient, kind: str, rng: random.Random) -> str | None:
    """Send one request of `kind`; None when it succeeded, else what went wrong."""
    if kind == "lineage":
        urn = f"urn:provgraph:dataset:s3%3A//load:l4.t{rng.randrange(50)}"
        answer = await client.post("/graphql", json={"query": LINEAGE, "variables": {"urn": urn}})
    elif kind == "search":
        words = " ".join(rng.sample(WORDS, rng.choice((1, 2))))
        answer = await client.post("/graphql", json={"query": SEARCH, "variables": {"q": words}})
    else:
        body = run_event(rng.randrange(10**6), layer=rng.randrange(4))
        answer = await client.post("/api/v1/lineage", json=body)
    if answer.status_code >= 300:
        return f"HTTP {answer.status_code}"
    if kind != "write" and ('"errors"' in answer.text[:50] or "Error" in answer.text[:200]):
        return "GraphQL error"
    return None


async def client_loop(
    url: str, kinds: list[str], stop: float, tally: Tally, seed: int, limits: httpx.Limits
) -> None:
    rng = random.Random(seed)
    async with httpx.AsyncClient(base_url=url, timeout=TIMEOUT_S, limits=limits) as client:
        while time.monotonic() < stop:
            kind = rng.choice(kinds)
            started = time.perf_counter()
            try:
                problem = await one_request(client, kind, rng)
            except httpx.TimeoutException:
                problem = "timeout"
            except httpx.TransportError as exc:
                problem = f"connection: {type(exc).__name__}"
            if problem is None:
                tally.latencies[kind].append(time.perf_counter() - started)
            else:
                tally.error(kind, problem)


def probe_health(url: str, seconds: float) -> tuple[list[float], dict[str, int]]:
    """/healthz every 100 ms, in a process of its own: the load clients' event loop (100 httpx
    clients are busy Python) would otherwise add its own lag to every health answer."""
    latencies: list[float] = []
    errors: dict[str, int] = defaultdict(int)
    stop = time.monotonic() + seconds
    with httpx.Client(base_url=url, timeout=TIMEOUT_S) as client:
        while time.monotonic() < stop:
            started = time.perf_counter()
            try:
                answer = client.get("/healthz")
                if answer.status_code == 200:
                    latencies.append(time.perf_counter() - started)
                else:
                    errors[f"HTTP {answer.status_code}"] += 1
            except httpx.HTTPError as exc:
                errors[type(exc).__name__] += 1
            time.sleep(0.1)
    return latencies, dict(errors)


async def run_load(url: str, clients: int, seconds: float, kinds: list[str]) -> Tally:
    tally = Tally()
    stop = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)  # one per client
    tasks = [client_loop(url, kinds, stop, tally, seed, limits) for seed in range(clients)]
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=spawn) as prober:
        health = asyncio.get_running_loop().run_in_executor(prober, probe_health, url, seconds)
        load = asyncio.gather(*tasks)
        latencies, errors = await health
        await load
    tally.latencies["healthz"] = latencies
    for what, count in errors.items():
        tally.errors["healthz"][what] += count
    return tally


def seed(url: str, events: int) -> None:
    """Four layers of datasets, so lineage from the last layer has something to walk."""
    with httpx.Client(base_url=url, timeout=300) as client:
        batch = [run_event(n, layer=n % 4) for n in range(events)]
        for start in range(0, len(batch), 200):
            client.post("/api/v1/lineage", json=batch[start : start + 200]).raise_for_status()


def parse_mix(text: str) -> list[str]:
    kinds: list[str] = []
    for part in text.split(","):
        name, _, weight = part.partition("=")
        if name not in ("lineage", "search", "write"):
            raise argparse.ArgumentTypeError(f"unknown kind {name!r} in --mix")
        kinds += [name] * int(weight or 1)
    return kinds


def report(tally: Tally, seconds: float, rss: tuple[float, float], clients: int) -> None:
    served = sum(len(v) for k, v in tally.latencies.items() if k != "healthz")
    failed = sum(sum(v.values()) for k, v in tally.errors.items() if k != "healthz")
    print(f"{clients} clients, {seconds:.0f} s: {served / seconds:,.1f} requests/s answered")
    print("\n| kind | answered | errors | p50 ms | p99 ms | max ms |")
    print("|---|---:|---:|---:|---:|---:|")
    for kind in ("lineage", "search", "write", "healthz"):
        samples = [s * 1000 for s in tally.latencies.get(kind, [])]
        errors = sum(tally.errors.get(kind, {}).values())
        print(
            f"| {kind} | {len(samples):,} | {errors:,} | {percentile(samples, 0.5):,.1f} | "
            f"{percentile(samples, 0.99):,.1f} | {max(samples, default=float('nan')):,.1f} |"
        )
    print(f"\nerrors: {failed:,} of {served + failed:,} requests")
    for kind, problems in tally.errors.items():
        print(f"  {kind}: " + ", ".join(f"{what} x{count}" for what, count in problems.items()))
    print(f"server RSS: {rss[0]:,.0f} MiB at the start, {rss[1]:,.0f} MiB at the end")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--seed-events", type=int, default=2000)
    parser.add_argument("--mix", type=parse_mix, default=parse_mix("lineage=4,search=3,write=3"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, serving(Path(tmp) / "data", "--demo") as server:
        seed(server.url, args.seed_events)
        pid = server.process.pid
        start_rss = rss_mib(pid)
        tally = asyncio.run(run_load(server.url, args.clients, args.seconds, args.mix))
        end_rss = rss_mib(pid)
    report(tally, args.seconds, (start_rss, end_rss), args.clients)


if __name__ == "__main__":
    main()
