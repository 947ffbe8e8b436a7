"""One emitter per catalog: openlineage-python's client over a transport that posts to provgraph.

`Emitter.emit(event)` takes an openlineage-python event; `OpenLineageClient.emit` passes it to
`ProvgraphTransport`, which serializes it and queues it in the `Outbox`; the outbox's thread
sends batches through `provgraph.client.Client.send_openlineage`. Nothing here blocks the
caller, and nothing here raises into the caller's job.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from provgraph.integrations.outbox import Event, Outbox, Rejected, Work

if TYPE_CHECKING:
    from openlineage.client.client import Event as OLEvent
    from openlineage.client.client import OpenLineageClient

    from provgraph.client import Client


def resolve(url: str | None, token: str | None) -> tuple[str | None, str | None]:
    """`url=`/`token=` when given, else `PROVGRAPH_URL` / `PROVGRAPH_TOKEN`."""
    return (
        url or os.environ.get("PROVGRAPH_URL") or None,
        token if token is not None else os.environ.get("PROVGRAPH_TOKEN") or None,
    )


def make_client(url: str | None, token: str | None, *, timeout: float = 10.0) -> Client:
    from provgraph.client import Client, Retry

    url, token = resolve(url, token)
    return Client(url, token=token, timeout=timeout, retry=Retry(attempts=1))


def sender(client: Client) -> Callable[[list[Event]], None]:
    """Sends a batch of OpenLineage events; a refusal for good raises `Rejected`."""
    from provgraph.client import BadRequestError, PayloadTooLargeError, RejectedError

    def send(events: list[Event]) -> None:
        try:
            client.send_openlineage(events)
        except (RejectedError, BadRequestError, PayloadTooLargeError) as exc:
            raise Rejected(str(exc)) from exc

    return send


def _transport(outbox: Outbox) -> Any:
    from openlineage.client.serde import Serde
    from openlineage.client.transport.transport import Transport

    class ProvgraphTransport(Transport):
        """Queues each event for the sender thread; never blocks, never raises."""

        kind = "provgraph"
        name = "provgraph"

        def emit(self, event: OLEvent) -> bool:
            return outbox.put(Serde.to_dict(event))

        def close(self, timeout: float = -1) -> bool:
            return outbox.flush(None if timeout < 0 else timeout)

    return ProvgraphTransport()


class Emitter:
    def __init__(self, url: str | None, token: str | None, *, capacity: int = 10_000) -> None:
        from openlineage.client.client import OpenLineageClient

        self.client = make_client(url, token)
        self.outbox = Outbox(sender(self.client), capacity=capacity)
        self.openlineage: OpenLineageClient = OpenLineageClient(transport=_transport(self.outbox))

    @property
    def url(self) -> str:
        return self.client.url

    def emit(self, event: OLEvent) -> None:
        try:
            self.openlineage.emit(event)
        except Exception as exc:  # the user's job never breaks because of us
            self.outbox.stats.work_failures += 1
            import logging

            logging.getLogger("provgraph.integrations").warning("provgraph: emit failed: %s", exc)

    def submit(self, work: Work) -> bool:
        """Run `work` on the sender thread (in order with the events queued before it)."""
        return self.outbox.put(work)

    def flush(self, timeout: float | None = 30.0) -> bool:
        return self.outbox.flush(timeout)


_lock = threading.Lock()
_emitters: dict[tuple[str | None, str | None], Emitter] = {}


def emitter(url: str | None = None, token: str | None = None) -> Emitter:
    """The process's emitter for this catalog and token (created on first use)."""
    key = resolve(url, token)
    with _lock:
        found = _emitters.get(key)
        if found is None:
            found = _emitters[key] = Emitter(*key)
        return found


def discard(url: str | None = None, token: str | None = None) -> None:
    """Forget this catalog's emitter and drop what it still holds (a catalog gone for good)."""
    with _lock:
        found = _emitters.pop(resolve(url, token), None)
    if found is not None:
        found.outbox.close(timeout=0)
