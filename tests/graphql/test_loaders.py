"""Relations resolve through DataLoaders: store calls grow with query depth, not with results."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from provgraph.catalog.access import Role
from provgraph.catalog.model.graph import NodeRecord
from provgraph.catalog.service.catalog import Catalog
from provgraph.catalog.service.demo import load_demo
from provgraph.catalog.settings import Settings
from provgraph.graphql.context import GraphContext
from provgraph.graphql.schema import schema

QUERY = """
{ nodes(kind: DATASET, first: 10) { total items { urn ... on Dataset {
    name owners { id }
    versions { version columns { name classifications { tag } upstream { name } } }
} } } }
"""


def test_store_calls_do_not_grow_with_the_number_of_parents(tmp_path: Path) -> None:
    with Catalog(Settings(data=tmp_path / "d")) as catalog:
        load_demo(catalog)
        calls: list[int] = []
        original = catalog.store.get_nodes

        def counting(urns: Sequence[str]) -> dict[str, NodeRecord]:
            calls.append(len(urns))
            return original(urns)

        catalog.store.get_nodes = counting  # type: ignore[method-assign]
        result: Any = asyncio.run(
            schema.execute(QUERY, context_value=GraphContext(catalog, "test", role=Role.ADMIN))
        )
        assert result.errors is None, result.errors
        datasets = result.data["nodes"]["items"]
        columns = sum(len(v["columns"]) for d in datasets for v in d["versions"])
        assert len(datasets) == 6 and columns > 30
        # datasets, owners, versions, columns, classifications, upstream columns: one call per level
        assert len(calls) <= 6, calls


def test_a_mutation_is_logged_with_the_callers_actor(tmp_path: Path) -> None:
    with Catalog(Settings(data=tmp_path / "d")) as catalog:
        mutation = (
            'mutation { registerDataset(input: {namespace: "pg", name: "t"}) { __typename } }'
        )
        result: Any = asyncio.run(
            schema.execute(
                mutation, context_value=GraphContext(catalog, "token:alice", role=Role.PRODUCER)
            )
        )
        assert result.data == {"registerDataset": {"__typename": "MutationSuccess"}}
        assert [e.actor for e in catalog.log.read()] == ["token:alice"]
