"""Run ids: the catalog names every run by a UUID; producers do not always send one.

OpenLineage's spec says a run id is a UUID, but real producers send others (OpenLineage's own
compatibility scenario `simple_run_event` has `"run_id"`; Airflow's parent facets carry DAG
run ids such as `manual__2026-01-05T10:00:00+00:00`). Marquez maps such an id to a UUID
derived from the string; so does provgraph, with one deterministic rule used for a run's own
id, for a child's parent id and for a run id reused under another job, so that a resend maps
to the same run and a child finds its parent.

The derived UUID is scoped to the job:
`uuid5(RUN_ID_NAMESPACE, '["<job namespace>","<job name>","<run id>"]')` (that JSON array,
compact, UTF-8). Airflow's DAG run ids are unique within a DAG only (every DAG has its
`manual__2026-01-05T10:00:00+00:00`), so the bare string would make runs of different DAGs
one run; OpenLineage's own spec examples give three jobs the run id `"..."`.
"""

from __future__ import annotations

import json
from uuid import NAMESPACE_URL, UUID, uuid5

from pydantic import TypeAdapter, ValidationError

RUN_ID_NAMESPACE = uuid5(NAMESPACE_URL, "urn:provgraph:run-id")
"""The UUID namespace of derived run ids, ed84730f-2ce4-52e2-bff5-e719a75ef733: fixed for
ever (another would rename every run whose id was derived)."""
MAX_RUN_ID = 1024
"""The longest run id accepted as a producer sent it."""

_UUID: TypeAdapter[UUID] = TypeAdapter(UUID)


def derived_run_uuid(run_id: str, *, namespace: str, job: str) -> UUID:
    """The UUID standing for `run_id` of the job `namespace`/`job` (see the module doc)."""
    name = json.dumps([namespace, job, run_id], ensure_ascii=False, separators=(",", ":"))
    return uuid5(RUN_ID_NAMESPACE, name)


def as_uuid(run_id: str) -> UUID | None:
    """`run_id` as a UUID when it is one (in a form pydantic reads, as before); else None."""
    try:
        return _UUID.validate_python(run_id)
    except ValidationError:
        return None


def run_uuid(run_id: str, *, namespace: str, job: str) -> UUID:
    """The catalog's UUID for a run id as a producer sent it: itself when it is a UUID."""
    return as_uuid(run_id) or derived_run_uuid(run_id, namespace=namespace, job=job)
