"""Per-action overhead of provgraph's Spark lineage on a job of 20 writes.

One local Spark session; the same job (read a parquet table, filter, join, hash a column,
aggregate, write parquet) runs 20 writes untracked and 20 writes tracked, alternating rounds so
both see the same JVM warm-up, against a real provgraph server. Prints the wall time per write
action for each, the difference (what the listener adds to the action itself: it runs on
Spark's listener bus, so this should be noise), the time the listener callback takes on the
bus, and how long the tracked job's events then take to reach the catalog (flush).

    .venv/bin/python bench/spark_overhead.py [--rounds 3] [--writes 20]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pyspark.sql import SparkSession
from pyspark.sql import functions as F  # noqa: N812 - the usual spelling

from provgraph.integrations import spark as pg_spark
from provgraph.integrations.spark.tracker import Tracker, untrack
from tests.support.server import serving


def job(spark: Any, users: str, orders: str, out: Path, writes: int) -> list[float]:
    """`writes` write actions; the wall time of each, in ms."""
    times = []
    for i in range(writes):
        u = spark.read.parquet(users)
        o = spark.read.parquet(orders).groupBy("user_id").agg(F.sum("amount").alias("total"))
        df = (
            u.filter(F.col("age") > i % 3)
            .join(o, u.id == o.user_id, "left")
            .select("id", F.sha2("email", 256).alias("email_hash"), "total")
        )
        start = time.perf_counter()
        df.write.mode("overwrite").parquet(str(out / f"w{i}"))
        times.append((time.perf_counter() - start) * 1000)
    return times


def timed_listener(tracker: Tracker, spent: list[float]) -> None:
    handle = tracker.handle

    def measured(*args: Any) -> None:
        start = time.perf_counter()
        handle(*args)
        spent.append((time.perf_counter() - start) * 1000)

    tracker.handle = measured  # type: ignore[method-assign,assignment]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--writes", type=int, default=20)
    args = parser.parse_args()
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    root = Path(tempfile.mkdtemp(prefix="pg-spark-bench-"))
    spark = (
        SparkSession.builder.master("local[1]")
        .appName("bench")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.sql.adaptive.enabled", "false")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    users, orders = str(root / "users"), str(root / "orders")
    spark.createDataFrame(
        [(i, f"user{i}@example.com", i % 60) for i in range(200)], "id long, email string, age int"
    ).write.parquet(users)
    spark.createDataFrame(
        [(i, i % 200, float(i)) for i in range(1000)], "order_id long, user_id long, amount double"
    ).write.parquet(orders)
    plain: list[float] = []
    tracked: list[float] = []
    callback: list[float] = []
    flushes: list[float] = []
    with serving(root / "catalog") as server:
        job(spark, users, orders, root / "warmup", args.writes)  # JIT, caches
        for round_ in range(args.rounds):
            plain += job(spark, users, orders, root / f"plain{round_}", args.writes)
            tracker = pg_spark.track(spark, url=server.url)
            timed_listener(tracker, callback)
            tracked += job(spark, users, orders, root / f"tracked{round_}", args.writes)
            start = time.perf_counter()
            assert tracker.flush(120), "events did not reach the catalog"
            flushes.append((time.perf_counter() - start) * 1000)
            stats = tracker.emitter.outbox.stats
            untrack(spark)
    spark.stop()

    def row(name: str, values: list[float]) -> None:
        values = sorted(values)
        p95 = values[int(0.95 * (len(values) - 1))]
        print(
            f"| {name} | {statistics.median(values):.1f} | {statistics.mean(values):.1f} | {p95:.1f} |"
        )

    print(f"{args.rounds} rounds x {args.writes} writes, local[1], real server on loopback")
    print("| per write action (ms) | p50 | mean | p95 |")
    print("|---|---:|---:|---:|")
    row("untracked", plain)
    row("tracked", tracked)
    row("listener callback on Spark's bus (py4j capture)", callback)
    overhead = statistics.median(tracked) - statistics.median(plain)
    print(
        f"median overhead per action: {overhead:+.1f} ms "
        f"({100 * overhead / statistics.median(plain):+.1f}%)"
    )
    print(
        f"after the last write, events of {args.writes} writes reached the catalog in "
        f"{statistics.median(flushes):.0f} ms (median flush); sent={stats.sent} "
        f"dropped={stats.dropped_full} rejected={stats.rejected}"
    )


if __name__ == "__main__":
    main()
