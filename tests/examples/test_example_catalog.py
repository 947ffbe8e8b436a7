"""Issue 17.17: `./dev example` talks to the server the CLI finds, and deletes nothing of yours."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.support.server import serving

ROOT = Path(__file__).resolve().parents[2]


def _python(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PROVGRAPH_")}
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**clean, **(env or {})},
    )


def test_it_finds_the_server_the_cli_finds(tmp_path: Path) -> None:
    data = tmp_path / "provgraph-data"
    ask = "from examples.fraud_pipeline import catalog_url; print(catalog_url(None))"
    with serving(data) as served:
        found = _python("-c", ask, env={"PROVGRAPH_DATA": str(data)})
    assert found.stdout.strip() == served.url, found.stderr[-2000:]


def test_without_a_server_it_says_so_instead_of_guessing_a_port(tmp_path: Path) -> None:
    done = _python("-m", "examples.fraud_pipeline", "--data", str(tmp_path / "none"))
    assert done.returncode == 2, done.stderr[-2000:]
    assert "no provgraph server found" in done.stderr


def test_a_work_directory_with_files_in_it_is_refused_and_kept(tmp_path: Path) -> None:
    keep = tmp_path / "mine.txt"
    keep.write_text("not the example's")
    done = _python(
        "-m", "examples.fraud_pipeline", "--url", "http://127.0.0.1:1", "--work", str(tmp_path)
    )
    assert done.returncode == 2 and "new or empty" in done.stderr, done.stderr[-2000:]
    assert keep.read_text() == "not the example's"
