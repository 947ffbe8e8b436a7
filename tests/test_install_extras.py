"""Each install extra works alone (issue 18): the provgraph wheel is built once, and every extra
but `dev` (the environment this suite runs in) is installed from it into its own fresh
virtualenv by plain pip (`pip install 'provgraph-….whl[spark]'`: its resolver, the registries
and pip's cache as pip is configured here, torch's CPU build from this machine's disk). Then
that virtualenv imports the extra's entry points, and an integration's extra emits through them
to a real server, whose catalog must hold the run under the integrations' one producer.

`pip install provgraph[spark]` used to fail at the first emit: the integrations import
openlineage-python, which only the dev extra declared. Slow (pip unpacking pyspark, torch and
great-expectations into fresh virtualenvs: see the README's "Installing with pip")."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

from provgraph.client import Client
from provgraph.integrations.run_events import PRODUCER
from tests.support.server import RunningServer, serving
from tests.test_install import clean_environment

ROOT = Path(__file__).resolve().parents[1]
EXTRAS = sorted(
    tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
)

SPARK = """
import sys, tempfile
from pyspark.sql import SparkSession
from provgraph.integrations import spark as pg_spark
spark = (SparkSession.builder.master("local[1]").appName("extra_spark")
         .config("spark.ui.enabled", "false").getOrCreate())
pg_spark.track(spark, url=sys.argv[1])
spark.createDataFrame([(1, "a")], ["id", "name"]).write.parquet(tempfile.mkdtemp() + "/extra_out")
assert pg_spark.flush(120), "the events did not reach the catalog"
spark.stop()
"""
GX = """
import sys
import great_expectations as gx
import pandas as pd
from provgraph.integrations.great_expectations import ProvgraphValidationAction, validate
from provgraph.integrations.great_expectations.validation import gx_context
gx_context()  # GX builds suites in its active context
suite = gx.ExpectationSuite(name="extra_gx")
suite.add_expectation(gx.expectations.ExpectColumnValuesToNotBeNull(column="id"))
result = validate(pd.DataFrame({"id": [1, 2]}), suite, dataset=("file", "/extra_gx"),
                  url=sys.argv[1], job="extra_gx", wait=None)
from provgraph.integrations.emitter import emitter
assert emitter(sys.argv[1]).flush(120), "the event did not reach the catalog"
"""
TORCH = """
import sys
from provgraph.integrations.errors import IntegrationError
from provgraph.integrations.serving.app import create_app
from provgraph.integrations.torch import FeatureTable, training_run
try:  # an unknown feature: the run starts (START), is refused, and ends FAIL
    with training_run(model="extra-torch", purpose="fraud_detection",
                      features=["extra_group:unknown"], url=sys.argv[1]):
        pass
except IntegrationError:
    pass
"""
SERVING = """
import sys, tempfile
from provgraph.client import Client
from provgraph.integrations.run_events import PRODUCER
from provgraph.integrations.serving import PredictionRecorder, ServingGuard, deploy
recorder = PredictionRecorder(Client(sys.argv[1]), deployment="extra-serving",
                              job=("provgraph.serving", "predict.extra-serving"),
                              outbox_dir=tempfile.mkdtemp())
recorder.record(latency_ms=1.0, allowed=True, decision=None, status=200, keep=True)
assert recorder.flush(120), "the window did not reach the catalog"
recorder.stop()
"""
CHECKS: dict[str, tuple[str, tuple[str, str] | None]] = {
    "spark": (SPARK, ("spark://extra_spark", "extra_spark.write.extra_out")),
    "gx": (GX, ("great_expectations", "extra_gx")),
    "torch": (TORCH, ("provgraph.torch", "train.extra-torch")),
    "serving": (SERVING, ("provgraph.serving", "predict.extra-serving")),
    "neo4j": ("import neo4j, provgraph.catalog.store.neo4j.adapter", None),
    "opa": ("import opa_client, provgraph.policies.opa_server", None),
    "postgresql": (
        "import psycopg, psycopg_pool, provgraph.catalog.log.postgresql, "
        "provgraph.catalog.access_postgresql",
        None,
    ),
    "bench": ("import psycopg", None),
}
"""Per extra: what its virtualenv runs (argv[1]: the server), and the job whose run it emits."""
PRODUCER_CHECK = "from provgraph.integrations.run_events import PRODUCER; print(PRODUCER)"
CLIENT_FACETS = {"tags"}
"""Run facets openlineage-python's `OpenLineageClient.emit` adds itself, under its own producer
(`tags`: the client's version): the Spark and GX integrations emit through it."""


def test_every_extra_but_dev_is_checked() -> None:
    assert sorted(CHECKS) == [e for e in EXTRAS if e != "dev"]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """provgraph's wheel, built once for every extra's virtualenv."""
    out = tmp_path_factory.mktemp("wheel")
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(out), str(ROOT)],
        env=clean_environment(),
        capture_output=True,
        text=True,
    )
    assert built.returncode == 0, built.stderr[-3000:]
    (found,) = out.glob("provgraph-*.whl")
    return found


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Any:
    with serving(tmp_path_factory.mktemp("catalog")) as running:
        yield running


def _run(python: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(python), *args], cwd=cwd, env=clean_environment(), capture_output=True, text=True
    )


def _runs(server: RunningServer, job: tuple[str, str]) -> list[dict[str, Any]]:
    found = Client(server.url).graphql(
        "query($ns: String!, $n: String!) { job(namespace: $ns, name: $n) "
        "{ runs(first: 10) { state facets } } }",
        {"ns": job[0], "n": job[1]},
    )["job"]
    return list(found["runs"]) if found else []


@pytest.mark.slow
@pytest.mark.timeout(1200)
@pytest.mark.parametrize("extra", sorted(CHECKS))
def test_an_extra_installed_alone_works(
    extra: str, wheel: Path, server: RunningServer, tmp_path: Path
) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, env=clean_environment())
    python = venv / "bin" / "python"
    installed = _run(python, "-m", "pip", "install", "--quiet", f"{wheel}[{extra}]", cwd=tmp_path)
    assert installed.returncode == 0, installed.stderr[-3000:]
    script, job = CHECKS[extra]
    checked = _run(python, "-c", script, server.url, cwd=tmp_path)
    assert checked.returncode == 0, checked.stderr[-3000:]
    if job is None:
        return  # a storage or engine adapter: nothing of it emits events
    producer = _run(python, "-c", PRODUCER_CHECK, cwd=tmp_path).stdout.strip()
    assert producer == PRODUCER, "one producer URI, from the installed release"
    runs = _runs(server, job)
    assert runs, f"no run of {job} in the catalog"
    kept = [
        {
            key: facet
            for key, facet in run["facets"].items()
            if key.removeprefix("run.") not in CLIENT_FACETS
        }
        for run in runs
    ]
    producers = set(_producers(kept))
    assert "producer" in kept[0] and producers == {producer}, producers
    assert producers == {producer}, producers


def _producers(facets: Any) -> list[str]:
    """Every producer the catalog kept for a run's facets (the event's and each facet's)."""
    if isinstance(facets, dict):
        found = [
            v for k, v in facets.items() if k in ("producer", "_producer") and isinstance(v, str)
        ]
        return found + [p for v in facets.values() for p in _producers(v)]
    if isinstance(facets, list):
        return [p for v in facets for p in _producers(v)]
    return []
