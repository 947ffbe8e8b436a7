"""Tracking without code changes: sessions whose conf names a catalog are tracked at start.

`install()` wraps `SparkSession.Builder.getOrCreate`: a session created with
`spark.provgraph.url` (or `spark.provgraph.enabled=true`, the URL then from PROVGRAPH_URL) in
its conf — from `.config(...)`, `spark-submit --conf` or `spark-defaults.conf` — is tracked
before the job's first action. `python -m provgraph.integrations.spark job.py ARGS` installs it
and runs the job unchanged.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

from provgraph.integrations.spark.tracker import CONF_ENABLED, CONF_URL, track

log = logging.getLogger("provgraph.integrations.spark")
_MARK = "_provgraph_autotrack"


def wants_tracking(spark: Any) -> bool:
    url = spark.conf.get(CONF_URL, None)
    enabled = str(spark.conf.get(CONF_ENABLED, "false")).strip().lower() == "true"
    return bool(url) or enabled


def install() -> None:
    """Idempotent; failing to track never fails creating the session."""
    from pyspark.sql import SparkSession

    builder = SparkSession.Builder
    original = builder.getOrCreate
    if getattr(original, _MARK, False):
        return

    @functools.wraps(original)
    def get_or_create(self: Any) -> Any:
        spark = original(self)
        try:
            if wants_tracking(spark):
                track(spark)
        except Exception:
            log.exception("provgraph: could not start tracking this Spark session")
        return spark

    setattr(get_or_create, _MARK, True)
    builder.getOrCreate = get_or_create  # type: ignore[method-assign]
