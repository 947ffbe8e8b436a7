"""OpenLineage events -> catalog events.

- RunEvent -> run.recorded (inputs on every event; outputs, their column lineage and quality
  only on COMPLETE, when the output versions exist), plus the ML events named by provgraph's
  facets (features, training set, model version, deployment).
- DatasetEvent -> dataset.registered. JobEvent -> job.declared.
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
    OpenLineageEvent,
    RunEvent,
)

_MAX_FACET_COPY = 64 * 1024


def translate(event: OpenLineageEvent) -> list[CatalogEvent]:
    try:
        if isinstance(event, RunEvent):
            return _run_event(event)
        if isinstance(event, DatasetEvent):
            return _dataset_event(event)
        return [_job_event(event)]
    except ValidationError as exc:
        raise InvalidEventError(f"cannot record this event: {describe(exc)}") from exc


def _job_spec(job: OLJob) -> JobSpec:
    sql = f.read(job.facets, "sql", f.SqlFacet)
    code = f.read(job.facets, "sourceCode", f.SourceCodeFacet)
    job_type = f.read(job.facets, "jobType", f.JobTypeFacet)
    return JobSpec(
        namespace=job.namespace,
        name=job.name,
        version=f.code_version(job.facets),
        source_code_location=f.source_location(job.facets),
        source_code=code.sourceCode if code else None,
        sql=sql.query if sql else None,
        job_type="/".join(
            p for p in (job_type.processingType, job_type.integration, job_type.jobType) if p
        )
        if job_type
        else None,
        description=f.description(job.facets),
        owners=f.owners(job.facets),
    )


def _run_event(event: RunEvent) -> list[CatalogEvent]:
    complete = event.eventType == "COMPLETE"
    parent = f.read(event.run.facets, "parent", f.ParentFacet)
    error = f.read(event.run.facets, "errorMessage", f.ErrorMessageFacet)
    inputs = [
        InputSpec(
            namespace=d.namespace,
            name=d.name,
            fields=f.schema_fields(d.facets),
            quality=f.quality(d.facets, d.inputFacets),
        )
        for d in event.inputs
    ]
    outputs = (
        [
            OutputSpec(
                namespace=d.namespace,
                name=d.name,
                fields=f.schema_fields(d.facets),
                column_lineage=f.column_lineage(d.facets),
                description=f.description(d.facets),
                owners=f.owners(d.facets),
                quality=f.quality(d.facets, d.outputFacets),
            )
            for d in event.outputs
        ]
        if complete
        else []
    )
    inputs += _implicit_inputs(inputs, outputs)
    run = RunRecorded(
        event_time=event.eventTime,
        run_id=event.run.runId,
        job=_job_spec(event.job),
        state=event.eventType,
        parent_run_id=UUID(parent.run.runId) if parent else None,
        parent_job=JobRef(namespace=parent.job.namespace, name=parent.job.name) if parent else None,
        inputs=inputs,
        outputs=outputs,
        error_message=_error_text(error),
        facets=_kept_facets(event),
    )
    events: list[CatalogEvent] = [run]
    if complete:
        for dataset in event.outputs:
            events += _features(event, dataset.namespace, dataset.name, dataset.facets)
    events += _ml_run_facets(event)
    return events


def _implicit_inputs(inputs: list[InputSpec], outputs: list[OutputSpec]) -> list[InputSpec]:
    """Datasets that column lineage reads but the producer did not list as inputs."""
    listed = {(i.namespace, i.name) for i in inputs}
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
    event: RunEvent, namespace: str, name: str, dataset_facets: Facets
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
            sources=[ColumnRef(namespace=namespace, name=name, field=feature.column)],
            declassifying=feature.declassifying,
            run_id=event.run.runId,
            owners=facet.owners,
        )
        for feature in facet.features
    ]


def _ml_run_facets(event: RunEvent) -> list[CatalogEvent]:
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
                training_run_id=event.run.runId,
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


def _dataset_event(event: DatasetEvent) -> list[CatalogEvent]:
    dataset = event.dataset
    registered = DatasetRegistered(
        event_time=event.eventTime,
        namespace=dataset.namespace,
        name=dataset.name,
        description=f.description(dataset.facets),
        fields=f.schema_fields(dataset.facets),
        owners=f.owners(dataset.facets),
    )
    urn = str(Urn.dataset(dataset.namespace, dataset.name))
    whole = f.classification_tags(dataset.facets).get(None, [])
    return [
        registered,
        *(
            ClassificationChanged(event_time=event.eventTime, urn=urn, tag=t)
            for t in sorted(set(whole))
        ),
    ]


def _job_event(event: JobEvent) -> JobDeclared:
    return JobDeclared(
        event_time=event.eventTime,
        job=_job_spec(event.job),
        inputs=[DatasetRef(namespace=d.namespace, name=d.name) for d in event.inputs],
        outputs=[DatasetRef(namespace=d.namespace, name=d.name) for d in event.outputs],
    )
