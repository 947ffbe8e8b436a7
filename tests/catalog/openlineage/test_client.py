"""A real OpenLineage client, which nobody here wrote, sends Spark-shaped events over HTTP."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest
from openlineage.client import OpenLineageClient
from openlineage.client.event_v2 import InputDataset, Job, OutputDataset, Run, RunEvent, RunState
from openlineage.client.facet_v2 import (
    column_lineage_dataset,
    data_quality_metrics_input_dataset,
    parent_run,
    schema_dataset,
    source_code_location_job,
    sql_job,
)
from openlineage.client.transport.http import HttpConfig, HttpTransport

from tests.support.server import RunningServer, serving

PRODUCER = "https://github.com/OpenLineage/OpenLineage/tree/1.54.0/integration/spark"
NS = "s3://warehouse"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    with serving(tmp_path_factory.mktemp("ol") / "data") as running:
        yield running


def _schema(*fields: str) -> schema_dataset.SchemaDatasetFacet:
    return schema_dataset.SchemaDatasetFacet(
        fields=[schema_dataset.SchemaDatasetFacetFields(name=f, type="string") for f in fields]
    )


def _spark_events() -> tuple[list[RunEvent], str, str]:
    run_id, parent_id = str(uuid.uuid4()), str(uuid.uuid4())
    job = Job(
        namespace="spark://cluster",
        name="etl.enrich_orders",
        facets={
            "sql": sql_job.SQLJobFacet(
                query="SELECT o.id, lower(c.email) AS email FROM orders o JOIN customers c"
            ),
            "sourceCodeLocation": source_code_location_job.SourceCodeLocationJobFacet(
                type="git", url="https://git.example.com/etl/enrich.py", version="abc123"
            ),
        },
    )
    parent = parent_run.ParentRunFacet(
        run=parent_run.Run(runId=parent_id),
        job=parent_run.Job(namespace="airflow", name="daily_dag"),
    )
    inputs = [
        InputDataset(
            namespace=NS,
            name="raw.orders",
            facets={"schema": _schema("id", "customer_id", "amount")},
            inputFacets={
                "dataQualityMetrics": data_quality_metrics_input_dataset.DataQualityMetricsInputDatasetFacet(
                    rowCount=1000, columnMetrics={}
                )
            },
        ),
        InputDataset(namespace=NS, name="raw.customers", facets={"schema": _schema("id", "email")}),
    ]
    lineage = column_lineage_dataset.ColumnLineageDatasetFacet(
        fields={
            "id": column_lineage_dataset.Fields(
                inputFields=[
                    column_lineage_dataset.InputField(namespace=NS, name="raw.orders", field="id")
                ],
                transformationDescription="identity",
                transformationType="IDENTITY",
            ),
            "email": column_lineage_dataset.Fields(
                inputFields=[
                    column_lineage_dataset.InputField(
                        namespace=NS, name="raw.customers", field="email"
                    )
                ],
                transformationDescription="lower",
                transformationType="TRANSFORMATION",
            ),
        }
    )
    output = OutputDataset(
        namespace=NS,
        name="curated.orders",
        facets={"schema": _schema("id", "email"), "columnLineage": lineage},
    )
    now = datetime.now(UTC).isoformat()
    start = RunEvent(
        eventType=RunState.START,
        eventTime=now,
        run=Run(runId=run_id, facets={"parent": parent}),
        job=job,
        producer=PRODUCER,
        inputs=inputs,
    )
    complete = RunEvent(
        eventType=RunState.COMPLETE,
        eventTime=datetime.now(UTC).isoformat(),
        run=Run(runId=run_id, facets={"parent": parent}),
        job=job,
        producer=PRODUCER,
        inputs=inputs,
        outputs=[output],
    )
    return [start, complete], run_id, parent_id


def test_spark_shaped_events_become_queryable_column_lineage(server: RunningServer) -> None:
    client = OpenLineageClient(
        transport=HttpTransport(HttpConfig(url=server.url, endpoint="api/v1/lineage"))
    )
    events, run_id, parent_id = _spark_events()
    for event in events:
        client.emit(event)
    client.emit(events[1])  # resent: must change nothing

    ready = httpx.get(f"{server.url}/readyz").json()
    assert ready["logged_seq"] == ready["applied_seq"]
    run = httpx.get(
        f"{server.url}/api/v1/nodes", params={"urn": f"urn:provgraph:run:{run_id}"}
    ).json()
    assert run["props"]["state"] == "COMPLETE"
    assert run["props"]["facets"]["job.sql"]["query"].startswith("SELECT")
    assert (
        httpx.get(
            f"{server.url}/api/v1/nodes", params={"urn": f"urn:provgraph:run:{parent_id}"}
        ).status_code
        == 200
    )

    curated = "urn:provgraph:dataset:s3%3A//warehouse:curated.orders"
    versions = httpx.get(
        f"{server.url}/api/v1/lineage",
        params={"urn": curated, "direction": "downstream", "depth": 1},
    ).json()
    version = next(n["urn"] for n in versions["nodes"] if n["kind"] == "dataset-version")
    email = version.replace("dataset-version", "column") + "#email"
    upstream = httpx.get(
        f"{server.url}/api/v1/lineage", params={"urn": email, "edge_kinds": "DERIVED_FROM"}
    ).json()
    sources = [n["urn"] for n in upstream["nodes"] if n["depth"] == 1]
    assert len(sources) == 1 and sources[0].startswith(
        "urn:provgraph:column:s3%3A//warehouse:raw.customers@"
    )
    assert sources[0].endswith("#email")

    job = httpx.get(
        f"{server.url}/api/v1/nodes",
        params={"urn": "urn:provgraph:job:spark%3A//cluster:etl.enrich_orders"},
    ).json()
    assert job["props"]["version"] == "abc123"


def test_the_lineage_is_queryable_in_graphql(server: RunningServer) -> None:
    client = OpenLineageClient(
        transport=HttpTransport(HttpConfig(url=server.url, endpoint="api/v1/lineage"))
    )
    events, run_id, _ = _spark_events()
    for event in events:
        client.emit(event)
    query = """{ dataset(namespace: "s3://warehouse", name: "curated.orders") {
        latestVersion { producedBy { runId state job { name version sql } inputs { urn } } } }
      columnLineage(urn: "urn:provgraph:dataset:s3%3A//warehouse:curated.orders") {
        ... on ColumnLineage { columns { column upstream { urn depth } } } } }"""
    body = httpx.post(f"{server.url}/graphql", json={"query": query}).json()
    assert "errors" not in body, body
    run = body["data"]["dataset"]["latestVersion"]["producedBy"]
    assert run["runId"] == run_id and run["state"] == "COMPLETE"
    assert run["job"]["version"] == "abc123" and run["job"]["sql"].startswith("SELECT")
    assert len(run["inputs"]) == 2
    columns = {
        c["column"].split("#")[1]: c["upstream"] for c in body["data"]["columnLineage"]["columns"]
    }
    assert [u["urn"].split("#")[1] for u in columns["email"]] == ["email"]
    assert "raw.customers@" in columns["email"][0]["urn"]
