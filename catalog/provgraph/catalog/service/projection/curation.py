"""Projection of curation: descriptions, owners, classifications, feature status."""

from __future__ import annotations

from provgraph.catalog.model.errors import InvalidEventError
from provgraph.catalog.model.events import (
    AssetDescribed,
    ClassificationChanged,
    FeatureStatusChanged,
    OwnersAssigned,
    PolicyDecided,
)
from provgraph.catalog.model.graph import NodeRecord
from provgraph.catalog.model.kinds import EdgeKind, NodeKind
from provgraph.catalog.model.urn import Urn
from provgraph.catalog.service.graph_view import PendingView
from provgraph.catalog.service.projection.common import classify, existing, merge_props, set_owners

_DESCRIBABLE = {
    NodeKind.DATASET,
    NodeKind.COLUMN,
    NodeKind.JOB,
    NodeKind.FEATURE,
    NodeKind.MODEL,
    NodeKind.MODEL_VERSION,
    NodeKind.DEPLOYMENT,
    NodeKind.TRAINING_SET,
}
_OWNABLE = {NodeKind.DATASET, NodeKind.JOB, NodeKind.FEATURE, NodeKind.MODEL, NodeKind.DEPLOYMENT}
_CLASSIFIABLE = {NodeKind.COLUMN, NodeKind.DATASET, NodeKind.FEATURE}


def _target(view: PendingView, text: str, allowed: set[NodeKind], what: str) -> Urn:
    urn = _parse(text)
    if urn.kind not in allowed:
        kinds = ", ".join(sorted(k.value for k in allowed))
        raise InvalidEventError(f"a {urn.kind} cannot be {what}; only: {kinds}")
    return existing(view, text, urn.kind, "urn")


def _parse(text: str) -> Urn:
    try:
        return Urn.parse(text)
    except ValueError as exc:
        raise InvalidEventError(str(exc)) from exc


def asset_described(event: AssetDescribed, view: PendingView, at: int) -> None:
    urn = _target(view, event.urn, _DESCRIBABLE, "described")
    merge_props(view, urn, urn.kind, at, {"description": event.description})


def owners_assigned(event: OwnersAssigned, view: PendingView, at: int) -> None:
    urn = _target(view, event.urn, _OWNABLE, "owned")
    set_owners(view, str(urn), event.owners, at)


def classification_changed(event: ClassificationChanged, view: PendingView, at: int) -> None:
    urn = _target(view, event.urn, _CLASSIFIABLE, "classified")
    if event.present:
        classify(view, str(urn), event.tag, at)
        return
    tag_urn = str(Urn(NodeKind.CLASSIFICATION, event.tag))
    for edge in view.edges_from(str(urn), EdgeKind.CLASSIFIED_AS, open_only=True):
        if edge.dst == tag_urn:
            view.close_edge(edge, at)


def feature_status_changed(event: FeatureStatusChanged, view: PendingView, at: int) -> None:
    urn = _target(view, event.urn, {NodeKind.FEATURE}, "certified or deprecated")
    merge_props(
        view,
        urn,
        NodeKind.FEATURE,
        at,
        {"status": event.status, "status_reason": event.reason, "status_changed_at": at},
    )


def policy_decided(event: PolicyDecided, view: PendingView, at: int) -> None:
    decision = Urn(NodeKind.POLICY_DECISION, str(event.decision_id))
    props = event.model_dump(mode="json", exclude={"type", "event_time", "decision_id", "subjects"})
    view.put_node(NodeRecord(str(decision), NodeKind.POLICY_DECISION, at, props))
    for subject in dict.fromkeys(event.subjects):
        if view.has(subject):
            view.ensure_edge(EdgeKind.DECIDED, str(decision), subject, at)
