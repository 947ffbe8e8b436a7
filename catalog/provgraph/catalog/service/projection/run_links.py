"""Which run a `run.recorded` event is about, and the link to its parent run.

Both follow run_identity.py: a run id names the run of the job that used it first; another
job's run with that id is kept apart (and the event is accepted with a note saying so).
"""

from __future__ import annotations

from provgraph.catalog.model import views
from provgraph.catalog.model.errors import UnknownReferenceError
from provgraph.catalog.model.events import RunRecorded
from provgraph.catalog.model.kinds import EdgeKind, NodeKind
from provgraph.catalog.model.urn import Urn
from provgraph.catalog.service.graph_view import PendingView
from provgraph.catalog.service.projection.common import put, stored
from provgraph.catalog.service.run_identity import JobOf, run_home


def job_of(view: PendingView) -> JobOf:
    """The job of a run as the catalog (or this batch) holds it."""

    def find(run: str) -> str | None:
        found = stored(view, run, views.Run)
        return None if found is None else found.job

    return find


def run_of(event: RunRecorded, view: PendingView, job: Urn) -> Urn:
    """The run the event is about: the run of its id, or this job's run kept apart."""
    run = run_home(event.run_id, job, job_of=job_of(view))
    if run.name != str(event.run_id):
        sent = event.source_run_id or str(event.run_id)
        view.note(
            f"run id {sent!r} is already a run of another job; a run belongs to one job, so "
            f"this run of job {_label(job)} is recorded apart, as run {run.name} (derived from "
            f"the job and the id; its sourceRunId keeps {sent!r}), not merged into run "
            f"{event.run_id}"
        )
    return run


def link_parent(event: RunRecorded, view: PendingView, run: Urn, at: int) -> None:
    """CHILD_OF the parent run; a parent not yet recorded is created from its job."""
    assert event.parent_run_id is not None
    plain = Urn(NodeKind.RUN, str(event.parent_run_id))
    parent_job = None
    home = plain
    if event.parent_job is not None:
        parent_job = Urn.job(event.parent_job.namespace, event.parent_job.name)
        home = run_home(event.parent_run_id, parent_job, job_of=job_of(view))
        if home != plain:
            view.note(
                f"parent run id {plain.name} is already a run of another job: the parent, a "
                f"run of job {_label(parent_job)}, is run {home.name}, kept apart"
            )
    parent = str(home)
    view.check_acyclic(parent, str(run))
    if not view.has(parent):
        if parent_job is None:
            raise UnknownReferenceError(
                f"parent run {parent} is not in the catalog (name its job to create it)", urn=parent
            )
        if not view.has(str(parent_job)):
            named = views.Job(namespace=parent_job.namespace or "", name=parent_job.name)
            put(view, parent_job, at, named)
        sent = event.parent_source_run_id or (None if home == plain else plain.name)
        placeholder = views.Run(run_id=home.name, job=str(parent_job), source_run_id=sent)
        put(view, parent, at, placeholder)
        view.ensure_edge(EdgeKind.INSTANCE_OF, parent, str(parent_job), at)
    view.ensure_edge(EdgeKind.CHILD_OF, str(run), parent, at)


def _label(job: Urn) -> str:
    return f"{job.namespace}/{job.name}"
