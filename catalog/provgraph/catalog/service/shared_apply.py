"""Servers sharing one log and one graph store: the applier's step and every follower's step.

Runs on the writer thread (as jobs), so the projection, the index and the node cache are
touched by one thread as in the embedded mode. See `log/cluster.py` for the protocol.
"""

from __future__ import annotations

import time

from provgraph.catalog import metrics
from provgraph.catalog.log.cluster import ChangeFeed, ClaimedChange
from provgraph.catalog.log.port import EventLog
from provgraph.catalog.service.commit import RECOVERY_BATCH, GroupCommitter, RecoveryError
from provgraph.catalog.store.port import CatalogStore


class SharedApply:
    def __init__(
        self,
        committer: GroupCommitter,
        log: EventLog,
        store: CatalogStore,
        feed: ChangeFeed,
    ) -> None:
        self._committer = committer
        self._log = log
        self._store = store
        self._feed = feed

    @property
    def position(self) -> int:
        """The sequence number this server's indexes reflect."""
        return self._committer.progress.seq

    def follow(self) -> int:
        """Bring the indexes up to every change the applier has applied; the seq reached."""
        while True:
            changes = self._feed.applied_after(self.position)
            if not changes:
                return self.position
            for claimed in changes:
                self._committer.follow(claimed.change, claimed.seq_to)

    def apply_log(self) -> int:
        """As the applier: move every logged event into the store, in order; the seq reached.

        The index must reflect what the store holds before an event is projected: first
        follow what earlier appliers applied, then take each batch from where the store is.
        """
        self.follow()
        while True:
            position = self.position
            claimed = self._feed.claimed_at(position)
            if claimed is None:
                stored = self._store.applied_seq()
                if stored != position:
                    raise RecoveryError(
                        f"the graph store has applied up to seq {stored} but no change feed "
                        f"entry starts at seq {position}: it was written outside the shared "
                        "applier; rebuild it (`provgraph rebuild`)"
                    )
                batch = self._log.read(after_seq=position, limit=RECOVERY_BATCH)
                if not batch:
                    return position
                change = self._committer.project_logged(batch, skip_refused=True)
                claimed = self._feed.claim(position, batch[-1].seq, change)
            self._apply(claimed)

    def _apply(self, claimed: ClaimedChange) -> None:
        started = time.perf_counter()
        try:
            self._store.apply(claimed.change, applied_seq=claimed.seq_to)
        except BaseException:
            self._committer.clear_cache()
            raise
        self._feed.mark_applied(claimed.seq_to)
        self._committer.follow(claimed.change, claimed.seq_to)
        metrics.APPLY_SECONDS.observe(time.perf_counter() - started)
