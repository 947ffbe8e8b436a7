"""provgraph's own OpenLineage facets for the ML chain.

Their JSON schemas are generated from these models and served at
`/openlineage/facets/1-0-0/<FacetClass>.json`; put that URL in the facet's `_schemaURL`.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from provgraph.catalog.model.events import ColumnRef, Digest, Name, Scalar, Tag, Text

SCHEMA_VERSION = "1-0-0"


class _Facet(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True, populate_by_name=True)

    producer: str | None = Field(default=None, alias="_producer")
    schema_url: str | None = Field(default=None, alias="_schemaURL")


class ProvgraphFeature(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Name
    column: Name
    """The output dataset's field that holds the feature's values."""
    description: Text | None = None
    dtype: Name = "unknown"
    transformation: Text | None = None
    declassifying: bool = False
    sources: list[ColumnRef] | None = Field(default=None, min_length=1, max_length=1000)
    """The columns the feature was computed from (as its definition named them); without
    them the feature is taken as computed from `column` of the output dataset."""


class ProvgraphFeaturesDatasetFacet(_Facet):
    """On an output dataset: the features this run materialized into its columns."""

    group: Name
    entity: Name | None = None
    owners: list[Name] = Field(default_factory=list)
    features: list[ProvgraphFeature] = Field(min_length=1)


class FeatureRefFacet(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    group: Name
    name: Name
    version: Name | None = None


class DatasetRefFacet(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    namespace: Name
    name: Name
    version: Name | None = None


class ProvgraphTrainingSetRunFacet(_Facet):
    """On a training run: the training-set manifest the run assembled."""

    name: Name
    features: list[FeatureRefFacet] = Field(min_length=1)
    sources: list[DatasetRefFacet] = Field(default_factory=list)
    manifest: dict[Name, Scalar] = Field(default_factory=dict)


class ProvgraphModelVersionRunFacet(_Facet):
    """On a completed training run: the model version it produced."""

    model: Name
    artifactDigest: Digest  # noqa: N815
    label: Name | None = None
    trainingSet: Name | None = None  # noqa: N815
    """A training-set URN, or the name of one (its newest version)."""
    framework: Name | None = None
    params: dict[Name, Scalar] = Field(default_factory=dict)
    metrics: dict[Name, float] = Field(default_factory=dict)
    purpose: Name | None = None
    stage: Literal["development", "staging", "production", "archived"] = "development"
    owners: list[Name] = Field(default_factory=list)
    tags: list[Tag] = Field(default_factory=list)


class ProvgraphDeploymentRunFacet(_Facet):
    """On a deploy run: which model version a deployment now serves (or that it retired)."""

    environment: Name
    name: Name
    modelVersion: Name  # noqa: N815
    status: Literal["active", "retired"] = "active"
    endpoint: Text | None = None
    purpose: Name | None = None


FACETS: dict[str, type[_Facet]] = {
    "provgraph_features": ProvgraphFeaturesDatasetFacet,
    "provgraph_trainingSet": ProvgraphTrainingSetRunFacet,
    "provgraph_modelVersion": ProvgraphModelVersionRunFacet,
    "provgraph_deployment": ProvgraphDeploymentRunFacet,
}
"""Facet key in an event -> its model."""


def json_schema(class_name: str) -> dict[str, Any] | None:
    for model in FACETS.values():
        if model.__name__ == class_name:
            schema = model.model_json_schema(by_alias=True)
            schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
            schema["$id"] = f"{SCHEMA_VERSION}/{class_name}.json"
            return schema
    return None
