"""One local Spark session for every integration test (starting one takes seconds), tiny data
written once, and a real provgraph server."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.server import RunningServer, serving


@pytest.fixture(scope="session")
def spark(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    pytest.importorskip("pyspark", reason="install the extra: pip install -e '.[spark]'")
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    warehouse = tmp_path_factory.mktemp("warehouse")
    session = (
        SparkSession.builder.master("local[1]")
        .appName("provgraph-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.default.parallelism", "1")
        .config("spark.sql.warehouse.dir", str(warehouse))
        .config("spark.driver.memory", "512m")
        .config("spark.sql.adaptive.enabled", "false")
        # Hive-format tables (USING hive, STORED AS): pyspark ships the Hive and Derby jars;
        # the metastore is an embedded Derby database in the test's own directory
        .config(
            "spark.hadoop.javax.jdo.option.ConnectionURL",
            f"jdbc:derby:;databaseName={warehouse / 'metastore_db'};create=true",
        )
        .config("spark.driver.extraJavaOptions", f"-Dderby.system.home={warehouse}")
        .enableHiveSupport()
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="session")
def lake(spark: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Tiny parquet datasets: users (with a PII email), orders, and a second users batch."""
    root = tmp_path_factory.mktemp("lake")
    paths = {name: str(root / name) for name in ("users", "orders", "users_eu")}
    spark.createDataFrame(
        [(1, "ann@example.com", "US", 30), (2, "bob@example.com", "DE", 41)],
        "id long, email string, country string, age int",
    ).write.parquet(paths["users"])
    spark.createDataFrame(
        [(10, 1, 12.5), (11, 1, 7.0), (12, 2, 3.25)], "order_id long, user_id long, amount double"
    ).write.parquet(paths["orders"])
    spark.createDataFrame(
        [(3, "cid@example.com", "FR", 25)], "id long, email string, country string, age int"
    ).write.parquet(paths["users_eu"])
    return paths


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    with serving(tmp_path_factory.mktemp("catalog") / "data") as running:
        yield running


@pytest.fixture(autouse=True)
def _outbox_dir(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Durable outboxes (serving records, run ends) go to the test's own directory."""
    monkeypatch.setenv("PROVGRAPH_OUTBOX_DIR", str(tmp_path / "outbox"))
