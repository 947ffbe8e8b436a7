"""POST /api/v1/lineage over HTTP: batches, idempotency, and precise 4xx on bad input."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.support.server import RunningServer, serving

PRODUCER = "https://example.com/producer"
SCHEMA = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    with serving(tmp_path_factory.mktemp("olh") / "data") as running:
        yield running


def run_event(state: str = "COMPLETE", **overrides: Any) -> dict[str, Any]:
    event: dict[str, Any] = {
        "eventType": state,
        "eventTime": "2026-05-01T10:00:00.000Z",
        "producer": PRODUCER,
        "schemaURL": SCHEMA,
        "run": {"runId": str(uuid.uuid4())},
        "job": {"namespace": "airflow", "name": "dag.task"},
        "inputs": [{"namespace": "pg", "name": "public.a"}],
        "outputs": [{"namespace": "pg", "name": "public.b"}],
    }
    event.update(overrides)
    return event


def _logged(server: RunningServer) -> int:
    return int(httpx.get(f"{server.url}/readyz").json()["logged_seq"])


def test_batches_and_all_three_event_kinds(server: RunningServer) -> None:
    dataset_event = {
        "eventTime": "2026-05-01T09:00:00Z",
        "producer": PRODUCER,
        "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/DatasetEvent",
        "dataset": {
            "namespace": "pg",
            "name": "public.a",
            "facets": {
                "schema": {
                    "fields": [
                        {"name": "id", "type": "int"},
                        {
                            "name": "nested",
                            "type": "struct",
                            "fields": [{"name": "x", "type": "int"}],
                        },
                    ]
                },
                "documentation": {"description": "table a"},
                "ownership": {"owners": [{"name": "team:data", "type": "team"}]},
            },
        },
    }
    job_event = {
        "eventTime": "2026-05-01T09:00:00Z",
        "producer": PRODUCER,
        "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/JobEvent",
        "job": {"namespace": "airflow", "name": "dag.other"},
        "inputs": [{"namespace": "pg", "name": "public.a"}],
        "outputs": [{"namespace": "pg", "name": "public.c"}],
    }
    response = httpx.post(
        f"{server.url}/api/v1/lineage", json=[dataset_event, job_event, run_event()]
    )
    assert response.status_code == 201, response.text
    assert response.json()["received"] == 3
    node = httpx.get(
        f"{server.url}/api/v1/nodes", params={"urn": "urn:provgraph:dataset:pg:public.a"}
    ).json()
    assert node["props"]["description"] == "table a"
    lineage = httpx.get(
        f"{server.url}/api/v1/lineage",
        params={"urn": "urn:provgraph:dataset:pg:public.c", "edge_kinds": "WRITES,READS"},
    ).json()
    assert "urn:provgraph:dataset:pg:public.a" in {n["urn"] for n in lineage["nodes"]}


def test_resending_changes_nothing(server: RunningServer) -> None:
    event = run_event()
    first = httpx.post(f"{server.url}/api/v1/lineage", json=event)
    before = _logged(server)
    again = httpx.post(f"{server.url}/api/v1/lineage", json=event)
    assert first.status_code == again.status_code == 201
    assert again.json()["duplicates"] == again.json()["catalog_events"]
    assert _logged(server) == before


@pytest.mark.parametrize(
    ("body", "status", "needle"),
    [
        (b"{", 422, "not valid JSON"),
        (b"[]", 422, "empty"),
        (b"42", 422, "is a JSON object"),
        ({"eventTime": "2026-01-01T00:00:00Z"}, 422, "expected a 'run', 'dataset' or 'job'"),
        (run_event(eventType="EXPLODED"), 422, "eventType"),
        (run_event(eventTime="yesterday"), 422, "eventTime"),
        (run_event(run={"runId": ""}), 422, "run.runId"),
        (run_event(run={"runId": 42}), 422, "run.runId"),
        (run_event(run={"runId": "x" * 1025}), 422, "run.runId"),
        (run_event(job={"namespace": "x"}), 422, "job.name"),
        (run_event(inputs="all of them"), 422, "inputs"),
        (
            run_event(
                run={
                    "runId": str(uuid.uuid4()),
                    "facets": {"provgraph_modelVersion": {"model": "m", "artifactDigest": "md5:1"}},
                }
            ),
            422,
            "provgraph_modelVersion",
        ),
    ],
)
def test_bad_events_are_rejected_and_store_nothing(
    server: RunningServer, body: object, status: int, needle: str
) -> None:
    before = _logged(server)
    if isinstance(body, bytes):
        response = httpx.post(
            f"{server.url}/api/v1/lineage",
            content=body,
            headers={"content-type": "application/json"},
        )
    else:
        response = httpx.post(f"{server.url}/api/v1/lineage", json=body)
    assert response.status_code == status, response.text
    assert needle in response.json()["detail"], response.text
    assert _logged(server) == before


def _deviations() -> list[dict[str, Any]]:
    """Spec deviations real producers send, whose meaning is clear."""
    partial_schema = {
        "namespace": "pg",
        "name": "lenient_out",
        "facets": {
            "schema": {"fields": [{"name": "id"}, {"name": "id"}, {"name": "a.b"}]},
            "columnLineage": {
                "fields": {
                    "nope": {"inputFields": [{"namespace": "pg", "name": "public.a", "field": "x"}]}
                }
            },
        },
    }
    return [
        run_event(eventTime="2026-01-01T00:00:00"),
        {k: v for k, v in run_event().items() if k not in ("producer", "schemaURL")},
        run_event(inputs=None, outputs=None, run={"runId": str(uuid.uuid4()), "facets": None}),
        run_event(
            outputs=[{"namespace": "pg", "name": "b", "facets": {"schema": {"fields": "id,x"}}}]
        ),
        run_event(
            run={
                "runId": str(uuid.uuid4()),
                "facets": {"parent": {"run": {"runId": str(uuid.uuid4())}}},
            }
        ),
        run_event(
            inputs=[
                {
                    "namespace": "pg",
                    "name": "public.a",
                    "facets": {"schema": {"fields": [{"name": "id"}]}},
                }
            ],
            outputs=[partial_schema],
        ),
    ]


@pytest.mark.parametrize("position", range(6))
def test_deviations_with_a_clear_meaning_are_accepted_with_warnings(
    server: RunningServer, position: int
) -> None:
    event = _deviations()[position]
    response = httpx.post(f"{server.url}/api/v1/lineage", json=[run_event(), event])
    assert response.status_code == 201, response.text
    warnings = response.json()["warnings"]
    assert warnings and {w["position"] for w in warnings} == {1}, warnings


def test_inferred_fields_are_reported_and_learnt(server: RunningServer) -> None:
    response = httpx.post(f"{server.url}/api/v1/lineage", json=_deviations()[5])
    notes = " | ".join(w["warning"] for w in response.json()["warnings"])
    assert "'id' appears twice" in notes
    assert "field 'nope' of the column lineage is not in its schema" in notes
    assert "input pg/public.a: field 'x'" in notes
    query = """{ dataset(namespace: "pg", name: "lenient_out") {
        latestVersion { columns { name upstream { urn } } } } }"""
    body = httpx.post(f"{server.url}/graphql", json={"query": query}).json()
    columns = {c["name"]: c for c in body["data"]["dataset"]["latestVersion"]["columns"]}
    assert set(columns) == {"id", "a.b", "nope"}
    assert columns["nope"]["upstream"][0]["urn"].endswith(
        "public.a@" + columns["nope"]["upstream"][0]["urn"].split("@")[1]
    )


def test_free_text_tags_are_labels_never_a_4xx(server: RunningServer) -> None:
    event = run_event(
        outputs=[
            {
                "namespace": "pg",
                "name": "customers",
                "facets": {
                    "schema": {"fields": [{"name": "email"}]},
                    "tags": {
                        "tags": [
                            {"key": "domain", "value": "Customer Data"},
                            {"key": "pii", "value": "email", "field": "email"},
                        ]
                    },
                },
            }
        ]
    )
    assert httpx.post(f"{server.url}/api/v1/lineage", json=event).status_code == 201
    node = httpx.get(
        f"{server.url}/api/v1/nodes", params={"urn": "urn:provgraph:dataset:pg:customers"}
    ).json()
    assert node["props"]["labels"] == ["domain=Customer Data"]
    hits = httpx.get(f"{server.url}/api/v1/search", params={"q": "customer data"}).json()
    assert "urn:provgraph:dataset:pg:customers" in {h["urn"] for h in hits["hits"]}
    tags = httpx.get(
        f"{server.url}/api/v1/classifications",
        params={"urn": "urn:provgraph:column:pg:customers#email"},
    ).json()
    assert [t["tag"] for t in tags] == ["pii.email"]


def test_a_bad_event_in_a_batch_names_its_position(server: RunningServer) -> None:
    before = _logged(server)
    response = httpx.post(
        f"{server.url}/api/v1/lineage", json=[run_event(), run_event(eventType="NOPE")]
    )
    assert response.status_code == 422
    assert response.json()["position"] == 1
    assert _logged(server) == before


def test_facet_schemas_are_served(server: RunningServer) -> None:
    schema = httpx.get(
        f"{server.url}/openlineage/facets/1-0-0/ProvgraphModelVersionRunFacet.json"
    ).json()
    assert "artifactDigest" in schema["properties"]
    assert httpx.get(f"{server.url}/openlineage/facets/1-0-0/Nope.json").status_code == 404
