"""OpenLineage -> catalog events, through the real write path: ML facets, states, job versions."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from provgraph.catalog.model.events import RunRecorded
from provgraph.catalog.model.kinds import EdgeKind, NodeKind
from provgraph.catalog.openlineage.spec import parse_openlineage
from provgraph.catalog.openlineage.translate import translate
from provgraph.catalog.service.catalog import Catalog
from provgraph.catalog.service.writer import Submission

P = {
    "producer": "https://example.com/p",
    "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json",
}


def _send(catalog: Catalog, *events: dict[str, Any]) -> None:
    natives = [e for raw in events for e in translate(parse_openlineage(raw))]
    catalog.submit([Submission(e) for e in natives], actor="test")


def _run(state: str, time: str, run_id: str, job_name: str, **rest: Any) -> dict[str, Any]:
    return {
        "eventType": state,
        "eventTime": time,
        "run": rest.pop("run", {"runId": run_id}),
        "job": {"namespace": "ns", "name": job_name, **rest.pop("job", {})},
        **P,
        **rest,
    }


def _schema(*fields: str) -> dict[str, Any]:
    return {"schema": {"fields": [{"name": f, "type": "double"} for f in fields]}}


def test_ml_facets_build_the_whole_chain(catalog: Catalog) -> None:
    feature_run, train_run, deploy_run = (str(uuid.uuid4()) for _ in range(3))
    raw = {"namespace": "s3", "name": "raw.trips", "facets": _schema("rider", "fare")}
    features = {
        "namespace": "s3",
        "name": "features.rider",
        "facets": {
            **_schema("rider", "avg_fare"),
            "columnLineage": {
                "fields": {
                    "avg_fare": {
                        "inputFields": [{"namespace": "s3", "name": "raw.trips", "field": "fare"}]
                    }
                }
            },
            "provgraph_features": {
                "group": "rider",
                "entity": "rider",
                "features": [
                    {
                        "name": "avg_fare",
                        "column": "avg_fare",
                        "dtype": "double",
                        "transformation": "avg(fare) 30d",
                    }
                ],
            },
        },
    }
    _send(
        catalog,
        _run(
            "COMPLETE",
            "2026-01-01T00:00:00Z",
            feature_run,
            "materialize",
            inputs=[raw],
            outputs=[features],
        ),
    )
    training = {
        "provgraph_trainingSet": {
            "name": "ts",
            "features": [{"group": "rider", "name": "avg_fare"}],
        },
        "provgraph_modelVersion": {
            "model": "fraud",
            "artifactDigest": "sha256:" + "c" * 64,
            "trainingSet": "ts",
            "metrics": {"auc": 0.9},
            "purpose": "fraud",
        },
    }
    _send(
        catalog,
        _run(
            "COMPLETE",
            "2026-01-02T00:00:00Z",
            train_run,
            "train",
            run={"runId": train_run, "facets": training},
        ),
    )
    mv = "urn:provgraph:model-version:fraud@" + "c" * 16
    deploy = {"provgraph_deployment": {"environment": "prod", "name": "fraud", "modelVersion": mv}}
    _send(
        catalog,
        _run(
            "COMPLETE",
            "2026-01-03T00:00:00Z",
            deploy_run,
            "deploy",
            run={"runId": deploy_run, "facets": deploy},
        ),
    )

    result = catalog.lineage.lineage("urn:provgraph:deployment:prod:fraud")
    kinds = {n.kind for n in result.nodes}
    assert {
        NodeKind.MODEL_VERSION,
        NodeKind.TRAINING_SET,
        NodeKind.FEATURE_VERSION,
        NodeKind.COLUMN,
        NodeKind.DATASET_VERSION,
        NodeKind.RUN,
    } <= kinds
    assert any(n.urn.startswith("urn:provgraph:column:s3:raw.trips@") for n in result.nodes)


def test_a_late_running_event_does_not_undo_complete(catalog: Catalog) -> None:
    run_id = str(uuid.uuid4())
    _send(catalog, _run("COMPLETE", "2026-01-01T10:00:00Z", run_id, "j"))
    _send(catalog, _run("RUNNING", "2026-01-01T09:00:00Z", run_id, "j"))
    node = catalog.get_node(f"urn:provgraph:run:{run_id}")
    assert node is not None and node.props["state"] == "COMPLETE"


def test_a_runs_events_are_merged_into_one_output_version(catalog: Catalog) -> None:
    """Marquez-style producers send outputs on START and an empty COMPLETE; streaming jobs
    only ever send RUNNING: every event's outputs count, merged into one version."""
    run_id = str(uuid.uuid4())
    out = [{"namespace": "s3", "name": "out", "facets": _schema("a")}]
    _send(catalog, _run("START", "2026-01-01T10:00:00Z", run_id, "j", outputs=out))
    assert catalog.index.has("urn:provgraph:dataset:s3:out")
    more = [{"namespace": "s3", "name": "out", "facets": _schema("a", "b")}]
    _send(catalog, _run("RUNNING", "2026-01-01T10:30:00Z", run_id, "j", outputs=more))
    _send(catalog, _run("COMPLETE", "2026-01-01T11:00:00Z", run_id, "j", outputs=[]))
    [version] = catalog.index.edges_from("urn:provgraph:dataset:s3:out", EdgeKind.HAS_VERSION)
    columns = catalog.index.edges_from(version.dst, EdgeKind.HAS_COLUMN)
    assert sorted(e.dst.rsplit("#", 1)[1] for e in columns) == ["a", "b"]
    stored = catalog.get_node(version.dst)
    assert stored is not None and stored.props.get("run_failed", False) is False


def test_outputs_of_a_failed_run_are_marked(catalog: Catalog) -> None:
    run_id = str(uuid.uuid4())
    out = [{"namespace": "s3", "name": "partial", "facets": _schema("a")}]
    _send(catalog, _run("START", "2026-01-01T10:00:00Z", run_id, "j", outputs=out))
    _send(catalog, _run("FAIL", "2026-01-01T11:00:00Z", run_id, "j"))
    [version] = catalog.index.edges_from("urn:provgraph:dataset:s3:partial", EdgeKind.HAS_VERSION)
    stored = catalog.get_node(version.dst)
    assert stored is not None and stored.props["run_failed"] is True


def test_a_dataset_events_column_lineage_is_recorded(catalog: Catalog) -> None:
    event = {
        "eventTime": "2026-01-01T10:00:00Z",
        "producer": "p",
        "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/DatasetEvent",
        "dataset": {
            "namespace": "s3",
            "name": "view",
            "facets": {
                "columnLineage": {
                    "fields": {
                        "total": {
                            "inputFields": [
                                {"namespace": "pg", "name": "orders", "field": "amount"}
                            ]
                        }
                    }
                }
            },
        },
    }
    _send(catalog, event)
    [version] = catalog.index.edges_from("urn:provgraph:dataset:s3:view", EdgeKind.HAS_VERSION)
    total = version.dst.replace("dataset-version", "column") + "#total"
    [edge] = catalog.index.edges_from(total, EdgeKind.DERIVED_FROM)
    assert edge.dst.startswith("urn:provgraph:column:pg:orders@") and edge.dst.endswith("#amount")


def test_a_new_code_version_closes_the_job_edges_it_dropped(catalog: Catalog) -> None:
    def with_code(version: str, table: str, time: str) -> dict[str, Any]:
        return _run(
            "COMPLETE",
            time,
            str(uuid.uuid4()),
            "etl",
            job={"facets": {"sourceCodeLocation": {"type": "git", "url": "u", "version": version}}},
            inputs=[{"namespace": "pg", "name": table}],
            outputs=[{"namespace": "pg", "name": "out"}],
        )

    _send(catalog, with_code("v1", "old_source", "2026-01-01T00:00:00Z"))
    _send(catalog, with_code("v2", "new_source", "2026-02-01T00:00:00Z"))
    reads = catalog.index.edges_from("urn:provgraph:job:ns:etl", EdgeKind.READS, open_only=True)
    assert [e.dst for e in reads] == ["urn:provgraph:dataset:pg:new_source"]
    job_level = frozenset({EdgeKind.READS, EdgeKind.WRITES})
    now = catalog.lineage.lineage("urn:provgraph:dataset:pg:out", edge_kinds=job_level)
    january = catalog.lineage.lineage(
        "urn:provgraph:dataset:pg:out",
        edge_kinds=job_level,
        as_of=datetime(2026, 1, 15, tzinfo=UTC),
    )
    assert "urn:provgraph:dataset:pg:old_source" in {n.urn for n in january.nodes}
    assert "urn:provgraph:dataset:pg:old_source" not in {n.urn for n in now.nodes}


def test_quality_facets_become_validation_results(catalog: Catalog) -> None:
    run_id = str(uuid.uuid4())
    source = {
        "namespace": "pg",
        "name": "orders",
        "facets": _schema("id"),
        "inputFacets": {
            "dataQualityMetrics": {"rowCount": 10, "columnMetrics": {"id": {"nullCount": 0}}},
            "dataQualityAssertions": {
                "assertions": [{"assertion": "not_null", "success": False, "column": "id"}]
            },
        },
    }
    _send(catalog, _run("COMPLETE", "2026-01-01T00:00:00Z", run_id, "check", inputs=[source]))
    result = catalog.get_node(f"urn:provgraph:validation-result:{run_id}:pg/orders")
    assert result is not None
    assert result.props["row_count"] == 10 and result.props["success"] is False
    assert result.props["column_metrics"] == {"id": {"nullCount": 0}}


def test_the_tags_facet_sets_classifications(catalog: Catalog) -> None:
    entries = [
        {"key": "pii", "value": "email", "field": "email"},
        {"key": "classification", "value": "sensitive"},
    ]
    tags = {"tags": {"tags": entries}}
    event = {
        "eventTime": "2026-01-01T00:00:00Z",
        **P,
        "dataset": {
            "namespace": "pg",
            "name": "users",
            "facets": {**_schema("id", "email"), **tags},
        },
    }
    _send(catalog, event)
    assert catalog.classifications.tags("urn:provgraph:dataset:pg:users") == [
        "pii.email",
        "sensitive",
    ]
    version = catalog.index.edges_from("urn:provgraph:dataset:pg:users", EdgeKind.HAS_VERSION)[
        0
    ].dst
    column = version.replace("dataset-version", "column")
    assert catalog.classifications.tags(column + "#email") == ["pii.email", "sensitive"]
    assert catalog.classifications.tags(column + "#id") == ["sensitive"]


def test_column_lineage_keeps_how_each_input_was_used() -> None:
    """Transformations ride on each input field; the deprecated `MASKED` still reads as
    masking; an unknown type is DIRECT with a warning; dataset-wide entries are INDIRECT
    sources of every field."""
    lineage = {
        "fields": {
            "copy": {
                "inputFields": [
                    {
                        "namespace": "pg",
                        "name": "users",
                        "field": "email",
                        "transformations": [{"type": "DIRECT", "subtype": "IDENTITY"}],
                    }
                ]
            },
            "old_hash": {
                "inputFields": [{"namespace": "pg", "name": "users", "field": "email"}],
                "transformationType": "MASKED",
            },
            "odd": {
                "inputFields": [
                    {
                        "namespace": "pg",
                        "name": "users",
                        "field": "id",
                        "transformations": [{"type": "SIDEWAYS"}],
                    }
                ]
            },
        },
        "dataset": [{"namespace": "pg", "name": "users", "field": "country"}],
    }
    output = {"namespace": "pg", "name": "out", "facets": {"columnLineage": lineage}}
    notes: list[str] = []
    event = _run("COMPLETE", "2026-01-01T00:00:00Z", str(uuid.uuid4()), "j", outputs=[output])
    [run] = translate(parse_openlineage(event), notes)
    assert isinstance(run, RunRecorded)
    found = {
        field: {(s.field, t.type, t.subtype, t.masking) for s in refs for t in s.transformations}
        for field, refs in run.outputs[0].column_lineage.items()
    }
    assert found == {
        "copy": {("email", "DIRECT", "IDENTITY", False), ("country", "INDIRECT", None, False)},
        "old_hash": {("email", "DIRECT", None, True), ("country", "INDIRECT", None, False)},
        "odd": {("id", "DIRECT", None, False), ("country", "INDIRECT", None, False)},
    }
    assert any("'SIDEWAYS' is neither DIRECT nor INDIRECT" in n for n in notes)
