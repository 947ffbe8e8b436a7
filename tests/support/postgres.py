"""A throwaway PostgreSQL cluster on 127.0.0.1, for the tests and the benchmarks.

Uses Debian's PostgreSQL (`./dev setup` installs it with `apt-get install -y postgresql`); as
root, the server runs as the `postgres` user. Bound to loopback only, with trust authentication
for its one superuser (it is reachable from this machine only, and removed on exit). A missing
PostgreSQL is an error, never a skipped test.
"""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.support.ports import free_port

USER = "provgraph"


class PostgresMissingError(RuntimeError):
    pass


def _bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if found:
        return found[-1]
    path = shutil.which(name)
    if path is None:
        raise PostgresMissingError(
            f"{name} not found: install PostgreSQL with `apt-get install -y postgresql` "
            "(`./dev setup` does)"
        )
    return path


@dataclass(frozen=True, slots=True)
class PostgresServer:
    port: int
    root: Path
    _names: Iterator[int]

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{USER}@127.0.0.1:{self.port}/{database}"

    @property
    def dsn(self) -> str:
        """The libpq keyword form of the `postgres` database's URL."""
        return f"host=127.0.0.1 port={self.port} user={USER} dbname=postgres"

    def create_database(self) -> str:
        """A new, empty database; returns its URL."""
        import psycopg

        name = f"test_{os.getpid()}_{next(self._names)}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')  # a name of our own making, not input
        return self.url(name)

    def drop_database(self, url: str) -> None:
        import psycopg

        name = url.rsplit("/", 1)[1]
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def pg_ctl(self, *args: str) -> None:
        subprocess.run(
            [*_as_postgres(), _bin("pg_ctl"), "-D", str(self.root / "data"), *args],
            check=True,
            capture_output=True,
        )


def _as_postgres() -> list[str]:
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


@contextmanager
def postgres_server(
    port: int | None = None, *, shared_buffers: str = "128MB"
) -> Iterator[PostgresServer]:
    """Start a fresh cluster; stop and delete it afterwards."""
    root = Path(tempfile.mkdtemp(prefix="provgraph-pg-"))
    data = root / "data"
    if _as_postgres():
        shutil.chown(root, "postgres")
    subprocess.run(
        [*_as_postgres(), _bin("initdb"), "-D", str(data), "-A", "trust", "-U", USER],
        check=True,
        capture_output=True,
    )
    server = PostgresServer(port or free_port(), root, itertools.count(1))
    options = (
        f"-c listen_addresses=127.0.0.1 -c port={server.port} -k {root} "
        f"-c fsync=off -c shared_buffers={shared_buffers} -c max_connections=200"
    )
    server.pg_ctl("-o", options, "-l", str(root / "log"), "-w", "start")
    try:
        yield server
    finally:
        subprocess.run(
            [*_as_postgres(), _bin("pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            capture_output=True,
        )
        shutil.rmtree(root, ignore_errors=True)
