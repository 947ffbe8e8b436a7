"""The one rule for the newest version: later first, then the greater URN; everyone agrees."""

from __future__ import annotations

from pathlib import Path

from provgraph.catalog.model.events import (
    ColumnRef,
    FeatureDefined,
    FeatureRef,
    ModelVersionRegistered,
    TrainingSetCreated,
)
from provgraph.catalog.model.graph import EdgeRecord
from provgraph.catalog.model.kinds import EdgeKind, NodeKind
from provgraph.catalog.service.catalog import Catalog
from provgraph.catalog.service.versions import newest_version, oldest_first
from provgraph.catalog.settings import Settings
from tests.support.events import at, dataset, subs


def _has(version: str, when: int) -> EdgeRecord:
    return EdgeRecord(EdgeKind.HAS_VERSION, "urn:provgraph:model:m", version, when)


def test_later_wins_and_a_tie_goes_to_the_greater_urn_whatever_the_order() -> None:
    a, b, c = (f"urn:provgraph:model:m@{v}" for v in ("a", "b", "c"))
    edges = [_has(c, 1), _has(b, 2), _has(a, 2)]
    assert newest_version(edges) == b
    assert newest_version(reversed(edges)) == b
    assert [e.dst for e in oldest_first(edges)] == [c, a, b]
    assert newest_version([]) is None


def _training_set(day: int, window: str) -> TrainingSetCreated:
    return TrainingSetCreated(
        event_time=at(day),
        name="fraud",
        features=[FeatureRef(group="risk", name="tenure")],
        manifest={"window": window},
    )


def test_a_training_set_named_by_name_is_its_newest_version_in_a_batch_too(
    tmp_path: Path,
) -> None:
    with Catalog(Settings(data=tmp_path / "d")) as catalog:
        feature = FeatureDefined(
            event_time=at(2),
            group="risk",
            name="tenure",
            transformation="days_since(signup)",
            sources=[ColumnRef(namespace="db", name="riders", field="signup")],
        )
        catalog.submit(subs(dataset("riders", "signup", day=1), feature), actor="t")
        catalog.submit(subs(_training_set(5, "march")), actor="t")
        newest = catalog.newest_training_set("fraud")
        # an older training set arrives late, in the same batch as a model naming "fraud"
        model = ModelVersionRegistered(
            event_time=at(6), model="m", artifact_digest="sha256:" + "ab" * 32, training_set="fraud"
        )
        catalog.submit(subs(_training_set(3, "january"), model), actor="t")
        assert catalog.newest_training_set("fraud") == newest
        [version] = catalog.index.urns_of_kind(NodeKind.MODEL_VERSION)
        trained_on = catalog.index.edges_from(version, EdgeKind.TRAINED_ON)
        assert [e.dst for e in trained_on] == [newest]
