"""Which run a run id names under a job: one rule, for the projection and for lookups.

A run belongs to one job. A producer that reuses a run id under another job (OpenLineage's
own spec examples do; so did Airflow for DAGs of one name in two namespaces) used to have
that job's events merged into the first job's run, giving the second job the first one's
inputs. Instead, the first job to use an id keeps it; another job's run with the same id is
kept apart, as the run whose UUID is derived from (its job, the id) by the rule of
model/run_ids.py, and keeps the id it was sent with as its `source_run_id`.
"""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from provgraph.catalog.model.kinds import NodeKind
from provgraph.catalog.model.run_ids import derived_run_uuid
from provgraph.catalog.model.urn import Urn

JobOf = Callable[[str], str | None]
"""The job URN of a run URN; None when there is no such run (or it names no job)."""


def run_home(run_id: UUID, job: Urn, *, job_of: JobOf) -> Urn:
    """The run that `run_id` of `job` is: the run of that id, unless another job's run has
    it; then the run kept apart for `job`."""
    plain = Urn(NodeKind.RUN, str(run_id))
    owner = job_of(str(plain))
    if owner is None or owner == str(job):
        return plain
    apart = derived_run_uuid(str(run_id), namespace=job.namespace or "", job=job.name)
    return Urn(NodeKind.RUN, str(apart))
