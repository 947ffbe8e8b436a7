"""Run ids as producers really send them, over HTTP against the real server.

- an id that is not a UUID (OpenLineage's compatibility scenario `simple_run_event` sends
  `"run_id"`; Airflow's parent facets carry DAG run ids such as `manual__…`) is mapped to the
  UUID derived from the job and the id, deterministically, and kept as the run's sourceRunId;
- a run id that another job's run already has is kept apart (with a warning), on the
  OpenLineage path and the native `run.recorded` path alike: the second job gets no READS
  edge to what the first job's run read.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.catalog.openlineage.support import (
    dataset,
    gql,
    parent_facet,
    post,
    run_event,
    warnings,
)
from tests.support.server import RunningServer, serving

RUN_QUERY = """query($id: String!, $ns: String, $job: String) {
    run(runId: $id, namespace: $ns, job: $job) {
        urn runId sourceRunId state job { namespace name } inputs { dataset { name } }
        parent { runId sourceRunId state job { name } } } }"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    with serving(tmp_path_factory.mktemp("run-ids") / "data") as running:
        yield running


def _documented_uuid(namespace: str, job: str, run_id: str) -> str:
    """The README's formula, computed here on its own."""
    space = uuid.uuid5(uuid.NAMESPACE_URL, "urn:provgraph:run-id")
    return str(uuid.uuid5(space, json.dumps([namespace, job, run_id], separators=(",", ":"))))


def _run(server: RunningServer, run_id: str, job: tuple[str, str] | None) -> Any:
    names = {"ns": job[0], "job": job[1]} if job else {}
    return gql(server, RUN_QUERY, id=run_id, **names)["run"]


def test_a_run_id_that_is_not_a_uuid_is_mapped_to_a_uuid_derived_from_it(
    server: RunningServer,
) -> None:
    job = ("job_namespace", "job_name")
    event = run_event(
        job,
        run_id="run_id",
        inputs=[dataset("bigquery", "test.table.input")],
        outputs=[dataset("bigquery", "test.table.output")],
    )
    first = post(server, event)
    assert first.status_code == 201, first.text
    expected = _documented_uuid(*job, "run_id")
    assert any("'run_id' is not a UUID" in w and expected in w for w in warnings(first))

    again = post(server, event)  # a resend is the same run: nothing new is logged
    assert again.status_code == 201
    assert again.json()["duplicates"] == again.json()["catalog_events"]

    found = _run(server, "run_id", job)
    assert found["runId"] == expected and found["sourceRunId"] == "run_id"
    assert found["urn"] == f"urn:provgraph:run:{expected}"
    assert [i["dataset"]["name"] for i in found["inputs"]] == ["test.table.input"]
    assert _run(server, "run_id", None) is None  # not a UUID: its job says which run
    assert _run(server, expected, None)["sourceRunId"] == "run_id"


def test_an_airflow_parent_id_names_the_parent_runs_own_run(server: RunningServer) -> None:
    dag_run = "manual__2026-01-05T10:00:00+00:00"
    task = run_event(
        ("airflow", "etl_dag.load"),
        run_facets=parent_facet(dag_run, ("airflow", "etl_dag")),
        inputs=[dataset("pg", "raw.orders")],
    )
    dag = run_event(("airflow", "etl_dag"), run_id=dag_run, time="2026-05-01T11:00:00Z")
    other_dag = run_event(("airflow", "other_dag"), run_id=dag_run)
    for event in (task, dag, other_dag):  # the child first: its parent is created, then found
        response = post(server, event)
        assert response.status_code == 201, response.text

    child = _run(server, task["run"]["runId"], None)
    parent = _run(server, dag_run, ("airflow", "etl_dag"))
    assert (
        child["parent"]["runId"]
        == parent["runId"]
        == _documented_uuid("airflow", "etl_dag", dag_run)
    )
    assert child["parent"]["state"] == "COMPLETE"  # the parent's own event reached that run
    assert parent["sourceRunId"] == dag_run and child["parent"]["sourceRunId"] == dag_run
    assert _run(server, dag_run, ("airflow", "other_dag"))["runId"] != parent["runId"]


def _reads(server: RunningServer, job: str) -> list[str]:
    query = """query($job: String!) { job(namespace: "reuse", name: $job) {
        reads { name } runs { runId } } }"""
    found = gql(server, query, job=job)["job"]
    return sorted(d["name"] for d in found["reads"])


def _check_kept_apart(server: RunningServer, run_id: str, prefix: str) -> None:
    assert _reads(server, f"{prefix}_a") == [f"{prefix}_read_by_a"]
    assert _reads(server, f"{prefix}_b") == [f"{prefix}_read_by_b"]  # nothing of job a's
    first = _run(server, run_id, None)
    assert first["job"]["name"] == f"{prefix}_a" and first["sourceRunId"] is None
    apart = _run(server, run_id, ("reuse", f"{prefix}_b"))
    assert apart["job"]["name"] == f"{prefix}_b"
    assert apart["runId"] == _documented_uuid("reuse", f"{prefix}_b", run_id)
    assert apart["sourceRunId"] == run_id
    assert [i["dataset"]["name"] for i in apart["inputs"]] == [f"{prefix}_read_by_b"]
    assert _run(server, run_id, ("reuse", f"{prefix}_a"))["urn"] == first["urn"]


def test_a_run_id_reused_by_another_job_is_kept_apart_openlineage(server: RunningServer) -> None:
    run_id = str(uuid.uuid4())
    for job in ("ol_a", "ol_b"):
        event = run_event(
            ("reuse", job),
            run_id=run_id,
            inputs=[dataset("pg", f"ol_read_by_{job[-1]}")],
            outputs=[dataset("pg", f"ol_written_by_{job[-1]}")],
        )
        response = post(server, event)
        assert response.status_code == 201, response.text
    assert any(
        "already a run of another job" in w and "reuse/ol_b" in w for w in warnings(response)
    )
    again = post(server, event)  # the run kept apart is found again, and says so again
    assert again.json()["duplicates"] == again.json()["catalog_events"]
    _check_kept_apart(server, run_id, "ol")


def _native(job: str, run_id: str) -> dict[str, Any]:
    return {
        "type": "run.recorded",
        "event_time": "2026-05-01T10:00:00Z",
        "run_id": run_id,
        "job": {"namespace": "reuse", "name": job},
        "inputs": [{"namespace": "pg", "name": f"native_read_by_{job[-1]}"}],
        "outputs": [{"namespace": "pg", "name": f"native_written_by_{job[-1]}"}],
    }


def test_a_run_id_reused_by_another_job_is_kept_apart_native(server: RunningServer) -> None:
    run_id = str(uuid.uuid4())
    batch = [_native("native_a", run_id), _native("native_b", run_id)]
    response = post(server, batch, "/api/v1/events")
    assert response.status_code == 200, response.text
    noted = response.json()["warnings"]
    assert [w["position"] for w in noted] == [1]
    assert "reuse/native_b is recorded apart" in noted[0]["warning"]
    _check_kept_apart(server, run_id, "native")

    child = _native("native_child", str(uuid.uuid4()))
    child["parent_run_id"] = run_id
    child["parent_job"] = {"namespace": "reuse", "name": "native_b"}
    assert post(server, child, "/api/v1/events").status_code == 200
    parent = _run(server, child["run_id"], None)["parent"]
    assert parent["job"]["name"] == "native_b" and parent["sourceRunId"] == run_id
