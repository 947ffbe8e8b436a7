"""`provgraph serve` checks what can fail before the slow work, reports each failure as one
`provgraph: error:` line with a documented exit code, and says what it serves once up."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.support.demo import DEMO_EVENTS
from tests.support.ports import free_port
from tests.support.server import serving


def _serve(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PROVGRAPH_")}
    return subprocess.run(
        [sys.executable, "-m", "provgraph.server.cli", "serve", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )


def _one_error_line(done: subprocess.CompletedProcess[str]) -> str:
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("provgraph: error: "), done.stderr
    return lines[0]


def test_a_held_directory_is_one_line_and_exit_5(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with serving(data):
        done = _serve("--data", str(data), "--port", str(free_port()))
    assert done.returncode == 5
    assert "in use by another provgraph process" in _one_error_line(done)


def test_a_busy_port_fails_before_the_catalog_is_opened(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        done = _serve("--data", str(tmp_path / "data"), "--port", str(port))
    assert done.returncode == 5
    assert f"port {port} on 127.0.0.1 is in use" in _one_error_line(done)
    assert not (tmp_path / "data").exists()  # nothing was opened, let alone loaded


def test_a_truncated_graph_names_the_cure(tmp_path: Path) -> None:
    data = tmp_path / "data"
    loaded = subprocess.run(
        [sys.executable, "-m", "provgraph.server.cli", "demo", "--data", str(data)],
        capture_output=True,
        timeout=120,
    )
    assert loaded.returncode == 0
    graph = data / "graph.lbug"
    os.truncate(graph, graph.stat().st_size // 2)
    done = _serve("--data", str(data), "--port", str(free_port()))
    line = _one_error_line(done)
    assert done.returncode == 5 and "damaged" in line and "provgraph rebuild" in line


def _served(tmp_path: Path, *args: str) -> tuple[str, str, str]:
    """Start `provgraph serve --data tmp_path/data ARGS`, wait until ready, stop it: its
    stdout, stderr and URL."""
    port = free_port()
    out = (tmp_path / "out").open("w+")
    err = (tmp_path / "err").open("w+")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PROVGRAPH_")}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "provgraph.server.cli",
            "serve",
            "--data",
            str(tmp_path / "data"),
            "--port",
            str(port),
            *args,
        ],
        stdout=out,
        stderr=err,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert process.poll() is None and time.monotonic() < deadline
            time.sleep(0.1)
    finally:
        process.terminate()
        process.wait(timeout=20)
        out.close()
        err.close()
    return (tmp_path / "out").read_text(), (tmp_path / "err").read_text(), url


def test_on_success_it_says_what_it_serves(tmp_path: Path) -> None:
    printed, warned, url = _served(tmp_path, "--demo", "--allow-anonymous", "steward")
    assert f"provgraph serving {(tmp_path / 'data').resolve()}" in printed
    assert (
        "store     ladybug:" in printed
        and f"demo      loaded ({DEMO_EVENTS} new events)" in printed
    )
    for line in (f"portal    {url}/", f"GraphiQL  {url}/graphql", f"API docs  {url}/docs"):
        assert line in printed, printed
    assert "provgraph: warning: callers without a token act as steward" in warned
    assert "no API tokens" not in warned, "anonymous callers get in: no 401 to explain"
    assert not (tmp_path / "data" / "server.json").exists()  # withdrawn on shutdown


def test_a_catalog_without_tokens_says_why_everything_answers_401(tmp_path: Path) -> None:
    """Issue 17.17: a restored catalog with no tokens (a fresh one too) warns at start-up."""
    _, warned, _ = _served(tmp_path)
    data = tmp_path / "data"
    assert "provgraph: warning: no API tokens" in warned, warned
    assert "answers 401" in warned
    assert f"provgraph token create NAME --data {data.resolve()}" in warned
    made = subprocess.run(
        [
            sys.executable,
            "-m",
            "provgraph.server.cli",
            "token",
            "create",
            "ops",
            "--data",
            str(data),
            "--role",
            "admin",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert made.returncode == 0, made.stderr
    _, warned, _ = _served(tmp_path)
    assert "no API tokens" not in warned
