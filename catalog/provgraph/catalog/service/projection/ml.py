"""Projection of the ML chain: features, training sets, model versions, deployments."""

from __future__ import annotations

from dataclasses import replace

from provgraph.catalog.model import views
from provgraph.catalog.model.errors import ImmutableVersionError, UnknownReferenceError
from provgraph.catalog.model.events import (
    DeploymentRecorded,
    FeatureDefined,
    ModelVersionRegistered,
    TrainingSetCreated,
)
from provgraph.catalog.model.graph import EdgeRecord, content_version
from provgraph.catalog.model.kinds import EdgeKind, NodeKind
from provgraph.catalog.model.urn import PREFIX, Urn
from provgraph.catalog.service.graph_view import PendingView
from provgraph.catalog.service.projection.common import (
    create_version,
    existing,
    keep,
    put,
    resolve_dataset,
    set_owners,
    stored,
)


def feature_defined(event: FeatureDefined, view: PendingView, at: int) -> None:
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
    base = stored(view, feature, views.Feature) or views.Feature(group=event.group, name=event.name)
    defined = replace(
        base,
        description=keep(event.description, base.description),
        dtype=event.dtype,
        entity=keep(event.entity, base.entity),
    )
    put(view, feature, at, defined)
    definition_view = views.FeatureVersion(
        transformation=event.transformation,
        dtype=event.dtype,
        entity=event.entity,
        sources=columns,
        declassifying=event.declassifying,
    )
    if create_version(view, version, at, definition_view):
        for column in columns:
            view.open_edge(EdgeRecord(EdgeKind.COMPUTED_FROM, str(version), column, at))
    set_owners(view, str(feature), event.owners, at)


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
    content = {"features": versions, "sources": sources, "manifest": event.manifest}
    urn = Urn(NodeKind.TRAINING_SET, event.name, version=content_version(content))
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
        run_urn = str(Urn(NodeKind.RUN, str(event.training_run_id)))
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
