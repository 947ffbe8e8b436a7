"""torch training against the real server: gated by policy, recorded end to end, reproducible."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
import torch

from provgraph.catalog.model.events import ClassificationChanged
from provgraph.client import Client, Retry
from provgraph.integrations import run_ends
from provgraph.integrations.errors import CatalogUnavailableError, PolicyDeniedError
from provgraph.integrations.serving import deploy
from provgraph.integrations.torch import FeatureTable, training_run
from tests.integrations import model_side
from tests.support.ports import free_port
from tests.support.server import RunningServer, serving, start, stop

FEATURES = [f"{model_side.GROUP}:trips_30d", f"{model_side.GROUP}:avg_fare"]
PII_FEATURES = [*FEATURES, f"{model_side.GROUP}:email_domain_risk"]

RUN_QUERY = """
query($urn: ID!) { node(urn: $urn) { ... on ModelVersion { urn artifactDigest params metrics
  stage purpose
  trainingSet { urn manifest features { urn } sources { urn } }
  trainingRun { urn state facets decisions { action allow } }
  recipe { trainingSet manifest params codeVersion environment
           datasets { urn } features { urn transformation } changes { kind subject }
           unpinned } } } }
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
    epochs: int = 3,
) -> str:
    with training_run(
        model="fraud-scorer", purpose="fraud_detection", features=features, url=server.url
    ) as run:
        data = run.load_features(table, label="is_fraud", split=split, seed=seed)
        model = model_side.Scorer(width=len(features))
        run.log_params(epochs=epochs, lr=0.05)
        for epoch, loss in enumerate(model_side.train(model, data.train, epochs=epochs, seed=seed)):
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
    assert recipe["unpinned"] == [], "load_features pins everything the recipe names"


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


def _rows(table: Path, columns: list[str]) -> FeatureTable:
    """The training code's own loader: no load_features."""
    read = pq.read_table(table, columns=[*columns, "is_fraud"])
    features = torch.tensor([read.column(c).to_pylist() for c in columns]).T.float()
    return FeatureTable(features, torch.tensor(read["is_fraud"].to_pylist()).float())


def test_a_model_trained_on_data_the_code_loaded_is_trained_on_its_gated_features(
    server: RunningServer, table: Path, tmp_path: Path
) -> None:
    """Issue 17.21: without load_features the model still names its features, their data and
    classifications; the recipe says what could not be pinned; deploy allows it."""
    columns = [f.split(":")[1] for f in PII_FEATURES]
    with training_run(
        model="own-loader", purpose="fraud_detection", features=PII_FEATURES, url=server.url
    ) as run:
        model = model_side.Scorer(width=len(columns))
        model_side.train(model, _rows(table, columns), epochs=1, seed=2)
        urn = run.save(model, tmp_path / "own.pt")
    client = Client(server.url)
    found = client.graphql(RUN_QUERY, {"urn": urn})["node"]
    assert found["trainingSet"] is not None, "the gated features are its training set"
    included = {f["urn"] for f in found["trainingSet"]["features"]}
    assert {u.split("@")[0].rsplit(":", 1)[1] for u in included} == set(columns)
    assert all(u.startswith("urn:provgraph:feature-version:") for u in included)
    recipe = found["recipe"]
    assert {f["urn"] for f in recipe["features"]} == included
    assert recipe["datasets"], "the data its feature versions were computed from"
    assert recipe["unpinned"] == ["digest", "rows", "split", "seed", "datasets"]
    assert "pii.email" in {t.tag for t in client.classifications(urn)}

    def deploy_for(purpose: str) -> str:
        where = f"own-{purpose}"
        done = deploy(urn, deployment=where, environment="staging", purpose=purpose, url=server.url)
        return done.model_version

    assert deploy_for("fraud_detection") == urn
    with pytest.raises(PolicyDeniedError):
        deploy_for("advertising")
    printed = subprocess.run(
        [sys.executable, "-m", "provgraph.server.cli", "reproduce", urn, "--url", server.url],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "training set (none)" not in printed.stdout
    assert "not pinned   digest, rows, split, seed, datasets" in printed.stdout

    from provgraph.integrations.torch import TrainingCallback

    callback = TrainingCallback(
        model="own-loop", purpose="fraud_detection", features=FEATURES, url=server.url
    )
    callback.on_train_begin()
    looped = model_side.Scorer(width=len(FEATURES))
    model_side.train(looped, _rows(table, [f.split(":")[1] for f in FEATURES]), epochs=1, seed=2)
    loop_urn = callback.on_train_end(looped, tmp_path / "loop.pt")
    assert loop_urn is not None
    trained_on = client.graphql(RUN_QUERY, {"urn": loop_urn})["node"]["trainingSet"]
    assert trained_on is not None and len(trained_on["features"]) == len(FEATURES)


def test_bytes_rewritten_outside_tracked_jobs_are_a_reported_mismatch(tmp_path: Path) -> None:
    """Issue 17.22: two models trained on different bytes of one feature table, rewritten by
    no tracked job, share its dataset version; their recipes report the mismatch."""
    with serving(tmp_path / "catalog") as catalog:
        Client(catalog.url).submit(model_side.catalog_events())
        path = model_side.write_table(tmp_path / "features.parquet", seed=3)
        first = _train(catalog, path, tmp_path / "first.pt", seed=4)
        model_side.write_table(path, seed=5)  # rewritten outside any tracked job
        second = _train(catalog, path, tmp_path / "second.pt", seed=4)
        model_side.write_table(path, seed=3)  # and back: the first bytes, trained longer
        third = _train(catalog, path, tmp_path / "third.pt", seed=4, epochs=1)
        client = Client(catalog.url)
        before, after, again = (client.recipe(urn) for urn in (first, second, third))
    assert again.training_set == before.training_set, "trained on the set its run recorded"
    assert first != second
    assert [d.urn for d in before.datasets] == [d.urn for d in after.datasets], (
        "nothing tracked the rewrite: one dataset version"
    )
    assert before.training_set != after.training_set
    assert before.manifest["digest"] != after.manifest["digest"]
    version = before.datasets[0].urn
    for recipe, other in ((before, after), (after, before)):
        mismatches = [c for c in recipe.changes if c.kind == "content_mismatch"]
        assert [c.subject for c in mismatches] == [version]
        assert other.training_set is not None and other.training_set in mismatches[0].detail
        assert "avg_fare" in mismatches[0].detail and "is_fraud" in mismatches[0].detail


def _run_state(client: Client, run: str) -> dict[str, Any]:
    found = client.graphql(
        "query($u: ID!) { node(urn: $u) { ... on Run { state errorMessage } } }", {"u": run}
    )["node"]
    return dict(found or {})


def test_a_run_whose_catalog_went_away_is_ended_when_it_returns(tmp_path: Path) -> None:
    """Issue 17.23: the catalog goes away mid-run and the script exits; when the catalog is
    back, the next job against it delivers the run's end, so the run does not stay RUNNING."""
    catalog = start(tmp_path / "catalog")
    try:
        Client(catalog.url).submit(model_side.catalog_events())
        module = "tests.integrations.training_process"
        script = subprocess.Popen(
            [sys.executable, "-m", module, catalog.url, str(tmp_path / "lost.pt")],
            cwd=Path(__file__).resolve().parents[2],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert script.stdout is not None and script.stdin is not None
        run = script.stdout.readline().strip()
        assert run.startswith("urn:provgraph:run:"), script.stderr.read() if script.stderr else ""
        assert _run_state(Client(catalog.url), run)["state"] == "START"

        stop(catalog)  # the catalog goes away mid-run
        script.stdin.write("go\n")
        script.stdin.flush()
        assert script.wait(timeout=120) == 3, "save could not register the model"
        assert list((tmp_path / "outbox").glob("runs-*.sqlite")), "the run's end waits on disk"

        catalog = start(tmp_path / "catalog", port=int(catalog.url.rsplit(":", 1)[1]))
        with training_run(
            model="next-scorer", purpose="fraud_detection", features=FEATURES, url=catalog.url
        ):
            pass
        assert run_ends.flush(timeout=120)
        ended = _run_state(Client(catalog.url), run)
        assert ended["state"] == "FAIL"
        assert "CatalogUnavailableError" in ended["errorMessage"]
    finally:
        run_ends.close_all()
        stop(catalog)
