"""Every server sharing a log runs one tailer: it applies the log if it holds the applier lease,
else it follows what the applier applied; either way its indexes track the log.

It wakes when the log grows (`EventLog.wait_for`: NOTIFY, with a poll, so a lost notification
only delays) and renews the lease at least every `renew_s`. A follower waiting for the applier
to apply what is logged polls the change feed every `FOLLOW_POLL_S`.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, datetime

from provgraph.catalog import metrics
from provgraph.catalog.log.cluster import ApplierLease
from provgraph.catalog.log.port import EventLog
from provgraph.catalog.model.errors import CatalogError
from provgraph.catalog.service.shared_apply import SharedApply
from provgraph.catalog.service.writer import EventWriter

FOLLOW_POLL_S = 0.05
_log = logging.getLogger(__name__)


class LogTailer:
    def __init__(
        self,
        log: EventLog,
        writer: EventWriter,
        lease: ApplierLease,
        shared: SharedApply,
        *,
        renew_s: float,
    ) -> None:
        self._log = log
        self._writer = writer
        self._lease = lease
        self._shared = shared
        self._renew_s = renew_s
        self._stopping = threading.Event()
        self.applier = False
        self._asked_at = -float("inf")
        self.trouble: str | None = None
        """Why the last step failed (database or graph store unreachable); None when fine."""
        self._thread = threading.Thread(target=self._run, name="provgraph-tailer", daemon=True)
        self._thread.start()

    def lag(self) -> tuple[int, float]:
        """(events logged that the indexes do not reflect, age in seconds of the oldest one)."""
        position = self._shared.position
        oldest = self._log.read(after_seq=position, limit=1)
        if not oldest:
            return 0, 0.0
        age = (datetime.now(UTC) - oldest[0].recorded_at).total_seconds()
        return self._log.last_seq() - position, max(age, 0.0)

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                self._step()
                self.trouble = None
            except (CatalogError, OSError) as exc:  # the database or the store is away: retry
                if self.trouble != str(exc):
                    _log.warning("following the shared log failed (retrying): %s", exc)
                self.trouble = str(exc)
                self._stopping.wait(self._renew_s)

    def _step(self) -> None:
        holding = self._holds()
        if holding and not self.applier:
            _log.info("this server now applies the shared log")
            self._writer.run(self._writer.committer.clear_cache)
        self.applier = holding
        metrics.APPLIER.set(1 if holding else 0)
        work = self._shared.apply_log if holding else self._shared.follow
        position = self._writer.run(work)
        logged = self._log.last_seq()
        if position >= logged:
            self._writer.committer.progress.caught_up_once = True
        events, seconds = self.lag()
        metrics.INDEX_SEQ.set(position)
        metrics.LAG_EVENTS.set(events)
        metrics.LAG_SECONDS.set(seconds)
        if position < logged and not holding:
            self._stopping.wait(FOLLOW_POLL_S)  # logged, not applied yet: look again soon
            return
        self._log.wait_for(position + 1, timeout=self._renew_s)

    def _holds(self) -> bool:
        """Take or renew the lease; a follower polling the feed asks at most every renew_s/2."""
        now = time.monotonic()
        if self.applier or now - self._asked_at >= self._renew_s / 2:
            self._asked_at = now
            return self._lease.hold()
        return False

    def close(self) -> None:
        self._stopping.set()
        self._thread.join(timeout=5 * self._renew_s + 5)
        if self.applier:
            try:
                self._lease.release()
            except CatalogError as exc:
                _log.warning("could not release the applier lease (it expires): %s", exc)
        self._lease.close()
