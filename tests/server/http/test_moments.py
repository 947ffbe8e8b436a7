"""Moments UTC cannot express (year 1 ahead of UTC, year 9999 behind it) are the caller's
mistake: a 4xx everywhere a moment is taken, never a 500, and the CLI exits 4."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from provgraph.catalog.model.errors import InvalidArgumentError
from provgraph.catalog.model.timeutil import to_micros
from provgraph.catalog.settings import Settings
from provgraph.server.app import create_app

EARLY = "0001-01-01T00:00:00+14:00"
LATE = "9999-12-31T23:59:59-14:00"
DEPLOYMENT = "urn:provgraph:deployment:production:fraud-detector"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    data = tmp_path_factory.mktemp("moments") / "data"
    app = create_app(Settings(data=data, anonymous_role="producer"), demo=True)
    with TestClient(app, base_url="http://localhost", raise_server_exceptions=False) as opened:
        yield opened


def test_to_micros_refuses_what_utc_cannot_express() -> None:
    with pytest.raises(InvalidArgumentError, match="years 1-9999"):
        to_micros(datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=14))))


@pytest.mark.parametrize("moment", [EARLY, LATE])
@pytest.mark.parametrize("path", ["/api/v1/lineage", "/api/v1/impact"])
def test_reads_answer_4xx(client: TestClient, path: str, moment: str) -> None:
    answer = client.get(path, params={"urn": DEPLOYMENT, "as_of": moment})
    assert 400 <= answer.status_code < 500, answer.text
    assert answer.json()["error"]


def test_events_and_openlineage_answer_422(client: TestClient) -> None:
    event = {
        "type": "asset.described",
        "event_time": EARLY,
        "urn": DEPLOYMENT,
        "description": "x",
    }
    assert client.post("/api/v1/events", json=event).status_code == 422
    run = {
        "eventType": "COMPLETE",
        "eventTime": EARLY,
        "producer": "https://example.com/p",
        "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
        "run": {"runId": "0190b6f0-0000-7000-8000-000000000001"},
        "job": {"namespace": "ns", "name": "job"},
    }
    assert client.post("/api/v1/lineage", json=run).status_code == 422


def test_graphql_answers_an_error_not_a_crash(client: TestClient) -> None:
    answer = client.post(
        "/graphql",
        json={
            "query": 'query($t: DateTime) { lineage(urn: "%s", asOf: $t) { __typename } }'
            % DEPLOYMENT,
            "variables": {"t": EARLY},
        },
    )
    assert answer.status_code < 500
    body = answer.json()
    assert body.get("errors") or body["data"]["lineage"]["__typename"] != "LineageGraph"


def test_the_cli_exits_4(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "provgraph.server.cli",
            "lineage",
            DEPLOYMENT,
            "--as-of",
            EARLY,
            "--data",
            str(tmp_path / "data"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 4, done.stderr
    assert "years 1-9999" in done.stderr
    assert "Traceback" not in done.stderr
