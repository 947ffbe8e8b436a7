"""Versionless names: a column named without a version, and the newest version of a container.

`urn:provgraph:column:<ns>:<name>#<field>` names the *field* of a dataset. Classifications set
on a column belong to its field (a node with that versionless URN), so they hold for every
version of the dataset. Where a column is asked about (lineage, impact, paths, explanations),
a versionless URN means the field in the dataset's newest version at the moment asked.
"""

from __future__ import annotations

from provgraph.catalog.model.errors import NodeNotFoundError
from provgraph.catalog.model.kinds import EdgeKind
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


def resolve(index: LineageIndex, urn: str, at: int | None = None) -> str:
    """`urn` itself, or for a versionless column the column of the newest dataset version."""
    parsed = Urn.parse(urn)
    if not parsed.is_field:
        return urn
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
