"""Classifications belong to the field of a dataset and follow it across versions; feature
versions are their definition, so re-running upstream jobs changes neither."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from provgraph.catalog.model.errors import NodeNotFoundError
from provgraph.catalog.model.events import (
    ClassificationChanged,
    ColumnRef,
    FeatureDefined,
    InputSpec,
    JobSpec,
    RunRecorded,
)
from provgraph.catalog.model.kinds import EdgeKind
from provgraph.catalog.service.catalog import Catalog
from provgraph.catalog.service.traversal import Direction
from provgraph.catalog.service.writer import EventRejectedError
from tests.support.events import at, run, subs

USERS = "urn:provgraph:dataset:db:public.users"
EMAIL_FIELD = "urn:provgraph:column:db:public.users#email"
FEATURE = "urn:provgraph:feature:user:email_len"


def _versions(catalog: Catalog, dataset: str) -> list[str]:
    edges = catalog.index.edges_from(dataset, EdgeKind.HAS_VERSION)
    return [e.dst for e in sorted(edges, key=lambda e: e.valid_from)]


def _feature_versions(catalog: Catalog) -> list[str]:
    return [e.dst for e in catalog.index.edges_from(FEATURE, EdgeKind.HAS_VERSION)]


def _define_feature(day: int, run_id: uuid.UUID | None = None) -> FeatureDefined:
    return FeatureDefined(
        event_time=at(day),
        group="user",
        name="email_len",
        transformation="length(email)",
        dtype="int",
        sources=[ColumnRef(namespace="db", name="public.users", field="email")],
        run_id=run_id,
    )


def _tag(urn: str, day: int, *, present: bool = True) -> ClassificationChanged:
    return ClassificationChanged(event_time=at(day), urn=urn, tag="pii", present=present)


def _users_run(day: int) -> RunRecorded:
    return run("load_users", [], "public.users", ["id", "email"], day=day)


def test_a_column_tag_follows_the_field_into_later_versions(catalog: Catalog) -> None:
    catalog.submit(subs(_users_run(1)), actor="t")
    [v1] = _versions(catalog, USERS)
    v1_email = v1.replace("dataset-version", "column") + "#email"
    catalog.submit(subs(_tag(v1_email, 2), _define_feature(3)), actor="t")
    [feature_version] = _feature_versions(catalog)
    assert catalog.classifications.tags(FEATURE) == ["pii"]

    catalog.submit(subs(_users_run(4), _users_run(5)), actor="t")  # the upstream job re-runs
    v3 = _versions(catalog, USERS)[-1]
    v3_email = v3.replace("dataset-version", "column") + "#email"
    assert len(_versions(catalog, USERS)) == 3
    assert catalog.classifications.tags(v3_email) == ["pii"]
    assert catalog.classifications.tags(EMAIL_FIELD) == ["pii"]  # versionless: the newest

    catalog.submit(subs(_define_feature(6)), actor="t")  # the feature is rebuilt
    assert _feature_versions(catalog) == [feature_version]  # same definition, same version
    computed = catalog.index.related(
        feature_version, EdgeKind.COMPUTED_FROM, outgoing=True, at=None
    )
    assert [e.dst for e in computed] == [v3_email]  # now computed from the newest version
    assert catalog.classifications.tags(FEATURE) == ["pii"]

    # as-of stays exact: before the tag was set no version had it
    day1 = datetime(2026, 1, 1, 12, tzinfo=UTC)
    assert catalog.classifications.tags(v1_email, as_of=day1) == []


def test_removal_through_any_name_of_the_field_holds_for_every_version(catalog: Catalog) -> None:
    catalog.submit(subs(_users_run(1)), actor="t")
    catalog.submit(subs(_tag(EMAIL_FIELD, 2), _users_run(3)), actor="t")
    v1, v2 = _versions(catalog, USERS)
    v1_email = v1.replace("dataset-version", "column") + "#email"
    assert catalog.classifications.tags(v1_email) == ["pii"]  # the field, every version
    v2_email = v2.replace("dataset-version", "column") + "#email"
    catalog.submit(subs(_tag(v2_email, 4, present=False)), actor="t")
    assert catalog.classifications.tags(v1_email) == []
    assert catalog.classifications.tags(EMAIL_FIELD) == []
    assert catalog.classifications.tags(v1_email, as_of=at(3, 12)) == ["pii"]


def test_a_versionless_column_must_name_a_field_of_the_newest_version(catalog: Catalog) -> None:
    catalog.submit(subs(_users_run(1)), actor="t")
    with pytest.raises(EventRejectedError, match="not in"):
        catalog.submit(subs(_tag(EMAIL_FIELD.replace("#email", "#phone"), 2)), actor="t")
    with pytest.raises(NodeNotFoundError, match="not in"):
        catalog.classifications.tags(EMAIL_FIELD.replace("#email", "#phone"))


def test_versionless_columns_in_lineage_impact_and_paths(catalog: Catalog) -> None:
    catalog.submit(subs(_users_run(1), _define_feature(2)), actor="t")
    impact = catalog.lineage.impact(EMAIL_FIELD)
    assert [n.urn for n in impact.feature_versions] == _feature_versions(catalog)
    upstream = catalog.lineage.lineage(_feature_versions(catalog)[0], depth=3)
    down = catalog.lineage.lineage(EMAIL_FIELD, direction=Direction.DOWNSTREAM)
    assert down.root.endswith("#email") and "@" in down.root
    assert any(n.urn == down.root for n in upstream.nodes)
    assert catalog.lineage.paths(_feature_versions(catalog)[0], EMAIL_FIELD)


def test_the_materializing_run_links_the_feature_to_the_versions_it_read(
    catalog: Catalog,
) -> None:
    catalog.submit(subs(_users_run(1)), actor="t")
    runs = []
    for day in (2, 3):
        run_id = uuid.uuid4()
        runs.append(run_id)
        materialize = RunRecorded(
            event_time=at(day),
            run_id=run_id,
            job=JobSpec(namespace="spark", name="materialize_user_features"),
            inputs=[InputSpec(namespace="db", name="public.users")],
        )
        catalog.submit(subs(materialize, _define_feature(day, run_id)), actor="t")
        if day == 2:
            catalog.submit(subs(_users_run(day)), actor="t")
    [version] = _feature_versions(catalog)
    materialized = catalog.index.related(version, EdgeKind.MATERIALIZED, outgoing=False, at=None)
    assert {e.src for e in materialized} == {f"urn:provgraph:run:{r}" for r in runs}
    v1, v2 = _versions(catalog, USERS)
    computed_then = catalog.index.related(
        version, EdgeKind.COMPUTED_FROM, outgoing=True, at=int(at(2, 12).timestamp() * 1e6)
    )
    assert [e.dst for e in computed_then] == [v1.replace("dataset-version", "column") + "#email"]
    computed_now = catalog.index.related(version, EdgeKind.COMPUTED_FROM, outgoing=True, at=None)
    assert [e.dst for e in computed_now] == [v2.replace("dataset-version", "column") + "#email"]


def test_upstream_of_a_container_walks_through_its_versions(catalog: Catalog) -> None:
    catalog.submit(subs(_users_run(1), _users_run(2)), actor="t")
    v1, v2 = _versions(catalog, USERS)
    newest = catalog.lineage.lineage(USERS, depth=5)
    assert newest.versions_used == [v2]
    reached = {n.urn for n in newest.nodes}
    assert v2 in reached and "urn:provgraph:job:spark:load_users" in reached
    assert any(u.startswith("urn:provgraph:run:") for u in reached)
    every = catalog.lineage.lineage(USERS, depth=5, all_versions=True)
    assert every.versions_used == [v1, v2]
    runs = {n.urn for n in every.nodes if n.urn.startswith("urn:provgraph:run:")}
    assert len(runs) == 2
    as_of = catalog.lineage.lineage(USERS, depth=5, as_of=at(1, 12))
    assert as_of.versions_used == [v1]
