"""Prediction provenance, recorded off the request path with bounded memory.

Requests add a small record to a bounded queue (never blocking: when it is full the record is
counted as dropped); a sender thread sends, every `flush_every` seconds, one OpenLineage run
of the deployment's `predict` job whose `provgraph_predictions` facet holds the window's count,
latency percentiles, the decision acted on and the sampled records. Sampling keeps `sample`
of the requests, or all of them while the policy obliges logging every prediction.
"""

from __future__ import annotations

import logging
import queue
import random
import threading
import time
import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from provgraph.client import Client, ProvgraphError
from provgraph.integrations.run_events import facet, run_event

log = logging.getLogger("provgraph.serving")
INTEGRATION = "serving"
MAX_RECORDS_PER_WINDOW = 1000


@dataclass(frozen=True)
class PredictionRecord:
    request_id: str
    at: str
    latency_ms: float
    allowed: bool
    decision: str | None
    status: int


@dataclass
class _Window:
    count: int = 0
    denied: int = 0
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
    sent_windows: int = field(default=0, init=False)
    dropped: int = field(default=0, init=False)
    _queue: queue.Queue[tuple[PredictionRecord, bool]] = field(init=False)
    _stop: threading.Event = field(default_factory=threading.Event, init=False)
    _thread: threading.Thread | None = field(default=None, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)

    def __post_init__(self) -> None:
        self._queue = queue.Queue(maxsize=self.capacity)

    def record(
        self, *, latency_ms: float, allowed: bool, decision: str | None, status: int, log_all: bool
    ) -> None:
        """Called on the request path: O(1), never blocks, never raises."""
        entry = PredictionRecord(
            request_id=str(uuid.uuid4()),
            at=datetime.now(UTC).isoformat(),
            latency_ms=round(latency_ms, 3),
            allowed=allowed,
            decision=decision,
            status=status,
        )
        keep = log_all or random.random() < self.sample
        try:
            self._queue.put_nowait((entry, keep))
        except queue.Full:
            self.dropped += 1

    def start(self) -> None:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(
                target=self._run, name="provgraph-predictions", daemon=True
            )
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None
        self.flush()

    def flush(self) -> None:
        """Send what is queued now (blocking); tests and shutdown call it."""
        with self._lock:
            window = self._drain()
            if window.count:
                self._send(window)

    def _run(self) -> None:
        while not self._stop.wait(self.flush_every):
            try:
                self.flush()
            except Exception:  # the sender must outlive any one failure
                log.exception("prediction records not sent")

    def _drain(self) -> _Window:
        window = _Window()
        while True:
            try:
                entry, keep = self._queue.get_nowait()
            except queue.Empty:
                return window
            window.count += 1
            window.denied += 0 if entry.allowed else 1
            window.latencies.append(entry.latency_ms)
            if entry.decision:
                window.decisions.add(entry.decision)
            if keep and len(window.records) < MAX_RECORDS_PER_WINDOW:
                window.records.append(entry)

    def _send(self, window: _Window) -> None:
        latencies = sorted(window.latencies)
        body: dict[str, Any] = {
            "deployment": self.deployment,
            "modelVersion": self.model_version,
            "featureVersions": list(self.feature_versions),
            "requests": window.count,
            "denied": window.denied,
            "latencyMs": {
                "p50": _percentile(latencies, 0.50),
                "p99": _percentile(latencies, 0.99),
                "max": latencies[-1],
            },
            "decisions": sorted(window.decisions),
            "sampled": [asdict(r) for r in window.records],
            "droppedSoFar": self.dropped,
        }
        event = run_event(
            integration=INTEGRATION,
            event_type="COMPLETE",
            run_id=str(uuid.uuid4()),
            job=self.job,
            run_facets={"provgraph_predictions": facet(INTEGRATION, body)},
        )
        try:
            self.client.send_openlineage([event])
            self.sent_windows += 1
        except ProvgraphError as exc:
            self.dropped += window.count
            log.warning("%d prediction records dropped: %s", window.count, exc)


def _percentile(ordered: list[float], q: float) -> float:
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def monotonic_ms() -> float:
    return time.perf_counter() * 1000.0
