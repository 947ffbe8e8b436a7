"""A job that never imports provgraph is tracked when its session's conf names the catalog."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

pytest.importorskip("pyspark")

from tests.support.server import RunningServer

JOB = """
from pyspark.sql import SparkSession
spark = (SparkSession.builder.master("local[1]").appName("untouched")
         .config("spark.ui.enabled", "false").config("spark.provgraph.url", {url!r})
         .getOrCreate())
spark.createDataFrame([(1, "a")], "id long, s string").write.parquet({raw!r})
spark.read.parquet({raw!r}).selectExpr("upper(s) AS s").write.parquet({out!r})
spark.stop()
"""


def test_the_conf_key_tracks_an_unchanged_job(server: RunningServer, tmp_path: Path) -> None:
    out = str(tmp_path / "out")
    script = tmp_path / "job.py"
    script.write_text(JOB.format(url=server.url, raw=str(tmp_path / "raw"), out=out))
    done = subprocess.run(
        [sys.executable, "-m", "provgraph.integrations.spark", str(script)],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
        env={**os.environ, "PYSPARK_PYTHON": sys.executable},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    query = (
        '{ dataset(namespace: "file", name: "%s") { latestVersion { columns { name upstream { name } } } } }'
        % out
    )
    answer = httpx.post(f"{server.url}/graphql", json={"query": query}, timeout=30).json()
    columns = answer["data"]["dataset"]["latestVersion"]["columns"]
    assert columns == [{"name": "s", "upstream": [{"name": "s"}]}]
