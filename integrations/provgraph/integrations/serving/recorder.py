"""Prediction provenance, recorded off the request path with bounded memory, delivered durably.

Requests add a small record to an in-memory buffer (O(1), never blocking). Every `flush_every`
seconds a sender thread turns the buffer into windows — each one OpenLineage run of the
deployment's `predict` job whose `provgraph_predictions` facet holds the window's count,
latency percentiles, the decisions acted on and the kept records (at most 1,000 a window;
more make more windows) — and puts them in the deployment's durable outbox (one SQLite file,
`provgraph.integrations.spool`), which sends them, retrying while the catalog is away, and
keeps them across a restart of the serving process.

Kept are every record an obligation requires ("log every prediction"), every denial, and a
`sample` of the others. Records an obligation requires are never dropped: their windows are
written past the outbox's bound, and while it is full (or cannot be written) the guard refuses
new obligated requests (`admit` is False, counted in `refused`) until it drains. Everything
else may be dropped and is counted in `dropped`: a full buffer, a full outbox.
"""

from __future__ import annotations

import logging
import random
import threading
import uuid
from collections import deque
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from provgraph.client import Client
from provgraph.integrations.emitter import sender
from provgraph.integrations.facets import ProvgraphPredictionsRunFacet
from provgraph.integrations.outbox import Event, Outbox
from provgraph.integrations.run_events import as_json, job_type, run_event
from provgraph.integrations.spool import MAX_BYTES, MAX_EVENTS, SpoolError, SqliteQueue, outbox_file

log = logging.getLogger("provgraph.serving")
FACET = "provgraph_predictions"
MAX_RECORDS_PER_WINDOW = 1000


@dataclass(frozen=True)
class PredictionRecord:
    request_id: str
    at: str
    latency_ms: float
    allowed: bool
    decision: str | None
    status: int


@dataclass(frozen=True)
class _Entry:
    record: PredictionRecord
    keep: bool
    required: bool


@dataclass
class _Window:
    count: int = 0
    denied: int = 0
    obligated: int = 0
    latencies: list[float] = field(default_factory=list)
    records: list[PredictionRecord] = field(default_factory=list)
    decisions: set[str] = field(default_factory=set)


@dataclass
class PredictionRecorder:
    client: Client
    deployment: str
    job: tuple[str, str]
    model_version: str | None = None
    feature_versions: tuple[str, ...] = ()
    sample: float = 0.01
    flush_every: float = 10.0
    capacity: int = 10_000
    """Records buffered in memory between windows."""
    outbox_dir: str | Path | None = None
    """Where the durable outbox lives (default: $PROVGRAPH_OUTBOX_DIR, else the user's state
    directory, ~/.local/state/provgraph/outbox)."""
    outbox_events: int = MAX_EVENTS
    outbox_bytes: int = MAX_BYTES
    close_timeout: float = 5.0
    """How long `stop` waits for the catalog to take what is queued before leaving it on disk."""
    sent_windows: int = field(default=0, init=False)
    dropped: int = field(default=0, init=False)
    """Records dropped: sampled or aggregate ones no obligation requires."""
    refused: int = field(default=0, init=False)
    """Obligated requests refused because their records could not have been kept."""
    lost: int = field(default=0, init=False)
    """Obligated records the catalog refused for good (a 4xx): logged as errors."""
    _buffer: deque[_Entry] = field(default_factory=deque, init=False)
    _outbox: Outbox | None = field(default=None, init=False)
    _unwritable: bool = field(default=False, init=False)
    _stop: threading.Event = field(default_factory=threading.Event, init=False)
    _thread: threading.Thread | None = field(default=None, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)

    @property
    def path(self) -> Path:
        return outbox_file(self.outbox_dir, "serving", self.client.url, self.deployment)

    def admit(self) -> bool:
        """May a request whose record an obligation requires be served now? Not while the
        outbox is full or cannot be written, nor with `capacity` records buffered."""
        outbox = self._outbox
        # read without the outbox's lock: a request never waits on a disk write
        if self._unwritable or len(self._buffer) >= self.capacity or (outbox and outbox.full):
            self.refused += 1
            return False
        return True

    def record(
        self,
        *,
        latency_ms: float,
        allowed: bool,
        decision: str | None,
        status: int,
        keep: bool = False,
        required: bool = False,
    ) -> None:
        """Called on the request path: O(1), never blocks, never raises. `required` records
        (an obligation's) are always buffered; the others are dropped when the buffer is full."""
        entry = PredictionRecord(
            request_id=str(uuid.uuid4()),
            at=datetime.now(UTC).isoformat(),
            latency_ms=round(latency_ms, 3),
            allowed=allowed,
            decision=decision,
            status=status,
        )
        kept = required or keep or random.random() < self.sample
        if not required and len(self._buffer) >= self.capacity:
            self.dropped += 1
            return
        self._buffer.append(_Entry(entry, kept, required))

    def start(self) -> None:
        self._open()
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(
                target=self._run, name="provgraph-predictions", daemon=True
            )
            self._thread.start()

    def stop(self) -> None:
        """Stop recording: what is buffered goes to the outbox, which has `close_timeout`
        seconds to deliver; the rest stays on disk for the next start."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None
        self._spool()
        if self._outbox is not None:
            self._outbox.close(self.close_timeout)
            self._outbox = None

    def flush(self, timeout: float | None = 30.0) -> bool:
        """Spool what is buffered and wait for the catalog to take everything queued (blocking:
        tests and shutdown call it); False when `timeout` ran out first."""
        self._spool()
        return self._open().flush(timeout)

    def _open(self) -> Outbox:
        if self._outbox is None:
            queue = SqliteQueue(
                self.path, max_events=self.outbox_events, max_bytes=self.outbox_bytes
            )
            self._outbox = Outbox(
                self._sent(sender(self.client)),
                queue=queue,
                on_drop=self._dropped_by_outbox,
                name="provgraph-predictions-outbox",
            )
        return self._outbox

    def _run(self) -> None:
        while not self._stop.wait(self.flush_every):
            try:
                self._spool()
            except Exception:  # the sender must outlive any one failure
                log.exception("prediction records not spooled")

    def _spool(self) -> None:
        with self._lock:
            outbox = self._open()
            for window in self._windows():
                event = self._event(window)
                try:
                    accepted = outbox.put(event, required=window.obligated > 0)
                except SpoolError as exc:
                    self._unwritable = True
                    self.lost += window.obligated
                    self.dropped += window.count - window.obligated
                    log.error("%d prediction records not kept: %s", window.count, exc)
                    continue
                self._unwritable = False
                if not accepted:  # counted in `dropped` by the outbox's on_drop
                    log.warning("%d prediction records dropped: outbox full", window.count)

    def _windows(self) -> list[_Window]:
        windows = [_Window()]
        while self._buffer:
            entry = self._buffer.popleft()
            window = windows[-1]
            if entry.keep and len(window.records) >= MAX_RECORDS_PER_WINDOW:
                window = _Window()
                windows.append(window)
            window.count += 1
            window.denied += 0 if entry.record.allowed else 1
            window.latencies.append(entry.record.latency_ms)
            if entry.record.decision:
                window.decisions.add(entry.record.decision)
            if entry.keep:
                window.records.append(entry.record)
                window.obligated += 1 if entry.required else 0
        return [w for w in windows if w.count]

    def _event(self, window: _Window) -> Event:
        latencies = sorted(window.latencies)
        predictions = ProvgraphPredictionsRunFacet(
            deployment=self.deployment,
            modelVersion=self.model_version,
            featureVersions=list(self.feature_versions),
            requests=window.count,
            denied=window.denied,
            obligated=window.obligated,
            latencyMs={
                "p50": _percentile(latencies, 0.50),
                "p99": _percentile(latencies, 0.99),
                "max": latencies[-1],
            },
            decisions=sorted(window.decisions),
            sampled=[asdict(r) for r in window.records],
            droppedSoFar=self.dropped,
            refusedSoFar=self.refused,
        )
        return as_json(
            run_event(
                event_type="COMPLETE",
                run_id=str(uuid.uuid4()),
                job=self.job,
                run_facets={FACET: predictions},
                job_facets=job_type("SERVING", "PREDICT"),
            )
        )

    def _sent(self, send: Any) -> Any:
        def counted(events: list[Event]) -> None:
            send(events)
            self.sent_windows += len(events)

        return counted

    def _dropped_by_outbox(self, event: Event, reason: str) -> None:
        body = event.get("run", {}).get("facets", {}).get(FACET, {})
        obligated = int(body.get("obligated", 0))
        self.dropped += int(body.get("requests", 0)) - obligated
        if obligated:
            self.lost += obligated
            log.error("the catalog refused %d obligated prediction records (%s)", obligated, reason)


def _percentile(ordered: list[float], q: float) -> float:
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]
