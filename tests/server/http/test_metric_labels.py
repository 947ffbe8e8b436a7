"""Clients cannot grow the metrics without bound: every label has a fixed set of values (a
metric family keeps each label set for the life of the process)."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from provgraph.catalog.settings import Settings
from provgraph.server.app import create_app


def test_unknown_methods_and_paths_share_one_label(tmp_path: Path) -> None:
    app = create_app(Settings(data=tmp_path / "data", anonymous_role="reader"))
    with TestClient(app, base_url="http://127.0.0.1", raise_server_exceptions=False) as http:
        for number in range(30):
            http.request(f"PROBE{number}", "/healthz")
            http.get(f"/no/such/path/{number}")
        counted = [
            line
            for line in http.get("/metrics").text.splitlines()
            if line.startswith("provgraph_http_requests_total")
        ]
    assert not any("PROBE" in line or "/no/such" in line for line in counted), counted
    assert any('method="other"' in line for line in counted)
