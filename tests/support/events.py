"""Small builders for catalog events in tests."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from provgraph.catalog.model.events import (
    ColumnRef,
    DatasetRegistered,
    FieldSpec,
    InputSpec,
    JobSpec,
    OutputSpec,
    RunRecorded,
)
from provgraph.catalog.service.writer import Submission


def at(day: int, hour: int = 0) -> datetime:
    return datetime(2026, 1, day, hour, tzinfo=UTC)


def dataset(
    name: str, *fields: str, day: int = 1, tags: dict[str, list[str]] | None = None
) -> DatasetRegistered:
    tags = tags or {}
    return DatasetRegistered(
        event_time=at(day),
        namespace="db",
        name=name,
        fields=[FieldSpec(name=f, type="string", classifications=tags.get(f, [])) for f in fields],
    )


def run(
    job: str,
    inputs: list[str],
    output: str,
    fields: list[str],
    lineage: dict[str, list[tuple[str, str]]] | None = None,
    *,
    day: int = 2,
    version: str = "v1",
    run_id: uuid.UUID | None = None,
) -> RunRecorded:
    return RunRecorded(
        event_time=at(day),
        run_id=run_id or uuid.uuid4(),
        job=JobSpec(namespace="spark", name=job, version=version),
        inputs=[InputSpec(namespace="db", name=name) for name in inputs],
        outputs=[
            OutputSpec(
                namespace="db",
                name=output,
                fields=[FieldSpec(name=f) for f in fields],
                column_lineage={
                    out: [ColumnRef(namespace="db", name=ds, field=col) for ds, col in sources]
                    for out, sources in (lineage or {}).items()
                },
            )
        ],
    )


def subs(*events: object) -> list[Submission]:
    return [Submission(e) for e in events]  # type: ignore[arg-type]


def wide_dataset_json(namespace: str, name: str, columns: int) -> dict[str, Any]:
    """A `dataset.registered` event (as JSON) with `columns` fields c0, c1, ..."""
    return {
        "type": "dataset.registered",
        "event_time": "2026-05-01T00:00:00Z",
        "namespace": namespace,
        "name": name,
        "fields": [{"name": f"c{i}", "type": "bigint"} for i in range(columns)],
    }
