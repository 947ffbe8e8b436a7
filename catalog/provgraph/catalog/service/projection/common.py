"""Projection steps shared by several event types."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TypeVar

from provgraph.catalog.model import views
from provgraph.catalog.model.errors import InvalidEventError, InvalidUrnError, UnknownReferenceError
from provgraph.catalog.model.events import DatasetRef, FieldSpec, QualitySpec
from provgraph.catalog.model.graph import EdgeRecord, NodeRecord, content_version
from provgraph.catalog.model.kinds import EdgeKind, NodeKind
from provgraph.catalog.model.transformations import (
    Transformation,
    edge_props,
    merged,
    of_edge,
)
from provgraph.catalog.model.urn import Urn
from provgraph.catalog.model.views import NodeView
from provgraph.catalog.service import fields
from provgraph.catalog.service.graph_view import PendingView

V = TypeVar("V", bound=NodeView)
D = TypeVar("D", bound=views.Described)
T = TypeVar("T")


def stored(view: PendingView, urn: Urn | str, kind: type[V]) -> V | None:
    """The typed view of a node as the catalog (or this batch) holds it; None if absent."""
    found = view.node(str(urn))
    return None if found is None else kind.of(found)


def put(view: PendingView, urn: Urn | str, at: int, data: NodeView) -> None:
    """Create a node, or replace its properties (it keeps when it was created)."""
    view.put_node(NodeRecord(str(urn), data.KIND, at, data.to_props()))


def produced_description(current: D, description: str | None) -> D:
    """`current` with the description a producer sent (a registration, an OpenLineage
    `documentation` facet): it fills in or replaces a producer's, never a steward's."""
    if description is None or current.description_curated or description == current.description:
        return current
    return replace(current, description=description)


def keep(value: T | None, previous: T | None) -> T | None:
    """An event that leaves a property out (None) keeps the stored value."""
    return previous if value is None else value


def create_version(view: PendingView, urn: Urn, at: int, data: NodeView) -> bool:
    """Create an immutable version node with its HAS_VERSION edge; False if it exists."""
    if view.has(str(urn)):
        return False
    put(view, urn, at, data)
    view.open_edge(EdgeRecord(EdgeKind.HAS_VERSION, str(urn.container()), str(urn), at))
    return True


def set_owners(view: PendingView, subject: str, owners: Sequence[str], at: int) -> None:
    """Owners given by an event replace the current owners; no owners leaves them as they are."""
    if not owners:
        return
    wanted = {str(Urn(NodeKind.OWNER, owner)) for owner in owners}
    for edge in view.edges_from(subject, EdgeKind.OWNED_BY, open_only=True):
        if edge.dst not in wanted:
            view.close_edge(edge, at)
    for owner_urn in sorted(wanted):
        if not view.has(owner_urn):
            owner = Urn.parse(owner_urn).name
            put(view, owner_urn, at, views.Owner(id=owner))
        view.ensure_edge(EdgeKind.OWNED_BY, subject, owner_urn, at)


def schema(fields: Sequence[FieldSpec]) -> list[dict[str, str]]:
    return [{"name": f.name, "type": f.type} for f in fields]


def add_columns(view: PendingView, version: Urn, fields: Sequence[FieldSpec], at: int) -> None:
    for spec in fields:
        column = str(version.column(spec.name))
        if not view.has(column):
            data = views.Column(name=spec.name, type=spec.type, description=spec.description)
            put(view, column, at, data)
            view.open_edge(EdgeRecord(EdgeKind.HAS_COLUMN, str(version), column, at))
        for tag in spec.classifications:
            classify(view, column, tag, at)


def classify(view: PendingView, subject: str, tag: str, at: int) -> None:
    """Set `tag` on a dataset, feature or column; a column's tag belongs to its field, so it
    holds for that field in every version of the dataset until it is removed."""
    tag_urn = str(Urn(NodeKind.CLASSIFICATION, tag))
    if not view.has(tag_urn):
        put(view, tag_urn, at, views.Classification(tag=tag))
    parsed = Urn.parse(subject)
    if parsed.kind is NodeKind.COLUMN:
        subject = ensure_field(view, parsed, at)
    view.ensure_edge(EdgeKind.CLASSIFIED_AS, subject, tag_urn, at)


def declassify(view: PendingView, subject: str, tag: str, at: int) -> None:
    """Remove `tag`; on a column from its field (and from any one version it was set on)."""
    tag_urn = str(Urn(NodeKind.CLASSIFICATION, tag))
    parsed = Urn.parse(subject)
    holders = [subject]
    if parsed.kind is NodeKind.COLUMN:
        holders = list(dict.fromkeys([str(parsed.field_urn()), subject]))
    for holder in holders:
        for edge in view.edges_from(holder, EdgeKind.CLASSIFIED_AS, open_only=True):
            if edge.dst == tag_urn:
                view.close_edge(edge, at)


def ensure_field(view: PendingView, column: Urn, at: int) -> str:
    """The field node (versionless column) that a column's classifications belong to."""
    field = column.field_urn()
    if not view.has(str(field)):
        put(view, field, at, views.Column(name=column.field or ""))
    return str(field)


def link_columns(
    view: PendingView,
    kind: EdgeKind,
    links: Mapping[tuple[str, str], Sequence[Transformation]],
    at: int,
) -> None:
    """Open `downstream -kind-> upstream` for each link, carrying how the producer said the
    upstream column was used. An open edge that lacks some of the transformations now reported
    is replaced from `at` by one carrying all of them (a run's later event saying more)."""
    for (downstream, upstream), transformations in links.items():
        wanted = merged(transformations)
        edges = view.edges_from(downstream, kind, open_only=True)
        current = [e for e in edges if e.dst == upstream]
        if not current:
            view.open_edge(EdgeRecord(kind, downstream, upstream, at, props=edge_props(wanted)))
            continue
        have = of_edge(current[0].props)
        union = merged(have, wanted)
        if union != have and at > current[0].valid_from:
            view.close_edge(current[0], at)
            view.open_edge(EdgeRecord(kind, downstream, upstream, at, props=edge_props(union)))


def new_version_urn(dataset: Urn, fields: Sequence[FieldSpec], produced_by: str | None) -> Urn:
    """The content-derived version of `dataset` with this schema, written by this run."""
    return dataset.with_version(content_version({"schema": schema(fields), "run": produced_by}))


def dataset_version(
    view: PendingView, dataset: Urn, fields: Sequence[FieldSpec], at: int, produced_by: str | None
) -> Urn:
    if len({f.name for f in fields}) != len(fields):
        raise InvalidEventError(f"dataset {dataset} lists a field name twice")
    version = new_version_urn(dataset, fields, produced_by)
    create_version(
        view, version, at, views.DatasetVersion(schema=schema(fields), produced_by=produced_by)
    )
    add_columns(view, version, fields, at)
    return version


def merge_fields(view: PendingView, version: Urn, fields: Sequence[FieldSpec], at: int) -> None:
    """Add the fields a later event of the same run reports to the version it wrote."""
    recorded = stored(view, version, views.DatasetVersion)
    if recorded is None:
        return
    known = {f.name for f in recorded.fields}
    new = [f for f in dict((f.name, f) for f in fields).values() if f.name not in known]
    if new:
        put(view, version, at, replace(recorded, schema=recorded.schema + schema(new)))
    add_columns(view, version, fields, at)


def learn_column(view: PendingView, version: Urn, field: str, at: int) -> str:
    """The column `field` of `version`, learnt (type unknown) when its schema lacked it:
    producers send partial schemas, and lineage that names a field is evidence of it."""
    column = str(version.column(field))
    if not view.has(column):
        put(view, column, at, views.Column(name=field))
        view.open_edge(EdgeRecord(EdgeKind.HAS_COLUMN, str(version), column, at))
    return column


def add_labels(view: PendingView, dataset: Urn, labels: Sequence[str], at: int) -> None:
    """Free-text tags kept on the dataset as searchable labels (a union, sorted)."""
    recorded = stored(view, dataset, views.Dataset)
    if recorded is None or not labels:
        return
    merged = sorted(set(recorded.labels) | set(labels))
    if merged != recorded.labels:
        put(view, dataset, at, replace(recorded, labels=merged))


def dataset_named(view: PendingView, namespace: str, name: str) -> Urn:
    """The dataset that (namespace, name) names, aliases followed (fields.dataset_named)."""
    return fields.dataset_named(view, Urn.dataset(namespace, name))


def ensure_dataset(view: PendingView, namespace: str, name: str, at: int) -> Urn:
    """The dataset (namespace, name) names (dataset_named), created when it is new."""
    dataset = dataset_named(view, namespace, name)
    if not view.has(str(dataset)):
        put(view, dataset, at, views.Dataset(namespace=namespace, name=name))
    return dataset


def resolve_dataset(view: PendingView, ref: DatasetRef) -> Urn:
    """An existing dataset version: the named one, or the dataset's newest."""
    dataset = dataset_named(view, ref.namespace, ref.name)
    if ref.version is None:
        newest = view.newest_member(str(dataset), NodeKind.DATASET_VERSION)
        if newest is None:
            raise UnknownReferenceError(
                f"dataset {dataset} is not in the catalog", urn=str(dataset)
            )
        return Urn.parse(newest)
    version = dataset.with_version(ref.version)
    if not view.has(str(version)):
        raise UnknownReferenceError(
            f"dataset version {version} is not in the catalog", urn=str(version)
        )
    return version


def existing(view: PendingView, text: str, kind: NodeKind, role: str) -> Urn:
    try:
        urn = Urn.parse(text)
    except InvalidUrnError as exc:
        raise InvalidEventError(f"{role}: {exc}") from exc
    if urn.kind is not kind:
        raise InvalidEventError(f"{role} must be a {kind} urn, got a {urn.kind}: {text}")
    if kind is NodeKind.DATASET:
        urn = dataset_named(view, urn.namespace or "", urn.name)
        text = str(urn)
    if not view.has(text):
        raise UnknownReferenceError(f"{role} {text} is not in the catalog", urn=text)
    return urn


def record_quality(
    view: PendingView, version: Urn, quality: QualitySpec, observer: str, at: int
) -> None:
    """A ValidationResult node for what `observer` (a run) measured on a dataset version."""
    run_id = Urn.parse(observer).name
    result = Urn(NodeKind.VALIDATION_RESULT, f"{version.namespace}/{version.name}", run_id)
    previous = stored(view, result, views.ValidationResult)
    data = views.ValidationResult(
        dataset_version=str(version),
        observed_by=observer,
        row_count=keep(quality.row_count, previous.row_count if previous else None),
        bytes=keep(quality.bytes, previous.bytes if previous else None),
        column_metrics=dict(quality.column_metrics),
        assertions=[a.model_dump() for a in quality.assertions],
        success=all(a.success for a in quality.assertions),
    )
    put(view, result, at, data)
    view.ensure_edge(EdgeKind.VALIDATES, str(result), str(version), at)
