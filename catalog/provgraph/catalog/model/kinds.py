"""Node and edge kinds, and how each edge kind takes part in lineage."""

from __future__ import annotations

from enum import Enum, StrEnum


class NodeKind(StrEnum):
    DATASET = "dataset"
    DATASET_ALIAS = "dataset-alias"
    DATASET_VERSION = "dataset-version"
    COLUMN = "column"
    JOB = "job"
    RUN = "run"
    FEATURE = "feature"
    FEATURE_VERSION = "feature-version"
    TRAINING_SET = "training-set"
    MODEL = "model"
    MODEL_VERSION = "model-version"
    DEPLOYMENT = "deployment"
    VALIDATION_RESULT = "validation-result"
    POLICY_DECISION = "policy-decision"
    OWNER = "owner"
    CLASSIFICATION = "classification"


class Flow(Enum):
    """Which way an edge points relative to the flow of data."""

    TO_UPSTREAM = "to_upstream"
    """source is downstream of target (e.g. run CONSUMED dataset version)."""
    TO_DOWNSTREAM = "to_downstream"
    """source is upstream of target (e.g. run PRODUCED dataset version)."""
    CONTAINER_TO_MEMBER = "container_to_member"
    """source contains target (dataset HAS_VERSION version)."""
    MEMBER_TO_CONTAINER = "member_to_container"
    """source belongs to target (run INSTANCE_OF job)."""
    NONE = "none"
    """not lineage (ownership, classification)."""


# Downstream of a container are its members; upstream of a member is its container, reached
# but not expanded: the upstream of dataset version v2 is what produced v2, not whatever
# produced v1 of the same dataset.


class EdgeKind(StrEnum):
    # structure: a container is upstream of its versions and parts
    HAS_VERSION = "HAS_VERSION"
    HAS_COLUMN = "HAS_COLUMN"
    # run-level lineage: immutable facts
    INSTANCE_OF = "INSTANCE_OF"
    CONSUMED = "CONSUMED"
    PRODUCED = "PRODUCED"
    CHILD_OF = "CHILD_OF"
    # job-level lineage: open while the job version reads/writes the dataset
    READS = "READS"
    WRITES = "WRITES"
    # column- and feature-level lineage
    DERIVED_FROM = "DERIVED_FROM"
    COMPUTED_FROM = "COMPUTED_FROM"
    MATERIALIZED = "MATERIALIZED"
    """run -> the feature version it materialized."""
    STORED_IN = "STORED_IN"
    """feature version -> the column of the feature table holding its values (not lineage:
    the version is computed from its sources, the table's column derives from them too)."""
    # ML chain
    INCLUDES = "INCLUDES"
    DRAWN_FROM = "DRAWN_FROM"
    TRAINED_ON = "TRAINED_ON"
    PRODUCED_MODEL = "PRODUCED_MODEL"
    SERVES = "SERVES"
    # not lineage
    ALIAS_OF = "ALIAS_OF"
    """dataset alias -> the dataset it is another name of."""
    OWNED_BY = "OWNED_BY"
    CLASSIFIED_AS = "CLASSIFIED_AS"
    VALIDATES = "VALIDATES"
    DECIDED = "DECIDED"

    @property
    def flow(self) -> Flow:
        return _FLOW[self]

    @property
    def may_cycle(self) -> bool:
        """Job-level edges may form cycles (a job that reads and writes one table)."""
        return self in (EdgeKind.READS, EdgeKind.WRITES)


_FLOW: dict[EdgeKind, Flow] = {
    EdgeKind.HAS_VERSION: Flow.CONTAINER_TO_MEMBER,
    EdgeKind.HAS_COLUMN: Flow.TO_DOWNSTREAM,
    EdgeKind.INSTANCE_OF: Flow.MEMBER_TO_CONTAINER,
    EdgeKind.CONSUMED: Flow.TO_UPSTREAM,
    EdgeKind.PRODUCED: Flow.TO_DOWNSTREAM,
    EdgeKind.CHILD_OF: Flow.MEMBER_TO_CONTAINER,
    EdgeKind.READS: Flow.TO_UPSTREAM,
    EdgeKind.WRITES: Flow.TO_DOWNSTREAM,
    EdgeKind.DERIVED_FROM: Flow.TO_UPSTREAM,
    EdgeKind.COMPUTED_FROM: Flow.TO_UPSTREAM,
    EdgeKind.MATERIALIZED: Flow.TO_DOWNSTREAM,
    EdgeKind.INCLUDES: Flow.TO_UPSTREAM,
    EdgeKind.DRAWN_FROM: Flow.TO_UPSTREAM,
    EdgeKind.TRAINED_ON: Flow.TO_UPSTREAM,
    EdgeKind.PRODUCED_MODEL: Flow.TO_DOWNSTREAM,
    EdgeKind.SERVES: Flow.TO_UPSTREAM,
    EdgeKind.STORED_IN: Flow.NONE,
    EdgeKind.ALIAS_OF: Flow.NONE,
    EdgeKind.OWNED_BY: Flow.NONE,
    EdgeKind.CLASSIFIED_AS: Flow.NONE,
    EdgeKind.VALIDATES: Flow.NONE,
    EdgeKind.DECIDED: Flow.NONE,
}
