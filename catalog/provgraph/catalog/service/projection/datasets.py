"""Projection of dataset registrations and declared lineage."""

from __future__ import annotations

from dataclasses import replace

from provgraph.catalog.model import views
from provgraph.catalog.model.errors import InvalidEventError, InvalidUrnError, UnknownReferenceError
from provgraph.catalog.model.events import DatasetRegistered, LineageDeclared
from provgraph.catalog.model.kinds import EdgeKind, NodeKind
from provgraph.catalog.model.urn import Urn
from provgraph.catalog.service.graph_view import PendingView
from provgraph.catalog.service.projection.common import (
    close_dropped_fields,
    dataset_version,
    keep,
    put,
    set_owners,
    stored,
)


def dataset_registered(event: DatasetRegistered, view: PendingView, at: int) -> None:
    dataset = Urn.dataset(event.namespace, event.name)
    base = stored(view, dataset, views.Dataset)
    base = base or views.Dataset(namespace=event.namespace, name=event.name)
    put(view, dataset, at, replace(base, description=keep(event.description, base.description)))
    if event.fields:
        previous = view.newest_member(str(dataset), NodeKind.DATASET_VERSION)
        version = dataset_version(view, dataset, event.fields, at, None)
        if str(version) != previous:
            close_dropped_fields(view, previous, event.fields, at)
    set_owners(view, str(dataset), event.owners, at)


_DECLARABLE = {
    (NodeKind.DATASET, NodeKind.DATASET),
    (NodeKind.DATASET_VERSION, NodeKind.DATASET_VERSION),
    (NodeKind.COLUMN, NodeKind.COLUMN),
}


def lineage_declared(event: LineageDeclared, view: PendingView, at: int) -> None:
    try:
        downstream, upstream = Urn.parse(event.downstream), Urn.parse(event.upstream)
    except InvalidUrnError as exc:
        raise InvalidEventError(str(exc)) from exc
    if (downstream.kind, upstream.kind) not in _DECLARABLE:
        raise InvalidEventError(
            "lineage can be declared between two datasets, dataset versions or columns, "
            f"not from a {upstream.kind} to a {downstream.kind}"
        )
    for urn in (downstream, upstream):
        if not view.has(str(urn)):
            raise UnknownReferenceError(f"{urn} is not in the catalog", urn=str(urn))
    view.check_acyclic(str(upstream), str(downstream))
    view.ensure_edge(EdgeKind.DERIVED_FROM, str(downstream), str(upstream), at)
