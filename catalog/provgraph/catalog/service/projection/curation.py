"""Projection of curation: descriptions, owners, classifications, feature status."""

from __future__ import annotations

from dataclasses import replace

from provgraph.catalog.model import views
from provgraph.catalog.model.errors import InvalidEventError, UnknownReferenceError
from provgraph.catalog.model.events import (
    AssetDescribed,
    ClassificationChanged,
    FeatureStatusChanged,
    OwnersAssigned,
    PolicyDecided,
)
from provgraph.catalog.model.kinds import EdgeKind, NodeKind
from provgraph.catalog.model.urn import Urn
from provgraph.catalog.service.graph_view import PendingView
from provgraph.catalog.service.projection.common import (
    classify,
    declassify,
    existing,
    keep,
    put,
    set_owners,
    stored,
)

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
    found = view.node(str(urn))
    current = None if found is None else views.view_of(found)
    if not isinstance(current, views.Described):
        raise InvalidEventError(f"a {urn.kind} cannot be described")
    put(view, urn, at, replace(current, description=event.description, description_curated=True))


def owners_assigned(event: OwnersAssigned, view: PendingView, at: int) -> None:
    urn = _target(view, event.urn, _OWNABLE, "owned")
    set_owners(view, str(urn), event.owners, at)


def classification_changed(event: ClassificationChanged, view: PendingView, at: int) -> None:
    urn = _parse(event.urn)
    if urn.is_field:
        _field_target(view, urn, removing=not event.present)
    else:
        urn = _target(view, event.urn, _CLASSIFIABLE, "classified")
    if event.present:
        classify(view, str(urn), event.tag, at)
    else:
        declassify(view, str(urn), event.tag, at)


def _field_target(view: PendingView, field: Urn, *, removing: bool) -> None:
    """A versionless column: the field must be in the dataset's newest version (or, to remove
    a tag, have been classified before)."""
    if removing and view.has(str(field)):
        return
    dataset = str(field.container())
    newest = view.newest_member(dataset, NodeKind.DATASET_VERSION)
    if newest is None:
        raise UnknownReferenceError(f"dataset {dataset} has no recorded version", urn=str(field))
    column = str(Urn.parse(newest).column(field.field or ""))
    if not view.has(column):
        raise UnknownReferenceError(
            f"field {field.field!r} is not in {newest}, the newest version of {dataset}",
            urn=str(field),
        )


def feature_status_changed(event: FeatureStatusChanged, view: PendingView, at: int) -> None:
    urn = _target(view, event.urn, {NodeKind.FEATURE}, "certified or deprecated")
    current = stored(view, urn, views.Feature)
    assert current is not None  # _target checked that it exists
    changed = replace(
        current,
        status=event.status,
        status_reason=keep(event.reason, current.status_reason),
        status_changed_at=at,
    )
    put(view, urn, at, changed)


def policy_decided(event: PolicyDecided, view: PendingView, at: int) -> None:
    decision = Urn(NodeKind.POLICY_DECISION, str(event.decision_id))
    recorded = views.PolicyDecision(
        action=event.action,
        purpose=event.purpose,
        principal=event.principal,
        allow=event.allow,
        deny=list(event.deny),
        obligations=list(event.obligations),
        bundle_revision=event.bundle_revision,
        input_digest=event.input_digest,
        engine=event.engine,
        error=event.error,
        policy_input=event.model_dump(mode="json", include={"policy_input"})["policy_input"],
        origin=event.origin,
    )
    put(view, decision, at, recorded)
    for subject in dict.fromkeys(event.subjects):
        if view.has(subject):
            view.ensure_edge(EdgeKind.DECIDED, str(decision), subject, at)
