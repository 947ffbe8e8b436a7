"""The issue's "done when", end to end against the real server, with no event written by hand:
a PySpark job reads a raw table with a PII column, cleans it, joins it and materializes three
features (one hashing the PII column); a GX checkpoint on the cleaned table records its result
on that dataset version; and the production rule denies use after a failing validation, then
allows it after a passing one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pyspark")
pytest.importorskip("great_expectations")

from pyspark.sql import functions as F  # noqa: N812 - the usual spelling

from provgraph.client import Client
from provgraph.integrations import spark as pg_spark
from provgraph.integrations.spark import Feature, materialize_features
from provgraph.integrations.spark.tracker import untrack
from tests.integrations.spark.test_tracking import graphql, upstream, version
from tests.support.server import RunningServer

DATASET_QUALITY = """
query($ns: String!, $name: String!) {
  dataset(namespace: $ns, name: $name) {
    latestVersion { urn producedBy { state } qualityResults { success observedBy } }
  }
}"""


def checkpoint(name: str, *, url: str, namespace: str, dataset: str) -> tuple[Any, Any]:
    """A GX checkpoint over a Spark DataFrame asset, reporting to provgraph; and its suite."""
    import great_expectations as gx

    from provgraph.integrations.great_expectations import ProvgraphValidationAction
    from provgraph.integrations.great_expectations.validation import gx_context

    context = gx_context()
    expect: Any = gx.expectations
    suite = context.suites.add(gx.ExpectationSuite(name=f"{name}-suite"))
    suite.add_expectation(expect.ExpectColumnValuesToNotBeNull(column="email"))
    # fails on this data at first: one user is 41
    suite.add_expectation(expect.ExpectColumnValuesToBeBetween(column="age", max_value=35))
    source = context.data_sources.add_spark(f"{name}-source")
    batch = source.add_dataframe_asset("users_clean").add_batch_definition_whole_dataframe("all")
    definition = context.validation_definitions.add(
        gx.ValidationDefinition(name=f"{name}-definition", data=batch, suite=suite)
    )
    action = ProvgraphValidationAction(
        namespace=namespace, dataset_name=dataset, url=url, wait=30.0
    )
    return gx.Checkpoint(name=name, validation_definitions=[definition], actions=[action]), suite


def test_the_data_half_of_the_chain_writes_itself(
    spark: Any, lake: dict[str, str], server: RunningServer, tmp_path: Path
) -> None:
    from provgraph.catalog.model.events import DatasetRegistered, FieldSpec
    from provgraph.catalog.model.timeutil import utc_now

    raw, cleaned, output = (str(tmp_path / n) for n in ("raw_users", "users_clean", "features"))
    spark.read.parquet(lake["users"]).write.parquet(raw)
    client = Client(server.url)
    # the raw table's owner declares the PII column (a catalog event, as a steward would)
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
    try:
        (
            spark.read.parquet(raw)
            .filter(F.col("email").isNotNull())
            .select("id", F.lower("email").alias("email"), "country", "age")
            .write.parquet(cleaned)
        )
        users = spark.read.parquet(cleaned)
        totals = (
            spark.read.parquet(lake["orders"])
            .groupBy("user_id")
            .agg(F.sum("amount").alias("total"))
        )
        frame = users.join(totals, users.id == totals.user_id, "left").select(
            F.col("id").alias("user_id"),
            F.sha2("email", 256).alias("email_hash"),
            F.coalesce("total", F.lit(0.0)).alias("order_total"),
            F.upper("country").alias("country"),
        )
        done = materialize_features(
            frame,
            group="user_risk",
            entity="user_id",
            features=[
                Feature("email_hash", "email_hash"),
                Feature("order_total", "order_total"),
                Feature("country", "country"),
            ],
            purpose="fraud_detection",
            output=output,
            url=server.url,
        )
        assert done.recorded
    finally:
        assert pg_spark.flush(60)
        untrack(spark)

    # every column-lineage edge right
    clean = version(server, "file", cleaned)
    assert {k: [u.rsplit("#", 1)[1] for u in v] for k, v in upstream(clean).items()} == {
        "id": ["id"],
        "email": ["email"],
        "country": ["country"],
        "age": ["age"],
    }
    table = version(server, "file", output)
    lineage = upstream(table)
    assert [u.split("@")[0] + "#" + u.rsplit("#", 1)[1] for u in lineage["email_hash"]] == [
        f"{cleaned}#email"
    ]
    assert [u.split("@")[0] + "#" + u.rsplit("#", 1)[1] for u in lineage["order_total"]] == [
        f"{lake['orders']}#amount"
    ]
    assert lineage["user_id"][0].endswith("#id")
    # the hashed feature is declassifying and does not carry pii; the raw email does reach the
    # cleaned column
    tags = """query($urn: ID!) { classifications(urn: $urn) {
                ... on Classifications { classifications { tag } } } }"""
    hashed = graphql(server, tags, urn=done.features["email_hash"])["classifications"]
    assert "pii.email" not in {t["tag"] for t in hashed["classifications"]}
    email_column = clean["columns"][[c["name"] for c in clean["columns"]].index("email")]
    assert email_column is not None

    # certify the features, then ask for production use
    for urn in done.features.values():
        graphql(
            server,
            'mutation($u: ID!) { certifyFeature(urn: $u, reason: "reviewed") { __typename } }',
            u=urn,
        )

    def production() -> Any:
        return client.check_feature_use(
            action="deploy",
            purpose="fraud_detection",
            features=list(done.features.values()),
            environment="production",
        )

    # the orders the order_total feature reads are checked too (direct validate, Spark frame)
    import great_expectations as gx

    from provgraph.integrations.great_expectations import validate
    from provgraph.integrations.great_expectations.validation import gx_context

    gx_context()
    orders_suite = gx.ExpectationSuite(name="orders")
    orders_suite.add_expectation(gx.expectations.ExpectColumnValuesToNotBeNull(column="amount"))  # type: ignore[attr-defined]
    orders = spark.read.parquet(lake["orders"])
    assert validate(orders, orders_suite, dataset=("file", lake["orders"]), url=server.url).success

    cleaned_df = spark.read.parquet(cleaned)
    checks, suite = checkpoint(
        "users_clean_checks", url=server.url, namespace="file", dataset=cleaned
    )
    failing = checks.run(batch_parameters={"dataframe": cleaned_df})
    assert failing.success is False
    checked = graphql(server, DATASET_QUALITY, ns="file", name=cleaned)["dataset"]["latestVersion"]
    assert checked["urn"] == clean_urn(server, cleaned)  # the version the Spark job wrote
    assert checked["producedBy"]["state"] == "COMPLETE"
    assert [q["success"] for q in checked["qualityResults"]] == [False]
    denied = production()
    assert not denied.allow
    assert any("quality" in reason for reason in denied.deny), denied.deny

    # the expectation is corrected (adults up to 120) and the same checkpoint runs again
    suite.expectations[1].max_value = 120
    suite.save()
    passing = checks.run(batch_parameters={"dataframe": cleaned_df})
    assert passing.success is True
    allowed = production()
    assert allowed.allow, allowed.deny


def clean_urn(server: RunningServer, cleaned: str) -> str:
    query = """query($ns: String!, $name: String!) { dataset(namespace: $ns, name: $name) {
                 versions { urn producedBy { state } } } }"""
    versions = graphql(server, query, ns="file", name=cleaned)["dataset"]["versions"]
    [produced] = [v["urn"] for v in versions if v["producedBy"]]
    return str(produced)
