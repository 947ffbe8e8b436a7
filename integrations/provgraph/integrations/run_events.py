"""OpenLineage RunEvents as the integrations send them (spec 2-0-2), built in one place."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any, Literal

from provgraph.integrations.environment import CodeVersion

SPEC = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"
PRODUCER = "https://provgraph.dev/integrations/{name}/0.1.0"
EventType = Literal["START", "RUNNING", "COMPLETE", "FAIL", "ABORT"]


def now() -> str:
    return datetime.now(UTC).isoformat()


def producer(integration: str) -> str:
    return PRODUCER.format(name=integration)


def facet(integration: str, body: dict[str, Any], schema: str | None = None) -> dict[str, Any]:
    return {
        "_producer": producer(integration),
        "_schemaURL": schema or "https://openlineage.io/spec/facets/1-0-0/BaseFacet.json",
        **body,
    }


def run_event(
    *,
    integration: str,
    event_type: EventType,
    run_id: str,
    job: tuple[str, str],
    run_facets: dict[str, Any] | None = None,
    job_facets: dict[str, Any] | None = None,
    inputs: list[dict[str, Any]] | None = None,
    outputs: list[dict[str, Any]] | None = None,
    event_time: str | None = None,
) -> dict[str, Any]:
    return {
        "eventType": event_type,
        "eventTime": event_time or now(),
        "producer": producer(integration),
        "schemaURL": SPEC,
        "run": {"runId": run_id, "facets": run_facets or {}},
        "job": {"namespace": job[0], "name": job[1], "facets": job_facets or {}},
        "inputs": inputs or [],
        "outputs": outputs or [],
    }


def source_code_facet(integration: str, code: CodeVersion | None) -> dict[str, Any]:
    """The job's code version from git: the catalog keys the job's version on it."""
    if code is None:
        return {}
    location = {
        "type": "git",
        "url": f"file://{code.path}",
        "repoUrl": f"file://{code.repository}",
        "path": code.path,
        "version": code.commit + ("-dirty" if code.dirty else ""),
    }
    return {"sourceCodeLocation": facet(integration, location)}


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


def error_facet(integration: str, message: str) -> dict[str, Any]:
    return {
        "errorMessage": facet(
            integration, {"message": message[:60_000], "programmingLanguage": "python"}
        )
    }
