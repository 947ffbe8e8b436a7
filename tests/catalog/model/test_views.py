"""Typed node views: every node the catalog stores reads back as its kind's view, losslessly."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path

import pytest

from provgraph.catalog.model import views
from provgraph.catalog.model.events import AliasSpec, DatasetRegistered
from provgraph.catalog.model.graph import NodeRecord
from provgraph.catalog.model.kinds import NodeKind
from provgraph.catalog.service.catalog import Catalog
from provgraph.catalog.service.demo import load_demo
from provgraph.catalog.service.writer import Submission
from provgraph.catalog.settings import Settings


def test_every_kind_has_one_view() -> None:
    assert set(views.VIEWS) == set(NodeKind)
    assert all(view.KIND is kind for kind, view in views.VIEWS.items())


def test_every_stored_node_round_trips_through_its_view(tmp_path: Path) -> None:
    with Catalog(Settings(data=tmp_path / "d")) as catalog:
        load_demo(catalog)
        aliased = DatasetRegistered(  # the demo has no symlinks
            event_time=datetime(2026, 1, 1, tzinfo=UTC),
            namespace="hdfs://nn",
            name="/warehouse/t",
            aliases=[AliasSpec(namespace="hive://ms", name="db.t", type="TABLE")],
        )
        catalog.submit([Submission(aliased)], actor="test")
        nodes = list(catalog.store.iter_nodes())
    assert {n.kind for n in nodes} >= set(NodeKind) - {
        NodeKind.POLICY_DECISION,
        NodeKind.VALIDATION_RESULT,
    }
    for node in nodes:
        view = views.view_of(node)
        assert view.to_props() == node.props, node.urn


def test_absent_properties_take_the_views_defaults() -> None:
    record = NodeRecord(
        "urn:provgraph:feature:g:f", NodeKind.FEATURE, 1, {"group": "g", "name": "f"}
    )
    feature = views.Feature.of(record)
    assert (feature.status, feature.description, feature.dtype) == ("draft", None, None)
    column = views.Column.from_props({"name": "id", "type": None})
    assert column.type == "unknown"


def test_a_node_is_read_only_through_its_own_kinds_view() -> None:
    record = NodeRecord("urn:provgraph:owner:ann", NodeKind.OWNER, 1, {"id": "ann"})
    assert views.Owner.of(record).id == "ann"
    with pytest.raises(TypeError, match="is a owner, not a dataset"):
        views.Dataset.of(record)


def test_views_are_immutable() -> None:
    owner = views.Owner(id="ann")
    with pytest.raises(dataclasses.FrozenInstanceError):
        owner.id = "bob"  # type: ignore[misc]
