"""OpenLineage events -> catalog events.

- RunEvent -> run.recorded, from every event of a run (START, RUNNING, COMPLETE, FAIL, ABORT):
  a run's metadata is additive, so inputs, outputs, schemas, column lineage and quality are
  merged across its events (the projection keeps one output version per run and dataset),
  plus the ML events named by provgraph's facets (features, model version and deployment on
  COMPLETE; a training set on any event).
- DatasetEvent -> dataset.registered (with its column lineage). JobEvent -> job.declared.

Column lineage keeps how each input field was used (its transformations: DIRECT/INDIRECT,
subtype, masking), and the facet's dataset-wide entries become INDIRECT sources of every field.

Deviations that keep their meaning (a malformed facet, a repeated field, a field named by
column lineage that the schema lacks, an unknown transformation type) are accepted and appended
to `notes`; so is what is not recorded (a `tags` entry on a field the schema lacks).
A job's code version comes from its sourceCodeLocation facet, else a digest of its sourceCode
or sql facet; with none of these, dataset-level job edges only accumulate.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from pydantic import ValidationError

from provgraph.catalog.model.errors import InvalidEventError
from provgraph.catalog.model.events import (
    CatalogEvent,
    ClassificationChanged,
    ColumnRef,
    DatasetRef,
    DatasetRegistered,
    DeploymentRecorded,
    FeatureDefined,
    FeatureRef,
    InputSpec,
    JobDeclared,
    JobRef,
    JobSpec,
    ModelVersionRegistered,
    OutputSpec,
    RunRecorded,
    TrainingSetCreated,
)
from provgraph.catalog.model.run_ids import as_uuid, run_uuid
from provgraph.catalog.model.urn import Urn
from provgraph.catalog.model.validation import describe
from provgraph.catalog.openlineage import facets as f
from provgraph.catalog.openlineage.ml_facets import (
    ProvgraphDeploymentRunFacet,
    ProvgraphFeaturesDatasetFacet,
    ProvgraphModelVersionRunFacet,
    ProvgraphTrainingSetRunFacet,
)
from provgraph.catalog.openlineage.spec import (
    DatasetEvent,
    Facets,
    JobEvent,
    OLJob,
    OLOutputDataset,
    OpenLineageEvent,
    RunEvent,
)

_MAX_FACET_COPY = 64 * 1024


def translate(event: OpenLineageEvent, notes: list[str] | None = None) -> list[CatalogEvent]:
    noted: list[str] = [] if notes is None else notes
    try:
        if isinstance(event, RunEvent):
            return _run_event(event, noted)
        if isinstance(event, DatasetEvent):
            return _dataset_event(event, noted)
        return [_job_event(event, noted)]
    except ValidationError as exc:
        raise InvalidEventError(f"cannot record this event: {describe(exc)}") from exc


def _job_spec(job: OLJob, notes: list[str]) -> JobSpec:
    sql = f.read(job.facets, "sql", f.SqlFacet, notes)
    code = f.read(job.facets, "sourceCode", f.SourceCodeFacet, notes)
    job_type = f.read(job.facets, "jobType", f.JobTypeFacet, notes)
    return JobSpec(
        namespace=job.namespace,
        name=job.name,
        version=f.code_version(job.facets, notes),
        source_code_location=f.source_location(job.facets, notes),
        source_code=code.sourceCode if code else None,
        sql=sql.query if sql else None,
        job_type="/".join(
            p for p in (job_type.processingType, job_type.integration, job_type.jobType) if p
        )
        if job_type
        else None,
        description=f.description(job.facets, notes),
        owners=f.owners(job.facets, notes),
    )


def _run_event(event: RunEvent, notes: list[str]) -> list[CatalogEvent]:
    complete = event.eventType == "COMPLETE"
    run_id, sent_id = _run_id(event.run.runId, event.job.namespace, event.job.name, notes, "")
    parent = f.read(event.run.facets, "parent", f.ParentFacet, notes)
    parent_id, sent_parent_id = _parent_run_id(parent, notes)
    error = f.read(event.run.facets, "errorMessage", f.ErrorMessageFacet, notes)
    inputs = [
        InputSpec(
            namespace=d.namespace,
            name=d.name,
            fields=f.schema_fields(d.facets, notes),
            quality=f.quality(d.facets, d.inputFacets, notes),
            aliases=f.aliases(d.facets, d.namespace, d.name, notes),
        )
        for d in event.inputs
    ]
    outputs = [_output(d, notes) for d in event.outputs]
    _note_inferred(inputs, outputs, notes)
    inputs += _implicit_inputs(inputs, outputs)
    run = RunRecorded(
        event_time=event.eventTime,
        run_id=run_id,
        source_run_id=sent_id,
        parent_source_run_id=sent_parent_id,
        job=_job_spec(event.job, notes),
        state=event.eventType,
        parent_run_id=parent_id,
        parent_job=(
            JobRef(namespace=parent.job.namespace, name=parent.job.name)
            if parent and parent_id
            else None
        ),
        inputs=inputs,
        outputs=outputs,
        error_message=_error_text(error),
        facets=_kept_facets(event),
    )
    events: list[CatalogEvent] = [run]
    if complete:
        for dataset in event.outputs:
            events += _features(event, run_id, dataset.namespace, dataset.name, dataset.facets)
    events += _ml_run_facets(event, run_id)
    return events


def _output(dataset: OLOutputDataset, notes: list[str]) -> OutputSpec:
    fields = f.schema_fields(dataset.facets, notes)
    return OutputSpec(
        namespace=dataset.namespace,
        name=dataset.name,
        labels=f.labels(dataset.facets, notes),
        fields=fields,
        column_lineage=f.column_lineage(
            dataset.facets, notes, fields=[field.name for field in fields]
        ),
        description=f.description(dataset.facets, notes),
        owners=f.owners(dataset.facets, notes),
        quality=f.quality(dataset.facets, dataset.outputFacets, notes),
        aliases=f.aliases(dataset.facets, dataset.namespace, dataset.name, notes),
    )


def _run_id(
    sent: str, namespace: str, job: str, notes: list[str], where: str
) -> tuple[UUID, str | None]:
    """The catalog's UUID for a run id as sent (model/run_ids.py), and the id as sent when
    it is not that UUID."""
    if (found := as_uuid(sent)) is not None:
        return found, None
    derived = run_uuid(sent, namespace=namespace.strip(), job=job.strip())
    notes.append(
        f"{where}run.runId {sent!r} is not a UUID; recorded as run {derived}, derived from it "
        f"and the job {namespace}/{job} (the run's sourceRunId keeps {sent!r})"
    )
    return derived, sent


def _parent_run_id(
    parent: f.ParentFacet | None, notes: list[str]
) -> tuple[UUID | None, str | None]:
    """The parent's run id (derived from the id and the parent's job when not a UUID: its
    own events map to the same run), and the id as sent when it is not that UUID."""
    if parent is None:
        return None, None
    return _run_id(
        parent.run.runId, parent.job.namespace, parent.job.name, notes, "run.facets.parent."
    )


def _note_inferred(inputs: list[InputSpec], outputs: list[OutputSpec], notes: list[str]) -> None:
    """Say which fields column lineage names that the event's schemas lack (they are learnt)."""
    schemas = {(i.namespace, i.name): {x.name for x in i.fields} for i in inputs if i.fields}
    for output in outputs:
        names = {x.name for x in output.fields}
        for field, sources in sorted(output.column_lineage.items()):
            if names and field not in names:
                notes.append(
                    f"output {output.namespace}/{output.name}: field {field!r} of the column "
                    "lineage is not in its schema; learnt as observed"
                )
            for source in sources:
                known = schemas.get((source.namespace, source.name))
                if known is not None and source.field not in known:
                    notes.append(
                        f"input {source.namespace}/{source.name}: field {source.field!r} of the "
                        "column lineage is not in its schema; learnt as observed"
                    )


def _implicit_inputs(inputs: list[InputSpec], outputs: list[OutputSpec]) -> list[InputSpec]:
    """Datasets that column lineage reads but the producer did not list as inputs (by their
    name or by one of their symlinks)."""
    listed = {(i.namespace, i.name) for i in inputs}
    listed |= {(a.namespace, a.name) for i in inputs for a in i.aliases}
    extra: dict[tuple[str, str], InputSpec] = {}
    for output in outputs:
        for sources in output.column_lineage.values():
            for source in sources:
                key = (source.namespace, source.name)
                if key not in listed and key not in extra:
                    extra[key] = InputSpec(namespace=source.namespace, name=source.name)
    return list(extra.values())


def _error_text(error: f.ErrorMessageFacet | None) -> str | None:
    if error is None:
        return None
    return error.message + (f"\n{error.stackTrace}" if error.stackTrace else "")


def _kept_facets(event: RunEvent) -> dict[str, Any]:
    """Run and job facets kept verbatim, except oversized ones, with the producer."""
    kept: dict[str, Any] = {"producer": event.producer}
    for prefix, group in (("run", event.run.facets), ("job", event.job.facets)):
        for name, value in group.items():
            if value is not None and len(str(value)) <= _MAX_FACET_COPY:
                kept[f"{prefix}.{name}"] = value
    return kept


def _features(
    event: RunEvent, run_id: UUID, namespace: str, name: str, dataset_facets: Facets
) -> list[CatalogEvent]:
    facet = f.read(dataset_facets, "provgraph_features", ProvgraphFeaturesDatasetFacet)
    if facet is None:
        return []
    return [
        FeatureDefined(
            event_time=event.eventTime,
            group=facet.group,
            name=feature.name,
            description=feature.description,
            dtype=feature.dtype,
            entity=facet.entity,
            transformation=feature.transformation
            or f"column {feature.column} of {namespace}/{name}",
            # one materialization, one version: the definition's own sources when it names them
            sources=feature.sources
            or [ColumnRef(namespace=namespace, name=name, field=feature.column)],
            declassifying=feature.declassifying,
            run_id=run_id,
            run_job=JobRef(namespace=event.job.namespace, name=event.job.name),
            owners=facet.owners,
            stored_in=ColumnRef(namespace=namespace, name=name, field=feature.column)
            if feature.sources
            else None,
        )
        for feature in facet.features
    ]


def _ml_run_facets(event: RunEvent, run_id: UUID) -> list[CatalogEvent]:
    events: list[CatalogEvent] = []
    training = f.read(event.run.facets, "provgraph_trainingSet", ProvgraphTrainingSetRunFacet)
    if training is not None:
        events.append(
            TrainingSetCreated(
                event_time=event.eventTime,
                name=training.name,
                features=[
                    FeatureRef(group=r.group, name=r.name, version=r.version)
                    for r in training.features
                ],
                sources=[
                    DatasetRef(namespace=r.namespace, name=r.name, version=r.version)
                    for r in training.sources
                ],
                manifest=training.manifest,
            )
        )
    model = f.read(event.run.facets, "provgraph_modelVersion", ProvgraphModelVersionRunFacet)
    if model is not None and event.eventType == "COMPLETE":
        events.append(
            ModelVersionRegistered(
                event_time=event.eventTime,
                model=model.model,
                artifact_digest=model.artifactDigest,
                label=model.label,
                training_set=model.trainingSet,
                training_run_id=run_id,
                training_job=JobRef(namespace=event.job.namespace, name=event.job.name),
                framework=model.framework,
                params=model.params,
                metrics=model.metrics,
                purpose=model.purpose,
                stage=model.stage,
                owners=model.owners,
            )
        )
    deployment = f.read(event.run.facets, "provgraph_deployment", ProvgraphDeploymentRunFacet)
    if deployment is not None and event.eventType == "COMPLETE":
        events.append(
            DeploymentRecorded(
                event_time=event.eventTime,
                environment=deployment.environment,
                name=deployment.name,
                model_version=deployment.modelVersion,
                status=deployment.status,
                endpoint=deployment.endpoint,
                purpose=deployment.purpose,
            )
        )
    return events


def _dataset_event(event: DatasetEvent, notes: list[str]) -> list[CatalogEvent]:
    dataset = event.dataset
    fields = f.schema_fields(dataset.facets, notes)
    registered = DatasetRegistered(
        event_time=event.eventTime,
        namespace=dataset.namespace,
        name=dataset.name,
        description=f.description(dataset.facets, notes),
        labels=f.labels(dataset.facets, notes),
        fields=fields,
        column_lineage=f.column_lineage(
            dataset.facets, notes, fields=[field.name for field in fields]
        ),
        owners=f.owners(dataset.facets, notes),
        aliases=f.aliases(dataset.facets, dataset.namespace, dataset.name, notes),
    )
    urn = str(Urn.dataset(dataset.namespace, dataset.name))
    whole = f.classification_tags(dataset.facets, notes).get(None, [])
    return [
        registered,
        *(
            ClassificationChanged(event_time=event.eventTime, urn=urn, tag=t)
            for t in sorted(set(whole))
        ),
    ]


def _job_event(event: JobEvent, notes: list[str]) -> JobDeclared:
    return JobDeclared(
        event_time=event.eventTime,
        job=_job_spec(event.job, notes),
        inputs=[DatasetRef(namespace=d.namespace, name=d.name) for d in event.inputs],
        outputs=[DatasetRef(namespace=d.namespace, name=d.name) for d in event.outputs],
    )
