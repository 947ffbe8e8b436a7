"""/healthz latency while GraphQL works hard, and how fast hostile requests are refused.

Starts a real `provgraph serve --demo`, then (1) times the refusal of a 2^40 fragment bomb and
of the issue's 30 x nodes(first: 500) x nested-columns query; (2) runs `--clients` threads
sending the heaviest query the budget admits (every column with its dataset version's columns)
for `--seconds`, while one thread polls /healthz every 20 ms; prints /healthz p50/p99/max and
the GraphQL throughput.
Usage: python bench/healthz_under_graphql.py [--clients 8] [--seconds 10]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx

from tests.support.server import serving

BOMB = "query { ...F40 } " + " ".join(
    ["fragment F0 on Query { __typename }"]
    + [f"fragment F{i} on Query {{ ...F{i - 1} ...F{i - 1} }}" for i in range(1, 41)]
)
INNER = "datasetVersion { columns { " * 4 + "name" + " } }" * 4
ISSUE = (
    "{ "
    + " ".join(
        f"a{i}: nodes(kind: COLUMN, first: 500) {{ items {{ ... on Column {{ name {INNER} }} }} }}"
        for i in range(30)
    )
    + " }"
)
HEAVY = """{ nodes(kind: COLUMN, first: 500) { items { urn ... on Column { name type
  upstream { urn name } downstream { urn name }
  datasetVersion { urn version columns { name type } } } } } }"""


def timed(client: httpx.Client, query: str) -> tuple[float, str]:
    start = time.perf_counter()
    body = client.post("/graphql", json={"query": query}).json()
    code = body["errors"][0]["extensions"]["code"] if body.get("errors") else "ok"
    return (time.perf_counter() - start) * 1000, code


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, serving(Path(tmp) / "data", "--demo") as server:
        with httpx.Client(base_url=server.url, timeout=120) as client:
            for name, query in (("fragment bomb (2^40)", BOMB), ("issue query", ISSUE)):
                ms, code = timed(client, query)
                print(f"{name:24s} refused in {ms:7.1f} ms ({code})")
            ms, code = timed(client, HEAVY)
            print(f"{'heavy admitted query':24s} answered in {ms:7.1f} ms ({code})")
        stop = time.monotonic() + args.seconds
        done: list[int] = []
        health: list[float] = []

        def worker() -> None:
            with httpx.Client(base_url=server.url, timeout=120) as client:
                while time.monotonic() < stop:
                    client.post("/graphql", json={"query": HEAVY}).raise_for_status()
                    done.append(1)

        def prober() -> None:
            with httpx.Client(base_url=server.url, timeout=30) as client:
                while time.monotonic() < stop:
                    start = time.perf_counter()
                    client.get("/healthz").raise_for_status()
                    health.append((time.perf_counter() - start) * 1000)
                    time.sleep(0.02)

        threads = [threading.Thread(target=worker) for _ in range(args.clients)]
        threads.append(threading.Thread(target=prober))
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        health.sort()
        p99 = health[min(len(health) - 1, int(len(health) * 0.99))]
        print(
            f"{args.clients} clients x heavy GraphQL for {args.seconds:g} s: "
            f"{len(done) / args.seconds:.1f} queries/s; /healthz n={len(health)} "
            f"p50 {statistics.median(health):.1f} ms, p99 {p99:.1f} ms, max {health[-1]:.1f} ms"
        )


if __name__ == "__main__":
    main()
