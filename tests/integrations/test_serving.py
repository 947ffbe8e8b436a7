"""Deploy and serve against the real server: gated, recorded, failing closed."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

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
from tests.support.server import RunningServer, serving


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


def test_a_denied_serve_answers_403(server: RunningServer, trained: tuple[str, Path]) -> None:
    urn, _ = trained
    deploy(
        urn,
        deployment="marketing-api",
        environment="staging",
        purpose="fraud_detection",
        url=server.url,
    )
    guard = ServingGuard(
        deployment="marketing-api",
        environment="staging",
        purpose="advertising",
        url=server.url,
        flush_every=3600,
    )
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
