"""Typed views of stored nodes, one per node kind: the only code that names node properties."""

from __future__ import annotations

from provgraph.catalog.model.graph import NodeRecord
from provgraph.catalog.model.kinds import NodeKind
from provgraph.catalog.model.views.base import Described, NodeView, property_names
from provgraph.catalog.model.views.data import (
    Column,
    Dataset,
    DatasetAlias,
    DatasetVersion,
    Job,
    Run,
    SchemaField,
    ValidationResult,
)
from provgraph.catalog.model.views.governance import Classification, Owner, PolicyDecision
from provgraph.catalog.model.views.ml import (
    Deployment,
    Feature,
    FeatureStatus,
    FeatureVersion,
    Model,
    ModelVersion,
    TrainingSet,
)

VIEWS: dict[NodeKind, type[NodeView]] = {
    view.KIND: view
    for view in (
        Dataset,
        DatasetAlias,
        DatasetVersion,
        Column,
        Job,
        Run,
        ValidationResult,
        Feature,
        FeatureVersion,
        TrainingSet,
        Model,
        ModelVersion,
        Deployment,
        Owner,
        Classification,
        PolicyDecision,
    )
}


def view_of(record: NodeRecord) -> NodeView:
    """The view of any stored node, by its kind."""
    return VIEWS[record.kind].of(record)


__all__ = [
    "VIEWS",
    "Classification",
    "Column",
    "Dataset",
    "DatasetAlias",
    "DatasetVersion",
    "Deployment",
    "Described",
    "Feature",
    "FeatureStatus",
    "FeatureVersion",
    "Job",
    "Model",
    "ModelVersion",
    "NodeView",
    "Owner",
    "PolicyDecision",
    "Run",
    "SchemaField",
    "TrainingSet",
    "ValidationResult",
    "property_names",
    "view_of",
]
