"""The training set a run records: what `load_features` pinned, or — when the training code
loaded its data itself — the feature versions the run was gated on, with nothing else pinned.

Either way the run names the set by its content URN (`training_set_urn`, the catalog's own
rule), so the model version is TRAINED_ON exactly the set this run recorded, never another
set of the same name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from openlineage.client.facet_v2 import RunFacet

from provgraph.catalog.model.graph import training_set_urn
from provgraph.catalog.model.kinds import NodeKind
from provgraph.catalog.model.urn import Urn
from provgraph.integrations.facets import DatasetRef, FeatureRef, ProvgraphTrainingSetRunFacet
from provgraph.integrations.torch.features import LoadedFeatures


@dataclass(frozen=True)
class RecordedTrainingSet:
    urn: str
    facets: dict[str, RunFacet]
    """The run facets that record it (`provgraph_trainingSet`)."""


def loaded_training_set(loaded: LoadedFeatures) -> RecordedTrainingSet:
    """What `load_features` read: the feature versions, the table's version, the manifest."""
    manifest = loaded.manifest
    table = Urn.dataset(manifest.dataset_namespace, manifest.dataset_name)
    sources = (
        [] if manifest.dataset_version is None else [table.with_version(manifest.dataset_version)]
    )
    return _recorded(
        manifest.name,
        [Urn.parse(f.version_urn) for f in manifest.features],
        sources,
        manifest.as_facts(),
    )


def gated_training_set(name: str, versions: list[str]) -> RecordedTrainingSet | None:
    """The feature versions the `train` decision was about; None when it named none."""
    parsed = [Urn.parse(v) for v in dict.fromkeys(versions)]
    features = [v for v in parsed if v.kind is NodeKind.FEATURE_VERSION and v.version]
    return _recorded(name, features, [], {}) if features else None


def _recorded(
    name: str, features: list[Urn], sources: list[Urn], manifest: dict[str, Any]
) -> RecordedTrainingSet:
    facet = ProvgraphTrainingSetRunFacet(
        name=name,
        # feature and dataset URNs always have a namespace (their kinds' shape)
        features=[FeatureRef(f.namespace or "", f.name, f.version) for f in features],
        sources=[DatasetRef(s.namespace or "", s.name, s.version) for s in sources],
        manifest=manifest,
    )
    urn = training_set_urn(
        name,
        features=[str(f) for f in features],
        sources=[str(s) for s in sources],
        manifest=manifest,
    )
    return RecordedTrainingSet(str(urn), {"provgraph_trainingSet": facet})
