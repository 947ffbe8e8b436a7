"""OpenLineage RunEvents as the integrations send them, built in one place: openlineage-python's
typed classes (`RunEvent`, `Run`, `Job`, its facets and provgraph's own, `facets.py`), under one
producer URI, serialized by its `Serde`."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from typing import Any, Literal

from openlineage.client.event_v2 import InputDataset, Job, OutputDataset, Run, RunEvent, RunState
from openlineage.client.facet_v2 import (
    JobFacet,
    RunFacet,
    error_message_run,
    job_type_job,
    source_code_location_job,
)
from openlineage.client.serde import Serde

from provgraph.integrations.environment import CodeVersion

EventType = Literal["START", "RUNNING", "COMPLETE", "FAIL", "ABORT"]


def _release() -> str:
    try:
        return version("provgraph")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown"


PRODUCER = f"https://github.com/provgraph/provgraph/tree/{_release()}/integrations"
"""The producer of every event and facet any provgraph integration builds (OpenLineage's own
integrations name theirs the same way: the source tree at the release)."""


def now() -> str:
    return datetime.now(UTC).isoformat()


def run_event(
    *,
    event_type: EventType,
    run_id: str,
    job: tuple[str, str],
    run_facets: Mapping[str, RunFacet] | None = None,
    job_facets: Mapping[str, JobFacet] | None = None,
    inputs: Sequence[InputDataset] = (),
    outputs: Sequence[OutputDataset] = (),
    event_time: str | None = None,
) -> RunEvent:
    return RunEvent(
        eventType=RunState(event_type),
        eventTime=event_time or now(),
        producer=PRODUCER,
        run=Run(runId=run_id, facets=dict(run_facets or {})),
        job=Job(namespace=job[0], name=job[1], facets=dict(job_facets or {})),
        inputs=list(inputs),
        outputs=list(outputs),
    )


def as_json(event: RunEvent) -> dict[str, Any]:
    """The event as the catalog receives it (openlineage-python's serializer)."""
    return Serde.to_dict(event)


def job_type(integration: str, job_type: str) -> dict[str, JobFacet]:
    return {
        "jobType": job_type_job.JobTypeJobFacet(
            processingType="BATCH", integration=integration, jobType=job_type, producer=PRODUCER
        )
    }


def source_code_facet(code: CodeVersion | None) -> dict[str, JobFacet]:
    """The job's code version from git: the catalog keys the job's version on it."""
    if code is None:
        return {}
    location = source_code_location_job.SourceCodeLocationJobFacet(
        type="git",
        url=f"file://{code.path}",
        repoUrl=f"file://{code.repository}",
        path=code.path,
        version=code.commit + ("-dirty" if code.dirty else ""),
        producer=PRODUCER,
    )
    return {"sourceCodeLocation": location}


_ERROR_TYPE = re.compile(r"[A-Za-z_$][\w$.]{0,199}")
_ERROR_CONDITION = re.compile(r"[A-Z][A-Z0-9_.]{0,99}")


def error_summary(error_type: str, condition: str | None = None) -> str:
    """What an integration says of an error raised inside the user's data processing: its type
    and the framework's error condition (Spark's `CAST_INVALID_INPUT`), never its message, which
    can quote the data (`The value 'a@x.org' ... cannot be cast`). Like validation results, a
    whitelist: anything that is not a plain type or condition name is dropped too."""
    kind = error_type if _ERROR_TYPE.fullmatch(error_type) else "error"
    if condition and _ERROR_CONDITION.fullmatch(condition):
        kind += f" [{condition}]"
    return f"{kind} (message withheld: error messages can carry data values)"


def error_facet(
    message: str, *, language: str = "python", stack_trace: str | None = None
) -> dict[str, RunFacet]:
    return {
        "errorMessage": error_message_run.ErrorMessageRunFacet(
            message=message[:60_000],
            programmingLanguage=language,
            stackTrace=stack_trace,
            producer=PRODUCER,
        )
    }
