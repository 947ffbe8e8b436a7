"""Shared fixtures: catalogs on a temporary data directory, and the graph store backends."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from provgraph.catalog.service.catalog import Catalog
from provgraph.catalog.settings import Settings
from provgraph.catalog.store.port import CatalogStore
from tests.support.arcadedb import BoltServer, arcadedb_bolt
from tests.support.postgres import PostgresServer, postgres_server

STORE_BACKENDS = ["ladybug", "neo4j-arcadedb"] + (
    ["neo4j-server"] if os.environ.get("NEO4J_URI") else []
)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data=tmp_path / "data")


@pytest.fixture
def catalog(settings: Settings) -> Iterator[Catalog]:
    with Catalog(settings) as opened:
        yield opened


@pytest.fixture(scope="session")
def arcadedb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BoltServer]:
    with arcadedb_bolt(tmp_path_factory.mktemp("arcadedb")) as server:
        yield server


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """One PostgreSQL cluster for the whole test session (on 127.0.0.1)."""
    with postgres_server() as server:
        yield server


@pytest.fixture
def postgres_url(postgres: PostgresServer) -> Iterator[str]:
    """A fresh, empty database of the session's cluster, dropped afterwards."""
    url = postgres.create_database()
    yield url
    postgres.drop_database(url)


def _bolt_store(server: BoltServer) -> CatalogStore:
    from provgraph.catalog.store.neo4j.adapter import Neo4jStore

    store = Neo4jStore(
        server.uri, user=server.user, password=server.password, database=server.database
    )
    store.initialize()
    store.clear()
    return store


@pytest.fixture(params=STORE_BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[CatalogStore]:
    """A clean, initialized store of each backend; the contract suite runs once per backend."""
    backend: str = request.param
    opened: CatalogStore
    if backend == "ladybug":
        from provgraph.catalog.store.ladybug.adapter import LadybugStore

        opened = LadybugStore(tmp_path / "graph.lbug")
        opened.initialize()
    elif backend == "neo4j-arcadedb":
        opened = _bolt_store(request.getfixturevalue("arcadedb"))
    else:
        opened = _bolt_store(
            BoltServer(
                os.environ["NEO4J_URI"],
                os.environ.get("NEO4J_USER", "neo4j"),
                os.environ.get("NEO4J_PASSWORD", ""),
                os.environ.get("NEO4J_DATABASE", "neo4j"),
            )
        )
    yield opened
    opened.close()
