"""Projection of job runs: run- and job-level lineage, column lineage, observed quality."""

from __future__ import annotations

from dataclasses import replace

from provgraph.catalog.model import views
from provgraph.catalog.model.errors import UnknownReferenceError
from provgraph.catalog.model.events import (
    ColumnRef,
    FieldSpec,
    InputSpec,
    JobDeclared,
    JobSpec,
    RunRecorded,
)
from provgraph.catalog.model.kinds import EdgeKind, NodeKind
from provgraph.catalog.model.timeutil import rfc3339
from provgraph.catalog.model.transformations import Transformation
from provgraph.catalog.model.urn import Urn
from provgraph.catalog.service.graph_view import PendingView
from provgraph.catalog.service.projection.aliases import declare_aliases
from provgraph.catalog.service.projection.common import (
    add_labels,
    dataset_named,
    dataset_version,
    ensure_dataset,
    keep,
    learn_column,
    link_columns,
    merge_fields,
    produced_description,
    put,
    record_quality,
    schema,
    set_owners,
    stored,
)
from provgraph.catalog.service.projection.run_links import link_parent, run_of

_TERMINAL = ("COMPLETE", "FAIL", "ABORT")


def run_recorded(event: RunRecorded, view: PendingView, at: int) -> None:
    job = Urn.job(event.job.namespace, event.job.name)
    run = run_of(event, view, job)
    previous_job = stored(view, job, views.Job)
    previous_version = previous_job.version if previous_job else None
    _record_job(event.job, view, job, at)
    _record_run(event, view, run, job, at)
    if event.parent_run_id is not None:
        link_parent(event, view, run, at)

    inputs: dict[str, Urn] = {}
    """The version read of each dataset, by the dataset's URN (aliases followed)."""
    for spec in event.inputs:
        version = _resolve_input(view, spec, at)
        inputs.setdefault(str(version.container()), version)
        view.ensure_edge(EdgeKind.CONSUMED, str(run), str(version), at)
        if spec.quality is not None:
            record_quality(view, version, spec.quality, str(run), at)
    for edge in view.edges_from(str(run), EdgeKind.CONSUMED):
        consumed = Urn.parse(edge.dst)
        inputs.setdefault(str(consumed.container()), consumed)

    outputs: list[Urn] = []
    for output in event.outputs:
        dataset = ensure_dataset(view, output.namespace, output.name, at)
        declare_aliases(view, dataset, output.aliases, at)
        described = stored(view, dataset, views.Dataset)
        assert described is not None  # ensure_dataset created it
        put(view, dataset, at, produced_description(described, output.description))
        add_labels(view, dataset, output.labels, at)
        set_owners(view, str(dataset), output.owners, at)
        version = _output_version(view, dataset, output.fields, at, run)
        outputs.append(dataset)
        view.ensure_edge(EdgeKind.PRODUCED, str(run), str(version), at)
        if output.quality is not None:
            record_quality(view, version, output.quality, str(run), at)
        links: dict[tuple[str, str], list[Transformation]] = {}
        for field, sources in output.column_lineage.items():
            target = _column_of(view, version, field, at)
            for source in sources:
                source_column = _column_of(
                    view, _input_version(view, inputs, source, dataset), source.field, at
                )
                links.setdefault((target, source_column), []).extend(
                    t.to_model() for t in source.transformations
                )
        link_columns(view, EdgeKind.DERIVED_FROM, links, at)

    _mark_failed_outputs(view, run, at)
    read = [v.container() for v in inputs.values()]
    _update_job_lineage(view, job, previous_version, event.job.version, read, outputs, at)


def _output_version(
    view: PendingView, dataset: Urn, fields: list[FieldSpec], at: int, run: Urn
) -> Urn:
    """The version of `dataset` this run writes. A run's events are merged: the version its
    first event with this output created takes the fields later events add (a START with the
    schema and an empty COMPLETE, or a partial schema completed later, make one version)."""
    for edge in view.edges_from(str(run), EdgeKind.PRODUCED):
        written = Urn.parse(edge.dst)
        if written.container() == dataset:
            merge_fields(view, written, fields, at)
            return written
    return dataset_version(view, dataset, fields, at, str(run))


def _mark_failed_outputs(view: PendingView, run: Urn, at: int) -> None:
    """Outputs of a run that ended FAIL or ABORT are marked as such."""
    recorded = stored(view, run, views.Run)
    if recorded is None or recorded.state not in ("FAIL", "ABORT"):
        return
    for edge in view.edges_from(str(run), EdgeKind.PRODUCED):
        version = stored(view, edge.dst, views.DatasetVersion)
        if version is not None and not version.run_failed:
            put(view, edge.dst, at, replace(version, run_failed=True))


def job_declared(event: JobDeclared, view: PendingView, at: int) -> None:
    job = Urn.job(event.job.namespace, event.job.name)
    previous_job = stored(view, job, views.Job)
    previous_version = previous_job.version if previous_job else None
    _record_job(event.job, view, job, at)
    read = [ensure_dataset(view, ref.namespace, ref.name, at) for ref in event.inputs]
    written = [ensure_dataset(view, ref.namespace, ref.name, at) for ref in event.outputs]
    _update_job_lineage(view, job, previous_version, event.job.version, read, written, at)


def _record_job(spec: JobSpec, view: PendingView, job: Urn, at: int) -> None:
    base = stored(view, job, views.Job) or views.Job(namespace=spec.namespace, name=spec.name)
    recorded = replace(
        base,
        version=keep(spec.version, base.version),
        source_code_location=keep(spec.source_code_location, base.source_code_location),
        source_code=keep(spec.source_code, base.source_code),
        sql=keep(spec.sql, base.sql),
        job_type=keep(spec.job_type, base.job_type),
    )
    put(view, job, at, produced_description(recorded, spec.description))
    set_owners(view, str(job), spec.owners, at)


def _record_run(event: RunRecorded, view: PendingView, run: Urn, job: Urn, at: int) -> None:
    sent = event.source_run_id or (str(event.run_id) if run.name != str(event.run_id) else None)
    base = stored(view, run, views.Run) or views.Run(run_id=run.name)
    recorded = replace(
        base,
        job=str(job),
        source_run_id=keep(sent, base.source_run_id),
        job_version=keep(event.job.version, base.job_version),
        started_at=keep(rfc3339(event.started_at) if event.started_at else None, base.started_at),
        error_message=keep(event.error_message, base.error_message),
        facets={**base.facets, **event.facets},
    )
    # a late RUNNING event must not undo a COMPLETE: the newest state wins
    state_time = -1 if base.state_time is None else base.state_time
    if event.state != "OTHER" and at >= state_time:
        started = rfc3339(event.started_at) if event.started_at else None
        if event.state == "START" and not started:
            started = rfc3339(event.event_time)
        recorded = replace(
            recorded,
            state=event.state,
            state_time=at,
            started_at=keep(started, recorded.started_at),
            ended_at=rfc3339(event.event_time) if event.state in _TERMINAL else base.ended_at,
        )
    put(view, run, at, recorded)
    view.ensure_edge(EdgeKind.INSTANCE_OF, str(run), str(job), at)


def _resolve_input(view: PendingView, spec: InputSpec, at: int) -> Urn:
    dataset = ensure_dataset(view, spec.namespace, spec.name, at)
    declare_aliases(view, dataset, spec.aliases, at)
    if spec.version is not None:
        version = dataset.with_version(spec.version)
        if not view.has(str(version)):
            raise UnknownReferenceError(
                f"dataset version {version} is not in the catalog", urn=str(version)
            )
        return version
    newest = view.newest_member(str(dataset), NodeKind.DATASET_VERSION)
    if newest is not None:
        seen = stored(view, newest, views.DatasetVersion)
        if not spec.fields or (seen is not None and seen.schema == schema(spec.fields)):
            return Urn.parse(newest)
    # An input nobody registered (a raw table), or one whose schema changed: record the
    # version the run saw, the way OpenLineage consumers do, so its lineage is not lost.
    return dataset_version(view, dataset, spec.fields, at, None)


def _input_version(
    view: PendingView, inputs: dict[str, Urn], source: ColumnRef, output: Urn
) -> Urn:
    dataset = dataset_named(view, source.namespace, source.name)
    version = inputs.get(str(dataset))
    if version is None:
        raise UnknownReferenceError(
            f"column lineage of {output} reads {dataset}, which is not an input of this run",
            urn=str(dataset),
        )
    return version


def _column_of(view: PendingView, version: Urn, field: str, at: int) -> str:
    return learn_column(view, version, field, at)


def _update_job_lineage(
    view: PendingView,
    job: Urn,
    previous_version: object,
    version: str | None,
    read: list[Urn],
    written: list[Urn],
    at: int,
) -> None:
    """Keep the job's dataset-level edges current; a new job version closes what it dropped."""
    wanted = {(EdgeKind.READS, str(d)) for d in read} | {(EdgeKind.WRITES, str(d)) for d in written}
    if previous_version is not None and version is not None and previous_version != version:
        for kind in (EdgeKind.READS, EdgeKind.WRITES):
            for edge in view.edges_from(str(job), kind, open_only=True):
                # a late event (producers send out of order) never closes what newer ones opened
                if (kind, edge.dst) not in wanted and edge.valid_from <= at:
                    view.close_edge(edge, at)
    for kind, dataset in sorted(wanted):
        view.ensure_edge(kind, str(job), dataset, at)
