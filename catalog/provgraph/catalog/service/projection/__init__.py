"""Turns catalog events into graph changes: one function per event type.

Projection is deterministic: replaying the log in order rebuilds the same graph. It also
checks that an event fits what the catalog holds (parents exist, versions stay immutable,
lineage stays acyclic) and raises a typed error otherwise; the writer then stores nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from provgraph.catalog.model.events import CatalogEvent
from provgraph.catalog.model.timeutil import to_micros
from provgraph.catalog.service.graph_view import PendingView
from provgraph.catalog.service.projection import curation, datasets, ml, runs

_HANDLERS: dict[str, Callable[[Any, PendingView, int], None]] = {
    "dataset.registered": datasets.dataset_registered,
    "lineage.declared": datasets.lineage_declared,
    "run.recorded": runs.run_recorded,
    "job.declared": runs.job_declared,
    "feature.defined": ml.feature_defined,
    "training_set.created": ml.training_set_created,
    "model_version.registered": ml.model_version_registered,
    "deployment.recorded": ml.deployment_recorded,
    "asset.described": curation.asset_described,
    "asset.owners_assigned": curation.owners_assigned,
    "classification.changed": curation.classification_changed,
    "feature.status_changed": curation.feature_status_changed,
    "policy.decided": curation.policy_decided,
}


def project(event: CatalogEvent, view: PendingView) -> None:
    _HANDLERS[event.type](event, view, to_micros(event.event_time))
