"""Turns catalog events into graph changes: one function per event type.

Projection is deterministic: replaying the log in order rebuilds the same graph. It also
checks that an event fits what the catalog holds (parents exist, versions stay immutable,
lineage stays acyclic) and raises a typed error otherwise; the writer then stores nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from provgraph.catalog.model.errors import (
    ImmutableVersionError,
    InvalidEventError,
    InvalidUrnError,
    UnknownReferenceError,
)
from provgraph.catalog.model.events import (
    CatalogEvent,
    ColumnRef,
    DatasetRef,
    DatasetRegistered,
    DeploymentRecorded,
    FeatureDefined,
    FieldSpec,
    LineageDeclared,
    ModelVersionRegistered,
    RunRecorded,
    TrainingSetCreated,
)
from provgraph.catalog.model.graph import EdgeRecord, NodeRecord, content_version
from provgraph.catalog.model.kinds import EdgeKind, NodeKind
from provgraph.catalog.model.timeutil import to_micros
from provgraph.catalog.model.urn import Urn
from provgraph.catalog.service.graph_view import PendingView


def project(event: CatalogEvent, view: PendingView) -> None:
    handler: Callable[[Any, PendingView, int], None] = _HANDLERS[event.type]
    handler(event, view, to_micros(event.event_time))


# ---- shared steps -----------------------------------------------------------------------------


def _merge_props(
    view: PendingView, urn: Urn, kind: NodeKind, at: int, props: dict[str, Any]
) -> None:
    """Create or update a mutable entity; a None in `props` keeps the stored value."""
    existing = view.node(str(urn))
    merged = dict(existing.props) if existing else {}
    merged.update({k: v for k, v in props.items() if v is not None})
    view.put_node(NodeRecord(str(urn), kind, at, merged))


def _create_version(view: PendingView, urn: Urn, at: int, props: dict[str, Any]) -> bool:
    """Create an immutable version node with its HAS_VERSION edge; False if it exists."""
    if view.has(str(urn)):
        return False
    view.put_node(NodeRecord(str(urn), urn.kind, at, props))
    view.open_edge(EdgeRecord(EdgeKind.HAS_VERSION, str(urn.container()), str(urn), at))
    return True


def _set_owners(view: PendingView, subject: str, owners: Sequence[str], at: int) -> None:
    """Owners given by an event replace the current owners; no owners leaves them as they are."""
    if not owners:
        return
    wanted = {str(Urn(NodeKind.OWNER, owner)) for owner in owners}
    for edge in view.edges_from(subject, EdgeKind.OWNED_BY, open_only=True):
        if edge.dst not in wanted:
            view.close_edge(edge, at)
    for owner_urn in sorted(wanted):
        if not view.has(owner_urn):
            view.put_node(
                NodeRecord(owner_urn, NodeKind.OWNER, at, {"id": Urn.parse(owner_urn).name})
            )
        view.ensure_edge(EdgeKind.OWNED_BY, subject, owner_urn, at)


def _schema(fields: Sequence[FieldSpec]) -> list[dict[str, str]]:
    return [{"name": f.name, "type": f.type} for f in fields]


def _add_columns(view: PendingView, version: Urn, fields: Sequence[FieldSpec], at: int) -> None:
    for spec in fields:
        column = str(version.column(spec.name))
        if not view.has(column):
            props = {"name": spec.name, "type": spec.type, "description": spec.description}
            view.put_node(NodeRecord(column, NodeKind.COLUMN, at, props))
            view.open_edge(EdgeRecord(EdgeKind.HAS_COLUMN, str(version), column, at))
        for tag in spec.classifications:
            tag_urn = str(Urn(NodeKind.CLASSIFICATION, tag))
            if not view.has(tag_urn):
                view.put_node(NodeRecord(tag_urn, NodeKind.CLASSIFICATION, at, {"tag": tag}))
            view.ensure_edge(EdgeKind.CLASSIFIED_AS, column, tag_urn, at)


def _dataset_version(
    view: PendingView, dataset: Urn, fields: Sequence[FieldSpec], at: int, produced_by: str | None
) -> Urn:
    if len({f.name for f in fields}) != len(fields):
        raise InvalidEventError(f"dataset {dataset} lists a field name twice")
    version = dataset.with_version(content_version({"schema": _schema(fields), "run": produced_by}))
    props = {"schema": _schema(fields), "produced_by": produced_by}
    _create_version(view, version, at, props)
    _add_columns(view, version, fields, at)
    return version


def _resolve_input(view: PendingView, ref: DatasetRef, at: int) -> Urn:
    dataset = Urn.dataset(ref.namespace, ref.name)
    if ref.version is not None:
        version = dataset.with_version(ref.version)
        if not view.has(str(version)):
            raise UnknownReferenceError(
                f"dataset version {version} is not in the catalog", urn=str(version)
            )
        return version
    newest = view.newest_member(str(dataset), NodeKind.DATASET_VERSION)
    if newest is not None:
        return Urn.parse(newest)
    # An input nobody registered (a raw table): record it with an unknown schema, the way
    # OpenLineage consumers do, so its lineage is not lost.
    _merge_props(
        view, dataset, NodeKind.DATASET, at, {"namespace": ref.namespace, "name": ref.name}
    )
    return _dataset_version(view, dataset, [], at, None)


def _existing(view: PendingView, text: str, kind: NodeKind, role: str) -> Urn:
    try:
        urn = Urn.parse(text)
    except InvalidUrnError as exc:
        raise InvalidEventError(f"{role}: {exc}") from exc
    if urn.kind is not kind:
        raise InvalidEventError(f"{role} must be a {kind} urn, got a {urn.kind}: {text}")
    if not view.has(text):
        raise UnknownReferenceError(f"{role} {text} is not in the catalog", urn=text)
    return urn


def _column_of(view: PendingView, version: Urn, field: str, at: int) -> str:
    column = str(version.column(field))
    if view.has(column):
        return column
    node = view.node(str(version))
    if node is not None and node.props.get("schema"):
        known = ", ".join(f["name"] for f in node.props["schema"])
        raise UnknownReferenceError(
            f"column {field!r} is not in dataset version {version} (fields: {known})", urn=column
        )
    # a version with an unknown schema learns its columns from the lineage that uses them
    view.put_node(NodeRecord(column, NodeKind.COLUMN, at, {"name": field, "type": "unknown"}))
    view.open_edge(EdgeRecord(EdgeKind.HAS_COLUMN, str(version), column, at))
    return column


# ---- one function per event type -----------------------------------------------------------


def _dataset_registered(event: DatasetRegistered, view: PendingView, at: int) -> None:
    dataset = Urn.dataset(event.namespace, event.name)
    props = {"namespace": event.namespace, "name": event.name, "description": event.description}
    _merge_props(view, dataset, NodeKind.DATASET, at, props)
    if event.fields:
        _dataset_version(view, dataset, event.fields, at, None)
    _set_owners(view, str(dataset), event.owners, at)


def _run_recorded(event: RunRecorded, view: PendingView, at: int) -> None:
    run = Urn(NodeKind.RUN, str(event.run_id))
    job = Urn.job(event.job.namespace, event.job.name)
    previous_job = view.node(str(job))
    previous_version = previous_job.props.get("version") if previous_job else None
    _merge_props(
        view,
        job,
        NodeKind.JOB,
        at,
        {
            "namespace": event.job.namespace,
            "name": event.job.name,
            "version": event.job.version,
            "source_code_location": event.job.source_code_location,
            "description": event.job.description,
        },
    )
    terminal = event.state in ("COMPLETE", "FAIL", "ABORT")
    run_props = {
        "run_id": str(event.run_id),
        "job": str(job),
        "job_version": event.job.version,
        "state": event.state,
        "started_at": event.started_at.isoformat() if event.started_at else None,
        "ended_at": event.event_time.isoformat() if terminal else None,
    }
    _merge_props(view, run, NodeKind.RUN, at, run_props)
    view.ensure_edge(EdgeKind.INSTANCE_OF, str(run), str(job), at)
    if event.parent_run_id is not None:
        parent = str(Urn(NodeKind.RUN, str(event.parent_run_id)))
        view.check_acyclic(parent, str(run))
        if not view.has(parent):
            raise UnknownReferenceError(f"parent run {parent} is not in the catalog", urn=parent)
        view.ensure_edge(EdgeKind.CHILD_OF, str(run), parent, at)

    inputs: dict[tuple[str, str], Urn] = {}
    for ref in event.inputs:
        version = _resolve_input(view, ref, at)
        inputs[(ref.namespace, ref.name)] = version
        view.ensure_edge(EdgeKind.CONSUMED, str(run), str(version), at)
    for edge in view.edges_from(str(run), EdgeKind.CONSUMED):
        consumed = Urn.parse(edge.dst)
        inputs.setdefault((consumed.namespace or "", consumed.name), consumed)

    outputs: list[Urn] = []
    for output in event.outputs:
        dataset = Urn.dataset(output.namespace, output.name)
        _merge_props(
            view,
            dataset,
            NodeKind.DATASET,
            at,
            {"namespace": output.namespace, "name": output.name},
        )
        version = _dataset_version(view, dataset, output.fields, at, str(run))
        outputs.append(dataset)
        view.ensure_edge(EdgeKind.PRODUCED, str(run), str(version), at)
        names = {f.name for f in output.fields}
        for field, sources in output.column_lineage.items():
            if names and field not in names:
                raise InvalidEventError(
                    f"column lineage names output field {field!r}, which {dataset} does not have"
                )
            target = _column_of(view, version, field, at)
            for source in sources:
                source_version = _input_version(inputs, source, dataset)
                view.ensure_edge(
                    EdgeKind.DERIVED_FROM,
                    target,
                    _column_of(view, source_version, source.field, at),
                    at,
                )

    _update_job_lineage(view, job, previous_version, event.job.version, inputs, outputs, at)


def _input_version(inputs: dict[tuple[str, str], Urn], source: ColumnRef, output: Urn) -> Urn:
    version = inputs.get((source.namespace, source.name))
    if version is None:
        dataset = Urn.dataset(source.namespace, source.name)
        raise UnknownReferenceError(
            f"column lineage of {output} reads {dataset}, which is not an input of this run",
            urn=str(dataset),
        )
    return version


def _update_job_lineage(
    view: PendingView,
    job: Urn,
    previous_version: object,
    version: str | None,
    inputs: dict[tuple[str, str], Urn],
    outputs: list[Urn],
    at: int,
) -> None:
    """Keep the job's dataset-level edges current; a new job version closes what it dropped."""
    wanted = {(EdgeKind.READS, str(v.container())) for v in inputs.values()} | {
        (EdgeKind.WRITES, str(d)) for d in outputs
    }
    if previous_version is not None and version is not None and previous_version != version:
        for kind in (EdgeKind.READS, EdgeKind.WRITES):
            for edge in view.edges_from(str(job), kind, open_only=True):
                if (kind, edge.dst) not in wanted:
                    view.close_edge(edge, at)
    for kind, dataset in sorted(wanted):
        view.ensure_edge(kind, str(job), dataset, at)


def _feature_defined(event: FeatureDefined, view: PendingView, at: int) -> None:
    feature = Urn(NodeKind.FEATURE, event.name, event.group)
    columns: list[str] = []
    for source in event.sources:
        dataset = Urn.dataset(source.namespace, source.name)
        newest = view.newest_member(str(dataset), NodeKind.DATASET_VERSION)
        if newest is None:
            raise UnknownReferenceError(
                f"feature {feature} reads {dataset}, which has no recorded schema in the catalog",
                urn=str(dataset),
            )
        column = str(Urn.parse(newest).column(source.field))
        if not view.has(column):
            raise UnknownReferenceError(
                f"feature {feature} reads column {source.field!r}, which {newest} does not have",
                urn=column,
            )
        columns.append(column)
    definition = {
        "transformation": event.transformation,
        "dtype": event.dtype,
        "entity": event.entity,
        "sources": columns,
        "declassifying": event.declassifying,
    }
    version = feature.with_version(content_version(definition))
    _merge_props(
        view,
        feature,
        NodeKind.FEATURE,
        at,
        {
            "group": event.group,
            "name": event.name,
            "description": event.description,
            "dtype": event.dtype,
            "entity": event.entity,
        },
    )
    if _create_version(view, version, at, definition):
        for column in columns:
            view.open_edge(EdgeRecord(EdgeKind.COMPUTED_FROM, str(version), column, at))
    _set_owners(view, str(feature), event.owners, at)


def _training_set_created(event: TrainingSetCreated, view: PendingView, at: int) -> None:
    versions: list[str] = []
    for ref in event.features:
        feature = Urn(NodeKind.FEATURE, ref.name, ref.group)
        if ref.version is not None:
            version = str(feature.with_version(ref.version))
            if not view.has(version):
                raise UnknownReferenceError(
                    f"feature version {version} is not in the catalog", urn=version
                )
        else:
            newest = view.newest_member(str(feature), NodeKind.FEATURE_VERSION)
            if newest is None:
                raise UnknownReferenceError(
                    f"feature {feature} is not in the catalog", urn=str(feature)
                )
            version = newest
        versions.append(version)
    sources = [str(_resolve_existing_dataset(view, ref)) for ref in event.sources]
    content = {"features": versions, "sources": sources, "manifest": event.manifest}
    urn = Urn(NodeKind.TRAINING_SET, event.name, version=content_version(content))
    if view.has(str(urn)):
        return
    view.put_node(NodeRecord(str(urn), NodeKind.TRAINING_SET, at, {"name": event.name, **content}))
    for version in versions:
        view.open_edge(EdgeRecord(EdgeKind.INCLUDES, str(urn), version, at))
    for source in sources:
        view.open_edge(EdgeRecord(EdgeKind.DRAWN_FROM, str(urn), source, at))


def _resolve_existing_dataset(view: PendingView, ref: DatasetRef) -> Urn:
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


_IMMUTABLE_MODEL_FIELDS = ("training_set", "training_run", "framework", "params", "metrics")


def _model_version_registered(event: ModelVersionRegistered, view: PendingView, at: int) -> None:
    model = Urn(NodeKind.MODEL, event.model)
    version = model.with_version(event.artifact_digest.removeprefix("sha256:")[:16])
    training_set = (
        _existing(view, event.training_set, NodeKind.TRAINING_SET, "training_set")
        if event.training_set
        else None
    )
    run: Urn | None = None
    if event.training_run_id is not None:
        run = _existing(
            view, str(Urn(NodeKind.RUN, str(event.training_run_id))), NodeKind.RUN, "training run"
        )
    content: dict[str, Any] = {
        "artifact_digest": event.artifact_digest,
        "training_set": str(training_set) if training_set else None,
        "training_run": str(run) if run else None,
        "framework": event.framework,
        "params": event.params,
        "metrics": event.metrics,
    }
    registry = {"label": event.label, "purpose": event.purpose, "stage": event.stage}
    _merge_props(view, model, NodeKind.MODEL, at, {"name": event.model})
    existing = view.node(str(version))
    if existing is not None:
        changed = [f for f in _IMMUTABLE_MODEL_FIELDS if existing.props.get(f) != content[f]]
        if changed:
            raise ImmutableVersionError(
                f"model version {version} is already registered with other {', '.join(changed)}; "
                "a changed model is a new artifact with a new digest"
            )
        _merge_props(view, version, NodeKind.MODEL_VERSION, at, registry)
    else:
        _create_version(view, version, at, {**content, **registry})
        if training_set is not None:
            view.open_edge(EdgeRecord(EdgeKind.TRAINED_ON, str(version), str(training_set), at))
        if run is not None:
            view.open_edge(EdgeRecord(EdgeKind.PRODUCED_MODEL, str(run), str(version), at))
    _set_owners(view, str(model), event.owners, at)


def _deployment_recorded(event: DeploymentRecorded, view: PendingView, at: int) -> None:
    deployment = Urn(NodeKind.DEPLOYMENT, event.name, event.environment)
    served = _existing(view, event.model_version, NodeKind.MODEL_VERSION, "model_version")
    _merge_props(
        view,
        deployment,
        NodeKind.DEPLOYMENT,
        at,
        {
            "environment": event.environment,
            "name": event.name,
            "status": event.status,
            "endpoint": event.endpoint,
            "purpose": event.purpose,
            "model_version": str(served),
        },
    )
    for edge in view.edges_from(str(deployment), EdgeKind.SERVES, open_only=True):
        if event.status == "retired" or edge.dst != str(served):
            view.close_edge(edge, at)
    if event.status == "active":
        view.ensure_edge(EdgeKind.SERVES, str(deployment), str(served), at)


_DECLARABLE = {
    (NodeKind.DATASET, NodeKind.DATASET),
    (NodeKind.DATASET_VERSION, NodeKind.DATASET_VERSION),
    (NodeKind.COLUMN, NodeKind.COLUMN),
}


def _lineage_declared(event: LineageDeclared, view: PendingView, at: int) -> None:
    try:
        downstream, upstream = Urn.parse(event.downstream), Urn.parse(event.upstream)
    except InvalidUrnError as exc:
        raise InvalidEventError(str(exc)) from exc
    if (downstream.kind, upstream.kind) not in _DECLARABLE:
        raise InvalidEventError(
            f"lineage can be declared between two datasets, dataset versions or columns, "
            f"not from a {upstream.kind} to a {downstream.kind}"
        )
    for urn in (downstream, upstream):
        if not view.has(str(urn)):
            raise UnknownReferenceError(f"{urn} is not in the catalog", urn=str(urn))
    view.check_acyclic(str(upstream), str(downstream))
    view.ensure_edge(EdgeKind.DERIVED_FROM, str(downstream), str(upstream), at)


_HANDLERS: dict[str, Callable[[Any, PendingView, int], None]] = {
    "dataset.registered": _dataset_registered,
    "run.recorded": _run_recorded,
    "feature.defined": _feature_defined,
    "training_set.created": _training_set_created,
    "model_version.registered": _model_version_registered,
    "deployment.recorded": _deployment_recorded,
    "lineage.declared": _lineage_declared,
}
