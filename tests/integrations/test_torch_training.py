"""torch training against the real server: gated by policy, recorded end to end, reproducible."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import torch

from provgraph.catalog.model.events import ClassificationChanged
from provgraph.client import Client, Retry
from provgraph.integrations.errors import CatalogUnavailableError, PolicyDeniedError
from provgraph.integrations.torch import training_run
from tests.integrations import model_side
from tests.support.ports import free_port
from tests.support.server import RunningServer, serving

FEATURES = [f"{model_side.GROUP}:trips_30d", f"{model_side.GROUP}:avg_fare"]
PII_FEATURES = [*FEATURES, f"{model_side.GROUP}:email_domain_risk"]

RUN_QUERY = """
query($urn: ID!) { node(urn: $urn) { ... on ModelVersion { urn artifactDigest params metrics
  stage purpose
  trainingSet { urn manifest features { urn } sources { urn } }
  trainingRun { urn state facets decisions { action allow } }
  recipe { trainingSet manifest params codeVersion environment
           datasets { urn } features { urn transformation } changes { kind subject } } } } }
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    with serving(tmp_path_factory.mktemp("torch-catalog")) as running:
        Client(running.url).submit(model_side.catalog_events())
        yield running


@pytest.fixture(scope="module")
def table(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return model_side.write_table(tmp_path_factory.mktemp("table") / "features.parquet")


def _train(
    server: RunningServer,
    table: Path,
    artifact: Path,
    *,
    seed: int = 7,
    split: float = 0.75,
    features: list[str] = FEATURES,
) -> str:
    with training_run(
        model="fraud-scorer", purpose="fraud_detection", features=features, url=server.url
    ) as run:
        data = run.load_features(table, label="is_fraud", split=split, seed=seed)
        model = model_side.Scorer(width=len(features))
        run.log_params(epochs=3, lr=0.05)
        for epoch, loss in enumerate(model_side.train(model, data.train, epochs=3, seed=seed)):
            run.log_metrics(epoch=epoch, loss=loss)
        return run.save(model, artifact)


def test_a_training_run_records_the_whole_chain(
    server: RunningServer, table: Path, tmp_path: Path
) -> None:
    urn = _train(server, table, tmp_path / "model.pt")
    found = Client(server.url).graphql(RUN_QUERY, {"urn": urn})["node"]
    assert found is not None, "the model version is registered"
    assert found["purpose"] == "fraud_detection"
    assert found["params"]["epochs"] == 3 and found["params"]["seed"] == 7
    assert "loss" in found["metrics"]
    run = found["trainingRun"]
    assert run["state"] == "COMPLETE"
    assert [d["action"] for d in run["decisions"]] == ["train"]
    assert run["decisions"][0]["allow"]
    training = run["facets"]["run.provgraph_training"]
    assert training["environment"]["package.torch"].startswith("2.13")
    assert training["environment"]["device"] in {"cpu", "cuda"}
    assert [h["epoch"] for h in training["history"]] == [0.0, 1.0, 2.0]
    manifest = found["trainingSet"]["manifest"]
    assert manifest["rows"] == 256 and manifest["train_rows"] == 192
    assert manifest["seed"] == 7 and manifest["digest"].startswith("sha256:")
    assert len(found["trainingSet"]["features"]) == 2
    assert found["trainingSet"]["sources"][0]["urn"].startswith(
        "urn:provgraph:dataset-version:file:/features/rider_features@"
    )
    recipe = found["recipe"]
    assert recipe["trainingSet"] == found["trainingSet"]["urn"]
    assert recipe["manifest"]["digest"] == manifest["digest"]
    assert {f["urn"] for f in recipe["features"]} == {
        f["urn"] for f in found["trainingSet"]["features"]
    }
    assert recipe["changes"] == []


def test_a_retrain_from_the_recipe_gives_the_same_artifact(
    server: RunningServer, table: Path, tmp_path: Path
) -> None:
    first = _train(server, table, tmp_path / "a.pt", seed=11, split=0.5)
    recipe = Client(server.url).graphql(RUN_QUERY, {"urn": first})["node"]["recipe"]
    features = [
        f"{model_side.GROUP}:{f['urn'].rsplit(':', 1)[1].split('@')[0]}" for f in recipe["features"]
    ]
    again = _train(
        server,
        Path(recipe["manifest"]["path"]),
        tmp_path / "b.pt",
        seed=recipe["manifest"]["seed"],
        split=recipe["manifest"]["split"],
        features=sorted(features, key=FEATURES.index),
    )
    assert first == again, "same data, same seed, same split: the same artifact digest"
    runs = Client(server.url).graphql(
        'query { job(namespace: "provgraph.torch", name: "train.fraud-scorer") '
        "{ runs(first: 100) { state facets } } }"
    )["job"]["runs"]
    reproductions = [r for r in runs if "run.provgraph_reproduction" in r["facets"]]
    assert reproductions and reproductions[0]["state"] == "COMPLETE"
    assert reproductions[0]["facets"]["run.provgraph_reproduction"]["modelVersion"] == first
    assert (tmp_path / "a.pt").read_bytes() == (tmp_path / "b.pt").read_bytes()


def test_denied_training_raises_trains_nothing_and_is_recorded(
    server: RunningServer, table: Path
) -> None:
    trained = False
    with (
        pytest.raises(PolicyDeniedError) as denied,
        training_run(
            model="ad-scorer", purpose="advertising", features=PII_FEATURES, url=server.url
        ),
    ):
        trained = True
    assert not trained
    assert any("pii" in reason and "advertising" in reason for reason in denied.value.reasons)
    decision = Client(server.url).graphql(
        "query($u: ID!) { node(urn: $u) { ... on PolicyDecision { allow action "
        "subjects { urn kind } } } }",
        {"u": denied.value.decision},
    )["node"]
    assert decision["allow"] is False and decision["action"] == "train"
    runs = [s["urn"] for s in decision["subjects"] if s["kind"] == "RUN"]
    assert len(runs) == 1
    run = Client(server.url).graphql(
        "query($u: ID!) { node(urn: $u) { ... on Run { state errorMessage } } }", {"u": runs[0]}
    )["node"]
    assert run["state"] == "FAIL"
    assert "denied by policy" in run["errorMessage"]


def test_a_catalog_that_cannot_be_reached_fails_training_closed() -> None:
    dead = Client(f"http://127.0.0.1:{free_port()}", retry=Retry(attempts=1))
    trained = False
    with (
        pytest.raises(CatalogUnavailableError),
        training_run(model="m", purpose="fraud_detection", features=FEATURES, client=dead),
    ):
        trained = True
    assert not trained


def test_a_failing_loop_ends_the_run_failed(server: RunningServer, table: Path) -> None:
    client = Client(server.url)
    with (
        pytest.raises(RuntimeError, match="diverged"),
        training_run(
            model="fraud-scorer", purpose="fraud_detection", features=FEATURES, client=client
        ) as run,
    ):
        run.load_features(table, label="is_fraud")
        raise RuntimeError("loss diverged")
    state = client.graphql(
        "query($u: ID!) { node(urn: $u) { ... on Run { state errorMessage } } }", {"u": run.urn}
    )["node"]
    assert state["state"] == "FAIL" and "diverged" in state["errorMessage"]


def test_non_finite_metrics_are_refused(server: RunningServer) -> None:
    from provgraph.integrations.errors import IntegrationError

    with (
        pytest.raises(IntegrationError, match="finite"),
        training_run(
            model="fraud-scorer", purpose="fraud_detection", features=FEATURES, url=server.url
        ) as run,
    ):
        run.log_metrics(loss=float("nan"))
    assert torch.isnan(torch.tensor(float("nan")))


def test_the_recipe_says_what_changed_since_training(
    server: RunningServer, table: Path, tmp_path: Path
) -> None:
    urn = _train(server, table, tmp_path / "changes.pt", seed=5)
    client = Client(server.url)
    columns = client.graphql(
        "query($ns: String!, $n: String!) { dataset(namespace: $ns, name: $n) "
        "{ latestVersion { columns { urn name } } } }",
        {"ns": model_side.TABLE[0], "n": model_side.TABLE[1]},
    )["dataset"]["latestVersion"]["columns"]
    fare = next(c["urn"] for c in columns if c["name"] == "avg_fare")
    client.submit(
        ClassificationChanged(event_time=datetime.now(UTC), urn=fare, tag="sensitive.financial")
    )
    changes = client.graphql(RUN_QUERY, {"urn": urn})["node"]["recipe"]["changes"]
    assert {"kind": "classification_added", "subject": urn} in changes


def test_provgraph_reproduce_prints_the_recipe(
    server: RunningServer, table: Path, tmp_path: Path
) -> None:
    urn = _train(server, table, tmp_path / "cli.pt", seed=9)
    done = subprocess.run(
        [sys.executable, "-m", "provgraph.server.cli", "reproduce", urn, "--url", server.url],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert f"recipe of {urn}" in done.stdout
    assert "seed         9" in done.stdout
    assert "feature      urn:provgraph:feature-version:riders:trips_30d@" in done.stdout
    as_json = subprocess.run(
        [
            sys.executable,
            "-m",
            "provgraph.server.cli",
            "reproduce",
            urn,
            "--json",
            "--url",
            server.url,
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert json.loads(as_json.stdout)["manifest"]["seed"] == 9
    missing = subprocess.run(
        [
            sys.executable,
            "-m",
            "provgraph.server.cli",
            "reproduce",
            urn.rsplit("@", 1)[0] + "@0000000000000000",
            "--url",
            server.url,
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert missing.returncode == 3 and "provgraph: error:" in missing.stderr


def test_the_callback_api_records_an_existing_loop(
    server: RunningServer, table: Path, tmp_path: Path
) -> None:
    from provgraph.integrations.torch import TrainingCallback

    callback = TrainingCallback(
        model="loop-scorer", purpose="fraud_detection", features=FEATURES, url=server.url
    )
    run = callback.on_train_begin(epochs=2)
    data = run.load_features(table, label="is_fraud", seed=3)
    model = model_side.Scorer(width=len(FEATURES))
    for epoch, loss in enumerate(model_side.train(model, data.train, epochs=2, seed=3)):
        callback.on_epoch_end(epoch, loss=loss)
    urn = callback.on_train_end(model, tmp_path / "loop.pt")
    assert urn is not None
    found = Client(server.url).graphql(RUN_QUERY, {"urn": urn})["node"]
    assert found["trainingRun"]["state"] == "COMPLETE"
    assert found["params"]["epochs"] == 2

    denied = TrainingCallback(
        model="ad-scorer", purpose="advertising", features=PII_FEATURES, url=server.url
    )
    with pytest.raises(PolicyDeniedError):
        denied.on_train_begin()
    from provgraph.integrations.errors import IntegrationError

    with pytest.raises(IntegrationError, match="not running"):
        denied.on_epoch_end(0, loss=1.0)
