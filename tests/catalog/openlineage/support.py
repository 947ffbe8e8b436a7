"""Builders for OpenLineage events and a GraphQL helper, for the HTTP tests of this folder."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from tests.support.server import RunningServer

PRODUCER = "https://example.com/producer"
RUN_EVENT_SCHEMA = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"


def dataset(namespace: str, name: str, **facets: Any) -> dict[str, Any]:
    return {"namespace": namespace, "name": name, "facets": facets}


def run_event(
    job: tuple[str, str],
    *,
    run_id: str | None = None,
    state: str = "COMPLETE",
    time: str = "2026-05-01T10:00:00Z",
    inputs: list[dict[str, Any]] | None = None,
    outputs: list[dict[str, Any]] | None = None,
    run_facets: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return {
        "eventType": state,
        "eventTime": time,
        "producer": PRODUCER,
        "schemaURL": RUN_EVENT_SCHEMA,
        "run": {"runId": run_id or str(uuid.uuid4()), "facets": run_facets or {}},
        "job": {"namespace": job[0], "name": job[1]},
        "inputs": inputs or [],
        "outputs": outputs or [],
    }


def parent_facet(run_id: str, job: tuple[str, str]) -> dict[str, Any]:
    return {"parent": {"run": {"runId": run_id}, "job": {"namespace": job[0], "name": job[1]}}}


def post(server: RunningServer, body: object, path: str = "/api/v1/lineage") -> httpx.Response:
    return httpx.post(f"{server.url}{path}", json=body, timeout=30)


def warnings(response: httpx.Response) -> list[str]:
    assert response.status_code in (200, 201), response.text
    return [w["warning"] for w in response.json()["warnings"]]


def gql(server: RunningServer, query: str, **variables: Any) -> dict[str, Any]:
    response = httpx.post(
        f"{server.url}/graphql", json={"query": query, "variables": variables}, timeout=30
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data
