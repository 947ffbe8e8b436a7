"""The end of a run, delivered even when the catalog went away mid-run.

A run the catalog saw start and never saw end would stay RUNNING forever. `end_run` sends the
terminal event (COMPLETE, FAIL, ABORT) at once; when the catalog cannot be reached it goes into
the catalog's durable run-end outbox (`runs-<key>.sqlite` in the outbox directory, see
`provgraph.integrations.spool`), whose sender retries until the catalog returns. What a process
leaves there when it exits is sent by the next one that runs a job against the same catalog
(`resume`, called when a training run or a deploy starts). The event keeps its own time, so the
run ends when it really ended; a resend is a no-op (the catalog keys events by content).
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from provgraph.client import Client, ProvgraphError
from provgraph.integrations.emitter import sender
from provgraph.integrations.errors import CatalogUnavailableError, catalog_error
from provgraph.integrations.outbox import Event, Outbox
from provgraph.integrations.spool import SqliteQueue, outbox_dir, outbox_file

log = logging.getLogger("provgraph.integrations")

_lock = threading.Lock()
_outboxes: dict[Path, Outbox] = {}


def end_run(client: Client, event: Event, *, directory: str | Path | None = None) -> bool:
    """Send `event` now (True), or keep it for when the catalog returns (False). A refusal (4xx)
    raises IntegrationError: the event itself is wrong, and keeping it would not help."""
    try:
        client.send_openlineage([event])
        return True
    except ProvgraphError as exc:
        error = catalog_error("cannot record the end of the run", exc)
        if not isinstance(error, CatalogUnavailableError):
            raise error from exc
        log.warning("provgraph: %s; it is kept and sent when the catalog returns", error)
    _outbox(client, directory).put(event, required=True)
    return False


def resume(client: Client, *, directory: str | Path | None = None) -> None:
    """Start sending the run ends an earlier process left for this catalog, if there are any."""
    if outbox_file(directory, "runs", client.url).exists():
        _outbox(client, directory)


def flush(*, timeout: float | None = 30.0) -> bool:
    """Wait until every kept run end was delivered; False when `timeout` ran out first."""
    with _lock:
        outboxes = list(_outboxes.values())
    return all(o.flush(timeout) for o in outboxes)


def close_all(*, timeout: float | None = 0.0) -> None:
    """Stop the senders (what is undelivered stays on disk): a process that exits."""
    with _lock:
        outboxes = list(_outboxes.values())
        _outboxes.clear()
    for outbox in outboxes:
        outbox.close(timeout)


def _outbox(client: Client, directory: str | Path | None) -> Outbox:
    path = outbox_file(outbox_dir(directory), "runs", client.url)
    with _lock:
        found = _outboxes.get(path)
        if found is None:
            found = _outboxes[path] = Outbox(
                sender(client), queue=SqliteQueue(path), name="provgraph-run-ends"
            )
        return found
