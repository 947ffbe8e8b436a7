"""provgraph's own OpenLineage facets, as openlineage-python facet classes (attrs, on its
`RunFacet` / `DatasetFacet` bases): what the integrations put in their events.

The four ML facets the catalog reads (`provgraph_features`, `provgraph_trainingSet`,
`provgraph_modelVersion`, `provgraph_deployment`) are defined for the catalog by the pydantic
models of `provgraph.catalog.openlineage.ml_facets`, whose JSON schemas every catalog serves;
a test holds these classes to those models field by field. The others are kept verbatim by the
catalog (run facets) and documented in the README section named by their `_schemaURL`.
"""

from __future__ import annotations

from typing import Any, ClassVar

import attr
from openlineage.client.facet_v2 import DatasetFacet, RunFacet

from provgraph.integrations.run_events import PRODUCER

DOCS = "https://github.com/provgraph/provgraph/blob/main/README.md"
ML_FACETS = f"{DOCS}#openlineage-ingestion"
"""Where the ML facets and their schemas (`/openlineage/facets/1-0-0/<Class>.json` on every
catalog) are described."""
Scalar = str | int | float | bool | None


def _producer() -> str:
    return PRODUCER


@attr.define
class _RunFacet(RunFacet):
    """A provgraph run facet: the one producer, and the README section that documents it."""

    DOCUMENTED: ClassVar[str] = ML_FACETS
    _producer: str = attr.field(factory=_producer, kw_only=True)

    @classmethod
    def _get_schema(cls) -> str:
        return cls.DOCUMENTED


@attr.define
class _DatasetFacet(DatasetFacet):
    DOCUMENTED: ClassVar[str] = ML_FACETS
    _producer: str = attr.field(factory=_producer, kw_only=True)

    @classmethod
    def _get_schema(cls) -> str:
        return cls.DOCUMENTED


# ---- the ML facets the catalog reads --------------------------------------------------------


@attr.define
class ProvgraphFeature:
    name: str
    column: str
    dtype: str = "unknown"
    transformation: str | None = None
    declassifying: bool = False
    sources: list[dict[str, Any]] | None = None
    description: str | None = None


@attr.define
class ProvgraphFeaturesDatasetFacet(_DatasetFacet):
    """On an output dataset: the features this run materialized into its columns."""

    group: str
    features: list[ProvgraphFeature]
    entity: str | None = None
    owners: list[str] = attr.field(factory=list)


@attr.define
class FeatureRef:
    group: str
    name: str
    version: str | None = None


@attr.define
class DatasetRef:
    namespace: str
    name: str
    version: str | None = None


@attr.define
class ProvgraphTrainingSetRunFacet(_RunFacet):
    """On a training run: the training-set manifest the run assembled."""

    name: str
    features: list[FeatureRef]
    sources: list[DatasetRef] = attr.field(factory=list)
    manifest: dict[str, Scalar] = attr.field(factory=dict)


@attr.define
class ProvgraphModelVersionRunFacet(_RunFacet):
    """On a completed training run: the model version it produced."""

    model: str
    artifactDigest: str  # noqa: N815
    label: str | None = None
    trainingSet: str | None = None  # noqa: N815
    framework: str | None = None
    params: dict[str, Scalar] = attr.field(factory=dict)
    metrics: dict[str, float] = attr.field(factory=dict)
    purpose: str | None = None
    stage: str = "development"
    owners: list[str] = attr.field(factory=list)
    tags: list[str] = attr.field(factory=list)


@attr.define
class ProvgraphDeploymentRunFacet(_RunFacet):
    """On a deploy run: which model version a deployment now serves (or that it retired)."""

    environment: str
    name: str
    modelVersion: str  # noqa: N815
    status: str = "active"
    endpoint: str | None = None
    purpose: str | None = None


# ---- facets the catalog keeps verbatim --------------------------------------------------------


@attr.define
class ProvgraphTrainingRunFacet(_RunFacet):
    """On every event of a training run: what it trains, its parameters, metrics so far and
    the environment it runs in."""

    model: str
    purpose: str
    stage: str
    params: dict[str, Scalar]
    metrics: dict[str, float]
    history: list[dict[str, Any]]
    environment: dict[str, Any]
    startedAt: str  # noqa: N815
    code: dict[str, Any] | None = None
    endedAt: str | None = None  # noqa: N815
    DOCUMENTED = f"{DOCS}#training-deploying-and-serving-torch"


@attr.define
class ProvgraphReproductionRunFacet(_RunFacet):
    """On a training run that saved the bytes of a registered model version again."""

    modelVersion: str  # noqa: N815
    artifactDigest: str  # noqa: N815
    sameArtifact: bool = True  # noqa: N815
    DOCUMENTED = f"{DOCS}#training-deploying-and-serving-torch"


@attr.define
class ProvgraphPredictionsRunFacet(_RunFacet):
    """On a window of a deployment's `predict` job: what it served and decided."""

    deployment: str
    modelVersion: str | None  # noqa: N815
    featureVersions: list[str]  # noqa: N815
    requests: int
    denied: int
    obligated: int
    latencyMs: dict[str, float]  # noqa: N815
    decisions: list[str]
    sampled: list[dict[str, Any]]
    droppedSoFar: int  # noqa: N815
    refusedSoFar: int  # noqa: N815
    DOCUMENTED = f"{DOCS}#serving"


@attr.define
class SparkPropertiesRunFacet(_RunFacet):
    """The Spark application and write a run was."""

    appName: str  # noqa: N815
    action: str
    command: str
    mode: str | None = None
    DOCUMENTED = f"{DOCS}#pyspark-lineage"


@attr.define
class ColumnLineageStoppedRunFacet(_RunFacet):
    """The plan node or expression the plan walker did not understand: lineage is
    dataset-level (on the run and, as the dataset facet below, on the output)."""

    stoppedAt: str  # noqa: N815
    reason: str
    DOCUMENTED = f"{DOCS}#pyspark-lineage"


@attr.define
class ColumnLineageStoppedDatasetFacet(_DatasetFacet):
    stoppedAt: str  # noqa: N815
    reason: str
    DOCUMENTED = f"{DOCS}#pyspark-lineage"


@attr.define
class GreatExpectationsRunFacet(_RunFacet):
    """A validation's summary: the suite, its outcome and each expectation's result."""

    suite: str
    success: bool
    statistics: dict[str, float]
    results: list[dict[str, Any]]
    DOCUMENTED = f"{DOCS}#great-expectations-1x"
