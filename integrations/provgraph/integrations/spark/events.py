"""OpenLineage RunEvents for one Spark write: START and COMPLETE (or FAIL), with inputs,
outputs, schemas, column lineage (with transformation types and masking) and facets naming the
Spark version, the application and the code location."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from openlineage.client.event_v2 import InputDataset, OutputDataset, RunEvent
from openlineage.client.facet_v2 import (
    DatasetFacet,
    JobFacet,
    RunFacet,
    column_lineage_dataset,
    processing_engine_run,
    schema_dataset,
    source_code_location_job,
    storage_dataset,
)

from provgraph.integrations.facets import (
    ColumnLineageStoppedDatasetFacet,
    ColumnLineageStoppedRunFacet,
    SparkPropertiesRunFacet,
)
from provgraph.integrations.run_events import PRODUCER, error_facet, job_type, run_event
from provgraph.integrations.spark.capture import Write
from provgraph.integrations.spark.lineage import DatasetId, Direct, Kind, PlanLineage

STOPPED_FACET = "provgraph_columnLineageStopped"
cl = column_lineage_dataset


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


def _field_entry(sources: dict[Any, Direct], description: str | None) -> cl.Fields:
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


def column_lineage_facet(lineage: PlanLineage) -> cl.ColumnLineageDatasetFacet:
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
    return cl.ColumnLineageDatasetFacet(fields=fields, dataset=dataset, producer=PRODUCER)


def _schema(fields: list[tuple[str, str]]) -> schema_dataset.SchemaDatasetFacet:
    return schema_dataset.SchemaDatasetFacet(
        fields=[schema_dataset.SchemaDatasetFacetFields(name=n, type=t) for n, t in fields],
        producer=PRODUCER,
    )


def _storage(file_format: str | None) -> dict[str, DatasetFacet]:
    if not file_format:
        return {}
    return {
        "storage": storage_dataset.StorageDatasetFacet(
            storageLayer="spark", fileFormat=file_format.lower(), producer=PRODUCER
        )
    }


def run_events(
    write: Write,
    lineage: PlanLineage,
    context: JobContext,
    outcome: Outcome,
    *,
    extra_output_facets: dict[str, DatasetFacet] | None = None,
    run_id: uuid.UUID | None = None,
) -> list[RunEvent]:
    run_id = run_id or uuid.uuid4()
    job_facets: dict[str, JobFacet] = job_type("SPARK", "SQL_JOB")
    if context.code_location:
        job_facets["sourceCodeLocation"] = source_code_location_job.SourceCodeLocationJobFacet(
            type="file", url=context.code_location, version=context.code_version, producer=PRODUCER
        )
    run_facets: dict[str, RunFacet] = {
        "processing_engine": processing_engine_run.ProcessingEngineRunFacet(
            version=context.spark_version,
            name="spark",
            openlineageAdapterVersion="provgraph",
            producer=PRODUCER,
        ),
        "spark_properties": SparkPropertiesRunFacet(
            appName=context.app_name, action=write.action, command=write.command, mode=write.mode
        ),
    }
    job = (context.namespace, job_name(context.app_name, write))
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
    output_facets: dict[str, DatasetFacet] = {
        "schema": _schema(write.schema),
        **_storage(write.file_format),
    }
    if lineage.stopped_at is None:
        output_facets["columnLineage"] = column_lineage_facet(lineage)
    else:
        reason = (
            f"the plan node or expression {lineage.stopped_at} is not understood by "
            "provgraph's plan walker; lineage is dataset-level"
        )
        output_facets[STOPPED_FACET] = ColumnLineageStoppedDatasetFacet(
            stoppedAt=lineage.stopped_at, reason=reason
        )
        run_facets[STOPPED_FACET] = ColumnLineageStoppedRunFacet(
            stoppedAt=lineage.stopped_at, reason=reason
        )
    output_facets.update(extra_output_facets or {})
    target = (write.target.namespace, write.target.name)
    started = outcome.finished - outcome.duration
    start = run_event(
        event_type="START",
        event_time=_time(started),
        run_id=str(run_id),
        job=job,
        run_facets=run_facets,
        job_facets=job_facets,
        inputs=inputs,
        outputs=[OutputDataset(namespace=target[0], name=target[1])],
    )
    end_facets = dict(run_facets)
    if outcome.error is not None:
        end_facets.update(
            error_facet(
                outcome.error[:4000],
                language="JAVA",
                stack_trace=(outcome.stack_trace or "")[:16000] or None,
            )
        )
    end = run_event(
        event_type="FAIL" if outcome.error is not None else "COMPLETE",
        event_time=_time(outcome.finished),
        run_id=str(run_id),
        job=job,
        run_facets=end_facets,
        job_facets=job_facets,
        inputs=inputs,
        outputs=[OutputDataset(namespace=target[0], name=target[1], facets=output_facets)],
    )
    return [start, end]


def _time(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def dataset_key(dataset: DatasetId) -> str:
    return f"{dataset.namespace}/{dataset.name}"
