"""`provgraph rebuild` replays the event log into an empty store and yields the same graph."""

from __future__ import annotations

from pathlib import Path

from provgraph.catalog.service.catalog import Catalog, rebuild
from provgraph.catalog.service.demo import load_demo
from provgraph.catalog.settings import Settings
from tests.support.demo import DEMO_COUNTS, DEMO_EVENTS
from tests.support.dump import dump


def test_rebuild_yields_the_same_graph(tmp_path: Path) -> None:
    settings = Settings(data=tmp_path / "data")
    with Catalog(settings) as catalog:
        load_demo(catalog)
        before = dump(catalog.store)
    assert rebuild(settings) == DEMO_EVENTS
    with Catalog(settings) as rebuilt:
        assert rebuilt.recovered == 0
        assert dump(rebuilt.store) == before
        assert rebuilt.index.counts() == DEMO_COUNTS


def test_rebuild_into_neo4j_matches_the_embedded_graph(tmp_path: Path, arcadedb: object) -> None:
    from tests.support.arcadedb import BoltServer

    assert isinstance(arcadedb, BoltServer)
    embedded = Settings(data=tmp_path / "data")
    with Catalog(embedded) as catalog:
        load_demo(catalog)
        expected = dump(catalog.store)
    bolt = embedded.model_copy(
        update={
            "store": arcadedb.uri,
            "neo4j_user": arcadedb.user,
            "neo4j_password": arcadedb.password,
            "neo4j_database": arcadedb.database,
        }
    )
    assert rebuild(bolt) == DEMO_EVENTS
    with Catalog(bolt) as moved:
        assert dump(moved.store) == expected
