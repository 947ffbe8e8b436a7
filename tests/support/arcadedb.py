"""Start and stop the ArcadeDB Bolt peer used to test the Neo4j adapter for real."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import neo4j

from tests.support.ports import free_port

PASSWORD = "provgraph-test-pw"
DATABASE = "provgraph"
REPO = str(Path(__file__).resolve().parents[2])
PYTHONPATH = os.environ.get("PYTHONPATH", "")


@dataclass(frozen=True)
class BoltServer:
    uri: str
    user: str
    password: str
    database: str


@contextmanager
def arcadedb_bolt(root: Path) -> Iterator[BoltServer]:
    http_port, bolt_port = free_port(), free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.support.arcadedb_server",
            str(root),
            str(http_port),
            str(bolt_port),
            PASSWORD,
            DATABASE,
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        # ArcadeDB writes log/ into its working directory: keep it in the temporary root
        cwd=root,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, (REPO, PYTHONPATH)))},
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if line.strip() != "ready":
            raise RuntimeError(f"ArcadeDB did not start (exit {process.poll()}): {line!r}")
        server = BoltServer(f"bolt://127.0.0.1:{bolt_port}", "root", PASSWORD, DATABASE)
        _wait_for_bolt(server)
        yield server
    finally:
        if process.stdin is not None:
            process.stdin.close()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_for_bolt(server: BoltServer, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with neo4j.GraphDatabase.driver(server.uri, auth=(server.user, server.password)) as d:
                d.verify_connectivity()
                return
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
