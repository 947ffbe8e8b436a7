"""OpenLineage dataset names for what Spark reads and writes.

Files are named by their location (`file` + `/abs/path`, `s3://bucket` + `key`,
`hdfs://namenode:8020` + `/path`); tables of a Spark catalog by `spark_catalog` (or the
catalog's name) + `database.table`, so a table written with `saveAsTable` and read with
`spark.table` is the same dataset.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from provgraph.integrations.spark.lineage import DatasetId

_SCHEME_ALIASES = {"s3a": "s3", "s3n": "s3", "gcs": "gs"}


def path_dataset(location: str) -> DatasetId:
    """A file or directory location as Spark prints it (`file:/tmp/x`, `s3a://b/k`)."""
    parts = urlsplit(location)
    scheme = _SCHEME_ALIASES.get(parts.scheme, parts.scheme) or "file"
    if scheme == "file":
        return DatasetId("file", parts.path or location)
    if scheme in ("s3", "gs", "wasbs", "abfss"):
        return DatasetId(f"{scheme}://{parts.netloc}", parts.path.lstrip("/") or "/")
    return DatasetId(f"{scheme}://{parts.netloc}", parts.path or "/")


def table_dataset(table: str, database: str | None, catalog: str | None) -> DatasetId:
    return DatasetId(catalog or "spark_catalog", f"{database or 'default'}.{table}")
