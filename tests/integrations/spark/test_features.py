"""The data half of the chain, written by the integration alone: a raw table with a PII column
is cleaned, joined and materialized into three features (one hashing the PII column); the
features' source columns come from the plan, the hashed one is declassifying, and a use the
policy denies raises before anything is written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pyspark")

from pyspark.sql import functions as F  # noqa: N812 - the usual spelling

from provgraph.catalog.model.events import DatasetRegistered, FieldSpec
from provgraph.catalog.model.timeutil import utc_now
from provgraph.client import Client
from provgraph.integrations import spark as pg_spark
from provgraph.integrations.errors import IntegrationError, PolicyDeniedError
from provgraph.integrations.spark import Feature, materialize_features
from provgraph.integrations.spark.tracker import untrack
from tests.integrations.spark.test_tracking import graphql
from tests.support.server import RunningServer

FEATURE = """
query($urn: ID!) {
  node(urn: $urn) {
    ... on Feature {
      versions { urn }
      latestVersion {
        declassifying dtype transformation
        sourceColumns { name datasetVersion { dataset { name } } upstream { urn } }
        storedIn { name datasetVersion { dataset { name } } }
      }
    }
  }
}"""

CLASSIFICATIONS = """
query($urn: ID!) {
  classifications(urn: $urn) { ... on Classifications { classifications { tag } } }
}"""


@pytest.fixture
def pipeline(spark: Any, lake: dict[str, str], server: RunningServer, tmp_path: Path) -> Any:
    """raw users (email classified pii.email) -> cleaned users, tracked."""
    raw = str(tmp_path / "raw_users")
    spark.read.parquet(lake["users"]).write.parquet(raw)
    with Client(server.url) as client:
        client.submit(
            DatasetRegistered(
                event_time=utc_now(),
                namespace="file",
                name=raw,
                fields=[
                    FieldSpec(name="id", type="long"),
                    FieldSpec(name="email", type="string", classifications=["pii.email"]),
                    FieldSpec(name="country", type="string"),
                    FieldSpec(name="age", type="integer"),
                ],
            )
        )
    pg_spark.track(spark, url=server.url)
    cleaned = str(tmp_path / "users_clean")
    (
        spark.read.parquet(raw)
        .filter(F.col("email").isNotNull())
        .select(
            F.col("id").alias("user_id"),
            F.lower(F.trim("email")).alias("email"),
            F.upper("country").alias("country"),
        )
        .write.parquet(cleaned)
    )
    yield cleaned
    assert pg_spark.flush(60)
    untrack(spark)


def features_frame(spark: Any, cleaned: str, orders: str) -> Any:
    users = spark.read.parquet(cleaned)
    totals = spark.read.parquet(orders).groupBy("user_id").agg(F.sum("amount").alias("total"))
    return users.join(totals, "user_id", "left").select(
        "user_id",
        F.sha2("email", 256).alias("email_hash"),
        F.coalesce(F.col("total"), F.lit(0.0)).alias("order_total"),
        F.col("country").alias("country_code"),
        F.substring_index("email", "@", -1).alias("email_domain"),
    )


def test_materialized_features_have_their_source_columns_from_the_plan(
    spark: Any, lake: dict[str, str], server: RunningServer, pipeline: str, tmp_path: Path
) -> None:
    output = str(tmp_path / "user_features")
    done = materialize_features(
        features_frame(spark, pipeline, lake["orders"]),
        group="user_risk",
        entity="user_id",
        features=[
            Feature("email_hash", "email_hash"),
            Feature("order_total", "order_total", description="sum of the user's orders"),
            Feature("country_code", "country_code"),
        ],
        purpose="fraud_detection",
        output=output,
        url=server.url,
    )
    assert done.recorded
    assert done.declassifying == {"email_hash": True, "order_total": False, "country_code": False}
    assert [(c.name, c.field) for c in done.sources["email_hash"]] == [(pipeline, "email")]
    assert {(c.name, c.field) for c in done.sources["order_total"]} == {(lake["orders"], "amount")}
    assert Path(output).exists()

    feature = graphql(server, FEATURE, urn=done.features["email_hash"])["node"]
    assert len(feature["versions"]) == 1  # one materialization, one version
    hashed = feature["latestVersion"]
    assert hashed["declassifying"] is False  # nobody declared it: the evidence decides
    assert hashed["transformation"] == f"hash of {pipeline}#email"
    [column] = hashed["sourceColumns"]  # the column it was computed from, not the table's
    assert column["name"] == "email"
    assert column["datasetVersion"]["dataset"]["name"] == pipeline
    [stored] = hashed["storedIn"]  # where a trainer reads it: the feature table's column
    assert stored["name"] == "email_hash"
    assert stored["datasetVersion"]["dataset"]["name"] == output
    total = graphql(server, FEATURE, urn=done.features["order_total"])["node"]["latestVersion"]
    assert total["transformation"] == f"aggregate of {lake['orders']}#amount"

    # pii.email reaches the cleaned column; the hash (masking, on the write's column lineage)
    # stops it before the feature table's hashed column
    tags = graphql(server, CLASSIFICATIONS, urn=done.features["email_hash"])["classifications"]
    assert "pii.email" not in {t["tag"] for t in tags["classifications"]}


def test_a_denied_materialization_raises_writes_nothing_and_is_recorded(
    spark: Any, lake: dict[str, str], server: RunningServer, pipeline: str, tmp_path: Path
) -> None:
    output = tmp_path / "ad_features"
    with pytest.raises(PolicyDeniedError) as denied:
        materialize_features(
            features_frame(spark, pipeline, lake["orders"]),
            group="ads",
            entity="user_id",
            features=[Feature("email_domain", "email_domain")],
            purpose="advertising",
            output=str(output),
            url=server.url,
        )
    assert any("personal data" in reason for reason in denied.value.reasons)
    assert not output.exists()
    decision = graphql(
        server,
        "query($urn: ID!) { node(urn: $urn) { urn kind } }",
        urn=denied.value.decision,
    )["node"]
    assert decision["kind"] == "POLICY_DECISION"


def test_bad_arguments_are_refused_before_anything_happens(
    spark: Any, lake: dict[str, str], server: RunningServer, tmp_path: Path
) -> None:
    df = spark.read.parquet(lake["users"])
    with pytest.raises(IntegrationError, match="no column"):
        materialize_features(
            df,
            group="g",
            entity="id",
            features=[Feature("f", "missing")],
            purpose="p",
            output=str(tmp_path / "x"),
            url=server.url,
        )
    with pytest.raises(IntegrationError, match="exactly one"):
        materialize_features(
            df,
            group="g",
            entity="id",
            features=[Feature("f", "age")],
            purpose="p",
            url=server.url,
        )
    with pytest.raises(IntegrationError, match="not computed from any"):
        materialize_features(
            df.withColumn("one", F.lit(1)),
            group="g",
            entity="id",
            features=[Feature("f", "one")],
            purpose="p",
            output=str(tmp_path / "y"),
            url=server.url,
        )
