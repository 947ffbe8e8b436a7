"""A throwaway PostgreSQL server on 127.0.0.1 for side-by-side measurements.

Uses Debian's PostgreSQL (`apt-get install -y postgresql`); as root, the server runs as the
`postgres` user. Bound to loopback only, removed on exit.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def _bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if found:
        return found[-1]
    path = shutil.which(name)
    if path is None:
        raise RuntimeError(
            f"{name} not found: install PostgreSQL with `apt-get install -y postgresql`"
        )
    return path


@contextmanager
def postgres_server(port: int) -> Iterator[str]:
    """Yield a libpq connection string for a fresh server; stop and delete it afterwards."""
    root = Path(tempfile.mkdtemp(prefix="provgraph-bench-pg-"))
    data = root / "data"
    as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if as_postgres:
        shutil.chown(root, "postgres")
    subprocess.run(
        [*as_postgres, _bin("initdb"), "-D", str(data), "-A", "trust", "-U", "bench"],
        check=True,
        capture_output=True,
    )
    options = (
        f"-c listen_addresses=127.0.0.1 -c port={port} -k {root} "
        "-c fsync=off -c shared_buffers=512MB"
    )
    subprocess.run(
        [
            *as_postgres,
            _bin("pg_ctl"),
            "-D",
            str(data),
            "-o",
            options,
            "-l",
            str(root / "log"),
            "-w",
            "start",
        ],
        check=True,
        capture_output=True,
    )
    try:
        time.sleep(0.2)
        yield f"host=127.0.0.1 port={port} user=bench dbname=postgres"
    finally:
        subprocess.run(
            [*as_postgres, _bin("pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            capture_output=True,
        )
        shutil.rmtree(root, ignore_errors=True)
