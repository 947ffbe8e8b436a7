"""Typed errors of the catalog. Each message says what was wrong and, where it helps, what to do."""

from __future__ import annotations


class CatalogError(Exception):
    """Base class of every error the catalog raises on purpose."""


class InvalidArgumentError(CatalogError, ValueError):
    """A question's argument is out of range or does not fit what is asked (a client error)."""


class InvalidUrnError(InvalidArgumentError):
    pass


class InvalidEventError(CatalogError, ValueError):
    """An event is malformed or contradicts what the catalog already holds; nothing was stored."""


class UnknownReferenceError(InvalidEventError):
    """An event or query names a node the catalog does not have."""

    def __init__(self, message: str, *, urn: str) -> None:
        super().__init__(message)
        self.urn = urn


class LineageCycleError(InvalidEventError):
    def __init__(self, message: str, *, path: list[str]) -> None:
        super().__init__(message)
        self.path = path


class ImmutableVersionError(InvalidEventError):
    """A version is content-derived and cannot be changed once recorded."""


class NodeNotFoundError(CatalogError, LookupError):
    def __init__(self, urn: str, message: str | None = None) -> None:
        super().__init__(message or f"no node with urn {urn!r} in the catalog")
        self.urn = urn


class StoreUnavailableError(CatalogError):
    """The graph store cannot be reached or opened."""


class StorageFullError(StoreUnavailableError):
    """The disk (or database file) holding the catalog is full; the write was not stored.

    The catalog recovers by itself once space is freed: the next write or readiness probe
    applies what was logged and clears the condition.
    """


class DataDirError(CatalogError):
    """The data directory is not a provgraph directory, is unusable, or is locked."""


class DataDirLockedError(DataDirError):
    pass


class LogMismatchError(CatalogError):
    """The graph store was built from another event log, or from more of it than the log holds.

    Serving writes then would acknowledge events the graph ignores (at or below its watermark)
    and lose them on the next start, so the catalog refuses to open.
    """


class LogSchemaError(CatalogError):
    """A logged event cannot be read by this release: its schema version is newer than the
    newest this release knows (written by a later provgraph), or no upcaster leads from it.

    Nothing is skipped: the log is the system of record, so the catalog refuses to go on."""


class BackupIntegrityError(CatalogError):
    """A backup's manifest is unsigned where a key was given, its signature or a file's digest
    does not match: the backup was altered or damaged, and nothing was restored."""


class NotCaughtUpError(StoreUnavailableError):
    """A read asked for `min_seq` and this server's indexes did not reach it in time (503)."""

    def __init__(self, wanted: int, seq: int) -> None:
        super().__init__(
            f"this server's indexes reflect the log up to seq {seq}, not yet {wanted} "
            "(min_seq): retry, or ask another server"
        )
        self.wanted = wanted
        self.seq = seq
