"""Which GraphQL type wraps a node of each kind."""

from __future__ import annotations

from provgraph.catalog.model.kinds import NodeKind
from provgraph.graphql.types.classification import Classification
from provgraph.graphql.types.column import Column
from provgraph.graphql.types.dataset import Dataset
from provgraph.graphql.types.dataset_alias import DatasetAlias
from provgraph.graphql.types.dataset_version import DatasetVersion
from provgraph.graphql.types.deployment import Deployment
from provgraph.graphql.types.feature import Feature
from provgraph.graphql.types.feature_version import FeatureVersion
from provgraph.graphql.types.job import Job
from provgraph.graphql.types.model import Model
from provgraph.graphql.types.model_version import ModelVersion
from provgraph.graphql.types.node import Node
from provgraph.graphql.types.owner import Owner
from provgraph.graphql.types.policy_decision import PolicyDecision
from provgraph.graphql.types.run import Run
from provgraph.graphql.types.training_set import TrainingSet
from provgraph.graphql.types.validation_result import ValidationResult

NODE_TYPES: dict[NodeKind, type[Node]] = {
    NodeKind.DATASET: Dataset,
    NodeKind.DATASET_ALIAS: DatasetAlias,
    NodeKind.DATASET_VERSION: DatasetVersion,
    NodeKind.COLUMN: Column,
    NodeKind.JOB: Job,
    NodeKind.RUN: Run,
    NodeKind.FEATURE: Feature,
    NodeKind.FEATURE_VERSION: FeatureVersion,
    NodeKind.TRAINING_SET: TrainingSet,
    NodeKind.MODEL: Model,
    NodeKind.MODEL_VERSION: ModelVersion,
    NodeKind.DEPLOYMENT: Deployment,
    NodeKind.VALIDATION_RESULT: ValidationResult,
    NodeKind.POLICY_DECISION: PolicyDecision,
    NodeKind.OWNER: Owner,
    NodeKind.CLASSIFICATION: Classification,
}


def node_type(kind: NodeKind) -> type[Node]:
    return NODE_TYPES[kind]
