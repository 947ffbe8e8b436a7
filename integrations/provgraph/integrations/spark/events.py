"""OpenLineage RunEvents for one Spark write: START and COMPLETE (or FAIL), with inputs,
outputs, schemas, column lineage (with transformation types and masking) and facets naming the
Spark version, the application and the code location."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from provgraph.integrations.emitter import PRODUCER
from provgraph.integrations.spark.capture import Write
from provgraph.integrations.spark.lineage import DatasetId, Direct, Kind, PlanLineage

if TYPE_CHECKING:
    from openlineage.client.event_v2 import RunEvent

STOPPED_FACET = "provgraph_columnLineageStopped"
STOPPED_SCHEMA = "https://github.com/provgraph/provgraph/blob/main/README.md#pyspark-lineage"


@dataclass(frozen=True)
class JobContext:
    namespace: str
    app_name: str
    spark_version: str
    code_location: str | None = None
    code_version: str | None = None


@dataclass(frozen=True)
class Outcome:
    finished: datetime
    duration: timedelta
    error: str | None = None
    stack_trace: str | None = None


def job_name(app_name: str, write: Write) -> str:
    """`<app>.<action>.<target>`: one job per write target of an application."""
    action = "write" if write.command.startswith("Insert") else write.command
    target = write.target.name.rstrip("/").rsplit("/", 1)[-1] or write.target.name
    return f"{app_name}.{action}.{target}"


def _field_entry(sources: dict[Any, Direct], description: str | None) -> Any:
    from openlineage.client.facet_v2 import column_lineage_dataset as cl

    inputs = []
    for source, how in sources.items():
        transformation = cl.Transformation(
            type="DIRECT",
            subtype=how.kind.name,
            description="opaque UDF " + ", ".join(how.opaque) if how.opaque else None,
            masking=how.masking,
        )
        inputs.append(cl.InputField(source.namespace, source.name, source.field, [transformation]))
    masked = bool(sources) and all(h.masking for h in sources.values())
    identity = bool(sources) and all(h.kind is Kind.IDENTITY for h in sources.values())
    return cl.Fields(
        inputFields=inputs,
        transformationDescription=description,
        transformationType="MASKED" if masked else "IDENTITY" if identity else None,
    )


def column_lineage_facet(lineage: PlanLineage) -> Any:
    from openlineage.client.facet_v2 import column_lineage_dataset as cl

    fields = {
        name: _field_entry(sources, lineage.descriptions.get(name))
        for name, sources in lineage.fields.items()
        if sources
    }
    dataset = [
        cl.InputField(
            s.namespace,
            s.name,
            s.field,
            [cl.Transformation(type="INDIRECT", subtype=kind) for kind in sorted(kinds)],
        )
        for s, kinds in sorted(lineage.indirect.items())
    ]
    return cl.ColumnLineageDatasetFacet(fields=fields, dataset=dataset)


def _schema(fields: list[tuple[str, str]]) -> Any:
    from openlineage.client.facet_v2 import schema_dataset

    return schema_dataset.SchemaDatasetFacet(
        fields=[schema_dataset.SchemaDatasetFacetFields(name=n, type=t) for n, t in fields]
    )


def _storage(file_format: str | None) -> dict[str, Any]:
    from openlineage.client.facet_v2 import storage_dataset

    if not file_format:
        return {}
    return {
        "storage": storage_dataset.StorageDatasetFacet(
            storageLayer="spark", fileFormat=file_format.lower()
        )
    }


def run_events(
    write: Write,
    lineage: PlanLineage,
    context: JobContext,
    outcome: Outcome,
    *,
    extra_output_facets: dict[str, Any] | None = None,
    run_id: uuid.UUID | None = None,
) -> list[RunEvent]:
    from openlineage.client.event_v2 import InputDataset, Job, OutputDataset, Run, RunEvent
    from openlineage.client.event_v2 import RunState as State
    from openlineage.client.facet_v2 import (
        error_message_run,
        job_type_job,
        processing_engine_run,
        source_code_location_job,
    )

    run_id = run_id or uuid.uuid4()
    job_facets: dict[str, Any] = {
        "jobType": job_type_job.JobTypeJobFacet(
            processingType="BATCH", integration="SPARK", jobType="SQL_JOB"
        )
    }
    if context.code_location:
        job_facets["sourceCodeLocation"] = source_code_location_job.SourceCodeLocationJobFacet(
            type="file", url=context.code_location, version=context.code_version
        )
    run_facets: dict[str, Any] = {
        "processing_engine": processing_engine_run.ProcessingEngineRunFacet(
            version=context.spark_version, name="spark", openlineageAdapterVersion="provgraph"
        ),
        "spark_properties": {
            "_producer": PRODUCER,
            "_schemaURL": STOPPED_SCHEMA,
            "appName": context.app_name,
            "action": write.action,
            "command": write.command,
            "mode": write.mode,
        },
    }
    job = Job(
        namespace=context.namespace, name=job_name(context.app_name, write), facets=job_facets
    )
    inputs = [
        InputDataset(
            namespace=d.namespace,
            name=d.name,
            facets={
                "schema": _schema([(a.name, a.data_type) for a in attrs]),
                **_storage(write.leaf_formats.get(d)),
            },
        )
        for d, attrs in sorted(lineage.inputs.items())
    ]
    output_facets: dict[str, Any] = {"schema": _schema(write.schema), **_storage(write.file_format)}
    if lineage.stopped_at is None:
        output_facets["columnLineage"] = column_lineage_facet(lineage)
    else:
        output_facets[STOPPED_FACET] = run_facets[STOPPED_FACET] = {
            "_producer": PRODUCER,
            "_schemaURL": STOPPED_SCHEMA,
            "stoppedAt": lineage.stopped_at,
            "reason": f"the plan node or expression {lineage.stopped_at} is not understood by "
            "provgraph's plan walker; lineage is dataset-level",
        }
    output_facets.update(extra_output_facets or {})
    output = OutputDataset(
        namespace=write.target.namespace, name=write.target.name, facets=output_facets
    )
    started = outcome.finished - outcome.duration
    start = RunEvent(
        eventType=State.START,
        eventTime=_time(started),
        run=Run(runId=str(run_id), facets=run_facets),
        job=job,
        producer=PRODUCER,
        inputs=inputs,
        outputs=[OutputDataset(namespace=output.namespace, name=output.name)],
    )
    end_facets = dict(run_facets)
    if outcome.error is not None:
        end_facets["errorMessage"] = error_message_run.ErrorMessageRunFacet(
            message=outcome.error[:4000],
            programmingLanguage="JAVA",
            stackTrace=(outcome.stack_trace or "")[:16000] or None,
        )
    end = RunEvent(
        eventType=State.FAIL if outcome.error is not None else State.COMPLETE,
        eventTime=_time(outcome.finished),
        run=Run(runId=str(run_id), facets=end_facets),
        job=job,
        producer=PRODUCER,
        inputs=inputs,
        outputs=[output],
    )
    return [start, end]


def _time(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def dataset_key(dataset: DatasetId) -> str:
    return f"{dataset.namespace}/{dataset.name}"
