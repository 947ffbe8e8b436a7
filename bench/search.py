"""Feature search over 10^5 features: p50/p95 per query shape, facets included.

Synthetic features with realistic vocabulary (entity, measure, window, aggregation), owners,
classifications, statuses, quality and production use, in the SQLite FTS5 side index.
Usage: python bench/search.py [--features 100000] [--queries 300]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from provgraph.catalog.model.kinds import NodeKind
from provgraph.catalog.model.urn import Urn
from provgraph.catalog.search.port import SearchDocument, SearchFilters
from provgraph.catalog.search.sqlite import SqliteSearchIndex

ENTITIES = [
    "rider",
    "driver",
    "trip",
    "payment",
    "merchant",
    "device",
    "session",
    "account",
    "order",
    "card",
]
MEASURES = [
    "fare",
    "distance",
    "duration",
    "count",
    "amount",
    "rating",
    "speed",
    "refund",
    "chargeback",
    "login",
    "click",
    "cancel",
    "tip",
    "surge",
    "discount",
    "latency",
    "dispute",
    "balance",
]
WINDOWS = ["1h", "6h", "24h", "7d", "14d", "30d", "90d"]
AGGS = ["avg", "sum", "max", "min", "std", "p95", "count", "ratio", "entropy", "distinct"]
TAGS = [
    "pii",
    "pii.email",
    "pii.location",
    "pii.phone",
    "sensitive",
    "consent:marketing",
    "financial",
]


def documents(count: int, rng: random.Random) -> list[SearchDocument]:
    docs = []
    for i in range(count):
        entity, measure, agg, window = (rng.choice(x) for x in (ENTITIES, MEASURES, AGGS, WINDOWS))
        name = f"{agg}_{measure}_{window}_{i}"
        docs.append(
            SearchDocument(
                urn=str(Urn(NodeKind.FEATURE, name, f"{entity}_features")),
                kind=NodeKind.FEATURE,
                name=name,
                namespace=f"{entity}_features",
                description=f"{agg} of {entity} {measure} over {window}",
                columns=[f"{measure}_amount", f"{entity}_id", "event_ts"],
                owners=[f"team:{rng.choice(ENTITIES)}-{rng.randrange(5)}"],
                tags=rng.sample(TAGS, rng.choice([0, 0, 0, 1, 2])),
                status=rng.choice(["draft", "draft", "certified", "deprecated"]),
                quality=rng.choice(["passing", "failing", "unknown", "unknown"]),
                production_deployments=rng.choice([0, 0, 0, 1, 2, 4]),
                updated_at=1_700_000_000_000_000 + i,
            )
        )
    return docs


def timed(run: Callable[[], int], repeat: int) -> tuple[float, float, float]:
    samples, totals = [], []
    for _ in range(repeat):
        started = time.perf_counter()
        totals.append(run())
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return (
        samples[len(samples) // 2],
        samples[int(len(samples) * 0.95) - 1],
        sum(totals) / len(totals),
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--features", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args()
    rng = random.Random(3)
    with tempfile.TemporaryDirectory() as tmp:
        index = SqliteSearchIndex(Path(tmp) / "search.sqlite")
        docs = documents(args.features, rng)
        started = time.perf_counter()
        for start in range(0, len(docs), 5000):
            index.upsert(docs[start : start + 5000], applied_seq=start)
        build = time.perf_counter() - started
        none = SearchFilters()

        def query(
            text: Callable[[], str], filters: Callable[[], SearchFilters] = lambda: none
        ) -> Callable[[], int]:
            return lambda: index.search(text(), filters(), first=20, offset=0).total

        shapes = {
            "one word ('fare')": query(lambda: rng.choice(MEASURES)),
            "two words ('rider refund')": query(
                lambda: f"{rng.choice(ENTITIES)} {rng.choice(MEASURES)}"
            ),
            "prefix ('disp')": query(lambda: rng.choice(MEASURES)[:4]),
            "three words, rare ('driver tip 90d')": query(
                lambda: f"{rng.choice(ENTITIES)} {rng.choice(MEASURES)} {rng.choice(WINDOWS)}"
            ),
            "word + filters (kind, classification prefix, in production)": query(
                lambda: rng.choice(MEASURES),
                lambda: SearchFilters(
                    kinds=[NodeKind.FEATURE], classification="pii", in_production=True
                ),
            ),
            "browse, no text (certified only)": query(
                lambda: "", lambda: SearchFilters(status="certified")
            ),
        }
        print(
            f"{args.features:,} features indexed in {build:.1f} s; first 20 hits + total + 4 facets per query\n"
        )
        print("| query | p50 ms | p95 ms | mean matches |")
        print("|---|---:|---:|---:|")
        for label, run in shapes.items():
            p50, p95, matches = timed(run, args.queries)
            print(f"| {label} | {p50:.1f} | {p95:.1f} | {matches:,.0f} |")
        index.close()


if __name__ == "__main__":
    main()
