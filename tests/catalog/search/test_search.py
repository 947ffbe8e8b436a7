"""Feature discovery: relevance blended with curation and use, filters, facets, freshness of the index."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from provgraph.catalog.model.events import (
    ClassificationChanged,
    FeatureStatusChanged,
    OwnersAssigned,
)
from provgraph.catalog.model.kinds import NodeKind
from provgraph.catalog.search.port import SearchFilters
from provgraph.catalog.service.catalog import Catalog
from provgraph.catalog.service.demo import load_demo
from provgraph.catalog.service.search import Cursor
from provgraph.catalog.service.writer import Submission
from provgraph.catalog.settings import Settings

AVG_FARE = "urn:provgraph:feature:rider_risk:avg_fare"
NOW = datetime(2026, 6, 1, tzinfo=UTC)


@pytest.fixture
def demo(settings: Settings) -> Iterator[Catalog]:
    with Catalog(settings) as catalog:
        load_demo(catalog)
        yield catalog


def _names(catalog: Catalog, query: str, **filters: object) -> list[str]:
    return [h.name for h in catalog.search.search(query, SearchFilters(**filters), first=50).hits]  # type: ignore[arg-type]


def test_text_matches_names_descriptions_and_columns_and_says_why(demo: Catalog) -> None:
    page = demo.search.search("fare")
    assert page.hits[0].urn == AVG_FARE
    assert "name matches 'fare'" in page.hits[0].reasons
    assert any("production deployment" in r for r in page.hits[0].reasons)
    assert {h.name for h in page.hits} == {"avg_fare", "curated.trips_enriched", "public.trips"}


def test_prefixes_and_unknown_words(demo: Catalog) -> None:
    assert "pickup_city_entropy" in _names(demo, "entro")
    assert _names(demo, "zebra") == []


def test_certification_lifts_and_deprecation_sinks(demo: Catalog) -> None:
    page = demo.search.search("rider", SearchFilters(kinds=(NodeKind.FEATURE,)), first=50)
    features = [h.urn for h in page.hits]
    demo.submit(  # the demo certifies its features; start from drafts
        [Submission(FeatureStatusChanged(event_time=NOW, urn=u, status="draft")) for u in features],
        actor="t",
    )
    before = _names(demo, "rider", kinds=[NodeKind.FEATURE])
    tenure = "urn:provgraph:feature:rider_risk:rider_tenure_days"
    demo.submit(
        [Submission(FeatureStatusChanged(event_time=NOW, urn=tenure, status="deprecated"))],
        actor="t",
    )
    demo.submit(
        [Submission(FeatureStatusChanged(event_time=NOW, urn=AVG_FARE, status="certified"))],
        actor="t",
    )
    after = _names(demo, "rider", kinds=[NodeKind.FEATURE])
    assert after[0] == "avg_fare" and after[-1] == "rider_tenure_days"
    assert sorted(before) == sorted(after)
    hit = demo.search.search("avg_fare").hits[0]
    assert "certified (x1.5)" in hit.reasons


def test_filters(demo: Catalog) -> None:
    assert set(_names(demo, "", kinds=[NodeKind.MODEL])) == {"fraud-detector", "rider-promo"}
    # classifications match where they were set and wherever lineage carries them
    assert set(_names(demo, "", classification="pii")) == {
        "public.riders",
        "public.trips",
        "curated.trips_enriched",
        "pickup_city_entropy",
        "fraud-detector",  # the model, its versions and deployments
        "fraud_train_v1",  # the training sets it was trained on carry it too
        "fraud_train_v2",
    }
    # the email reaches curated.trips_enriched#email_hash (and email_domain_risk) only through
    # a hash: the masking column lineage declassifies it
    assert set(_names(demo, "", classification="pii.email")) == {"public.riders"}
    assert set(_names(demo, "", owner="team:rider-platform")) == {"public.riders", "public.trips"}
    assert "payments.chargebacks" in _names(demo, "", in_production=False)
    assert "payments.chargebacks" not in _names(demo, "", in_production=True)
    assert _names(demo, "", updated_after=datetime(2030, 1, 1, tzinfo=UTC)) == []
    assert len(_names(demo, "", status="certified")) == 5


def test_facets_count_every_match(demo: Catalog) -> None:
    page = demo.search.search("", first=1)
    assert page.total == 31 and len(page.hits) == 1
    assert page.facets["kind"] == {
        "dataset": 6, "feature": 5, "model": 2, "model-version": 3, "training-set": 3,
        "job": 3, "run": 6, "deployment": 3,
    }  # fmt: skip
    # public.trips (set on its fields), curated.trips_enriched (its pickup_city column),
    # pickup_city_entropy and the fraud model (inherited), with the fraud model's two versions,
    # its two deployments and the two training sets they were trained on
    assert page.facets["classification"]["pii.location"] == 10


def test_cursor_pagination(demo: Catalog) -> None:
    first = demo.search.search("", first=11)
    assert first.next_offset == 11
    second = demo.search.search("", first=11, after=Cursor(11).encode())
    third = demo.search.search("", first=11, after=Cursor(22).encode())
    seen = [h.urn for page in (first, second, third) for h in page.hits]
    assert len(seen) == len(set(seen)) == 31 and third.next_offset is None


def test_bad_arguments(demo: Catalog) -> None:
    with pytest.raises(ValueError, match="cursor"):
        demo.search.search("", after="garbage")
    with pytest.raises(ValueError, match="first"):
        demo.search.search("", first=0)
    with pytest.raises(ValueError, match="searchable"):
        demo.search.search("", SearchFilters(kinds=[NodeKind.COLUMN]))
    assert demo.search.search('"; DROP TABLE docs; --').total == 0
    assert demo.search.search("").total == 31


def test_curation_shows_up_immediately(demo: Catalog) -> None:
    demo.submit(
        [Submission(ClassificationChanged(event_time=NOW, urn=AVG_FARE, tag="sensitive"))],
        actor="t",
    )
    demo.submit(
        [Submission(OwnersAssigned(event_time=NOW, urn=AVG_FARE, owners=["team:pricing"]))],
        actor="t",
    )
    # the tag shows at once where it was set, and downstream where it is inherited
    sensitive = _names(
        demo, "", classification="sensitive", kinds=[NodeKind.FEATURE, NodeKind.MODEL]
    )
    assert sensitive == ["avg_fare", "fraud-detector"]
    assert _names(demo, "", owner="team:pricing") == ["avg_fare"]
    assert (
        _names(demo, "", owner="team:trust-and-safety", kinds=[NodeKind.FEATURE]).count("avg_fare")
        == 0
    )


def test_a_stale_index_is_rebuilt_on_open(settings: Settings) -> None:
    with Catalog(settings) as catalog:
        load_demo(catalog)
        catalog.search_index.clear()
    with Catalog(settings) as reopened:
        assert reopened.search.search("").total == 31


def test_a_removed_source_tag_leaves_what_inherited_it(demo: Catalog) -> None:
    assert "pickup_city_entropy" in _names(demo, "", classification="pii.location")
    trips = demo.search.search("public.trips").hits[0].urn
    version = demo.reader.newest_version(trips)
    assert version is not None
    for field in ("pickup_lat", "pickup_lon"):
        field_urn = "urn:provgraph:column:" + version.split(":", 3)[3].split("@")[0] + "#" + field
        demo.submit(
            [
                Submission(
                    ClassificationChanged(
                        event_time=NOW, urn=field_urn, tag="pii.location", present=False
                    )
                )
            ],
            actor="t",
        )
    assert "pickup_city_entropy" not in _names(demo, "", classification="pii.location")
    assert "fraud-detector" not in _names(demo, "", classification="pii.location")


def test_every_kind_a_user_names_is_found_by_name(demo: Catalog) -> None:
    def kinds(query: str) -> set[NodeKind]:
        return {h.kind for h in demo.search.search(query, first=50).hits}

    assert {NodeKind.JOB, NodeKind.RUN} <= kinds("fraud_detector_train")  # a run by its job
    assert NodeKind.TRAINING_SET in kinds("fraud_train_v2")
    assert {NodeKind.MODEL_VERSION, NodeKind.DEPLOYMENT} <= kinds("fraud-detector")
    deployments = demo.search.search("production", SearchFilters(kinds=[NodeKind.DEPLOYMENT]))
    assert [h.urn for h in deployments.hits] == [
        "urn:provgraph:deployment:production:fraud-detector"
    ]


def test_a_models_purpose_and_owner_are_searched(demo: Catalog) -> None:
    models = SearchFilters(kinds=[NodeKind.MODEL])
    assert [h.name for h in demo.search.search("marketing", models).hits] == ["rider-promo"]
    [model] = demo.search.search("rider-promo", models).hits
    assert model.owners
    owned = demo.search.search(model.owners[0], models).hits
    assert "rider-promo" in [h.name for h in owned]


def test_an_index_of_an_older_shape_is_rebuilt(settings: Settings) -> None:
    import sqlite3
    from contextlib import closing

    with Catalog(settings) as catalog:
        load_demo(catalog)
    path = settings.data / "search.sqlite"
    with closing(sqlite3.connect(path)) as db, db:  # as an older provgraph left it
        db.execute("UPDATE meta SET ival = 1 WHERE key = 'schema_version'")
        db.execute("DELETE FROM docs WHERE kind = 'job'")
        db.execute("DELETE FROM docs_fts WHERE rowid NOT IN (SELECT rowid FROM docs)")
    with Catalog(settings) as catalog:
        jobs = catalog.search.search("", SearchFilters(kinds=[NodeKind.JOB]), first=50)
        assert jobs.total >= 3
