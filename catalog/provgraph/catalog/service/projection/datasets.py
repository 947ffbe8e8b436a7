"""Projection of dataset registrations and declared lineage."""

from __future__ import annotations

from collections.abc import Sequence

from provgraph.catalog.model import views
from provgraph.catalog.model.errors import InvalidEventError, InvalidUrnError, UnknownReferenceError
from provgraph.catalog.model.events import DatasetRegistered, FieldSpec, LineageDeclared
from provgraph.catalog.model.kinds import EdgeKind, NodeKind
from provgraph.catalog.model.timeutil import from_micros, rfc3339
from provgraph.catalog.model.transformations import Transformation
from provgraph.catalog.model.urn import Urn
from provgraph.catalog.service.graph_view import PendingView
from provgraph.catalog.service.projection.aliases import declare_aliases
from provgraph.catalog.service.projection.common import (
    add_labels,
    dataset_version,
    ensure_dataset,
    learn_column,
    link_columns,
    new_version_urn,
    produced_description,
    put,
    set_owners,
    stored,
)


def dataset_registered(event: DatasetRegistered, view: PendingView, at: int) -> None:
    """A registration records the schema as a version; it never ends a classification: a
    schema without a field keeps the field's tags (only a steward removes them)."""
    dataset = ensure_dataset(view, event.namespace, event.name, at)
    declare_aliases(view, dataset, event.aliases, at)
    base = stored(view, dataset, views.Dataset)
    assert base is not None  # ensure_dataset made sure of it
    put(view, dataset, at, produced_description(base, event.description))
    add_labels(view, dataset, event.labels, at)
    version: Urn | None = None
    if event.fields:
        _refuse_backdated_version(view, dataset, event.fields, at)
        version = dataset_version(view, dataset, event.fields, at, None)
    set_owners(view, str(dataset), event.owners, at)
    if event.column_lineage:
        _column_lineage(event, view, dataset, version, at)


def _refuse_backdated_version(
    view: PendingView, dataset: Urn, fields: Sequence[FieldSpec], at: int
) -> None:
    """A new schema dated before the dataset's newest version would rewrite which version was
    current in the past (what as-of answers said): refused."""
    if view.has(str(new_version_urn(dataset, fields, None))):
        return
    newest = view.newest_member(str(dataset), NodeKind.DATASET_VERSION)
    recorded = view.node(newest) if newest else None
    if recorded is not None and recorded.created_at > at:
        raise InvalidEventError(
            f"dataset {dataset} has a newer version ({newest}, recorded at "
            f"{_moment(recorded.created_at)}) than this registration's event_time "
            f"({_moment(at)}); a schema registered in the past would rewrite its history"
        )


def _moment(micros: int) -> str:
    moment = from_micros(micros)
    return rfc3339(moment) if moment else "open"


def _column_lineage(
    event: DatasetRegistered, view: PendingView, dataset: Urn, version: Urn | None, at: int
) -> None:
    """A DatasetEvent's column lineage: from the fields of the version it registers (else
    the newest, else one learnt from the lineage) to the newest version of each source."""
    if version is None:
        newest = view.newest_member(str(dataset), NodeKind.DATASET_VERSION)
        version = Urn.parse(newest) if newest else dataset_version(view, dataset, [], at, None)
    links: dict[tuple[str, str], list[Transformation]] = {}
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
                links.setdefault((target, column), []).extend(
                    t.to_model() for t in source.transformations
                )
    link_columns(view, EdgeKind.DERIVED_FROM, links, at)


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
