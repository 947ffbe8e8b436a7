"""The integrations' OpenLineage facets are openlineage-python classes; the four ML facets the
catalog reads are held to the catalog's models field by field, and every event and facet the
integrations build names one producer, from the installed release (issue 18)."""

from __future__ import annotations

from importlib.metadata import version
from typing import Any

import attr
import pytest
from openlineage.client.serde import Serde

from provgraph.catalog.openlineage import ml_facets
from provgraph.integrations import facets
from provgraph.integrations.run_events import PRODUCER, as_json, error_facet, job_type, run_event

BUILT: dict[str, Any] = {
    "provgraph_features": facets.ProvgraphFeaturesDatasetFacet(
        group="rider_risk",
        entity="rider_id",
        features=[
            facets.ProvgraphFeature(
                name="avg_fare",
                column="avg_fare",
                dtype="double",
                sources=[{"namespace": "file", "name": "/lake/rides", "field": "fare"}],
            )
        ],
    ),
    "provgraph_trainingSet": facets.ProvgraphTrainingSetRunFacet(
        name="fraud-training",
        features=[facets.FeatureRef("rider_risk", "avg_fare", "v1")],
        sources=[facets.DatasetRef("file", "/lake/features", "v2")],
        manifest={"rows": 10, "split": 0.8},
    ),
    "provgraph_modelVersion": facets.ProvgraphModelVersionRunFacet(
        model="fraud", artifactDigest="sha256:" + "0" * 64, params={"lr": 0.1}, stage="staging"
    ),
    "provgraph_deployment": facets.ProvgraphDeploymentRunFacet(
        environment="production", name="fraud", modelVersion="urn:provgraph:model:fraud@v1"
    ),
}
BASE_FIELDS = {"_producer", "_schemaURL", "_deleted"}


@pytest.mark.parametrize("key", sorted(ml_facets.FACETS))
def test_an_ml_facet_class_has_the_catalog_models_fields(key: str) -> None:
    model = ml_facets.FACETS[key]
    wanted = {
        field.alias or name
        for name, field in model.model_fields.items()
        if name not in ("producer", "schema_url")
    }
    built = type(BUILT[key])
    assert {a.name for a in attr.fields(built)} - BASE_FIELDS == wanted


@pytest.mark.parametrize("key", sorted(ml_facets.FACETS))
def test_an_ml_facet_as_sent_is_what_the_catalog_reads(key: str) -> None:
    sent = Serde.to_dict(BUILT[key])
    read = ml_facets.FACETS[key].model_validate(sent)
    assert read.producer == PRODUCER


def test_one_producer_from_the_installed_release() -> None:
    assert (
        f"https://github.com/provgraph/provgraph/tree/{version('provgraph')}/integrations"
    ) == PRODUCER


def test_an_event_and_each_of_its_facets_name_the_one_producer() -> None:
    event = as_json(
        run_event(
            event_type="FAIL",
            run_id="3f0e1a6c-9d0b-4a52-8a39-2f3a7c4a1b10",
            job=("provgraph.torch", "train.fraud"),
            run_facets={
                **error_facet("boom"),
                "provgraph_trainingSet": BUILT["provgraph_trainingSet"],
            },
            job_facets=job_type("TORCH", "TRAINING"),
        )
    )
    assert event["producer"] == PRODUCER
    facets_sent = [*event["run"]["facets"].values(), *event["job"]["facets"].values()]
    assert [f["_producer"] for f in facets_sent] == [PRODUCER] * 3
