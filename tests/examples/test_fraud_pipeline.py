"""The end-to-end example runs for real (Spark, Great Expectations, torch, serving) against the
real server, and the chain it leaves behind is checked through GraphQL only."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from provgraph.client import Client
from provgraph.integrations.errors import PolicyDeniedError
from provgraph.integrations.serving import deploy
from provgraph.integrations.torch import training_run
from tests.support.server import RunningServer, serving

CHAIN = """
query($d: ID!) { lineage(urn: $d, direction: UPSTREAM, depth: 30) {
  ... on LineageGraph { nodes { urn kind } isPartial } } }
"""
TAGS = """
query($u: ID!) { classifications(urn: $u) { ... on Classifications {
  classifications { tag source } } } }
"""


ROOT = Path(__file__).resolve().parents[2]
MODEL = "fraud-scorer"
TRAINED_ON = ["trips", "avg_fare", "free_email"]
HASHED = "email_hash"


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RunningServer, Any]]:
    """The example as the README runs it: `python -m examples.fraud_pipeline --url …`."""
    with serving(tmp_path_factory.mktemp("example-catalog")) as server:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "examples.fraud_pipeline",
                "--url",
                server.url,
                "--work",
                str(tmp_path_factory.mktemp("work")),
                "--rows",
                "400",
                "--json",
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert done.returncode == 0, done.stderr[-4000:]
        yield server, json.loads(done.stdout)


def test_the_example_trains_deploys_and_serves(run: tuple[RunningServer, Any]) -> None:
    _, result = run
    assert result["denied"] == {}
    assert result["model_version"].startswith("urn:provgraph:model-version:fraud-scorer@")
    assert result["deployments"] == [
        "urn:provgraph:deployment:staging:fraud-scorer",
        "urn:provgraph:deployment:production:fraud-scorer",
    ]
    assert len(result["predictions"]) == 5


def test_every_hop_of_the_chain_is_in_the_catalog(run: tuple[RunningServer, Any]) -> None:
    server, result = run
    client = Client(server.url)
    production = result["deployments"][-1]
    answer = client.graphql(CHAIN, {"d": production})["lineage"]
    kinds = {node["kind"] for node in answer["nodes"]}
    assert {"MODEL_VERSION", "RUN", "TRAINING_SET", "FEATURE_VERSION", "COLUMN"} <= kinds
    urns = {node["urn"] for node in answer["nodes"]}
    assert result["model_version"] in urns
    assert result["raw_email_column"] in urns, "the deployment reaches back to the raw email"


def test_pii_reached_the_model_and_deployment_but_not_the_hashed_feature(
    run: tuple[RunningServer, Any],
) -> None:
    server, result = run
    client = Client(server.url)

    def tags(urn: str) -> set[str]:
        found = client.graphql(TAGS, {"u": urn})["classifications"]
        return {item["tag"] for item in found["classifications"]}

    assert "pii.email" in tags(result["model_version"])
    assert "pii.email" in tags(result["deployments"][-1])
    assert "pii.email" in tags(result["features"]["free_email"])
    assert "pii.email" not in tags(result["features"][HASHED])


def test_the_recipe_names_the_exact_data_versions(run: tuple[RunningServer, Any]) -> None:
    server, result = run
    recipe = Client(server.url).graphql(
        "query($u: ID!) { node(urn: $u) { ... on ModelVersion { recipe { manifest "
        "datasets { urn producedBy } features { urn } } } } }",
        {"u": result["model_version"]},
    )["node"]["recipe"]
    namespace, name = result["feature_table"]
    table = [d for d in recipe["datasets"] if f":{name}@" in d["urn"]]
    assert table and table[0]["producedBy"], "the feature table version and the run that wrote it"
    assert recipe["manifest"]["digest"].startswith("sha256:")
    assert len(recipe["features"]) == len(TRAINED_ON)
    assert namespace


def test_advertising_is_refused_for_training_and_deployment(
    run: tuple[RunningServer, Any], tmp_path: Path
) -> None:
    server, result = run
    features = [result["features"][name] for name in TRAINED_ON]
    with (
        pytest.raises(PolicyDeniedError) as training,
        training_run(model=MODEL, purpose="advertising", features=features, url=server.url),
    ):
        pytest.fail("training must not start")
    assert any("advertising" in reason for reason in training.value.reasons)
    with pytest.raises(PolicyDeniedError) as deploying:
        deploy(
            result["model_version"],
            deployment="ads",
            environment="production",
            purpose="advertising",
            url=server.url,
        )
    assert any("advertising" in reason for reason in deploying.value.reasons)
