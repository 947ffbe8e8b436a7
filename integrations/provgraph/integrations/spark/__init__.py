"""PySpark lineage and feature materialization (install extra `provgraph[spark]`).

    from provgraph.integrations import spark as pg_spark
    pg_spark.track(spark, url="http://127.0.0.1:8000", token="...")
    ...                       # every write: OpenLineage START + COMPLETE/FAIL with column lineage
    pg_spark.flush()          # wait until everything recorded reached the catalog

pyspark is imported only when a function here is called.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from provgraph.integrations.spark.features import (
        Feature,
        FeatureMaterialization,
        materialize_features,
    )
    from provgraph.integrations.spark.tracker import Tracker, track, untrack

__all__ = [
    "Feature",
    "FeatureMaterialization",
    "Tracker",
    "flush",
    "materialize_features",
    "track",
    "untrack",
]

_LAZY = {
    "track": "provgraph.integrations.spark.tracker",
    "untrack": "provgraph.integrations.spark.tracker",
    "Tracker": "provgraph.integrations.spark.tracker",
    "Feature": "provgraph.integrations.spark.features",
    "FeatureMaterialization": "provgraph.integrations.spark.features",
    "materialize_features": "provgraph.integrations.spark.features",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)


def flush(timeout: float | None = 30.0) -> bool:
    """Wait until every tracked Spark session's events reached the catalog;
    False when `timeout` ran out first (they are still queued and retried)."""
    from provgraph.integrations.spark.tracker import _lock, _trackers

    with _lock:
        trackers = list(_trackers.values())
    return all(t.flush(timeout) for t in trackers)
