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
    add_labels,
    close_dropped_fields,
    dataset_version,
    ensure_dataset,
    keep,
    learn_column,
    put,
    set_owners,
    stored,
)


def dataset_registered(event: DatasetRegistered, view: PendingView, at: int) -> None:
    dataset = Urn.dataset(event.namespace, event.name)
    base = stored(view, dataset, views.Dataset)
    base = base or views.Dataset(namespace=event.namespace, name=event.name)
    put(view, dataset, at, replace(base, description=keep(event.description, base.description)))
    add_labels(view, dataset, event.labels, at)
    version: Urn | None = None
    if event.fields:
        previous = view.newest_member(str(dataset), NodeKind.DATASET_VERSION)
        version = dataset_version(view, dataset, event.fields, at, None)
        if str(version) != previous:
            close_dropped_fields(view, previous, event.fields, at)
    set_owners(view, str(dataset), event.owners, at)
    if event.column_lineage:
        _column_lineage(event, view, dataset, version, at)


def _column_lineage(
    event: DatasetRegistered, view: PendingView, dataset: Urn, version: Urn | None, at: int
) -> None:
    """A DatasetEvent's column lineage: from the fields of the version it registers (else
    the newest, else one learnt from the lineage) to the newest version of each source."""
    if version is None:
        newest = view.newest_member(str(dataset), NodeKind.DATASET_VERSION)
        version = Urn.parse(newest) if newest else dataset_version(view, dataset, [], at, None)
    for field, sources in sorted(event.column_lineage.items()):
        target = learn_column(view, version, field, at)
        for source in sources:
            upstream = ensure_dataset(view, source.namespace, source.name, at)
            newest = view.newest_member(str(upstream), NodeKind.DATASET_VERSION)
            source_version = (
                Urn.parse(newest) if newest else dataset_version(view, upstream, [], at, None)
            )
            column = learn_column(view, source_version, source.field, at)
            if column != target:
                view.check_acyclic(column, target)
                view.ensure_edge(EdgeKind.DERIVED_FROM, target, column, at)


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
