"""A validation as an OpenLineage RunEvent: the validated dataset is the run's input, with the
`dataQualityAssertions` and `dataQualityMetrics` facets (the catalog records a ValidationResult
on the dataset version) and the summary as a run facet."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from provgraph.integrations.great_expectations.summary import Summary

NAMESPACE = "great_expectations"
PRODUCER = "https://provgraph.dev/integrations/great_expectations/0.1.0"
SUMMARY_SCHEMA = "https://provgraph.dev/integrations/great_expectations/summary.json"


def validation_event(
    summary: Summary,
    dataset: tuple[str, str],
    *,
    job: str | None = None,
    namespace: str = NAMESPACE,
    run_id: uuid.UUID | None = None,
) -> Any:
    from openlineage.client.event_v2 import InputDataset, Job, Run, RunEvent, RunState
    from openlineage.client.facet_v2 import (
        data_quality_assertions_dataset,
        data_quality_metrics_input_dataset,
        job_type_job,
    )

    assertions = data_quality_assertions_dataset.DataQualityAssertionsDatasetFacet(
        assertions=[
            data_quality_assertions_dataset.Assertion(
                assertion=o.expectation, success=o.success, column=o.column
            )
            for o in summary.outcomes
        ]
    )
    metrics = data_quality_metrics_input_dataset.DataQualityMetricsInputDatasetFacet(
        rowCount=summary.row_count,
        columnMetrics={
            column: data_quality_metrics_input_dataset.ColumnMetrics(nullCount=nulls)
            for column, nulls in summary.null_counts().items()
        },
    )
    facet: dict[str, Any] = {
        "_producer": PRODUCER,
        "_schemaURL": SUMMARY_SCHEMA,
        "suite": summary.suite,
        "success": summary.success,
        "statistics": summary.statistics,
        "results": [o.as_json() for o in summary.outcomes],
    }
    return RunEvent(
        eventType=RunState.COMPLETE,
        eventTime=datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        run=Run(runId=str(run_id or uuid.uuid4()), facets=_any({"great_expectations": facet})),
        job=Job(
            namespace=namespace,
            name=job or f"validate.{summary.suite}",
            facets={
                "jobType": job_type_job.JobTypeJobFacet(
                    processingType="BATCH", integration="GREAT_EXPECTATIONS", jobType="VALIDATION"
                )
            },
        ),
        producer=PRODUCER,
        inputs=[
            InputDataset(
                namespace=dataset[0],
                name=dataset[1],
                facets=_any({"dataQualityAssertions": assertions}),
                inputFacets={"dataQualityMetrics": metrics},
            )
        ],
        outputs=[],
    )


def _any(facets: dict[str, Any]) -> Any:
    """openlineage-python types facet dicts by facet base class; ours are plain JSON too."""
    return facets
