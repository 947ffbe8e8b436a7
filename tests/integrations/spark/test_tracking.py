"""`track(spark)` against the real server: every kind of write becomes START + COMPLETE (or
FAIL) run events with schemas and column lineage, read back through GraphQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

pytest.importorskip("pyspark")

from pyspark.sql import functions as F  # noqa: N812 - the usual spelling

from provgraph.integrations import spark as pg_spark
from provgraph.integrations.emitter import discard
from provgraph.integrations.spark.tracker import Tracker, untrack
from tests.support.ports import free_port
from tests.support.server import RunningServer

VERSION = """
query($ns: String!, $name: String!) {
  dataset(namespace: $ns, name: $name) {
    latestVersion {
      columns { name type upstream { urn } }
      producedBy { state errorMessage facets job { namespace name version sourceCodeLocation } }
    }
  }
}"""


def graphql(server: RunningServer, query: str, **variables: Any) -> dict[str, Any]:
    answer = httpx.post(
        f"{server.url}/graphql", json={"query": query, "variables": variables}, timeout=30
    ).json()
    assert "errors" not in answer, answer
    data: dict[str, Any] = answer["data"]
    return data


def version(server: RunningServer, namespace: str, name: str) -> dict[str, Any]:
    dataset = graphql(server, VERSION, ns=namespace, name=name)["dataset"]
    assert dataset is not None, f"{namespace} {name} not in the catalog"
    latest: dict[str, Any] = dataset["latestVersion"]
    return latest


def upstream(latest: dict[str, Any]) -> dict[str, list[str]]:
    return {
        c["name"]: sorted(u["urn"].split(":", 4)[4] for u in c["upstream"])
        for c in latest["columns"]
    }


@pytest.fixture
def tracked(spark: Any, server: RunningServer) -> Any:
    tracker = pg_spark.track(spark, url=server.url)
    yield tracker
    assert tracker.flush(60)
    untrack(spark)


def test_file_writes_carry_schema_and_column_lineage(
    spark: Any, lake: dict[str, str], server: RunningServer, tracked: Tracker, tmp_path: Path
) -> None:
    users = lake["users"]
    out = str(tmp_path / "clean")
    (
        spark.read.parquet(users)
        .filter(F.col("country") == "US")
        .select(F.col("id").alias("user_id"), F.sha2("email", 256).alias("email_hash"))
        .write.parquet(out)
    )
    spark.read.parquet(out).select("user_id").write.csv(str(tmp_path / "ids.csv"))
    spark.read.parquet(out).write.json(str(tmp_path / "clean.json"))
    assert pg_spark.flush(60)

    latest = version(server, "file", out)
    assert upstream(latest) == {
        "user_id": [f"{users}@" + _v(latest, users) + "#id"],
        "email_hash": [f"{users}@" + _v(latest, users) + "#email"],
    }
    assert {c["name"]: c["type"] for c in latest["columns"]} == {
        "user_id": "long",
        "email_hash": "string",
    }
    run = latest["producedBy"]
    assert run["state"] == "COMPLETE"
    assert run["facets"]["run.processing_engine"]["version"].startswith("4.")
    assert run["job"]["namespace"] == "spark://provgraph-tests"
    assert run["job"]["name"] == "provgraph-tests.write.clean"
    assert run["job"]["version"]  # the code version (git commit of the driver)
    for name, column in (("ids.csv", "user_id"), ("clean.json", "email_hash")):
        downstream = version(server, "file", str(tmp_path / name))
        assert [c["name"] for c in downstream["columns"]] == (
            ["user_id"] if name == "ids.csv" else ["user_id", "email_hash"]
        )
        assert any(u.endswith(f"#{column}") for u in upstream(downstream)[column])


def _v(latest: dict[str, Any], path: str) -> str:
    """The version of `path` that the first upstream column names."""
    for column in latest["columns"]:
        for up in column["upstream"]:
            if f":{path}@" in up["urn"]:
                return str(up["urn"].split("@", 1)[1].split("#", 1)[0])
    raise AssertionError(f"no upstream column of {path}")


def test_table_writes_save_as_table_insert_into_ctas_and_sql_insert(
    spark: Any, lake: dict[str, str], server: RunningServer, tracked: Tracker
) -> None:
    users = lake["users"]
    spark.read.parquet(users).select("id", "email").write.saveAsTable("people")
    spark.read.parquet(lake["users_eu"]).select("id", "email").write.insertInto("people")
    spark.sql("CREATE TABLE emails USING parquet AS SELECT upper(email) AS email FROM people")
    spark.sql("INSERT INTO emails SELECT lower(email) FROM people WHERE id > 1")
    assert pg_spark.flush(60)

    people = version(server, "spark_catalog", "default.people")
    assert {c["name"] for c in people["columns"]} == {"id", "email"}
    assert any(u.startswith(lake["users_eu"]) for u in upstream(people)["email"])
    emails = version(server, "spark_catalog", "default.emails")
    assert [u.rsplit("#", 1)[1] for u in upstream(emails)["email"]] == ["email"]
    assert upstream(emails)["email"][0].startswith("default.people@")
    runs = graphql(
        server,
        '{ job(namespace: "spark://provgraph-tests", name: "provgraph-tests.CreateDataSourceTableAsSelectCommand.default.emails") { runs { state facets } } }',
    )
    assert [r["state"] for r in runs["job"]["runs"]] == ["COMPLETE"], runs


def test_hive_format_writes_are_recorded(
    spark: Any, lake: dict[str, str], server: RunningServer, tracked: Tracker
) -> None:
    users = lake["users"]
    spark.sql(
        f"CREATE TABLE hive_people USING hive AS SELECT id, email FROM parquet.`{users}`"  # noqa: S608
    )
    spark.sql("CREATE TABLE hive_emails (email string) STORED AS TEXTFILE")
    spark.sql("INSERT INTO hive_emails SELECT upper(email) FROM hive_people WHERE id > 1")
    assert pg_spark.flush(60)

    people = version(server, "spark_catalog", "default.hive_people")
    assert {c["name"] for c in people["columns"]} == {"id", "email"}
    assert [u.rsplit("#", 1)[1] for u in upstream(people)["email"]] == ["email"]
    assert upstream(people)["email"][0].startswith(users)
    emails = version(server, "spark_catalog", "default.hive_emails")
    assert upstream(emails)["email"][0].startswith("default.hive_people@")


def test_a_failed_action_is_a_fail_event_with_the_error_but_no_value(
    spark: Any, lake: dict[str, str], server: RunningServer, tracked: Tracker, tmp_path: Path
) -> None:
    out = str(tmp_path / "broken")
    with pytest.raises(Exception, match="boom"):
        spark.read.parquet(lake["users"]).select(
            F.raise_error(F.lit("boom")).alias("x")
        ).write.parquet(out)
    assert pg_spark.flush(60)
    job = graphql(
        server,
        '{ job(namespace: "spark://provgraph-tests", name: "provgraph-tests.write.broken") { runs { state errorMessage } } }',
    )["job"]
    assert job["runs"][0]["state"] == "FAIL"
    message = job["runs"][0]["errorMessage"]
    assert "boom" not in message
    assert "message withheld" in message


def test_a_failing_cast_does_not_leak_the_value_it_could_not_cast(
    spark: Any, server: RunningServer, tracked: Tracker, tmp_path: Path
) -> None:
    spark.conf.set("spark.sql.ansi.enabled", "true")
    try:
        with pytest.raises(Exception, match=r"a@x\.org"):
            spark.createDataFrame([("a@x.org",)], "email string").select(
                F.col("email").cast("int").alias("n")
            ).write.parquet(str(tmp_path / "casted"))
    finally:
        spark.conf.unset("spark.sql.ansi.enabled")
    assert pg_spark.flush(60)
    job = graphql(
        server,
        '{ job(namespace: "spark://provgraph-tests", name: "provgraph-tests.write.casted") { runs { state errorMessage } } }',
    )["job"]
    message = job["runs"][0]["errorMessage"]
    assert job["runs"][0]["state"] == "FAIL"
    assert "a@x.org" not in message
    assert "CAST_INVALID_INPUT" in message, message


def test_an_unknown_plan_node_gives_dataset_level_lineage_and_says_why(
    spark: Any, lake: dict[str, str], server: RunningServer, tracked: Tracker, tmp_path: Path
) -> None:
    out = str(tmp_path / "mapped")
    spark.read.parquet(lake["users"]).mapInPandas(lambda b: b, "id long").write.parquet(out)
    assert pg_spark.flush(60)
    latest = version(server, "file", out)
    run = latest["producedBy"]
    assert run["state"] == "COMPLETE"
    assert run["facets"]["run.provgraph_columnLineageStopped"]["stoppedAt"] == "MapInPandas"
    assert upstream(latest) == {"id": []}


def test_a_catalog_that_is_down_never_breaks_or_blocks_the_job(
    spark: Any, lake: dict[str, str], tmp_path: Path
) -> None:
    down = f"http://127.0.0.1:{free_port()}"
    tracker = pg_spark.track(spark, url=down)
    try:
        spark.read.parquet(lake["users"]).write.parquet(str(tmp_path / "while-down"))
        assert tracker.flush(1.5) is False  # still queued, retried with backoff
        stats = tracker.emitter.outbox.stats
        assert stats.send_failures >= 1
        assert stats.sent == 0 and stats.dropped_full == 0
    finally:
        untrack(spark)
        discard(down)  # this catalog never comes back: later flushes must not wait for it


def test_the_session_conf_key_names_the_catalog(
    spark: Any, lake: dict[str, str], server: RunningServer, tmp_path: Path
) -> None:
    spark.conf.set("spark.provgraph.url", server.url)
    spark.conf.set("spark.provgraph.namespace", "spark://conf-test")
    try:
        tracker = pg_spark.track(spark)
        assert tracker.emitter.url == server.url
        assert tracker.context.namespace == "spark://conf-test"
        spark.read.parquet(lake["users"]).select("id").write.parquet(str(tmp_path / "conf"))
        assert tracker.flush(60)
        assert (
            version(server, "file", str(tmp_path / "conf"))["producedBy"]["job"]["namespace"]
            == "spark://conf-test"
        )
    finally:
        untrack(spark)
        spark.conf.unset("spark.provgraph.url")
        spark.conf.unset("spark.provgraph.namespace")
