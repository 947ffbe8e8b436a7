"""Policy decision latency: embedded engine with a warm cache and cold, and through an
OPA-REST-API server (the test server wrapping the embedded engine, on loopback).
Usage: python bench/policy.py [--decisions 2000]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from provgraph.policies.bundle import PolicyBundle
from provgraph.policies.embedded import EmbeddedEngine
from provgraph.policies.opa_server import OpaServerEngine
from tests.support.opa_server import opa_server


def question(number: int) -> dict[str, Any]:
    tags = [["pii.email"], [], ["consent:marketing"], ["sensitive"]]
    return {
        "action": "deploy",
        "purpose": "fraud_detection",
        "principal": "bench",
        "environment": "production",
        "production": True,
        "model": {"urn": "urn:provgraph:model-version:m@1", "stage": "production"},
        "features": [
            {
                "urn": f"urn:provgraph:feature:g:f{number}_{k}",
                "feature": f"urn:provgraph:feature:g:f{number}_{k}",
                "classifications": tags[k % 4],
                "status": "certified",
                "quality": "passing",
            }
            for k in range(20)
        ],
    }


def percentiles(run: Callable[[int], object], count: int) -> tuple[float, float]:
    samples = []
    for number in range(count):
        started = time.perf_counter()
        run(number)
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return samples[len(samples) // 2], samples[int(len(samples) * 0.99) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--decisions", type=int, default=2000)
    args = parser.parse_args()
    bundle = PolicyBundle.builtin()
    engine = EmbeddedEngine(bundle)
    warm = question(0)
    engine.evaluate(warm)
    rows = {
        "embedded, warm cache (same question)": percentiles(
            lambda _: engine.evaluate(warm), args.decisions
        ),
        "embedded, cold (every question new, 20 features)": percentiles(
            lambda n: engine.evaluate(question(n + 1)), args.decisions
        ),
    }
    with opa_server(bundle) as url:
        remote = OpaServerEngine(url, timeout_s=5)
        remote.evaluate(warm)
        rows["OPA REST API over loopback (test server)"] = percentiles(
            lambda n: remote.evaluate(question(n)), min(args.decisions, 500)
        )
    print("| engine | p50 ms | p99 ms |")
    print("|---|---:|---:|")
    for label, (p50, p99) in rows.items():
        print(f"| {label} | {p50:.3f} | {p99:.3f} |")


if __name__ == "__main__":
    main()
