"""Choose and open the configured graph store."""

from __future__ import annotations

from pathlib import Path

from provgraph.catalog.model.errors import StoreUnavailableError
from provgraph.catalog.settings import Settings
from provgraph.catalog.store.port import CatalogStore

_BOLT_SCHEMES = ("neo4j://", "neo4j+s://", "neo4j+ssc://", "bolt://", "bolt+s://", "bolt+ssc://")


def open_store(settings: Settings, *, graph_path: Path) -> CatalogStore:
    if settings.store in ("", "ladybug"):
        from provgraph.catalog.store.ladybug.adapter import LadybugStore

        return LadybugStore(graph_path, buffer_pool_mb=settings.buffer_pool_mb)
    if settings.store.startswith(_BOLT_SCHEMES):
        try:
            from provgraph.catalog.store.neo4j.adapter import Neo4jStore
        except ImportError as exc:
            raise StoreUnavailableError(
                "PROVGRAPH_STORE names a Neo4j URI but the neo4j driver is not installed; "
                "install provgraph[neo4j]"
            ) from exc
        return Neo4jStore(
            settings.store,
            user=settings.neo4j_user,
            password=settings.neo4j_password,
            database=settings.neo4j_database,
        )
    raise StoreUnavailableError(
        f"unknown store {settings.store!r}: use 'ladybug' or a neo4j:// or bolt:// URI"
    )
