"""Projection steps shared by several event types."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from provgraph.catalog.model.errors import InvalidEventError, InvalidUrnError, UnknownReferenceError
from provgraph.catalog.model.events import DatasetRef, FieldSpec, QualitySpec
from provgraph.catalog.model.graph import EdgeRecord, NodeRecord, content_version
from provgraph.catalog.model.kinds import EdgeKind, NodeKind
from provgraph.catalog.model.urn import Urn
from provgraph.catalog.service.graph_view import PendingView


def merge_props(
    view: PendingView, urn: Urn, kind: NodeKind, at: int, props: dict[str, Any]
) -> None:
    """Create or update a mutable entity; a None in `props` keeps the stored value."""
    existing = view.node(str(urn))
    merged = dict(existing.props) if existing else {}
    merged.update({k: v for k, v in props.items() if v is not None})
    view.put_node(NodeRecord(str(urn), kind, at, merged))


def create_version(view: PendingView, urn: Urn, at: int, props: dict[str, Any]) -> bool:
    """Create an immutable version node with its HAS_VERSION edge; False if it exists."""
    if view.has(str(urn)):
        return False
    view.put_node(NodeRecord(str(urn), urn.kind, at, props))
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
            view.put_node(NodeRecord(owner_urn, NodeKind.OWNER, at, {"id": owner}))
        view.ensure_edge(EdgeKind.OWNED_BY, subject, owner_urn, at)


def schema(fields: Sequence[FieldSpec]) -> list[dict[str, str]]:
    return [{"name": f.name, "type": f.type} for f in fields]


def add_columns(view: PendingView, version: Urn, fields: Sequence[FieldSpec], at: int) -> None:
    for spec in fields:
        column = str(version.column(spec.name))
        if not view.has(column):
            props = {"name": spec.name, "type": spec.type, "description": spec.description}
            view.put_node(NodeRecord(column, NodeKind.COLUMN, at, props))
            view.open_edge(EdgeRecord(EdgeKind.HAS_COLUMN, str(version), column, at))
        for tag in spec.classifications:
            classify(view, column, tag, at)


def classify(view: PendingView, subject: str, tag: str, at: int) -> None:
    tag_urn = str(Urn(NodeKind.CLASSIFICATION, tag))
    if not view.has(tag_urn):
        view.put_node(NodeRecord(tag_urn, NodeKind.CLASSIFICATION, at, {"tag": tag}))
    view.ensure_edge(EdgeKind.CLASSIFIED_AS, subject, tag_urn, at)


def dataset_version(
    view: PendingView, dataset: Urn, fields: Sequence[FieldSpec], at: int, produced_by: str | None
) -> Urn:
    if len({f.name for f in fields}) != len(fields):
        raise InvalidEventError(f"dataset {dataset} lists a field name twice")
    content = {"schema": schema(fields), "run": produced_by}
    version = dataset.with_version(content_version(content))
    create_version(view, version, at, {"schema": schema(fields), "produced_by": produced_by})
    add_columns(view, version, fields, at)
    return version


def ensure_dataset(view: PendingView, namespace: str, name: str, at: int) -> Urn:
    dataset = Urn.dataset(namespace, name)
    if not view.has(str(dataset)):
        merge_props(view, dataset, NodeKind.DATASET, at, {"namespace": namespace, "name": name})
    return dataset


def resolve_dataset(view: PendingView, ref: DatasetRef) -> Urn:
    """An existing dataset version: the named one, or the dataset's newest."""
    dataset = Urn.dataset(ref.namespace, ref.name)
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
    if not view.has(text):
        raise UnknownReferenceError(f"{role} {text} is not in the catalog", urn=text)
    return urn


def record_quality(
    view: PendingView, version: Urn, quality: QualitySpec, observer: str, at: int
) -> None:
    """A ValidationResult node for what `observer` (a run) measured on a dataset version."""
    run_id = Urn.parse(observer).name
    result = Urn(NodeKind.VALIDATION_RESULT, f"{version.namespace}/{version.name}", run_id)
    props = {
        "dataset_version": str(version),
        "observed_by": observer,
        "row_count": quality.row_count,
        "bytes": quality.bytes,
        "column_metrics": quality.column_metrics,
        "assertions": [a.model_dump() for a in quality.assertions],
        "success": all(a.success for a in quality.assertions),
    }
    merge_props(view, result, NodeKind.VALIDATION_RESULT, at, props)
    view.ensure_edge(EdgeKind.VALIDATES, str(result), str(version), at)
