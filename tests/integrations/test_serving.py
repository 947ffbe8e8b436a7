"""Deploy and serve against the real server: gated, recorded, failing closed."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from provgraph.client import Client, Retry
from provgraph.integrations.errors import IntegrationError, PolicyDeniedError
from provgraph.integrations.serving import ArtifactMismatchError, ServingGuard, deploy
from provgraph.integrations.serving.app import create_app
from provgraph.integrations.serving.decisions import DecisionCache
from provgraph.integrations.torch import training_run
from tests.integrations import model_side
from tests.integrations.test_torch_training import FEATURES, PII_FEATURES
from tests.support.ports import free_port
from tests.support.server import RunningServer, serving, start, stop


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    with serving(tmp_path_factory.mktemp("serving-catalog")) as running:
        Client(running.url).submit(model_side.catalog_events())
        yield running


@pytest.fixture(scope="module")
def trained(server: RunningServer, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    folder = tmp_path_factory.mktemp("model")
    table = model_side.write_table(folder / "features.parquet")
    with training_run(
        model="fraud-scorer",
        purpose="fraud_detection",
        features=PII_FEATURES,
        url=server.url,
        stage="staging",
    ) as run:
        data = run.load_features(table, label="is_fraud", seed=1)
        model = model_side.Scorer(width=len(PII_FEATURES))
        model_side.train(model, data.train, epochs=2, seed=1)
        urn = run.save(model, folder / "model.pt")
    return urn, folder / "model.pt"


def _served(client: Client, deployment: str) -> str | None:
    found = client.graphql(
        "query($u: ID!) { node(urn: $u) { ... on Deployment { servedVersion { urn } "
        "decisions { action allow } } } }",
        {"u": deployment},
    )["node"]
    return (found or {}).get("servedVersion", {}).get("urn") if found else None


def test_deploy_is_gated_recorded_and_refuses_what_it_cannot_vouch_for(
    server: RunningServer, trained: tuple[str, Path], tmp_path: Path
) -> None:
    urn, artifact = trained
    deployed = deploy(
        urn,
        deployment="fraud-scorer",
        environment="staging",
        purpose="fraud_detection",
        artifact=artifact,
        url=server.url,
    )
    client = Client(server.url)
    assert _served(client, deployed.deployment) == urn
    assert deployed.obligations, "a PII feature in serving obliges logging predictions"

    with pytest.raises(PolicyDeniedError) as denied:
        deploy(urn, deployment="ads", environment="staging", purpose="advertising", url=server.url)
    assert any("advertising" in r for r in denied.value.reasons)
    assert _served(client, "urn:provgraph:deployment:staging:ads") is None

    missing = urn.rsplit("@", 1)[0] + "@0000000000000000"
    with pytest.raises(IntegrationError, match="not registered"):
        deploy(
            missing,
            deployment="x",
            environment="staging",
            purpose="fraud_detection",
            url=server.url,
        )

    changed = tmp_path / "changed.pt"
    changed.write_bytes(artifact.read_bytes() + b"tampered")
    with pytest.raises(ArtifactMismatchError):
        deploy(
            urn,
            deployment="fraud-scorer",
            environment="staging",
            purpose="fraud_detection",
            artifact=changed,
            url=server.url,
        )


def test_serving_checks_each_request_and_records_predictions(
    server: RunningServer, trained: tuple[str, Path]
) -> None:
    urn, artifact = trained
    deploy(
        urn,
        deployment="scorer-api",
        environment="staging",
        purpose="fraud_detection",
        url=server.url,
    )
    model = model_side.Scorer(width=len(PII_FEATURES))
    import torch

    model.load_state_dict(torch.load(artifact))
    guard = ServingGuard(
        deployment="scorer-api",
        environment="staging",
        purpose="fraud_detection",
        url=server.url,
        sample=0.0,
        flush_every=3600,
    )
    port = free_port()
    app = create_app(model, guard, width=len(PII_FEATURES))
    uv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not uv.started and time.monotonic() < deadline:
            time.sleep(0.05)
        for _ in range(5):
            answer = httpx.post(
                f"http://127.0.0.1:{port}/predict", json={"rows": [[10.0, 18.0, 0.5]]}, timeout=10
            )
            assert answer.status_code == 200, answer.text
            assert answer.json()["model_version"] == urn
        bad = httpx.post(f"http://127.0.0.1:{port}/predict", json={"rows": [[1.0]]}, timeout=10)
        assert bad.status_code == 422
        guard.recorder.flush()
    finally:
        uv.should_exit = True
        thread.join(timeout=20)
    assert guard.recorder.sent_windows >= 1
    runs = Client(server.url).graphql(
        'query { job(namespace: "provgraph.serving", name: "predict.staging.scorer-api") '
        "{ runs { facets } } }"
    )["job"]["runs"]
    window = runs[0]["facets"]["run.provgraph_predictions"]
    assert window["modelVersion"] == urn
    assert len(window["featureVersions"]) == len(PII_FEATURES)
    assert all(v.startswith("urn:provgraph:feature-version:") for v in window["featureVersions"])
    assert window["requests"] >= 5
    # the PII obligation ("log every prediction") overrides the 0% sample
    assert len(window["sampled"]) == window["requests"]


def test_without_a_fresh_decision_serving_fails_closed() -> None:
    dead = Client(f"http://127.0.0.1:{free_port()}", retry=Retry(attempts=1))
    cache = DecisionCache(
        dead, "urn:provgraph:deployment:staging:x", "fraud_detection", max_age=0.1
    )
    assert not cache.refresh().allow
    current = cache.current()
    assert not current.allow
    assert "failing closed" in current.reasons[0]


def _deployed_guard(
    server: RunningServer, model_version: str, deployment: str, *, purpose: str, **options: Any
) -> ServingGuard:
    """Deploy `model_version` for fraud detection, and guard it for `purpose`."""
    deploy(
        model_version,
        deployment=deployment,
        environment="staging",
        purpose="fraud_detection",
        url=server.url,
    )
    return ServingGuard(
        deployment=deployment,
        environment="staging",
        purpose=purpose,
        url=server.url,
        flush_every=3600,
        **options,
    )


def test_a_denied_serve_answers_403(server: RunningServer, trained: tuple[str, Path]) -> None:
    guard = _deployed_guard(server, trained[0], "marketing-api", purpose="advertising")
    guard.decisions.refresh()
    app = create_app(model_side.Scorer(width=3), guard, width=3)
    from fastapi.testclient import TestClient

    with TestClient(app) as http:
        answer = http.post("/predict", json={"rows": [[1.0, 2.0, 3.0]]})
    assert answer.status_code == 403
    assert "advertising" in answer.json()["detail"]["detail"]
    assert FEATURES


def test_a_fresh_decision_outlives_a_catalog_outage_then_fails_closed(
    server: RunningServer, trained: tuple[str, Path]
) -> None:
    urn, _ = trained
    deploy(
        urn,
        deployment="outage-api",
        environment="staging",
        purpose="fraud_detection",
        url=server.url,
    )
    cache = DecisionCache(
        Client(server.url),
        "urn:provgraph:deployment:staging:outage-api",
        "fraud_detection",
        max_age=1.5,
    )
    assert cache.refresh().allow
    cache.client = Client(f"http://127.0.0.1:{free_port()}", retry=Retry(attempts=1))
    assert cache.refresh().allow, "the catalog is down: the last answer is kept"
    assert cache.current().allow, "while it is fresh, requests are served"
    time.sleep(1.6)
    assert not cache.current().allow, "once it is stale, serving fails closed"


def test_deploy_fails_closed_when_the_catalog_is_down(trained: tuple[str, Path]) -> None:
    from provgraph.integrations.errors import CatalogUnavailableError

    urn, _ = trained
    dead = Client(f"http://127.0.0.1:{free_port()}", retry=Retry(attempts=1))
    with pytest.raises(CatalogUnavailableError):
        deploy(urn, deployment="x", environment="staging", purpose="fraud_detection", client=dead)


def _obligated_records(client: Client, job: str) -> list[str]:
    """Request ids of the served (200) predictions the catalog holds for this predict job."""
    found = client.graphql(
        'query($n: String!) { job(namespace: "provgraph.serving", name: $n) '
        "{ runs(first: 1000) { facets } } }",
        {"n": job},
    )["job"]
    runs = found["runs"] if found else []
    return [
        record["request_id"]
        for run in runs
        for record in run["facets"]["run.provgraph_predictions"]["sampled"]
        if record["status"] == 200
    ]


def _model_server(url: str, port: int, outbox: Path, deployment: str) -> subprocess.Popen[bytes]:
    module = "tests.integrations.serving_process"
    with (outbox.parent / "model-server.log").open("ab") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", module, url, str(port), str(outbox), deployment],
            cwd=Path(__file__).resolve().parents[2],
            stdout=output,
            stderr=output,
        )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return process
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"the model server did not start (exit {process.poll()})")


def _shut_down(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _predict(port: int) -> int:
    answer = httpx.post(
        f"http://127.0.0.1:{port}/predict", json={"rows": [[10.0, 18.0, 0.5]]}, timeout=30
    )
    return answer.status_code


def test_obligated_prediction_records_outlive_a_catalog_outage_and_a_serving_restart(
    tmp_path: Path,
) -> None:
    """Issue 16.7: while the catalog is down the guard keeps serving under its fresh decision,
    and every record the audit obligation requires reaches the catalog exactly once when it
    returns, though the serving process was restarted in between."""
    catalog = start(tmp_path / "catalog")
    servers: list[subprocess.Popen[bytes]] = []
    try:
        Client(catalog.url).submit(model_side.catalog_events())
        table = model_side.write_table(tmp_path / "features.parquet")
        with training_run(
            model="audit-scorer", purpose="fraud_detection", features=PII_FEATURES, url=catalog.url
        ) as run:
            data = run.load_features(table, label="is_fraud", seed=1)
            model = model_side.Scorer(width=len(PII_FEATURES))
            model_side.train(model, data.train, epochs=1, seed=1)
            urn = run.save(model, tmp_path / "model.pt")
        deployed = deploy(
            urn,
            deployment="audit-api",
            environment="staging",
            purpose="fraud_detection",
            url=catalog.url,
        )
        assert any(o.startswith("log every prediction") for o in deployed.obligations)
        outbox, port = tmp_path / "outbox", free_port()
        servers.append(_model_server(catalog.url, port, outbox, "audit-api"))
        served = [_predict(port) for _ in range(5)]

        stop(catalog)  # the catalog goes away; the cached allow is still fresh
        served += [_predict(port) for _ in range(10)]
        assert served == [200] * 15
        _shut_down(servers.pop())  # the serving process restarts while the catalog is down
        assert list(outbox.glob("serving-*.sqlite")), "records wait on disk"
        servers.append(_model_server(catalog.url, port, outbox, "audit-api"))

        catalog = start(tmp_path / "catalog", port=int(catalog.url.rsplit(":", 1)[1]))
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:  # until the restarted guard has a decision again
            if _predict(port) == 200:
                served.append(200)
                break
            time.sleep(0.2)
        served += [_predict(port) for _ in range(5)]
        assert served[15:] == [200] * 6
        expected = served.count(200)
        _shut_down(servers.pop())

        client = Client(catalog.url)
        deadline = time.monotonic() + 120
        while len(_obligated_records(client, "predict.staging.audit-api")) < expected:
            if time.monotonic() > deadline:
                break
            time.sleep(0.2)
        ids = _obligated_records(client, "predict.staging.audit-api")
        assert len(ids) == expected, f"{len(ids)} of {expected} obligated records arrived"
        assert len(set(ids)) == len(ids), "each arrived once"
    finally:
        for process in servers:
            process.kill()
        stop(catalog)


def test_an_obligation_that_cannot_be_honoured_fails_closed_with_503(
    server: RunningServer, trained: tuple[str, Path], tmp_path: Path
) -> None:
    """When the durable outbox is full (the catalog long gone), requests that must be logged
    are refused rather than served unlogged; records of requests already served are kept."""
    guard = _deployed_guard(
        server,
        trained[0],
        "full-api",
        purpose="fraud_detection",
        outbox_dir=tmp_path,
        outbox_events=1,
    )
    guard.recorder.client = Client(f"http://127.0.0.1:{free_port()}", retry=Retry(attempts=1))
    guard.recorder.close_timeout = 0.1
    app = create_app(model_side.Scorer(width=3), guard, width=3)
    from fastapi.testclient import TestClient

    with TestClient(app) as http:
        assert http.post("/predict", json={"rows": [[1.0, 2.0, 3.0]]}).status_code == 200
        assert not guard.recorder.flush(timeout=0.2), "the catalog cannot take it"
        refused = http.post("/predict", json={"rows": [[1.0, 2.0, 3.0]]})
    assert refused.status_code == 503
    assert refused.json()["detail"]["error"] == "AuditLogUnavailable"
    assert guard.recorder.refused == 1 and guard.recorder.lost == 0
    assert guard.recorder.dropped == 0
