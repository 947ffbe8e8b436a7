"""The write path: validation, idempotency, atomic batches, immutability, job versions."""

from __future__ import annotations

import uuid

import pytest

from provgraph.catalog.model.errors import (
    ImmutableVersionError,
    LineageCycleError,
    UnknownReferenceError,
)
from provgraph.catalog.model.events import (
    ColumnRef,
    DeploymentRecorded,
    FeatureDefined,
    JobSpec,
    LineageDeclared,
    ModelVersionRegistered,
    RunRecorded,
)
from provgraph.catalog.model.kinds import EdgeKind
from provgraph.catalog.service.catalog import Catalog
from provgraph.catalog.service.writer import EventRejectedError, Submission
from tests.support.events import at, dataset, run, subs

ACTOR = "test"


def test_identical_events_are_stored_once(catalog: Catalog) -> None:
    event = dataset("raw", "id", "email")
    first = catalog.submit(subs(event), actor=ACTOR)
    again = catalog.submit(subs(event, event), actor=ACTOR)
    assert not first[0].duplicate
    assert [r.duplicate for r in again] == [True, True]
    assert {r.seq for r in first + again} == {first[0].seq}
    assert catalog.log.last_seq() == 1


def test_a_reused_idempotency_key_with_other_content_is_rejected(catalog: Catalog) -> None:
    catalog.submit([Submission(dataset("raw", "id"), "key-1")], actor=ACTOR)
    with pytest.raises(EventRejectedError, match="already used"):
        catalog.submit([Submission(dataset("other", "id"), "key-1")], actor=ACTOR)


def test_a_batch_with_one_bad_event_stores_nothing(catalog: Catalog) -> None:
    good = dataset("raw", "id")
    bad = FeatureDefined(
        event_time=at(3),
        group="g",
        name="f",
        transformation="x",
        sources=[ColumnRef(namespace="db", name="raw", field="missing")],
    )
    with pytest.raises(EventRejectedError) as caught:
        catalog.submit(subs(good, bad), actor=ACTOR)
    assert caught.value.position == 1
    assert isinstance(caught.value.cause, UnknownReferenceError)
    assert "missing" in str(caught.value)
    assert catalog.log.last_seq() == 0
    assert catalog.store.counts() == (0, 0)
    assert catalog.index.counts() == (0, 0)


def test_unknown_parent_run_is_rejected(catalog: Catalog) -> None:
    event = RunRecorded(
        event_time=at(2),
        run_id=uuid.uuid4(),
        job=JobSpec(namespace="spark", name="j"),
        parent_run_id=uuid.uuid4(),
    )
    with pytest.raises(EventRejectedError, match="parent run"):
        catalog.submit(subs(event), actor=ACTOR)


def test_a_run_cannot_be_its_own_parent(catalog: Catalog) -> None:
    run_id = uuid.uuid4()
    event = RunRecorded(
        event_time=at(2),
        run_id=run_id,
        job=JobSpec(namespace="spark", name="j"),
        parent_run_id=run_id,
    )
    with pytest.raises(EventRejectedError) as caught:
        catalog.submit(subs(event), actor=ACTOR)
    assert isinstance(caught.value.cause, LineageCycleError)


def test_declared_lineage_may_not_close_a_cycle(catalog: Catalog) -> None:
    catalog.submit(subs(dataset("a", "x"), dataset("b", "x"), dataset("c", "x")), actor=ACTOR)
    a, b, c = (f"urn:provgraph:dataset:db:{n}" for n in "abc")
    declare = [
        LineageDeclared(event_time=at(3), downstream=b, upstream=a),
        LineageDeclared(event_time=at(3), downstream=c, upstream=b),
    ]
    catalog.submit(subs(*declare), actor=ACTOR)
    with pytest.raises(EventRejectedError) as caught:
        catalog.submit(
            subs(LineageDeclared(event_time=at(4), downstream=a, upstream=c)), actor=ACTOR
        )
    cause = caught.value.cause
    assert isinstance(cause, LineageCycleError)
    assert cause.path == [a, b, c, a]


def test_a_cycle_within_one_batch_is_rejected(catalog: Catalog) -> None:
    catalog.submit(subs(dataset("a", "x"), dataset("b", "x")), actor=ACTOR)
    a, b = "urn:provgraph:dataset:db:a", "urn:provgraph:dataset:db:b"
    with pytest.raises(EventRejectedError, match="cycle"):
        catalog.submit(
            subs(
                LineageDeclared(event_time=at(3), downstream=b, upstream=a),
                LineageDeclared(event_time=at(3), downstream=a, upstream=b),
            ),
            actor=ACTOR,
        )
    assert catalog.log.last_seq() == 2


def test_column_lineage_learns_fields_a_partial_schema_lacks(catalog: Catalog) -> None:
    catalog.submit(subs(dataset("raw", "id", "email")), actor=ACTOR)
    catalog.submit(
        subs(run("clean", ["raw"], "clean", ["id"], {"id": [("raw", "phone")]})), actor=ACTOR
    )
    [raw] = catalog.index.edges_from("urn:provgraph:dataset:db:raw", EdgeKind.HAS_VERSION)
    assert catalog.index.has(raw.dst.replace("dataset-version", "column") + "#phone")
    with pytest.raises(EventRejectedError, match="not an input of this run"):
        catalog.submit(
            subs(run("clean", [], "clean", ["id"], {"id": [("raw", "id")]})), actor=ACTOR
        )


def test_an_unregistered_input_is_recorded_with_unknown_schema(catalog: Catalog) -> None:
    catalog.submit(
        subs(
            run("clean", ["never_registered"], "out", ["id"], {"id": [("never_registered", "id")]})
        ),
        actor=ACTOR,
    )
    assert catalog.index.has("urn:provgraph:dataset:db:never_registered")


def _model(digest_char: str, **overrides: object) -> ModelVersionRegistered:
    fields: dict[str, object] = {
        "event_time": at(5),
        "model": "m",
        "artifact_digest": "sha256:" + digest_char * 64,
    }
    fields.update(overrides)
    return ModelVersionRegistered(**fields)


def test_model_versions_are_immutable_but_stage_may_change(catalog: Catalog) -> None:
    catalog.submit(subs(_model("a", metrics={"auc": 0.9})), actor=ACTOR)
    catalog.submit(
        subs(_model("a", metrics={"auc": 0.9}, stage="production", event_time=at(6))), actor=ACTOR
    )
    node = catalog.get_node("urn:provgraph:model-version:m@" + "a" * 16)
    assert node is not None and node.props["stage"] == "production"
    with pytest.raises(EventRejectedError) as caught:
        catalog.submit(subs(_model("a", metrics={"auc": 0.95})), actor=ACTOR)
    assert isinstance(caught.value.cause, ImmutableVersionError)


def test_deployment_of_unknown_model_version_is_rejected(catalog: Catalog) -> None:
    event = DeploymentRecorded(
        event_time=at(5),
        environment="prod",
        name="d",
        model_version="urn:provgraph:model-version:m@" + "b" * 16,
    )
    with pytest.raises(EventRejectedError, match="not in the catalog"):
        catalog.submit(subs(event), actor=ACTOR)


def test_redeploying_closes_the_old_serves_edge(catalog: Catalog) -> None:
    catalog.submit(subs(_model("a"), _model("b")), actor=ACTOR)
    mv_a, mv_b = ("urn:provgraph:model-version:m@" + c * 16 for c in "ab")
    deploy = [
        DeploymentRecorded(event_time=at(10), environment="prod", name="d", model_version=mv_a),
        DeploymentRecorded(event_time=at(20), environment="prod", name="d", model_version=mv_b),
    ]
    catalog.submit(subs(*deploy), actor=ACTOR)
    serves = catalog.index.edges_from("urn:provgraph:deployment:prod:d", EdgeKind.SERVES)
    assert sorted((e.dst, e.valid_to != 2**63 - 1) for e in serves) == [(mv_a, True), (mv_b, False)]
    stale = DeploymentRecorded(event_time=at(15), environment="prod", name="d", model_version=mv_a)
    with pytest.raises(EventRejectedError, match="older than"):
        catalog.submit(subs(stale), actor=ACTOR)


def test_a_new_job_version_closes_the_job_edges_it_dropped(catalog: Catalog) -> None:
    catalog.submit(subs(dataset("a", "x"), dataset("b", "x")), actor=ACTOR)
    catalog.submit(subs(run("j", ["a"], "out", ["x"], day=2, version="v1")), actor=ACTOR)
    catalog.submit(subs(run("j", ["b"], "out", ["x"], day=3, version="v2")), actor=ACTOR)
    reads = catalog.index.edges_from("urn:provgraph:job:spark:j", EdgeKind.READS)
    open_reads = {e.dst for e in reads if e.is_open}
    assert open_reads == {"urn:provgraph:dataset:db:b"}
    closed = [e for e in reads if not e.is_open]
    assert [e.dst for e in closed] == ["urn:provgraph:dataset:db:a"]


def test_the_same_job_version_only_adds_job_edges(catalog: Catalog) -> None:
    catalog.submit(subs(dataset("a", "x"), dataset("b", "x")), actor=ACTOR)
    catalog.submit(subs(run("j", ["a"], "out", ["x"], day=2)), actor=ACTOR)
    catalog.submit(subs(run("j", ["b"], "out", ["x"], day=3)), actor=ACTOR)
    reads = catalog.index.edges_from("urn:provgraph:job:spark:j", EdgeKind.READS, open_only=True)
    assert {e.dst for e in reads} == {"urn:provgraph:dataset:db:a", "urn:provgraph:dataset:db:b"}


def test_every_logged_event_has_its_actor(catalog: Catalog) -> None:
    catalog.submit(subs(dataset("a", "x")), actor="alice")
    assert [e.actor for e in catalog.log.read()] == ["alice"]


def test_concurrent_batches_commit_together_and_fail_alone(catalog: Catalog) -> None:
    import threading

    catalog.submit(subs(dataset("base", "id")), actor=ACTOR)
    bad = FeatureDefined(
        event_time=at(3),
        group="g",
        name="f",
        transformation="x",
        sources=[ColumnRef(namespace="db", name="base", field="missing")],
    )
    batches = (
        [subs(dataset(f"t{i}", "id")) for i in range(12)]
        + [subs(bad)]
        + [subs(dataset("t0", "id"))]
    )
    outcomes: list[object] = [None] * len(batches)

    def send(number: int) -> None:
        try:
            outcomes[number] = catalog.submit(batches[number], actor=f"client-{number}")
        except EventRejectedError as exc:
            outcomes[number] = exc

    threads = [threading.Thread(target=send, args=(n,)) for n in range(len(batches))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert isinstance(outcomes[12], EventRejectedError)
    assert all(isinstance(o, list) for n, o in enumerate(outcomes) if n != 12)
    assert catalog.log.last_seq() == 13  # base + t0..t11; the resent t0 is a duplicate
    actors = {e.actor for e in catalog.log.read(after_seq=1)}
    assert len(actors) == 12 and {f"client-{n}" for n in range(1, 12)} <= actors
    receipts_of_t0 = [o for n, o in enumerate(outcomes) if n in (0, 13)]
    assert sorted(r[0].duplicate for r in receipts_of_t0) == [False, True]  # type: ignore[index]
    assert catalog.store.counts() == catalog.index.counts()


def test_concurrent_single_event_writers_share_transactions(catalog: Catalog) -> None:
    import threading

    applies: list[int] = []
    original = catalog.store.apply

    def counting(change: object, *, applied_seq: int) -> None:
        applies.append(applied_seq)
        original(change, applied_seq=applied_seq)  # type: ignore[arg-type]

    catalog.store.apply = counting  # type: ignore[method-assign]

    def writer(number: int) -> None:
        for round_ in range(10):
            catalog.submit(subs(dataset(f"w{number}_{round_}", "id")), actor=f"w{number}")

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert catalog.log.last_seq() == 80
    assert len(applies) < 80  # grouped: fewer store transactions than batches
    assert catalog.store.counts() == catalog.index.counts()
