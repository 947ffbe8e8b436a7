"""Only the errors we define are client errors; anything else is a 500 whose id is in the log."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from provgraph.catalog.model.errors import (
    CatalogError,
    InvalidArgumentError,
    InvalidUrnError,
    LogMismatchError,
    NodeNotFoundError,
    UnknownReferenceError,
)
from provgraph.catalog.settings import Settings
from provgraph.policies.bundle import PolicyBundleError
from provgraph.server.app import create_app
from provgraph.server.error_codes import EXIT_INVALID, EXIT_LOG_MISMATCH, exit_code, http_status

URN = "urn:provgraph:feature:rider_risk:rider_tenure_days"


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(Settings(data=tmp_path / "data", anonymous_role="reader"), demo=True)
    # anonymous mode answers loopback Host names only (README "Access control")
    with TestClient(app, base_url="http://localhost", raise_server_exceptions=False) as opened:
        yield opened


def test_a_bug_is_a_500_with_an_error_id_that_is_in_the_log(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*_: object, **__: object) -> None:
        raise ValueError("a bug, not the caller's fault")

    lineage = client.app.state.catalog.lineage  # type: ignore[attr-defined]
    monkeypatch.setattr(lineage, "lineage", broken)
    with caplog.at_level(logging.ERROR, logger="provgraph.server"):
        response = client.get("/api/v1/lineage", params={"urn": URN})
    assert response.status_code == 500
    body = response.json()
    assert body["error"] == "InternalError" and len(body["error_id"]) == 32
    assert body["error_id"] in body["detail"]
    logged = [r for r in caplog.records if body["error_id"] in r.getMessage()]
    assert logged and logged[0].exc_info is not None
    assert "a bug, not the caller's fault" not in response.text  # no internals to the caller


def test_the_errors_we_define_stay_client_errors(client: TestClient) -> None:
    assert client.get("/api/v1/lineage", params={"urn": "nope"}).status_code == 400
    unknown = client.get("/api/v1/lineage", params={"urn": URN + "x"})
    assert unknown.status_code == 404 and unknown.json()["urn"] == URN + "x"
    naive = client.get("/api/v1/impact", params={"urn": URN, "as_of": "2026-01-01T00:00:00"})
    assert naive.status_code == 400 and "timezone" in naive.json()["detail"]
    kinds = client.get("/api/v1/lineage", params={"urn": URN, "edge_kinds": "SERVES,NOPE"})
    assert kinds.status_code == 400 and "unknown edge kind" in kinds.json()["detail"]
    cursor = client.get("/api/v1/search", params={"q": "rider", "after": "%%%"})
    assert cursor.status_code == 400 and "cursor" in cursor.json()["detail"]


def test_one_table_gives_http_statuses_and_exit_codes() -> None:
    assert http_status(InvalidUrnError("x")) == 400 == http_status(InvalidArgumentError("x"))
    assert http_status(NodeNotFoundError("u")) == 404
    assert http_status(UnknownReferenceError("x", urn="u")) == 422
    assert http_status(PolicyBundleError("x")) == 422
    assert http_status(CatalogError("x")) == 400
    assert exit_code(LogMismatchError("x")) == EXIT_LOG_MISMATCH
    assert exit_code(InvalidUrnError("x")) == EXIT_INVALID
    assert http_status(ValueError("x")) is None and exit_code(KeyError("x")) is None
