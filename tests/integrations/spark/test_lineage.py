"""Column lineage of real Spark plans whose answer is known, including the cases other
integrations get wrong."""

from __future__ import annotations

from typing import Any

import pytest

pytest.importorskip("pyspark")

from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F  # noqa: N812 - the usual spelling

from provgraph.integrations.spark.lineage import (
    Direct,
    Kind,
    PlanLineage,
    SourceColumn,
)
from provgraph.integrations.spark.tracker import dataframe_lineage


def col(path: str, field: str) -> SourceColumn:
    return SourceColumn("file", path, field)


def direct(lineage: PlanLineage) -> dict[str, dict[SourceColumn, Direct]]:
    assert lineage.stopped_at is None, lineage.stopped_at
    return lineage.fields


def lineage(df: DataFrame) -> PlanLineage:
    return dataframe_lineage(df)


def test_projection_identity_and_transformation(spark: Any, lake: dict[str, str]) -> None:
    users = lake["users"]
    df = spark.read.parquet(users).select("id", (F.col("age") + 1).alias("next_age"))
    got = direct(lineage(df))
    assert got == {
        "id": {col(users, "id"): Direct(Kind.IDENTITY)},
        "next_age": {col(users, "age"): Direct(Kind.TRANSFORMATION)},
    }
    assert set(lineage(df).inputs) == {_ds(users)}


def _ds(path: str) -> Any:
    from provgraph.integrations.spark.lineage import DatasetId

    return DatasetId("file", path)


def test_aliases_of_aliases(spark: Any, lake: dict[str, str]) -> None:
    users = lake["users"]
    df = (
        spark.read.parquet(users)
        .select(F.col("email").alias("a").alias("b"))
        .select(F.col("b").alias("c"))
        .withColumnRenamed("c", "d")
    )
    assert direct(lineage(df)) == {"d": {col(users, "email"): Direct(Kind.IDENTITY)}}


def test_select_star_after_join_and_join_keys_are_indirect(
    spark: Any, lake: dict[str, str]
) -> None:
    users, orders = lake["users"], lake["orders"]
    u = spark.read.parquet(users)
    o = spark.read.parquet(orders)
    df = u.join(o, u.id == o.user_id).select("*")
    result = lineage(df)
    fields = direct(result)
    assert list(fields) == ["id", "email", "country", "age", "order_id", "user_id", "amount"]
    assert fields["email"] == {col(users, "email"): Direct(Kind.IDENTITY)}
    assert fields["amount"] == {col(orders, "amount"): Direct(Kind.IDENTITY)}
    assert result.indirect[col(users, "id")] == {"JOIN"}
    assert result.indirect[col(orders, "user_id")] == {"JOIN"}


def test_self_join_keeps_both_sides_on_the_same_dataset(spark: Any, lake: dict[str, str]) -> None:
    users = lake["users"]
    a = spark.read.parquet(users).alias("a")
    b = spark.read.parquet(users).alias("b")
    df = a.join(b, F.col("a.age") < F.col("b.age")).select(
        F.col("a.email").alias("younger"), F.col("b.email").alias("older")
    )
    result = lineage(df)
    assert direct(result) == {
        "younger": {col(users, "email"): Direct(Kind.IDENTITY)},
        "older": {col(users, "email"): Direct(Kind.IDENTITY)},
    }
    assert result.indirect == {col(users, "age"): {"JOIN"}}


def test_aggregation_of_a_derived_column(spark: Any, lake: dict[str, str]) -> None:
    users = lake["users"]
    df = (
        spark.read.parquet(users)
        .withColumn("email_length", F.length("email"))
        .groupBy("country")
        .agg(F.sum("email_length").alias("total_length"), F.count("*").alias("n"))
    )
    result = lineage(df)
    assert direct(result) == {
        "country": {col(users, "country"): Direct(Kind.IDENTITY)},
        "total_length": {col(users, "email"): Direct(Kind.AGGREGATION)},
        "n": {},
    }
    assert result.indirect == {col(users, "country"): {"GROUP_BY"}}


def test_a_column_used_only_in_a_filter_is_indirect(spark: Any, lake: dict[str, str]) -> None:
    users = lake["users"]
    df = spark.read.parquet(users).filter(F.col("country") == "US").select("id")
    result = lineage(df)
    assert direct(result) == {"id": {col(users, "id"): Direct(Kind.IDENTITY)}}
    assert result.indirect == {col(users, "country"): {"FILTER"}}


def test_hashes_mark_masking_only_when_every_path_is_hashed(
    spark: Any, lake: dict[str, str]
) -> None:
    users = lake["users"]
    df = spark.read.parquet(users).select(
        F.sha2("email", 256).alias("sha"),
        F.md5(F.lower("email")).alias("md5"),
        F.hash("email").alias("hash"),
        F.concat(F.sha2("email", 256), F.col("email")).alias("leaky"),
    )
    got = direct(lineage(df))
    masked = Direct(Kind.TRANSFORMATION, masking=True)
    assert got["sha"] == got["md5"] == got["hash"] == {col(users, "email"): masked}
    assert got["leaky"] == {col(users, "email"): Direct(Kind.TRANSFORMATION)}


def test_window_functions(spark: Any, lake: dict[str, str]) -> None:
    orders = lake["orders"]
    by_user = Window.partitionBy("user_id").orderBy("order_id")
    df = spark.read.parquet(orders).select(
        "order_id",
        F.row_number().over(by_user).alias("rank"),
        F.sum("amount").over(Window.partitionBy("user_id")).alias("user_total"),
    )
    result = lineage(df)
    got = direct(result)
    assert got["rank"] == {}
    assert got["user_total"] == {col(orders, "amount"): Direct(Kind.AGGREGATION)}
    assert result.indirect[col(orders, "user_id")] == {"WINDOW"}
    assert result.indirect[col(orders, "order_id")] == {"WINDOW"}


def test_union_takes_each_column_from_every_side(spark: Any, lake: dict[str, str]) -> None:
    users, eu = lake["users"], lake["users_eu"]
    df = (
        spark.read.parquet(users)
        .select("id", "email")
        .unionByName(spark.read.parquet(eu).select("email", "id"))
    )
    assert direct(lineage(df)) == {
        "id": {col(users, "id"): Direct(Kind.IDENTITY), col(eu, "id"): Direct(Kind.IDENTITY)},
        "email": {
            col(users, "email"): Direct(Kind.IDENTITY),
            col(eu, "email"): Direct(Kind.IDENTITY),
        },
    }


def test_udfs_are_opaque_transformations(spark: Any, lake: dict[str, str]) -> None:
    users = lake["users"]

    def domain_of(email: str) -> str:
        return email.split("@")[-1]

    domain = F.udf(domain_of, "string")

    df = spark.read.parquet(users).select(domain("email").alias("domain"))
    got = direct(lineage(df))
    assert got == {
        "domain": {col(users, "email"): Direct(Kind.TRANSFORMATION, opaque=("domain_of",))}
    }


def test_case_conditions_are_indirect_and_branches_direct(spark: Any, lake: dict[str, str]) -> None:
    users = lake["users"]
    df = spark.read.parquet(users).select(
        F.when(F.col("age") > 35, F.col("email")).otherwise(F.lit("minor")).alias("contact")
    )
    result = lineage(df)
    assert direct(result) == {"contact": {col(users, "email"): Direct(Kind.TRANSFORMATION)}}
    assert result.indirect == {col(users, "age"): {"CONDITIONAL"}}


def test_explode_rollup_and_reused_cte(spark: Any, lake: dict[str, str]) -> None:
    users = lake["users"]
    exploded = spark.read.parquet(users).select(
        "id", F.explode(F.split("email", "@")).alias("part")
    )
    assert direct(lineage(exploded))["part"] == {col(users, "email"): Direct(Kind.TRANSFORMATION)}
    rolled = spark.read.parquet(users).rollup("country").agg(F.max("age").alias("oldest"))
    got = direct(lineage(rolled))
    assert got["oldest"] == {col(users, "age"): Direct(Kind.AGGREGATION)}
    assert col(users, "country") in got["country"]
    cte = spark.sql(
        f"WITH u AS (SELECT id, upper(email) AS e FROM parquet.`{users}`) "  # noqa: S608
        "SELECT a.e AS first, b.e AS second FROM u a JOIN u b ON a.id = b.id"
    )
    got = direct(lineage(cte))
    assert got == {
        "first": {col(users, "email"): Direct(Kind.TRANSFORMATION)},
        "second": {col(users, "email"): Direct(Kind.TRANSFORMATION)},
    }


def test_an_unknown_plan_node_stops_column_lineage_but_keeps_the_inputs(
    spark: Any, lake: dict[str, str]
) -> None:
    users = lake["users"]
    df = spark.read.parquet(users).mapInPandas(lambda batches: batches, "id long")
    result = lineage(df)
    assert result.stopped_at == "MapInPandas"
    assert result.fields == {}
    assert list(result.inputs) == [_ds(users)]


def sql_over(spark: Any, query: str, **views: str) -> DataFrame:
    """`query` over parquet datasets registered as views (name=path)."""
    for name, path in views.items():
        spark.read.parquet(path).createOrReplaceTempView(name)
    result: DataFrame = spark.sql(query)
    return result


def test_ranking_functions_only_order(spark: Any, lake: dict[str, str]) -> None:
    orders = lake["orders"]
    df = sql_over(
        spark,
        "SELECT order_id, rank() OVER (PARTITION BY user_id ORDER BY amount) AS r, "
        "dense_rank() OVER (ORDER BY amount) AS d, percent_rank() OVER (ORDER BY amount) AS p "
        "FROM orders_ranked",
        orders_ranked=orders,
    )
    result = lineage(df)
    got = direct(result)
    assert got["r"] == got["d"] == got["p"] == {}
    assert result.indirect[col(orders, "amount")] == {"WINDOW"}
    assert result.indirect[col(orders, "user_id")] == {"WINDOW"}


def test_nullif_takes_only_its_first_argument(spark: Any, lake: dict[str, str]) -> None:
    users = lake["users"]
    df = spark.read.parquet(users).select(F.expr("nullif(email, country)").alias("e"))
    result = lineage(df)
    assert direct(result) == {"e": {col(users, "email"): Direct(Kind.TRANSFORMATION)}}
    assert result.indirect == {col(users, "country"): {"CONDITIONAL"}}


def test_an_aggregate_filter_clause_only_filters(spark: Any, lake: dict[str, str]) -> None:
    orders = lake["orders"]
    df = sql_over(
        spark,
        "SELECT sum(amount) FILTER (WHERE user_id > 1) AS s FROM orders_filtered",
        orders_filtered=orders,
    )
    result = lineage(df)
    assert direct(result) == {"s": {col(orders, "amount"): Direct(Kind.AGGREGATION)}}
    assert result.indirect == {col(orders, "user_id"): {"FILTER"}}


def test_in_and_exists_subqueries_filter(spark: Any, lake: dict[str, str]) -> None:
    users, orders = lake["users"], lake["orders"]
    df = sql_over(
        spark,
        "SELECT email FROM users_sub u WHERE id IN (SELECT user_id FROM orders_sub) "
        "AND EXISTS (SELECT 1 FROM orders_sub o WHERE o.user_id = u.id AND o.amount > 5)",
        users_sub=users,
        orders_sub=orders,
    )
    result = lineage(df)
    assert direct(result) == {"email": {col(users, "email"): Direct(Kind.IDENTITY)}}
    assert result.indirect[col(users, "id")] == {"FILTER"}
    assert result.indirect[col(orders, "user_id")] == {"FILTER"}
    assert result.indirect[col(orders, "amount")] == {"FILTER"}
    assert _ds(orders) in result.inputs


def test_a_scalar_subquery_is_a_source_of_its_value(spark: Any, lake: dict[str, str]) -> None:
    users, orders = lake["users"], lake["orders"]
    df = sql_over(
        spark,
        "SELECT id, (SELECT max(amount) FROM orders_scalar o WHERE o.user_id = u.id) AS top "
        "FROM users_scalar u",
        users_scalar=users,
        orders_scalar=orders,
    )
    result = lineage(df)
    assert direct(result) == {
        "id": {col(users, "id"): Direct(Kind.IDENTITY)},
        "top": {col(orders, "amount"): Direct(Kind.AGGREGATION)},
    }
    assert result.indirect[col(orders, "user_id")] == {"FILTER"}
    assert result.indirect[col(users, "id")] == {"FILTER"}


def test_a_struct_field_takes_only_that_fields_sources(spark: Any, lake: dict[str, str]) -> None:
    users = lake["users"]
    df = (
        spark.read.parquet(users)
        .select(F.struct(F.col("email").alias("e"), (F.col("age") + 1).alias("a")).alias("s"))
        .select(F.col("s.e").alias("contact"), F.col("s.a").alias("next_age"), "s")
    )
    got = direct(lineage(df))
    assert got["contact"] == {col(users, "email"): Direct(Kind.IDENTITY)}
    assert got["next_age"] == {col(users, "age"): Direct(Kind.TRANSFORMATION)}
    assert set(got["s"]) == {col(users, "email"), col(users, "age")}
