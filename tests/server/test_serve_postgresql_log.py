"""`provgraph serve` with its event log on PostgreSQL (PROVGRAPH_LOG=postgresql://...)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx

from tests.catalog.openlineage.support import dataset, post, run_event
from tests.support.server import serving


def _ready(url: str) -> dict[str, object]:
    body: dict[str, object] = httpx.get(f"{url}/readyz", timeout=10).json()
    return body


def test_writes_survive_a_restart_and_a_new_data_directory(
    tmp_path: Path, postgres_url: str
) -> None:
    env = {"PROVGRAPH_LOG": postgres_url}
    event = run_event(
        ("etl", "clean"),
        inputs=[dataset("s3://raw", "orders")],
        outputs=[dataset("s3://clean", "orders")],
    )
    with serving(tmp_path / "first", env=env) as server:
        response = post(server, event)
        assert response.status_code in (200, 201), response.text
        written = _ready(server.url)
        assert written["logged_seq"] == written["applied_seq"] == 1
    assert not (tmp_path / "first" / "events.sqlite").exists()  # the log is in PostgreSQL
    with serving(tmp_path / "first", env=env) as server:  # restarted: the same catalog
        assert _ready(server.url) == written
        assert post(server, event).status_code in (200, 201)  # a resend stays a duplicate
        assert _ready(server.url)["logged_seq"] == 1
    with serving(tmp_path / "second", env=env) as server:  # an empty graph: rebuilt from the log
        rebuilt = _ready(server.url)
        assert (rebuilt["logged_seq"], rebuilt["applied_seq"]) == (1, 1)
        assert (rebuilt["nodes"], rebuilt["edges"]) == (written["nodes"], written["edges"])


def _token(data: Path, url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "provgraph.server.cli", "token", *args, "--data", str(data)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PROVGRAPH_LOG": url},
    )


def test_tokens_live_in_postgresql_and_a_revocation_is_refused_at_once(
    tmp_path: Path, postgres_url: str
) -> None:
    env = {"PROVGRAPH_LOG": postgres_url}
    with serving(tmp_path / "data", env=env, anonymous=None) as server:
        created = _token(tmp_path / "data", postgres_url, "create", "ci", "--role", "reader")
        assert created.returncode == 0, created.stderr
        headers = {"Authorization": f"Bearer {created.stdout.strip()}"}
        assert not (tmp_path / "data" / "tokens.json").exists()
        assert httpx.get(f"{server.url}/api/v1/search?q=x").status_code == 401
        assert httpx.get(f"{server.url}/api/v1/search?q=x", headers=headers).status_code == 200
        assert _token(tmp_path / "data", postgres_url, "revoke", "ci").returncode == 0
        refused = httpx.get(f"{server.url}/api/v1/search?q=x", headers=headers)
        assert refused.status_code == 401
