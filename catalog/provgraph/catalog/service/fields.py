"""Versionless names: a column named without a version, and the newest version of a container.

`urn:provgraph:column:<ns>:<name>#<field>` names the *field* of a dataset. Classifications set
on a column belong to its field (a node with that versionless URN), so they hold for every
version of the dataset. Where a column is asked about (lineage, impact, paths, explanations),
a versionless URN means the field in the dataset's newest version at the moment asked.

A dataset named by one of its aliases (OpenLineage symlinks, projection/aliases.py) is that
dataset: `urn:provgraph:dataset:<alias ns>:<alias name>` and its fields resolve to it.
"""

from __future__ import annotations

from typing import Protocol

from provgraph.catalog.model.errors import NodeNotFoundError
from provgraph.catalog.model.graph import EdgeRecord
from provgraph.catalog.model.kinds import EdgeKind, NodeKind
from provgraph.catalog.model.timeutil import from_micros
from provgraph.catalog.model.urn import Urn
from provgraph.catalog.service.lineage_index import LineageIndex
from provgraph.catalog.service.versions import newest_version


def newest_version_at(index: LineageIndex, container: str, at: int | None) -> str | None:
    """The newest version of a dataset, feature or model at `at` (None: now).

    The one rule of service/versions.py: later, then the greater URN.
    """
    if at is None:
        newest = index.newest_member(container)
        return None if newest is None else newest[1]
    return newest_version(index.related(container, EdgeKind.HAS_VERSION, outgoing=True, at=at))


class Graph(Protocol):
    """What naming a dataset reads: the lineage index, or a batch's pending view of it."""

    def has(self, urn: str) -> bool: ...

    def edges_from(
        self, urn: str, kind: EdgeKind, *, open_only: bool = False
    ) -> list[EdgeRecord]: ...


def dataset_named(graph: Graph, dataset: Urn) -> Urn:
    """The dataset a dataset URN names: itself, or the dataset it names by an alias; a name
    the catalog does not know is a dataset's own (one to be)."""
    if graph.has(str(dataset)):
        return dataset
    alias = str(Urn(NodeKind.DATASET_ALIAS, dataset.name, dataset.namespace))
    for edge in graph.edges_from(alias, EdgeKind.ALIAS_OF, open_only=True):
        return Urn.parse(edge.dst)
    return dataset


def resolve(index: LineageIndex, urn: str, at: int | None = None) -> str:
    """`urn` itself, or for a versionless column the column of the newest dataset version;
    a dataset (or a field of one) named by an alias, under the dataset's own name."""
    parsed = Urn.parse(urn)
    if parsed.kind is NodeKind.DATASET:
        return str(dataset_named(index, parsed))
    if not parsed.is_field:
        return urn
    named = dataset_named(index, parsed.container())
    if named != parsed.container():
        parsed = Urn(NodeKind.COLUMN, named.name, named.namespace, None, parsed.field)
        urn = str(parsed)
    assert parsed.field is not None
    dataset = str(parsed.container())
    when = "" if at is None else f" as of {from_micros(at)}"
    version = newest_version_at(index, dataset, at)
    if version is None:
        raise NodeNotFoundError(urn, f"dataset {dataset} has no recorded version{when}")
    column = str(Urn.parse(version).column(parsed.field))
    if not index.has(column):
        raise NodeNotFoundError(
            urn, f"field {parsed.field!r} is not in {version}, the newest version{when}"
        )
    return column
