"""Every error body has the same shape (`error`, `detail`), and the OpenAPI document declares
the bearer scheme, every error status of a route, the event bodies and /metrics as text."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from provgraph.catalog.access import FileTokenStore, Role
from provgraph.catalog.settings import Settings
from provgraph.server.app import create_app

URN = "urn:provgraph:deployment:production:fraud-detector"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, Path]]:
    data = tmp_path_factory.mktemp("errors") / "data"
    app = create_app(Settings(data=data), demo=True)
    with TestClient(app, base_url="http://127.0.0.1", raise_server_exceptions=False) as opened:
        yield opened, data


def _auth(data: Path, role: Role) -> dict[str, str]:
    token = FileTokenStore(data / "tokens.json").create(f"shape-{role.label}", role)
    return {"authorization": f"Bearer {token}"}


def _shape(body: Any) -> None:
    assert isinstance(body, dict) and isinstance(body.get("error"), str), body
    assert isinstance(body.get("detail"), str) and body["detail"], body


def test_401_403_404_405_422_all_have_the_error_field(client: tuple[TestClient, Path]) -> None:
    http, data = client
    reader = _auth(data, Role.READER)
    answers = {
        "no token": http.get("/api/v1/lineage", params={"urn": URN}),
        "bad token": http.get(
            "/api/v1/lineage", params={"urn": URN}, headers={"authorization": "Bearer nope"}
        ),
        "role": http.post("/api/v1/events", json=[], headers=reader),
        "route": http.get("/api/v1/no-such-route", headers=reader),
        "node": http.get(
            "/api/v1/nodes", params={"urn": "urn:provgraph:dataset:no:such"}, headers=reader
        ),
        "method": http.delete("/api/v1/lineage", headers=reader),
        "parameter": http.get("/api/v1/lineage", params={"urn": URN, "depth": 0}, headers=reader),
        "missing": http.get("/api/v1/lineage", headers=reader),
    }
    statuses = {name: answer.status_code for name, answer in answers.items()}
    assert statuses == {
        "no token": 401,
        "bad token": 401,
        "role": 403,
        "route": 404,
        "node": 404,
        "method": 405,
        "parameter": 422,
        "missing": 422,
    }
    for answer in answers.values():
        _shape(answer.json())
    assert answers["no token"].json()["error"] == "Unauthorized"
    assert answers["no token"].headers["www-authenticate"] == "Bearer"
    assert answers["role"].json()["error"] == "Forbidden"
    assert answers["parameter"].json() == {
        "error": "InvalidRequest",
        "detail": "query.depth: Input should be greater than or equal to 1",
    }


def test_the_openapi_document_declares_scheme_statuses_bodies_and_text(
    client: tuple[TestClient, Path],
) -> None:
    http, _ = client
    document = http.get("/openapi.json").json()
    assert document["components"]["securitySchemes"]["token"]["scheme"] == "bearer"
    paths = document["paths"]
    lineage = paths["/api/v1/lineage"]["get"]
    assert lineage["security"] == [{"token": []}]
    assert {"400", "401", "403", "404", "422", "500", "503"} <= set(lineage["responses"])
    error = lineage["responses"]["404"]["content"]["application/json"]["schema"]
    assert error == {"$ref": "#/components/schemas/ErrorBody"}
    events = paths["/api/v1/events"]["post"]
    assert {"401", "403", "413", "415", "422"} <= set(events["responses"])
    body = events["requestBody"]["content"]["application/json"]["schema"]
    assert "DatasetRegistered" in str(body) and "EventIn" in str(body)
    assert "text/plain" in paths["/metrics"]["get"]["responses"]["200"]["content"]
    assert "security" not in paths["/healthz"]["get"]
    assert set(paths["/healthz"]["get"]["responses"]) == {"200"}


def test_docs_and_the_openapi_document_are_counted_by_route(
    client: tuple[TestClient, Path],
) -> None:
    http, _ = client
    http.get("/docs")
    http.get("/openapi.json")
    metrics = http.get("/metrics")
    assert metrics.headers["content-type"].startswith("text/plain")
    counted = [
        line
        for line in metrics.text.splitlines()
        if line.startswith("provgraph_http_requests_total")
    ]
    assert any('route="/docs"' in line for line in counted)
    assert any('route="/openapi.json"' in line for line in counted)
    assert not any('route="unmatched"' in line and "/docs" in line for line in counted)
