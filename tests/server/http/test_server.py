"""The real server over HTTP: health, readiness, metrics, events and lineage, and bad input."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.server import RunningServer, serving, start, stop

PROD = "urn:provgraph:deployment:production:fraud-detector"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    with serving(tmp_path_factory.mktemp("srv") / "data", "--demo") as running:
        yield running


def _event(name: str, day: int = 1) -> dict[str, object]:
    return {
        "event": {
            "type": "dataset.registered",
            "event_time": f"2026-04-{day:02d}T00:00:00Z",
            "namespace": "http",
            "name": name,
            "fields": [{"name": "id", "type": "int"}],
        }
    }


def test_health_readiness_and_metrics(server: RunningServer) -> None:
    assert httpx.get(f"{server.url}/healthz").json() == {"status": "ok"}
    ready = httpx.get(f"{server.url}/readyz").json()
    assert ready["status"] == "ready" and ready["store"] == "ladybug" and ready["nodes"] >= 91
    metrics = httpx.get(f"{server.url}/metrics")
    assert metrics.status_code == 200
    assert "provgraph_events_appended_total" in metrics.text
    assert "provgraph_index_nodes" in metrics.text


def test_lineage_over_http(server: RunningServer) -> None:
    result = httpx.get(f"{server.url}/api/v1/lineage", params={"urn": PROD, "depth": 1}).json()
    assert result["root"] == PROD and result["is_partial"] is True
    assert {n["kind"] for n in result["nodes"]} == {"deployment", "model-version"}
    feb = httpx.get(
        f"{server.url}/api/v1/lineage",
        params={"urn": PROD, "depth": 1, "as_of": "2026-02-01T00:00:00Z"},
    ).json()
    assert feb["nodes"][1]["urn"] != result["nodes"][1]["urn"]
    impact = httpx.get(
        f"{server.url}/api/v1/impact", params={"urn": result["nodes"][1]["urn"]}
    ).json()
    assert [d["urn"] for d in impact["deployments"]] in (
        [PROD, PROD.replace("production", "staging")],
        [PROD.replace("production", "staging"), PROD],
    )


def test_events_are_idempotent_over_http(server: RunningServer) -> None:
    first = httpx.post(
        f"{server.url}/api/v1/events",
        json=[_event("a"), _event("b")],
    )
    assert first.status_code == 200, first.text
    assert first.json()["accepted"] == 2
    again = httpx.post(f"{server.url}/api/v1/events", json=_event("a"))
    assert again.json() == {**again.json(), "accepted": 0, "duplicates": 1}


@pytest.mark.parametrize(
    ("body", "status", "needle"),
    [
        (b"{not json", 422, "JSON"),
        (
            {"event": {"type": "dataset.exploded", "event_time": "2026-01-01T00:00:00Z"}},
            422,
            "dataset.exploded",
        ),
        (
            {"event": {"type": "dataset.registered", "namespace": "n", "name": "t"}},
            422,
            "event_time",
        ),
        (
            {
                "event": {
                    "type": "dataset.registered",
                    "event_time": "yesterday",
                    "namespace": "n",
                    "name": "t",
                }
            },
            422,
            "datetime",
        ),
        ([], 422, "empty"),
        (
            {
                "event": {
                    "type": "deployment.recorded",
                    "event_time": "2026-01-01T00:00:00Z",
                    "environment": "e",
                    "name": "d",
                    "model_version": "urn:provgraph:model-version:zz@0123456789abcdef",
                }
            },
            422,
            "not in the catalog",
        ),
    ],
)
def test_bad_events_get_a_4xx_and_store_nothing(
    server: RunningServer, body: object, status: int, needle: str
) -> None:
    before = httpx.get(f"{server.url}/readyz").json()["logged_seq"]
    if isinstance(body, bytes):
        response = httpx.post(
            f"{server.url}/api/v1/events",
            content=body,
            headers={"content-type": "application/json"},
        )
    else:
        response = httpx.post(f"{server.url}/api/v1/events", json=body)
    assert response.status_code == status, response.text
    assert needle in response.text
    assert httpx.get(f"{server.url}/readyz").json()["logged_seq"] == before


def test_oversized_bodies_are_refused(server: RunningServer) -> None:
    response = httpx.post(
        f"{server.url}/api/v1/events",
        content=b"[" + b" " * (17 * 1024 * 1024) + b"]",
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413


@pytest.mark.parametrize(
    ("params", "status", "needle"),
    [
        ({"urn": "urn:provgraph:dataset:no:such"}, 404, "no node"),
        ({"urn": "not-a-urn"}, 400, "not a provgraph urn"),
        ({"urn": PROD, "depth": 0}, 422, "depth"),
        ({"urn": PROD, "edge_kinds": "FLIES_TO"}, 400, "unknown edge kind"),
        ({"urn": PROD, "as_of": "2026-02-01T00:00:00"}, 400, "timezone"),
    ],
)
def test_bad_lineage_queries(
    server: RunningServer, params: dict[str, object], status: int, needle: str
) -> None:
    response = httpx.get(f"{server.url}/api/v1/lineage", params=params)  # type: ignore[arg-type]
    assert response.status_code == status, response.text
    assert needle in response.text


def test_kill_9_after_a_2xx_loses_nothing(tmp_path: Path) -> None:
    data = tmp_path / "data"
    server = start(data)
    try:
        response = httpx.post(
            f"{server.url}/api/v1/events", json=[_event(f"t{i}") for i in range(50)]
        )
        assert response.status_code == 200
        server.process.send_signal(signal.SIGKILL)
        server.process.wait(timeout=20)
    finally:
        if server.process.poll() is None:
            stop(server)
    with serving(data) as restarted:
        ready = httpx.get(f"{restarted.url}/readyz").json()
        assert ready["logged_seq"] == ready["applied_seq"] == 50
        node = httpx.get(
            f"{restarted.url}/api/v1/nodes", params={"urn": "urn:provgraph:dataset:http:t49"}
        )
        assert node.status_code == 200
