"""A session tracked again for another catalog sends there from then on (a stale tracker kept
the first catalog's address, so its events waited for a server that had gone), and flushing
Spark waits for Spark's events only (not another integration's queue for a catalog that is
down)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pyspark")

from provgraph.integrations import spark as pg_spark
from provgraph.integrations.emitter import emitter
from provgraph.integrations.spark.tracker import untrack
from tests.support.ports import free_port
from tests.support.server import RunningServer, serving


@pytest.fixture
def second(tmp_path: Path) -> Iterator[RunningServer]:
    with serving(tmp_path / "second") as running:
        yield running


def test_tracking_again_for_another_catalog_re_points_the_session(
    spark: Any, lake: dict[str, str], server: RunningServer, second: RunningServer, tmp_path: Path
) -> None:
    first = pg_spark.track(spark, url=server.url)
    try:
        again = pg_spark.track(spark, url=second.url)
        assert again is not first
        assert again.emitter.url == second.url
        assert pg_spark.track(spark, url=second.url) is again, "same catalog: same tracker"
        # another integration's events wait for a catalog that is down: not Spark's concern
        down = emitter(f"http://127.0.0.1:{free_port()}", None)
        down.outbox.put({"eventType": "START"})
        assert not down.flush(1), "the other queue waits for its catalog"
        spark.read.parquet(lake["users"]).write.parquet(str(tmp_path / "copy"))
        assert pg_spark.flush(60)
    finally:
        untrack(spark)
