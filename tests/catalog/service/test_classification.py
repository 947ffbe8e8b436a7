"""Classifications propagate along real lineage, with explanations, as of any moment."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from provgraph.catalog.model.errors import NodeNotFoundError
from provgraph.catalog.model.events import (
    ClassificationChanged,
    ColumnRef,
    FeatureDefined,
    FieldSpec,
    InputSpec,
    JobSpec,
    OutputSpec,
    RunRecorded,
)
from provgraph.catalog.model.kinds import EdgeKind, NodeKind
from provgraph.catalog.service.catalog import Catalog
from provgraph.catalog.service.demo import LAKE, RIDES_DB, load_demo, model_version_urn
from provgraph.catalog.service.writer import Submission
from provgraph.catalog.settings import Settings
from tests.support.events import dataset, run, subs

PROD = "urn:provgraph:deployment:production:fraud-detector"
NOW = datetime(2026, 6, 1, tzinfo=UTC)


@pytest.fixture
def demo(settings: Settings) -> Iterator[Catalog]:
    with Catalog(settings) as catalog:
        load_demo(catalog)
        yield catalog


def test_a_pii_source_column_reaches_features_models_and_deployments(demo: Catalog) -> None:
    everything = demo.classifications.classifications(PROD)
    assert {t.tag for t in everything} == {"pii.location", "consent:fraud_detection"}
    traces = [t for t in everything if t.tag == "pii.location"]
    # every source of the inherited tag, not one: pickup_city comes from lat and lon
    assert {t.source.rsplit("#", 1)[1] for t in traces} == {"pickup_lat", "pickup_lon"}
    assert all("@" not in t.source and t.inherited and not t.truncated for t in traces)
    path = traces[0].path
    assert path[0] == PROD and path[-1] == traces[0].source
    assert "public.trips@" in path[-2] and path[-2].split("#")[1] == path[-1].split("#")[1]
    assert path[-1].endswith("#pickup_lat") or path[-1].endswith("#pickup_lon")
    assert any("feature-version:rider_risk:pickup_city_entropy" in p for p in path)
    assert demo.classifications.tags("urn:provgraph:feature:rider_risk:pickup_city_entropy") == [
        "pii.location"
    ]


def test_a_declassifying_transformation_stops_propagation(demo: Catalog) -> None:
    assert demo.classifications.tags("urn:provgraph:feature:rider_risk:email_domain_risk") == []
    email_hash = [t for t in demo.classifications.classifications(PROD) if t.tag == "pii.email"]
    assert email_hash == []


def test_removing_the_source_tag_removes_what_it_propagated_but_not_the_past(demo: Catalog) -> None:
    location = [t for t in demo.classifications.classifications(PROD) if t.tag == "pii.location"]
    trips = next(p for p in location[0].path if "public.trips@" in p)
    for field in ("pickup_lat", "pickup_lon"):
        column = trips.split("#")[0] + "#" + field
        demo.submit(
            [
                Submission(
                    ClassificationChanged(
                        event_time=NOW, urn=column, tag="pii.location", present=False
                    )
                )
            ],
            actor="steward",
        )
    assert demo.classifications.tags(PROD) == ["consent:fraud_detection"]
    assert demo.classifications.tags(PROD, as_of=datetime(2026, 5, 1, tzinfo=UTC)) == [
        "consent:fraud_detection",
        "pii.location",
    ]


def test_as_of_follows_what_was_served(demo: Catalog) -> None:
    feb = demo.classifications.classifications(PROD, as_of=datetime(2026, 2, 1, tzinfo=UTC))
    assert model_version_urn("v1") in feb[0].path
    with pytest.raises(NodeNotFoundError):
        demo.classifications.classifications(PROD, as_of=datetime(2025, 1, 1, tzinfo=UTC))


def test_direct_tags_and_dataset_level_tags(demo: Catalog) -> None:
    riders = "urn:provgraph:dataset:postgres%3A//rides-db%3A5432:public.riders"
    demo.submit(
        [Submission(ClassificationChanged(event_time=NOW, urn=riders, tag="sensitive"))],
        actor="steward",
    )
    direct = demo.classifications.classifications(riders)
    assert [(t.tag, t.inherited) for t in direct if not t.inherited] == [("sensitive", False)]
    # a dataset carries what its fields carry, each explained by the field it was set on
    fields = {t.tag: t.path[-1] for t in direct if t.inherited}
    assert fields == {
        "pii.email": "urn:provgraph:column:postgres%3A//rides-db%3A5432:public.riders#email",
        "pii.name": "urn:provgraph:column:postgres%3A//rides-db%3A5432:public.riders#full_name",
        "pii.phone": "urn:provgraph:column:postgres%3A//rides-db%3A5432:public.riders#phone",
    }
    tenure = "urn:provgraph:feature:rider_risk:rider_tenure_days"
    assert "sensitive" in demo.classifications.tags(tenure)


def test_columns_without_column_lineage_inherit_from_every_input(catalog: Catalog) -> None:
    catalog.submit(subs(dataset("raw", "id", "email", tags={"email": ["pii.email"]})), actor="t")
    catalog.submit(subs(run("copy", ["raw"], "copy", ["id", "contact"], day=3)), actor="t")
    version = catalog.index.edges_from("urn:provgraph:dataset:db:copy", EdgeKind.HAS_VERSION)[0].dst
    assert catalog.classifications.tags(version.replace("dataset-version", "column") + "#id") == [
        "pii.email"
    ]


def test_a_model_keeps_what_the_data_it_was_trained_on_carried(demo: Catalog) -> None:
    """A producer re-materializes pickup_city_entropy (the same definition) from a new run of
    clean_trips whose pickup_city no longer derives from the location: the feature now reads
    clean data, but the model version trained on the earlier materialization keeps
    pii.location, and so does what serves it."""
    run_id = uuid.uuid4()
    trips = InputSpec(namespace=RIDES_DB, name="public.trips")
    relaundered = RunRecorded(
        event_time=NOW,
        run_id=run_id,
        job=JobSpec(namespace="spark://etl-cluster", name="clean_trips", version="git:c0ffee"),
        inputs=[trips],
        outputs=[
            OutputSpec(
                namespace=LAKE,
                name="curated.trips_enriched",
                fields=[FieldSpec(name="rider_id"), FieldSpec(name="pickup_city")],
                column_lineage={
                    f: [ColumnRef(namespace=RIDES_DB, name="public.trips", field="rider_id")]
                    for f in ("rider_id", "pickup_city")
                },
            )
        ],
    )
    again = FeatureDefined(
        event_time=NOW,
        group="rider_risk",
        name="pickup_city_entropy",
        transformation="entropy(pickup_city) over 30d",
        dtype="float",
        sources=[
            ColumnRef(namespace=LAKE, name="curated.trips_enriched", field=f)
            for f in ("rider_id", "pickup_city")
        ],
        run_id=run_id,
    )
    entropy = "urn:provgraph:feature:rider_risk:pickup_city_entropy"
    versions_before = demo.index.edges_from(entropy, EdgeKind.HAS_VERSION)
    demo.submit(subs(relaundered, again), actor="etl")
    assert demo.index.edges_from(entropy, EdgeKind.HAS_VERSION) == versions_before  # same one
    assert demo.classifications.tags(entropy) == []
    assert "pii.location" in demo.classifications.tags(model_version_urn("v2"))
    assert "pii.location" in demo.classifications.tags(PROD)


def test_the_shared_walk_search_indexes_with_is_the_explained_one(demo: Catalog) -> None:
    """Search computes what many nodes carry at once (memoized); it must be exactly what the
    explanations say, node by node, for every node of the demo."""
    urns = [u for kind in NodeKind for u in demo.index.urns_of_kind(kind, limit=10_000)]
    together = demo.classifications.carried(urns)
    for urn in urns:
        explained = set(demo.classifications.tags(urn))
        assert together[urn] == explained, urn
        assert demo.classifications.carried([urn])[urn] == explained, urn
