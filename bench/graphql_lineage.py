"""GraphQL lineage over HTTP returning ~500 nodes: p50/p95 on a real `provgraph serve`.

Builds a catalog through the normal event path (raw tables -> 8 layers of Spark-style runs with
column lineage -> features -> a training set -> a model version -> a deployment), starts the
server on it and asks for the deployment's upstream lineage with nodes and edges.
Usage: python bench/graphql_lineage.py [--requests 200]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx

from provgraph.catalog.model.events import (
    CatalogEvent,
    ColumnRef,
    DatasetRegistered,
    DeploymentRecorded,
    FeatureDefined,
    FeatureRef,
    FieldSpec,
    InputSpec,
    JobSpec,
    ModelVersionRegistered,
    OutputSpec,
    RunRecorded,
    TrainingSetCreated,
)
from provgraph.catalog.service.catalog import Catalog
from provgraph.catalog.service.writer import Submission
from provgraph.catalog.settings import Settings
from tests.support.server import serving

FIELDS = ["id", "a", "b"]
T0 = datetime(2026, 1, 1, tzinfo=UTC)
QUERY = """query($urn: ID!) { lineage(urn: $urn, depth: 30, limit: 5000) { ... on LineageGraph {
  isPartial nodes { urn kind depth } edges { kind source target validFrom validTo } } } }"""


def build(data: Path, *, raw: int, layers: int, width: int, features: int) -> str:
    rng = random.Random(5)
    events: list[CatalogEvent] = []
    names = [f"raw_{i}" for i in range(raw)]
    events += [
        DatasetRegistered(
            event_time=T0, namespace="pg", name=n, fields=[FieldSpec(name=f) for f in FIELDS]
        )
        for n in names
    ]
    previous = names
    for layer in range(layers):
        current = []
        for i in range(width):
            sources = rng.sample(previous, min(2, len(previous)))
            out = f"l{layer}_{i}"
            events.append(
                RunRecorded(
                    event_time=T0 + timedelta(hours=layer + 1),
                    run_id=uuid.uuid4(),
                    job=JobSpec(namespace="spark", name=f"job_{out}", version="v1"),
                    inputs=[InputSpec(namespace="pg", name=s) for s in sources],
                    outputs=[
                        OutputSpec(
                            namespace="pg",
                            name=out,
                            fields=[FieldSpec(name=f) for f in FIELDS],
                            column_lineage={
                                f: [ColumnRef(namespace="pg", name=s, field=f) for s in sources]
                                for f in FIELDS
                            },
                        )
                    ],
                )
            )
            current.append(out)
        previous = current
    day = T0 + timedelta(days=2)
    events += [
        FeatureDefined(
            event_time=day,
            group="bench",
            name=f"f{i}",
            transformation="x",
            sources=[ColumnRef(namespace="pg", name=rng.choice(previous), field="a")],
        )
        for i in range(features)
    ]
    events.append(
        TrainingSetCreated(
            event_time=day,
            name="ts",
            features=[FeatureRef(group="bench", name=f"f{i}") for i in range(features)],
        )
    )
    events.append(
        ModelVersionRegistered(
            event_time=day, model="m", artifact_digest="sha256:" + "a" * 64, training_set="ts"
        )
    )
    events.append(
        DeploymentRecorded(
            event_time=day,
            environment="prod",
            name="m",
            model_version="urn:provgraph:model-version:m@" + "a" * 16,
        )
    )
    with Catalog(Settings(data=data)) as catalog:
        for start in range(0, len(events), 500):
            catalog.submit([Submission(e) for e in events[start : start + 500]], actor="bench")
    return "urn:provgraph:deployment:prod:m"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        root = build(data, raw=40, layers=6, width=15, features=25)
        with serving(data) as server, httpx.Client(timeout=30) as client:
            body = {"query": QUERY, "variables": {"urn": root}}
            first = client.post(f"{server.url}/graphql", json=body).json()["data"]["lineage"]
            for _ in range(10):
                client.post(f"{server.url}/graphql", json=body)
            samples = []
            for _ in range(args.requests):
                started = time.perf_counter()
                client.post(f"{server.url}/graphql", json=body).raise_for_status()
                samples.append((time.perf_counter() - started) * 1000)
            samples.sort()
            rest = []
            for _ in range(args.requests):
                started = time.perf_counter()
                client.get(
                    f"{server.url}/api/v1/lineage", params={"urn": root, "depth": 30, "limit": 5000}
                ).raise_for_status()
                rest.append((time.perf_counter() - started) * 1000)
            rest.sort()
    print(
        f"upstream lineage of a deployment: {len(first['nodes'])} nodes, {len(first['edges'])} edges, partial={first['isPartial']}\n"
    )
    print("| endpoint | p50 ms | p95 ms |")
    print("|---|---:|---:|")
    for label, values in (
        ("POST /graphql lineage (nodes + edges)", samples),
        ("GET /api/v1/lineage", rest),
    ):
        print(
            f"| {label} | {values[len(values) // 2]:.1f} | {values[int(len(values) * 0.95) - 1]:.1f} |"
        )


if __name__ == "__main__":
    main()
