"""The CLI beside a running server: it finds the server holding its data directory (or takes
`--url` / `PROVGRAPH_URL` with `PROVGRAPH_TOKEN`) and prints what embedded mode prints, with the
same exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from provgraph.catalog.access import FileTokenStore, Role
from tests.support.server import RunningServer, serving

PROD = "urn:provgraph:deployment:production:fraud-detector"
MODEL = "urn:provgraph:model:fraud-detector"
FEATURE = "urn:provgraph:feature:rider_risk:avg_fare"
README_EVENT = {
    "type": "dataset.registered",
    "event_time": "2026-04-01T00:00:00Z",
    "namespace": "postgres://db:5432",
    "name": "public.orders",
    "fields": [
        {"name": "id", "type": "bigint"},
        {"name": "email", "type": "text", "classifications": ["pii.email"]},
    ],
}
ORDERS = "urn:provgraph:dataset:postgres%3A//db%3A5432:public.orders"

# the same commands, answered by the data directory itself and then by a server holding it
COMMANDS: list[list[str]] = [
    ["lineage", PROD, "--depth", "3"],
    ["lineage", PROD, "--as-of", "2026-02-01T00:00:00Z", "--json"],
    ["lineage", FEATURE, "--direction", "downstream", "--edge-kinds", "HAS_VERSION,INCLUDES"],
    ["impact", MODEL],
    ["impact", FEATURE, "--as-of", "2026-02-01T00:00:00Z", "--json"],
    ["paths", PROD, FEATURE],
    ["paths", FEATURE, "urn:provgraph:classification:pii.email"],
    ["lineage", "urn:provgraph:dataset:no:such"],
    ["lineage", "garbage"],
    ["lineage", PROD, "--edge-kinds", "NOPE"],
    ["lineage", PROD, "--depth", "0"],
    ["lineage", PROD, "--as-of", "last tuesday"],
]


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("PROVGRAPH_")}
    return subprocess.run(
        [sys.executable, "-m", "provgraph.server.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**base, **(env or {})},
    )


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("remote") / "data"
    assert _cli("demo", "--data", str(path)).returncode == 0
    return path


@pytest.fixture(scope="module")
def embedded(data: Path) -> list[tuple[int, str]]:
    answers = []
    for command in COMMANDS:
        done = _cli(*command, "--data", str(data))
        answers.append((done.returncode, done.stdout))
    return answers


@pytest.fixture(scope="module")
def server(data: Path, embedded: list[tuple[int, str]]) -> Iterator[RunningServer]:
    with serving(data, anonymous=None) as running:
        yield running


def _token(data: Path, role: Role) -> str:
    return FileTokenStore(data / "tokens.json").create(f"cli-{role.label}", role)


def test_the_server_announces_itself_in_its_data_directory(
    data: Path, server: RunningServer
) -> None:
    announced = json.loads((data / "server.json").read_text())
    assert announced["url"] == server.url and announced["pid"] == server.process.pid


@pytest.mark.parametrize("how", ["found by --data", "PROVGRAPH_URL"])
def test_commands_print_the_same_with_the_same_exit_codes(
    data: Path, server: RunningServer, embedded: list[tuple[int, str]], how: str
) -> None:
    env = {"PROVGRAPH_TOKEN": _token(data, Role.READER)}
    where = ["--data", str(data)]
    if how == "PROVGRAPH_URL":
        env["PROVGRAPH_URL"], where = server.url, []
    assert {code for code, _ in embedded} == {0, 1, 3, 4}
    for command, (code, stdout) in zip(COMMANDS, embedded, strict=True):
        done = _cli(*command, *where, env=env)
        assert (done.returncode, done.stdout) == (code, stdout), (command, done.stderr)
        if code >= 2:
            assert done.stderr.startswith("provgraph: error: "), done.stderr


def test_ingest_demo_and_policy_go_to_the_running_server(
    data: Path, server: RunningServer, tmp_path: Path
) -> None:
    event = tmp_path / "event.json"
    event.write_text(json.dumps(README_EVENT))
    env = {"PROVGRAPH_TOKEN": _token(data, Role.STEWARD)}
    first = _cli("ingest", str(event), "--data", str(data), env=env)
    assert first.returncode == 0 and "1 events stored, 0 duplicates" in first.stdout, first.stderr
    again = _cli("ingest", str(event), "--data", str(data), env=env)
    assert "0 events stored, 1 duplicates ignored" in again.stdout
    shown = _cli("lineage", ORDERS, "--data", str(data), env=env)
    assert shown.returncode == 0 and ORDERS in shown.stdout
    demo = _cli("demo", "--data", str(data), env=env)
    assert demo.returncode == 0 and "0 new events" in demo.stdout and server.url in demo.stdout
    recheck = _cli("policy", "recheck", "--json", "--data", str(data), env=env)
    entries = json.loads(recheck.stdout)
    assert recheck.returncode in (0, 1) and entries and "decision_urn" in entries[0]
    (tmp_path / "b.rego").write_text("package broken\nallow if { 1 = }\n")
    broken = _cli("policy", "backtest", "--bundle", str(tmp_path), "--data", str(data), env=env)
    assert broken.returncode == 4 and "b.rego:2" in broken.stderr
    rebuild = _cli("rebuild", "--data", str(data), env=env)
    assert rebuild.returncode == 5 and f"served by {server.url}" in rebuild.stderr


def test_tokens_and_roles_are_exit_code_7(data: Path, server: RunningServer) -> None:
    missing = _cli("lineage", PROD, "--data", str(data))
    assert missing.returncode == 7 and "PROVGRAPH_TOKEN" in missing.stderr
    reader = {"PROVGRAPH_TOKEN": _token(data, Role.READER)}
    forbidden = _cli("policy", "recheck", "--data", str(data), env=reader)
    assert forbidden.returncode == 7 and "steward" in forbidden.stderr


def test_an_unreachable_url_is_exit_code_5(tmp_path: Path) -> None:
    from tests.support.ports import free_port

    done = _cli("lineage", PROD, "--url", f"http://127.0.0.1:{free_port()}")
    assert done.returncode == 5 and done.stderr.startswith("provgraph: error: ")
