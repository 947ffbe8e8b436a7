"""Projection of the ML chain: features, training sets, model versions, deployments."""

from __future__ import annotations

from dataclasses import replace
from uuid import UUID

from provgraph.catalog.model import views
from provgraph.catalog.model.errors import ImmutableVersionError, UnknownReferenceError
from provgraph.catalog.model.events import (
    ColumnRef,
    DeploymentRecorded,
    FeatureDefined,
    JobRef,
    ModelVersionRegistered,
    TrainingSetCreated,
)
from provgraph.catalog.model.graph import EdgeRecord, content_version, training_set_urn
from provgraph.catalog.model.kinds import EdgeKind, NodeKind
from provgraph.catalog.model.transformations import Transformation, edge_props
from provgraph.catalog.model.urn import PREFIX, Urn
from provgraph.catalog.service.graph_view import PendingView
from provgraph.catalog.service.projection.common import (
    create_version,
    dataset_named,
    existing,
    keep,
    link_columns,
    produced_description,
    put,
    resolve_dataset,
    set_owners,
    stored,
)
from provgraph.catalog.service.projection.run_links import job_of
from provgraph.catalog.service.run_identity import run_home


def feature_defined(event: FeatureDefined, view: PendingView, at: int) -> None:
    """A feature version is its definition: transformation, dtype, logical source fields
    (`dataset#field`) with how each is used (its transformations, when the producer says),
    and a steward's declassifying decision. Re-materializing an unchanged feature is the same
    version; the version's COMPUTED_FROM edges move to the columns of the dataset versions
    this materialization read (the run's, else the newest), and the run is linked to it."""
    feature = Urn(NodeKind.FEATURE, event.name, event.group)
    run = _materializing_run(view, event)
    used: dict[str, list[Transformation]] = {}
    columns: dict[str, list[Transformation]] = {}
    for source in event.sources:
        dataset = dataset_named(view, source.namespace, source.name)
        field = Urn(NodeKind.COLUMN, dataset.name, dataset.namespace, None, source.field)
        how = [t.to_model() for t in source.transformations]
        used.setdefault(str(field), []).extend(how)
        columns.setdefault(_source_column(view, feature, field, run), []).extend(how)
    sources = sorted(used)
    definition: dict[str, object] = {
        "transformation": event.transformation,
        "dtype": event.dtype,
        "sources": sources,
        "declassifying": event.declassifying,
    }
    evidence = {f: edge_props(how) for f, how in sorted(used.items()) if how}
    if evidence:  # only then, so definitions without it keep the versions they always had
        definition["transformations"] = evidence
    version = feature.with_version(content_version(definition))
    base = stored(view, feature, views.Feature) or views.Feature(group=event.group, name=event.name)
    defined = replace(
        produced_description(base, event.description),
        dtype=event.dtype,
        entity=keep(event.entity, base.entity),
    )
    put(view, feature, at, defined)
    definition_view = views.FeatureVersion(
        transformation=event.transformation,
        dtype=event.dtype,
        sources=sources,
        declassifying=event.declassifying,
    )
    create_version(view, version, at, definition_view)
    _point_at(view, str(version), columns, at)
    if run is not None:
        view.ensure_edge(EdgeKind.MATERIALIZED, run, str(version), at)
    if event.stored_in is not None:
        _store_in(view, feature, str(version), event.stored_in, run, at)
    set_owners(view, str(feature), event.owners, at)


def _run(view: PendingView, run_id: UUID, job: JobRef | None) -> str:
    """The run of `run_id`, or, given its job, that job's run of the id (run_identity.py)."""
    if job is None:
        return str(Urn(NodeKind.RUN, str(run_id)))
    return str(run_home(run_id, Urn.job(job.namespace, job.name), job_of=job_of(view)))


def _materializing_run(view: PendingView, event: FeatureDefined) -> str | None:
    if event.run_id is None:
        return None
    run = _run(view, event.run_id, event.run_job)
    if not view.has(run):
        raise UnknownReferenceError(f"materializing run {run} is not in the catalog", urn=run)
    return run


def _source_column(view: PendingView, feature: Urn, field: Urn, run: str | None) -> str:
    """The column of `field` in the dataset version the run read or wrote, else the newest."""
    dataset = str(field.container())
    version: str | None = None
    if run is not None:
        touched = [
            e.dst
            for kind in (EdgeKind.CONSUMED, EdgeKind.PRODUCED)
            for e in view.edges_from(run, kind)
            if str(Urn.parse(e.dst).container()) == dataset
        ]
        version = max(touched, key=lambda u: (_created(view, u), u)) if touched else None
    if version is None:
        version = view.newest_member(dataset, NodeKind.DATASET_VERSION)
    if version is None:
        raise UnknownReferenceError(
            f"feature {feature} reads {dataset}, which has no recorded schema in the catalog",
            urn=dataset,
        )
    column = str(Urn.parse(version).column(field.field or ""))
    if not view.has(column):
        raise UnknownReferenceError(
            f"feature {feature} reads column {field.field!r}, which {version} does not have",
            urn=column,
        )
    return column


def _created(view: PendingView, urn: str) -> int:
    node = view.node(urn)
    return node.created_at if node else 0


def _point_at(
    view: PendingView, version: str, columns: dict[str, list[Transformation]], at: int
) -> None:
    """Open COMPUTED_FROM edges to `columns` (with how each is used), closing those to other
    versions of their fields."""
    fields = {str(Urn.parse(c).field_urn()) for c in columns}
    for edge in view.edges_from(version, EdgeKind.COMPUTED_FROM, open_only=True):
        if edge.dst not in columns and str(Urn.parse(edge.dst).field_urn()) in fields:
            view.close_edge(edge, at)
    links = {(version, column): how for column, how in columns.items()}
    link_columns(view, EdgeKind.COMPUTED_FROM, links, at)


def _store_in(
    view: PendingView, feature: Urn, version: str, ref: ColumnRef, run: str | None, at: int
) -> None:
    """Open STORED_IN to the column of the table version this materialization wrote, closing
    the edge to where an earlier materialization stored it."""
    dataset = dataset_named(view, ref.namespace, ref.name)
    field = Urn(NodeKind.COLUMN, dataset.name, dataset.namespace, None, ref.field)
    column = _source_column(view, feature, field, run)
    for edge in view.edges_from(version, EdgeKind.STORED_IN, open_only=True):
        if edge.dst != column:
            view.close_edge(edge, at)
    view.ensure_edge(EdgeKind.STORED_IN, version, column, at)


def training_set_created(event: TrainingSetCreated, view: PendingView, at: int) -> None:
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
    sources = [str(resolve_dataset(view, ref)) for ref in event.sources]
    urn = training_set_urn(event.name, features=versions, sources=sources, manifest=event.manifest)
    if view.has(str(urn)):
        return
    drawn = views.TrainingSet(
        name=event.name, features=versions, sources=sources, manifest=dict(event.manifest)
    )
    put(view, urn, at, drawn)
    for version in versions:
        view.open_edge(EdgeRecord(EdgeKind.INCLUDES, str(urn), version, at))
    for source in sources:
        view.open_edge(EdgeRecord(EdgeKind.DRAWN_FROM, str(urn), source, at))


def _immutable(version: views.ModelVersion) -> dict[str, object]:
    """What a model version's digest stands for: none of it may change once registered."""
    return {
        "training_set": version.training_set,
        "training_run": version.training_run,
        "framework": version.framework,
        "params": version.params,
        "metrics": version.metrics,
    }


def _training_set(view: PendingView, reference: str) -> Urn:
    if reference.startswith(PREFIX):
        return existing(view, reference, NodeKind.TRAINING_SET, "training_set")
    newest = view.newest_of_kind(NodeKind.TRAINING_SET, reference)
    if newest is None:
        raise UnknownReferenceError(
            f"no training set named {reference!r} in the catalog", urn=reference
        )
    return Urn.parse(newest)


def model_version_registered(event: ModelVersionRegistered, view: PendingView, at: int) -> None:
    model = Urn(NodeKind.MODEL, event.model)
    version = model.with_version(event.artifact_digest.removeprefix("sha256:")[:16])
    training_set = _training_set(view, event.training_set) if event.training_set else None
    run: Urn | None = None
    if event.training_run_id is not None:
        run_urn = _run(view, event.training_run_id, event.training_job)
        run = existing(view, run_urn, NodeKind.RUN, "training run")
    registered = views.ModelVersion(
        artifact_digest=event.artifact_digest,
        training_set=str(training_set) if training_set else None,
        training_run=str(run) if run else None,
        framework=event.framework,
        params=dict(event.params),
        metrics=dict(event.metrics),
        label=event.label,
        purpose=event.purpose,
        stage=event.stage,
    )
    if not view.has(str(model)):
        put(view, model, at, views.Model(name=event.model))
    previous = stored(view, version, views.ModelVersion)
    if previous is not None:
        before, after = _immutable(previous), _immutable(registered)
        changed = [name for name in before if before[name] != after[name]]
        if changed:
            raise ImmutableVersionError(
                f"model version {version} is already registered with other {', '.join(changed)}; "
                "a changed model is a new artifact with a new digest"
            )
        relabelled = replace(
            previous,
            label=keep(event.label, previous.label),
            purpose=keep(event.purpose, previous.purpose),
            stage=event.stage,
        )
        put(view, version, at, relabelled)
    else:
        create_version(view, version, at, registered)
        if training_set is not None:
            view.open_edge(EdgeRecord(EdgeKind.TRAINED_ON, str(version), str(training_set), at))
        if run is not None:
            view.open_edge(EdgeRecord(EdgeKind.PRODUCED_MODEL, str(run), str(version), at))
    set_owners(view, str(model), event.owners, at)
    if event.stage == "production":
        _archive_replaced(view, model, version, at)


def _archive_replaced(view: PendingView, model: Urn, current: Urn, at: int) -> None:
    """A version registered for production replaces the model's production version(s): they
    move to `archived` (MLflow's archive-existing-versions), so only one says `production`."""
    for edge in view.edges_from(str(model), EdgeKind.HAS_VERSION, open_only=True):
        if edge.dst == str(current):
            continue
        other = stored(view, edge.dst, views.ModelVersion)
        if other is not None and other.stage == "production":
            put(view, edge.dst, at, replace(other, stage="archived"))


def deployment_recorded(event: DeploymentRecorded, view: PendingView, at: int) -> None:
    deployment = Urn(NodeKind.DEPLOYMENT, event.name, event.environment)
    served = existing(view, event.model_version, NodeKind.MODEL_VERSION, "model_version")
    base = stored(view, deployment, views.Deployment) or views.Deployment(
        environment=event.environment, name=event.name, model_version=str(served)
    )
    recorded = replace(
        base,
        status=event.status,
        endpoint=keep(event.endpoint, base.endpoint),
        purpose=keep(event.purpose, base.purpose),
        model_version=str(served),
    )
    put(view, deployment, at, recorded)
    for edge in view.edges_from(str(deployment), EdgeKind.SERVES, open_only=True):
        if event.status == "retired" or edge.dst != str(served):
            view.close_edge(edge, at)
    if event.status == "active":
        view.ensure_edge(EdgeKind.SERVES, str(deployment), str(served), at)
    set_owners(view, str(deployment), event.owners, at)
