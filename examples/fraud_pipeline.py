"""The end-to-end example: a real pipeline whose provenance writes itself.

raw trips + riders (Spark writes, with a PII email column)
  -> a Spark feature job (clean, join, aggregate; one feature hashes the email)
  -> a Great Expectations validation of the feature table
  -> torch training (policy-gated) -> deploy to staging and production (policy-gated)
  -> a few requests served through the serving hook

Nothing here writes a catalog event by hand: the integrations record everything. The only
catalog calls are a steward's: tagging the raw email column `pii.email` and certifying the
features (production needs certified features).

    .venv/bin/python -m examples.fraud_pipeline [--url URL] [--data DIR] [--work DIR]

The catalog is found as the `provgraph` CLI finds it: --url, else $PROVGRAPH_URL, else the
server holding --data (default $PROVGRAPH_DATA or ./provgraph-data). The work happens in a
fresh temporary directory unless --work names a new or empty one.
"""

from __future__ import annotations

import argparse
import json
import socket
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pandas as pd  # type: ignore[import-untyped]
import torch

from provgraph.catalog.settings import Settings
from provgraph.client import Client
from provgraph.integrations import spark as pg_spark
from provgraph.integrations.errors import PolicyDeniedError
from provgraph.integrations.great_expectations import validate
from provgraph.integrations.serving import ServingGuard, deploy
from provgraph.integrations.serving.app import create_app
from provgraph.integrations.torch import training_run
from provgraph.server.targets import server_url

MODEL = "fraud-scorer"
GROUP = "rider_signals"
TRAINED_ON = ["trips", "avg_fare", "free_email"]
"""free_email is computed from the raw email (not hashed): it carries pii.email to the model."""
HASHED = "email_hash"


@dataclass
class PipelineResult:
    raw_email_column: str
    feature_table: tuple[str, str]
    features: dict[str, str]
    model_version: str
    deployments: list[str]
    predictions: list[float] = field(default_factory=list)
    denied: dict[str, list[str]] = field(default_factory=dict)
    """Step -> the policy's reasons, for the uses that were refused."""


def generate(rows: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    riders = rows // 8
    domains = np.array(["freemail.example", "corp.example", "mail.example"])
    rider_frame = pd.DataFrame(
        {
            "rider_id": np.arange(riders, dtype=np.int64),
            "email": [f"rider{i}@{domains[i % 3]}" for i in range(riders)],
            "signup_days": rng.integers(1, 900, riders).astype(np.int64),
        }
    )
    trip_frame = pd.DataFrame(
        {
            "trip_id": np.arange(rows, dtype=np.int64),
            "rider_id": rng.integers(0, riders, rows).astype(np.int64),
            "fare": np.round(rng.gamma(4.0, 5.0, rows), 2),
            "pickup_lat": rng.uniform(40.5, 40.9, rows),
            "pickup_lon": rng.uniform(-74.2, -73.7, rows),
        }
    )
    trip_frame.loc[rng.choice(rows, rows // 50, replace=False), "fare"] = -1.0  # bad rows
    return trip_frame, rider_frame


def run(
    url: str,
    work: Path,
    *,
    token: str | None = None,
    rows: int = 800,
    purpose: str = "fraud_detection",
    serve_requests: int = 5,
    spark: Any = None,
) -> PipelineResult:
    """Run every step against the catalog at `url`, in `work` (new or empty: nothing of the
    caller's is deleted). A given Spark session is used and left running; otherwise one is
    started and stopped."""
    from pyspark.sql import SparkSession

    _require_empty(work)

    owned = spark is None
    if spark is None:
        spark = (
            SparkSession.builder.master("local[1]")
            .appName("fraud-features")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "2")
            .getOrCreate()
        )
    try:
        return _run(
            spark, url, work, token=token, rows=rows, purpose=purpose, serve_requests=serve_requests
        )
    finally:
        if owned:
            spark.stop()


class WorkNotEmptyError(ValueError):
    pass


def _require_empty(work: Path) -> None:
    if work.exists() and (not work.is_dir() or any(work.iterdir())):
        raise WorkNotEmptyError(
            f"{work} is not a new or empty directory: the example writes its tables there "
            "and deletes nothing (leave out --work for a fresh temporary directory)"
        )


def catalog_url(url: str | None, data: Path | None = None) -> str | None:
    """The catalog the `provgraph` CLI would talk to (targets.server_url)."""
    settings = Settings() if data is None else Settings(data=data)
    return server_url(settings, url)


def _run(
    spark: Any,
    url: str,
    work: Path,
    *,
    token: str | None,
    rows: int,
    purpose: str,
    serve_requests: int,
) -> PipelineResult:
    from pyspark.sql import functions as F  # noqa: N812 - Spark's own idiom

    client = Client(url, token=token)
    work.mkdir(parents=True, exist_ok=True)
    pg_spark.track(spark, url=url, token=token)

    # 1. the raw tables, written by an ingestion job (recorded by the Spark integration)
    trips, riders = generate(rows, seed=42)
    spark.createDataFrame(trips).write.mode("overwrite").parquet(str(work / "raw" / "trips"))
    spark.createDataFrame(riders).write.mode("overwrite").parquet(str(work / "raw" / "riders"))
    pg_spark.flush()

    # 2. a steward tags the raw email column (curation, not an event written by hand)
    email = _column(client, ("file", str(work / "raw" / "riders")), "email")
    client.graphql(
        'mutation($u: ID!) { classify(urn: $u, tag: "pii.email") { __typename } }', {"u": email}
    )

    # 3. the feature job: clean, join, aggregate, hash; features materialized with policy first
    raw_trips = spark.read.parquet(str(work / "raw" / "trips"))
    raw_riders = spark.read.parquet(str(work / "raw" / "riders"))
    clean = raw_trips.filter(F.col("fare") > 0).dropna()
    clean.write.mode("overwrite").parquet(str(work / "clean" / "trips"))
    per_rider = (
        spark.read.parquet(str(work / "clean" / "trips"))
        .join(raw_riders, "rider_id")
        .groupBy("rider_id", "email")
        .agg(F.count("trip_id").alias("trips"), F.avg("fare").alias("avg_fare"))
        .select(
            "rider_id",
            F.col("trips").cast("double").alias("trips"),
            "avg_fare",
            (F.instr(F.col("email"), "@freemail.") > 0).cast("double").alias("free_email"),
            F.sha2(F.col("email"), 256).alias(HASHED),
        )
    )
    table = work / "features" / "rider_signals"
    materialized = pg_spark.materialize_features(
        per_rider,
        group=GROUP,
        entity="rider_id",
        features=[
            pg_spark.Feature(name="trips", column="trips", description="trips in the window"),
            pg_spark.Feature(name="avg_fare", column="avg_fare", description="mean fare"),
            pg_spark.Feature(
                name="free_email",
                column="free_email",
                description="1.0 when the rider uses a free mail provider",
            ),
            pg_spark.Feature(name=HASHED, column=HASHED, description="sha-256 of the email"),
        ],
        purpose=purpose,
        output=str(table),
        url=url,
        token=token,
    )
    pg_spark.flush()

    # 4. data quality of the feature table (production needs passing checks)
    validate(
        pd.read_parquet(table),
        _suite(),
        dataset=materialized.output,
        url=url,
        token=token,
    )

    # 5. a steward certifies the features (production needs certified features)
    for urn in materialized.features.values():
        client.graphql(
            'mutation($u: ID!) { certifyFeature(urn: $u, reason: "reviewed") { __typename } }',
            {"u": urn},
        )

    # 6. training, gated on `train`
    features = [materialized.features[name] for name in TRAINED_ON]
    result = PipelineResult(
        raw_email_column=email,
        feature_table=materialized.output,
        features=materialized.features,
        model_version="",
        deployments=[],
    )
    try:
        result.model_version = _train(url, token, table, features, purpose, work)
    except PolicyDeniedError as denied:
        result.denied["train"] = denied.reasons
        return result

    # 7. deploy to staging, then production: each gated on `deploy`
    for environment in ("staging", "production"):
        try:
            deployed = deploy(
                result.model_version,
                deployment=MODEL,
                environment=environment,
                purpose=purpose,
                artifact=work / "model.pt",
                url=url,
                token=token,
            )
            result.deployments.append(deployed.deployment)
        except PolicyDeniedError as denied:
            result.denied[f"deploy:{environment}"] = denied.reasons

    # 8. serve a few requests in production
    if result.deployments and serve_requests:
        result.predictions = _serve(url, token, work, purpose, serve_requests)
    return result


def _train(
    url: str, token: str | None, table: Path, features: list[str], purpose: str, work: Path
) -> str:
    with training_run(
        model=MODEL, purpose=purpose, stage="production", features=features, url=url, token=token
    ) as run:
        data = run.load_features(table, label=None, split=0.8, seed=7)
        model = Scorer(len(features))
        labels = (data.train.features[:, 1] > data.train.features[:, 1].median()).float()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
        run.log_params(epochs=5, lr=0.01, label="avg_fare above median")
        for epoch in range(5):
            optimizer.zero_grad()
            loss = torch.nn.functional.binary_cross_entropy(model(data.train.features), labels)
            loss.backward()  # type: ignore[no-untyped-call]
            optimizer.step()
            run.log_metrics(epoch=epoch, loss=float(loss.detach()))
        return run.save(model, work / "model.pt")


class Scorer(torch.nn.Module):
    def __init__(self, width: int) -> None:
        super().__init__()
        self.linear = torch.nn.Linear(width, 1)

    def forward(self, rows: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(self.linear(rows)).squeeze(-1)


def _serve(url: str, token: str | None, work: Path, purpose: str, requests: int) -> list[float]:
    import uvicorn

    model = Scorer(len(TRAINED_ON))
    model.load_state_dict(torch.load(work / "model.pt"))
    guard = ServingGuard(
        deployment=MODEL,
        environment="production",
        purpose=purpose,
        url=url,
        token=token,
        flush_every=3600,
        outbox_dir=work / "outbox",
    )
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(model, guard, width=len(TRAINED_ON)),
            host="127.0.0.1",
            port=port,
            log_level="warning",
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    scores: list[float] = []
    try:
        deadline = time.monotonic() + 30
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        for number in range(requests):
            answer = httpx.post(
                f"http://127.0.0.1:{port}/predict",
                json={"rows": [[3.0, 20.0 + number, 1.0]]},
                timeout=10,
            )
            answer.raise_for_status()
            scores += answer.json()["predictions"]
    finally:
        server.should_exit = True
        thread.join(timeout=20)
    return scores


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _suite() -> Any:
    import great_expectations as gx

    gx.get_context(mode="ephemeral")  # GX builds suites in its active context
    expect: Any = gx.expectations
    suite = gx.ExpectationSuite(name="rider_signals")
    suite.add_expectation(expect.ExpectColumnValuesToNotBeNull(column="avg_fare"))
    suite.add_expectation(
        expect.ExpectColumnValuesToBeBetween(column="avg_fare", min_value=0, max_value=1000)
    )
    suite.add_expectation(expect.ExpectColumnValuesToBeUnique(column="rider_id"))
    return suite


def _column(client: Client, dataset: tuple[str, str], field_name: str) -> str:
    found = client.graphql(
        "query($ns: String!, $n: String!) { dataset(namespace: $ns, name: $n) "
        "{ latestVersion { columns { urn name } } } }",
        {"ns": dataset[0], "n": dataset[1]},
    )["dataset"]
    if not found or not found["latestVersion"]:
        raise RuntimeError(f"{dataset} is not in the catalog: was the Spark write recorded?")
    return str(next(c["urn"] for c in found["latestVersion"]["columns"] if c["name"] == field_name))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--url",
        default=None,
        help="the catalog (default $PROVGRAPH_URL, else the server holding --data)",
    )
    parser.add_argument("--data", type=Path, default=None, help="a served data directory")
    parser.add_argument(
        "--work", type=Path, default=None, help="a new or empty directory (default: a fresh one)"
    )
    parser.add_argument("--rows", type=int, default=800)
    parser.add_argument("--purpose", default="fraud_detection")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    url = catalog_url(args.url, args.data)
    if url is None:
        print(
            "fraud_pipeline: error: no provgraph server found: pass --url URL, set "
            "PROVGRAPH_URL, or start one on the data directory (`./dev serve`, or "
            "`provgraph serve --data DIR` and --data DIR here)",
            file=sys.stderr,
        )
        return 2
    work = args.work or Path(tempfile.mkdtemp(prefix="provgraph-example-"))
    try:
        _require_empty(work)
    except WorkNotEmptyError as exc:
        print(f"fraud_pipeline: error: {exc}", file=sys.stderr)
        return 2
    print(f"catalog        {url}\nwork           {work}", file=sys.stderr, flush=True)
    result = run(url, work, rows=args.rows, purpose=args.purpose)
    if args.json:
        print(json.dumps(asdict(result), indent=2))
        return 1 if result.denied else 0
    print(f"model version  {result.model_version or '(not trained)'}")
    for deployment in result.deployments:
        print(f"deployed       {deployment}")
    for step, reasons in result.denied.items():
        print(f"denied {step}: {'; '.join(reasons)}")
    print(f"served         {len(result.predictions)} predictions")
    return 1 if result.denied else 0


if __name__ == "__main__":
    sys.exit(main())
