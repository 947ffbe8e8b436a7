"""The `provgraph` command line: output and exit codes."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from provgraph.catalog.model.event_versions import EVENT_SCHEMA_VERSION
from tests.support.demo import DEMO_COUNTS, DEMO_EVENTS

PROD = "urn:provgraph:deployment:production:fraud-detector"


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "provgraph.server.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "data"
    done = _cli("demo", "--data", str(path))
    assert done.returncode == 0, done.stderr
    nodes, edges = DEMO_COUNTS
    assert f"{DEMO_EVENTS} new events, {nodes} nodes, {edges} edges" in done.stdout
    return path


def test_lineage_as_of(data: Path) -> None:
    done = _cli("lineage", PROD, "--data", str(data), "--as-of", "2026-02-01T00:00:00Z", "--json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["as_of"].startswith("2026-02-01") and not result["is_partial"]


def test_impact_and_paths(data: Path) -> None:
    impact = _cli(
        "impact",
        PROD.replace("deployment:production:fraud-detector", "model:fraud-detector"),
        "--data",
        str(data),
    )
    assert impact.returncode == 0 and "deployments: 2" in impact.stdout
    lineage = json.loads(_cli("lineage", PROD, "--data", str(data), "--json").stdout)
    column = next(n["urn"] for n in lineage["nodes"] if n["urn"].endswith("#email"))
    paths = _cli("paths", PROD, column, "--data", str(data))
    assert paths.returncode == 0 and "SERVES" in paths.stdout


@pytest.mark.parametrize(
    ("args", "code", "needle"),
    [
        (["lineage", "urn:provgraph:dataset:no:such"], 3, "no node"),
        (["lineage", "garbage"], 4, "not a provgraph urn"),
        (["lineage", PROD, "--as-of", "last tuesday"], 4, "not an ISO-8601 timestamp"),
        (["lineage", PROD, "--depth", "0"], 4, "depth"),
        (["lineage", PROD, "--direction", "sideways"], 2, "invalid choice"),
        (["lineage", PROD, "--edge-kinds", "NOPE"], 4, "unknown edge kind"),
    ],
)
def test_bad_arguments(data: Path, args: list[str], code: int, needle: str) -> None:
    done = _cli(*args, "--data", str(data))
    assert done.returncode == code, done.stderr
    assert needle in done.stderr


def test_unusable_data_directories(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    done = _cli("demo", "--data", str(tmp_path))
    assert done.returncode == 5 and "not a provgraph data directory" in done.stderr
    missing = _cli("rebuild", "--data", str(tmp_path / "absent"))
    assert missing.returncode == 5 and "not a provgraph data directory" in missing.stderr


def test_unreachable_store(tmp_path: Path) -> None:
    done = _cli(
        "demo",
        "--data",
        str(tmp_path / "d"),
        env={"PROVGRAPH_STORE": "bolt://127.0.0.1:1", "PROVGRAPH_NEO4J_PASSWORD": "x"},
    )
    assert done.returncode == 5 and "cannot reach Neo4j" in done.stderr
    unknown = _cli("demo", "--data", str(tmp_path / "e"), env={"PROVGRAPH_STORE": "mysql://x"})
    assert unknown.returncode == 5 and "unknown store" in unknown.stderr


def test_ingest(tmp_path: Path) -> None:
    events = tmp_path / "events.json"
    events.write_text(
        json.dumps(
            [
                {
                    "type": "dataset.registered",
                    "event_time": "2026-01-01T00:00:00Z",
                    "namespace": "n",
                    "name": "t",
                    "fields": [{"name": "id"}],
                }
            ]
        )
    )
    done = _cli("ingest", str(events), "--data", str(tmp_path / "d"))
    assert done.returncode == 0 and "1 events stored" in done.stdout
    again = _cli("ingest", str(events), "--data", str(tmp_path / "d"))
    assert "0 events stored, 1 duplicates" in again.stdout
    events.write_text("[{")
    bad = _cli("ingest", str(events), "--data", str(tmp_path / "d"))
    assert bad.returncode == 4 and "not valid JSON" in bad.stderr


def test_token_creation_says_an_admin_token(tmp_path: Path) -> None:
    assert _cli("demo", "--data", str(tmp_path / "d")).returncode == 0
    made = _cli("token", "create", "root", "--role", "admin", "--data", str(tmp_path / "d"))
    assert made.returncode == 0 and "(an admin token for root;" in made.stderr
    made = _cli("token", "create", "rita", "--role", "reader", "--data", str(tmp_path / "d"))
    assert "(a reader token for rita;" in made.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["lineage", PROD],
        ["impact", PROD],
        ["paths", PROD, PROD],
        ["reproduce", "urn:provgraph:model-version:m@0000000000000000"],
        ["policy", "recheck"],
    ],
)
def test_a_question_to_a_missing_directory_creates_nothing(tmp_path: Path, args: list[str]) -> None:
    absent = tmp_path / "provgraph-data"
    done = _cli(*args, "--data", str(absent), env={"PROVGRAPH_URL": ""})
    assert done.returncode == 5, done.stderr
    assert f"no catalog at {absent}" in done.stderr and "--url" in done.stderr
    assert not absent.exists()


def test_a_log_row_of_a_later_release_stops_the_command_with_exit_6(tmp_path: Path) -> None:
    data = tmp_path / "d"
    assert _cli("demo", "--data", str(data)).returncode == 0
    db = sqlite3.connect(data / "events.sqlite")
    try:
        db.execute(
            "UPDATE events SET schema_version = ? WHERE seq = 5", (EVENT_SCHEMA_VERSION + 1,)
        )
        db.commit()
    finally:
        db.close()
    done = _cli("rebuild", "--data", str(data))
    assert done.returncode == 6, done.stderr
    assert "logged event seq 5" in done.stderr and "upgrade provgraph" in done.stderr
