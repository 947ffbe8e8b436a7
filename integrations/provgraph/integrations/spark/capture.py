"""What the listener takes from a finished Spark action, over py4j, while the JVM objects live.

Only plain Python data leaves this module: the analyzed plan's JSON, the dataset each leaf of
the plan reads, and the write's target. Lineage is computed later, off the listener's thread.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from provgraph.integrations.spark.lineage import DatasetId
from provgraph.integrations.spark.naming import path_dataset, table_dataset

JavaObject = Any
"""A py4j handle on a JVM object."""


@dataclass(frozen=True)
class Write:
    """One write action: its query plan and where it wrote."""

    action: str
    """Spark's name for the action (`command`, `save`, ...) and the command's class."""
    command: str
    target: DatasetId
    plan_json: str
    leaves: list[DatasetId | None]
    schema: list[tuple[str, str]]
    file_format: str | None = None
    mode: str | None = None
    leaf_formats: dict[DatasetId, str] = field(default_factory=dict)
    subquery_leaves: dict[int, DatasetId] = field(default_factory=dict)
    output_names: list[str] | None = None
    """The target's column names, by position, where the command writes the query's columns
    under other names (a Hive INSERT: `SELECT upper(email)` into column `email`)."""
    """Datasets read by the leaves of subqueries (which are not among the plan's leaves), by
    the exprId of the leaf's first output attribute."""


def _simple(obj: JavaObject) -> str:
    return str(obj.getClass().getSimpleName()).rstrip("$")


def _table(identifier: JavaObject) -> DatasetId:
    database = identifier.database()
    catalog = identifier.catalog()
    return table_dataset(
        str(identifier.table()),
        str(database.get()) if database.isDefined() else None,
        str(catalog.get()) if catalog.isDefined() else None,
    )


def leaf_dataset(leaf: JavaObject) -> tuple[DatasetId | None, str | None]:
    """The dataset a plan leaf reads and its format, or (None, None) for in-memory data."""
    kind = _simple(leaf)
    if kind == "LogicalRelation":
        relation = leaf.relation()
        file_format = None
        if _simple(relation) == "HadoopFsRelation":
            file_format = str(relation.fileFormat().toString())
        table = leaf.catalogTable()
        if table.isDefined():
            return _table(table.get().identifier()), file_format
        if file_format is not None:
            paths = relation.location().rootPaths()
            if paths.size() >= 1:
                return path_dataset(str(paths.apply(0).toString())), file_format
        return None, None
    if kind == "HiveTableRelation":
        return _table(leaf.tableMeta().identifier()), None
    if kind == "DataSourceV2Relation":
        catalog = leaf.catalog()
        name = str(leaf.table().name())
        database, _, table = name.rpartition(".")
        return (
            table_dataset(table, database or None, str(catalog.get().name()))
            if catalog.isDefined()
            else table_dataset(table, database or None, None)
        ), None
    return None, None


def capture_write(function: str, execution: JavaObject) -> Write | None:
    """The write a finished action did, or None when it wrote nothing we name."""
    root = execution.analyzed()
    command = _simple(root)
    query: JavaObject
    file_format: str | None
    output_names: list[str] | None = None
    if command == "InsertIntoHadoopFsRelationCommand":
        table = root.catalogTable()
        if table.isDefined():
            target = _table(table.get().identifier())
        elif function == "file source write":
            return None  # the inner write of a CTAS / saveAsTable, reported by the command
        else:
            target = path_dataset(str(root.outputPath().toString()))
        query = root.query()
        file_format = str(root.fileFormat().toString())
        mode = str(root.mode().toString())
    elif command == "CreateDataSourceTableAsSelectCommand":
        target = _table(root.table().identifier())
        query = root.query()
        file_format = str(root.table().provider().getOrElse(None) or "") or None
        mode = str(root.mode().toString())
    elif command == "CreateHiveTableAsSelectCommand":
        target = _table(root.tableDesc().identifier())
        query = root.query()
        file_format = "hive"
        mode = str(root.mode().toString())
    elif command == "InsertIntoHiveTable":
        target = _table(root.table().identifier())
        query = root.query()
        file_format = "hive"
        mode = "Overwrite" if root.overwrite() else "Append"
        names = root.outputColumnNames()
        output_names = [str(names.apply(i)) for i in range(names.size())]
    elif command in ("AppendData", "OverwriteByExpression", "OverwritePartitionsDynamic"):
        leaf, file_format = leaf_dataset(root.table())
        if leaf is None:
            return None
        target, query, mode = leaf, root.query(), command
    else:
        return None
    plan_json, datasets, formats, schema, subquery_leaves = query_parts(query)
    if output_names is not None and len(output_names) == len(schema):
        schema = [(name, kind) for name, (_, kind) in zip(output_names, schema, strict=True)]
    else:
        output_names = None
    return Write(
        action=function,
        command=command,
        target=target,
        plan_json=plan_json,
        leaves=datasets,
        schema=schema,
        file_format=file_format,
        mode=mode,
        leaf_formats=formats,
        subquery_leaves=subquery_leaves,
        output_names=output_names,
    )


def query_parts(
    query: JavaObject,
) -> tuple[
    str, list[DatasetId | None], dict[DatasetId, str], list[tuple[str, str]], dict[int, DatasetId]
]:
    """A query plan's JSON, the dataset of each leaf, their formats, the output schema, and the
    datasets its subqueries' leaves read (by their first output attribute's exprId)."""
    leaves = query.collectLeaves()
    datasets: list[DatasetId | None] = []
    formats: dict[DatasetId, str] = {}
    for position in range(leaves.size()):
        dataset, leaf_format = leaf_dataset(leaves.apply(position))
        datasets.append(dataset)
        if dataset is not None and leaf_format:
            formats[dataset] = leaf_format
    schema = [(str(f.name()), str(f.dataType().typeName())) for f in _fields(query.schema())]
    return str(query.toJSON()), datasets, formats, schema, _subquery_leaves(query, formats)


def _subquery_leaves(query: JavaObject, formats: dict[DatasetId, str]) -> dict[int, DatasetId]:
    found: dict[int, DatasetId] = {}
    subqueries = query.subqueriesAll()
    for position in range(subqueries.size()):
        leaves = subqueries.apply(position).collectLeaves()
        for index in range(leaves.size()):
            leaf = leaves.apply(index)
            dataset, leaf_format = leaf_dataset(leaf)
            output = leaf.output()
            if dataset is None or output.isEmpty():
                continue
            found[int(output.head().exprId().id())] = dataset
            if leaf_format:
                formats.setdefault(dataset, leaf_format)
    return found


def _fields(struct: JavaObject) -> list[JavaObject]:
    fields = struct.fields()
    return [fields[i] for i in range(len(fields))]
