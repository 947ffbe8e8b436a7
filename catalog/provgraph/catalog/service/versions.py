"""The one rule for "newest version" of a dataset, feature or model.

A version recorded later is newer; among versions recorded at the same instant the one with the
greater URN is newer. The order depends only on the versions themselves, never on the order
edges were loaded or returned in, so the lineage index, the projection, GraphQL, search, the
classification service and the policy gate always agree on which version is the newest.
"""

from __future__ import annotations

from collections.abc import Iterable

from provgraph.catalog.model.graph import EdgeRecord


def version_key(recorded_at: int, urn: str) -> tuple[int, str]:
    """Sort key of a version: when its HAS_VERSION edge opened, then its URN."""
    return (recorded_at, urn)


def edge_key(edge: EdgeRecord) -> tuple[int, str]:
    """Sort key of a HAS_VERSION edge (container -> version)."""
    return version_key(edge.valid_from, edge.dst)


def oldest_first(edges: Iterable[EdgeRecord]) -> list[EdgeRecord]:
    """HAS_VERSION edges ordered by the rule, oldest first (so the newest is the last)."""
    return sorted(edges, key=edge_key)


def newest_version(edges: Iterable[EdgeRecord]) -> str | None:
    """The URN of the newest version among HAS_VERSION edges, None when there is none."""
    newest = max(edges, key=edge_key, default=None)
    return None if newest is None else newest.dst
