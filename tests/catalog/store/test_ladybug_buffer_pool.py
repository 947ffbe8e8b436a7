"""LadybugDB's buffer pool is sized by a setting, not left to take ~80% of the machine; a batch
too big for it is refused with a typed error naming the setting, and nothing of it is applied."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from provgraph.catalog.model.errors import StoreUnavailableError
from provgraph.catalog.model.graph import GraphChange, NodeRecord
from provgraph.catalog.model.kinds import NodeKind
from provgraph.catalog.settings import DEFAULT_BUFFER_POOL_MB, Settings
from provgraph.catalog.store.factory import open_store
from provgraph.catalog.store.ladybug import adapter
from provgraph.catalog.store.ladybug.adapter import LadybugStore

MIB = 1024 * 1024


def test_the_buffer_pool_is_a_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings().buffer_pool_mb == DEFAULT_BUFFER_POOL_MB
    monkeypatch.setenv("PROVGRAPH_BUFFER_POOL_MB", "96")
    settings = Settings(data=tmp_path)
    store = open_store(settings, graph_path=tmp_path / "graph.lbug")
    try:
        assert isinstance(store, LadybugStore)
        assert store.buffer_pool_bytes == 96 * MIB
    finally:
        store.close()


def test_the_default_pool_is_explicit_not_the_engines(tmp_path: Path) -> None:
    store = LadybugStore(tmp_path / "graph.lbug")
    try:
        assert store.buffer_pool_bytes == DEFAULT_BUFFER_POOL_MB * MIB
    finally:
        store.close()


@pytest.mark.parametrize("value", ["0", "12", "-5", "lots"])
def test_a_bad_pool_size_is_refused(value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROVGRAPH_BUFFER_POOL_MB", value)
    with pytest.raises(ValidationError, match="buffer_pool_mb"):
        Settings()


@pytest.mark.slow
def test_a_batch_bigger_than_the_pool_is_refused_whole(tmp_path: Path) -> None:
    store = LadybugStore(tmp_path / "graph.lbug", buffer_pool_mb=64)
    try:
        store.initialize()
        small = GraphChange(nodes=[NodeRecord("urn:provgraph:owner:a", NodeKind.OWNER, 0)])
        store.apply(small, applied_seq=1)
        padding = {"description": "x" * 400}
        huge = GraphChange(
            nodes=[
                NodeRecord(f"urn:provgraph:owner:o{n}", NodeKind.OWNER, 0, padding)
                for n in range(300_000)
            ]
        )
        with pytest.raises(StoreUnavailableError, match=r"buffer pool \(64 MiB\).*BUFFER_POOL_MB"):
            store.apply(huge, applied_seq=2)
        assert store.applied_seq() == 1 and store.counts() == (1, 0)
        store.apply(GraphChange(nodes=huge.nodes[:1000]), applied_seq=2)
        assert store.applied_seq() == 2 and store.counts() == (1001, 0)
    finally:
        store.close()


@pytest.mark.slow
@pytest.mark.parametrize("every", [100, adapter.CHECKPOINT_EVERY], ids=["periodic", "when-full"])
def test_many_small_writes_fit_in_a_small_pool(
    every: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Committed writes keep page versions in the pool until a checkpoint (~27 KiB per write
    transaction, however small); LadybugDB's own trigger, 16 MiB of WAL, comes after tens of
    thousands of them, and a 16 MiB pool was full after ~400. The store checkpoints every
    CHECKPOINT_EVERY writes, and when the pool is full, before trying the write once more."""
    monkeypatch.setattr(adapter, "CHECKPOINT_EVERY", every)
    store = LadybugStore(tmp_path / "graph.lbug", buffer_pool_mb=16)
    try:
        store.initialize()
        owners = [NodeRecord(f"urn:provgraph:owner:o{n}", NodeKind.OWNER, 0) for n in range(100)]
        store.apply(GraphChange(nodes=owners), applied_seq=1)
        for seq in range(2, 1_002):
            owner = owners[seq % 100]
            updated = NodeRecord(owner.urn, owner.kind, 0, {"description": f"revision {seq}"})
            store.apply(GraphChange(updated=[updated]), applied_seq=seq)
        assert store.applied_seq() == 1_001
        node = store.get_nodes([owners[1].urn])[owners[1].urn]
        assert node.props == {"description": "revision 1001"}
    finally:
        store.close()
