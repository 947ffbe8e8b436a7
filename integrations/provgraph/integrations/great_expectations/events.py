"""A validation as an OpenLineage RunEvent: the validated dataset is the run's input, with the
`dataQualityAssertions` and `dataQualityMetrics` facets (the catalog records a ValidationResult
on the dataset version) and the summary as a run facet."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from openlineage.client.event_v2 import InputDataset, RunEvent
from openlineage.client.facet_v2 import (
    data_quality_assertions_dataset,
    data_quality_metrics_input_dataset,
)

from provgraph.integrations.facets import GreatExpectationsRunFacet
from provgraph.integrations.great_expectations.summary import Summary
from provgraph.integrations.run_events import PRODUCER, job_type, run_event

NAMESPACE = "great_expectations"


def validation_event(
    summary: Summary,
    dataset: tuple[str, str],
    *,
    job: str | None = None,
    namespace: str = NAMESPACE,
    run_id: uuid.UUID | None = None,
) -> RunEvent:
    assertions = data_quality_assertions_dataset.DataQualityAssertionsDatasetFacet(
        assertions=[
            data_quality_assertions_dataset.Assertion(
                assertion=o.expectation, success=o.success, column=o.column
            )
            for o in summary.outcomes
        ],
        producer=PRODUCER,
    )
    metrics = data_quality_metrics_input_dataset.DataQualityMetricsInputDatasetFacet(
        rowCount=summary.row_count,
        columnMetrics={
            column: data_quality_metrics_input_dataset.ColumnMetrics(nullCount=nulls)
            for column, nulls in summary.null_counts().items()
        },
        producer=PRODUCER,
    )
    validated = GreatExpectationsRunFacet(
        suite=summary.suite,
        success=summary.success,
        statistics=summary.statistics,
        results=[o.as_json() for o in summary.outcomes],
    )
    return run_event(
        event_type="COMPLETE",
        event_time=datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        run_id=str(run_id or uuid.uuid4()),
        job=(namespace, job or f"validate.{summary.suite}"),
        run_facets={"great_expectations": validated},
        job_facets=job_type("GREAT_EXPECTATIONS", "VALIDATION"),
        inputs=[
            InputDataset(
                namespace=dataset[0],
                name=dataset[1],
                inputFacets={"dataQualityAssertions": assertions, "dataQualityMetrics": metrics},
            )
        ],
    )
