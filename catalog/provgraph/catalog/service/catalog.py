"""The composition root: a data directory, its event log, a graph store, the index, the services."""

from __future__ import annotations

import os
import secrets
import shutil
import socket
from collections.abc import Sequence
from pathlib import Path

from provgraph.catalog.datadir import DataDir
from provgraph.catalog.log.factory import open_cluster, open_log, shares_store
from provgraph.catalog.model.errors import (
    NodeNotFoundError,
    NotCaughtUpError,
    UnknownReferenceError,
)
from provgraph.catalog.model.graph import NodeRecord
from provgraph.catalog.model.kinds import NodeKind
from provgraph.catalog.postgresql import is_postgresql_url
from provgraph.catalog.search.sqlite import SqliteSearchIndex
from provgraph.catalog.service.classification import ClassificationService
from provgraph.catalog.service.lineage import LineageService
from provgraph.catalog.service.lineage_index import LineageIndex
from provgraph.catalog.service.log_binding import check_log_binding
from provgraph.catalog.service.progress import Progress
from provgraph.catalog.service.reader import CatalogReader
from provgraph.catalog.service.recipe import RecipeService
from provgraph.catalog.service.search import SearchService
from provgraph.catalog.service.shared_apply import SharedApply
from provgraph.catalog.service.summaries import NodeSummaries
from provgraph.catalog.service.tailer import LogTailer
from provgraph.catalog.service.writer import (
    EventRejectedError,
    EventWriter,
    Receipt,
    Submission,
    WriterHooks,
)
from provgraph.catalog.settings import Settings
from provgraph.catalog.store.factory import open_store
from provgraph.catalog.store.port import CatalogStore


class Catalog:
    def __init__(
        self,
        settings: Settings,
        *,
        store: CatalogStore | None = None,
        writer_hooks: WriterHooks | None = None,
    ) -> None:
        self.settings = settings
        self.data_dir = DataDir(settings.data)
        writer: EventWriter | None = None
        try:
            self.log = open_log(settings, log_path=self.data_dir.event_log_path)
            self.store = store or open_store(settings, graph_path=self.data_dir.graph_path)
            self.store.initialize()
            check_log_binding(self.log, self.store)
            shared = shares_store(settings)
            # a shared store moves while it is read: the index follows the feed from here
            self.progress = Progress(self.store.applied_seq())
            self.index = LineageIndex()
            self.index.load(self.store.iter_nodes(), self.store.iter_edges(), moving=shared)
            self.search_index = SqliteSearchIndex(self.data_dir.search_path)
            self.classifications = ClassificationService(self.index, self.store)
            self.search = SearchService(
                self.search_index, self.store, self.index, self.classifications
            )
            self.writer = writer = EventWriter(
                self.log,
                self.store,
                self.index,
                hooks=writer_hooks,
                applies_own_writes=not shared,
                progress=self.progress,
            )
            self.writer.listen(self.search.refresh, resync=self.search.ensure_current)
            self.tailer: LogTailer | None = None
            if shared:
                self.recovered = 0
                self.search.ensure_current(self.progress.seq)
                self.tailer = self._start_tailer()
            else:
                self.recovered = self.writer.recover()
                self.search.ensure_current(self.store.applied_seq())
                self.progress.caught_up_once = True
            self.lineage = LineageService(
                self.index, NodeSummaries(self.store), progress=self.progress
            )
            self.reader = CatalogReader(self.store, self.index)
            self.recipes = RecipeService(self.reader, self.classifications)
        except BaseException:
            if self.__dict__.get("tailer") is not None:
                self.tailer.close()  # type: ignore[union-attr]
            if writer is not None:
                writer.close()
            self._close_opened()
            raise

    def _start_tailer(self) -> LogTailer:
        holder = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
        lease, feed = open_cluster(self.settings, holder=holder)
        self._feed = feed
        shared = SharedApply(self.writer.committer, self.log, self.store, feed)
        return LogTailer(self.log, self.writer, lease, shared, renew_s=1.0)

    def wait_for_seq(self, seq: int) -> int:
        """Wait (at most `read_wait_s`) until the indexes reflect `seq` (read-your-writes);
        NotCaughtUpError if they do not. Returns the seq they reflect."""
        reached = self.progress.wait(seq, self.settings.read_wait_s)
        if reached < seq:
            raise NotCaughtUpError(seq, reached)
        return reached

    def lag(self) -> tuple[int, float]:
        """(logged events the indexes do not reflect yet, the oldest one's age in seconds)."""
        if self.tailer is not None:
            return self.tailer.lag()
        return max(self.log.last_seq() - self.progress.seq, 0), 0.0

    def _close_opened(self) -> None:
        """Close what a failed start opened, so the same process may open the directory again."""
        try:
            for name in ("_feed", "search_index", "store", "log"):
                opened = self.__dict__.get(name)
                if opened is not None:
                    opened.close()
        finally:
            self.data_dir.close()

    def submit(self, submissions: Sequence[Submission], *, actor: str) -> list[Receipt]:
        judged_at = self.progress.seq
        try:
            return self.writer.submit(submissions, actor=actor)
        except EventRejectedError as exc:
            if self.tailer is None or not isinstance(exc.cause, UnknownReferenceError):
                raise
            # servers share the log: what the event names may be logged through another
            # server and not applied yet; once this server's index holds what was logged
            # when it looked, the event is judged again (a rejected batch stored nothing)
            logged = self.log.last_seq()
            if self.progress.wait(logged, self.settings.read_wait_s) <= judged_at:
                raise
            return self.writer.submit(submissions, actor=actor)

    def newest_training_set(self, name: str) -> str:
        found = self.index.newest_of_kind(NodeKind.TRAINING_SET, name)
        if found is None:
            raise NodeNotFoundError(name, f"no training set named {name!r} in the catalog")
        return found

    def get_node(self, urn: str) -> NodeRecord | None:
        return self.store.get_nodes([urn]).get(urn)

    def close(self) -> None:
        try:
            if self.tailer is not None:
                self.tailer.close()  # gives the applier lease up: another server takes over
                self._feed.close()
            self.writer.close()  # commits what is queued, then stops
            self.store.close()
            self.log.close()
            self.search_index.close()
        finally:
            self.data_dir.close()

    def __enter__(self) -> Catalog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def check_data(settings: Settings) -> None:
    """Open the data directory, event log and store, check they belong together, close them.

    `provgraph serve` runs this before starting the HTTP server, so a refused start is a
    clear error and an exit code rather than a failed application startup.
    """
    data_dir = DataDir(settings.data)
    try:
        log = open_log(settings, log_path=data_dir.event_log_path)
        try:
            store = open_store(settings, graph_path=data_dir.graph_path)
            try:
                store.initialize()
                check_log_binding(log, store)
            finally:
                store.close()
        finally:
            log.close()
    finally:
        data_dir.close()


def rebuild(settings: Settings) -> int:
    """Replay the whole event log into an empty store; returns the number of events replayed.

    The embedded store is rebuilt beside the old one and swapped in only when complete, so an
    interrupted rebuild leaves the old graph in place.
    """
    data_dir = DataDir(settings.data, create=False)
    try:
        log = open_log(settings, log_path=data_dir.event_log_path)
        if settings.store in ("", "ladybug"):
            fresh_path = data_dir.graph_path.with_name("graph.rebuild.lbug")
            _remove_graph(fresh_path)
            store = open_store(settings, graph_path=fresh_path)
        else:
            store = open_store(settings, graph_path=data_dir.graph_path)
            store.clear()
        store.initialize()
        store.bind_log(log.identity())
        if shares_store(settings):  # the feed described the old graph: start it afresh
            lease, feed = open_cluster(settings, holder="rebuild")
            feed.clear()
            feed.close()
            lease.close()
        writer = EventWriter(log, store, LineageIndex())
        try:
            replayed = writer.recover(skip_refused=is_postgresql_url(settings.log))
        finally:
            writer.close()
        store.close()
        log.close()
        if settings.store in ("", "ladybug"):
            _remove_graph(data_dir.graph_path)
            for suffix in ("", ".wal"):
                moved = Path(str(fresh_path) + suffix)
                if moved.exists():
                    moved.rename(str(data_dir.graph_path) + suffix)
        return replayed
    finally:
        data_dir.close()


def _remove_graph(path: Path) -> None:
    for candidate in (path, Path(str(path) + ".wal"), Path(str(path) + ".lock")):
        if candidate.is_dir():
            shutil.rmtree(candidate)
        elif candidate.exists():
            candidate.unlink()
