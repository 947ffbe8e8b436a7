"""Run the real `provgraph serve` in a subprocess on a free loopback port."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.support.ports import free_port


@dataclass
class RunningServer:
    url: str
    process: subprocess.Popen[bytes]


def start(
    data: Path,
    *extra: str,
    env: dict[str, str] | None = None,
    anonymous: str | None = "admin",
    port: int | None = None,
) -> RunningServer:
    """Anonymous callers get `anonymous`'s role unless it is None (then every call needs a token).
    `port` restarts a stopped server where its clients expect it (default: a free one)."""
    port = port or free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "provgraph.server.cli",
            "serve",
            "--data",
            str(data),
            "--port",
            str(port),
            *extra,
            *(["--allow-anonymous", anonymous] if anonymous else []),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, **(env or {})},
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                return RunningServer(url, process)
        except httpx.TransportError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"provgraph serve did not become ready (exit {process.poll()})")
        time.sleep(0.1)


def stop(server: RunningServer) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


@contextmanager
def serving(
    data: Path, *extra: str, env: dict[str, str] | None = None, anonymous: str | None = "admin"
) -> Iterator[RunningServer]:
    server = start(data, *extra, env=env, anonymous=anonymous)
    try:
        yield server
    finally:
        stop(server)
