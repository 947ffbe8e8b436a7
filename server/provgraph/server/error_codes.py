"""The one table of the errors we define and what each means to a caller: an HTTP status for
the REST API and an exit code for the CLI.

Only these errors are the caller's fault or an unavailable dependency. Anything else is a bug:
the API answers 500 with an error id that is also in the server log, the CLI lets it surface.
"""

from __future__ import annotations

from provgraph import client
from provgraph.catalog.access import TokenStoreUnavailableError
from provgraph.catalog.event_roles import EventForbiddenError
from provgraph.catalog.model.errors import (
    BackupIntegrityError,
    CatalogError,
    DataDirError,
    InvalidArgumentError,
    InvalidEventError,
    LogMismatchError,
    LogSchemaError,
    NodeNotFoundError,
    StoreUnavailableError,
)
from provgraph.catalog.service.writer import BatchTooLargeError
from provgraph.policies.bundle import PolicyBundleError
from provgraph.server.listener import PortUnavailableError

EXIT_NOT_FOUND, EXIT_INVALID, EXIT_UNAVAILABLE, EXIT_LOG_MISMATCH, EXIT_DENIED = 3, 4, 5, 6, 7
EXIT_BACKUP_INTEGRITY = 8

ERRORS: tuple[tuple[type[Exception], int, int], ...] = (
    # (error, HTTP status, CLI exit code): the first row the error is an instance of applies
    (NodeNotFoundError, 404, EXIT_NOT_FOUND),
    (InvalidArgumentError, 400, EXIT_INVALID),  # malformed URN, timestamp, argument
    (BatchTooLargeError, 413, EXIT_INVALID),  # over the writer's bound: split the batch
    (InvalidEventError, 422, EXIT_INVALID),  # unknown reference, cycle, rejected event
    (LogMismatchError, 503, EXIT_LOG_MISMATCH),
    (LogSchemaError, 503, EXIT_LOG_MISMATCH),  # a log row of a newer release: upgrade
    (BackupIntegrityError, 422, EXIT_BACKUP_INTEGRITY),  # altered or damaged: not restored
    (StoreUnavailableError, 503, EXIT_UNAVAILABLE),
    (DataDirError, 503, EXIT_UNAVAILABLE),
    (PolicyBundleError, 422, EXIT_INVALID),
    (PortUnavailableError, 503, EXIT_UNAVAILABLE),  # `serve` only: the port is in use
    (TokenStoreUnavailableError, 503, EXIT_UNAVAILABLE),  # tokens.json unreadable: fail closed
    (EventForbiddenError, 403, EXIT_DENIED),  # an event type the caller's role may not send
    (CatalogError, 400, EXIT_INVALID),  # any other error the catalog raises on purpose
)

REMOTE_ERRORS: tuple[tuple[type[Exception], int], ...] = (
    # (error of provgraph.client, CLI exit code): a command talking to a running server exits
    # as it would had it opened the data directory itself
    (client.NotFoundError, EXIT_NOT_FOUND),
    (client.AuthenticationError, EXIT_DENIED),
    (client.PermissionDeniedError, EXIT_DENIED),
    (client.TransportError, EXIT_UNAVAILABLE),
    (client.ServerError, EXIT_UNAVAILABLE),
    (client.ApiError, EXIT_INVALID),
)

DEFINED: tuple[type[Exception], ...] = tuple(kind for kind, _, _ in ERRORS) + tuple(
    kind for kind, _ in REMOTE_ERRORS
)


def http_status(error: Exception) -> int | None:
    """The HTTP status of an error we define; None for anything else (a bug: 500)."""
    return next((status for kind, status, _ in ERRORS if isinstance(error, kind)), None)


def exit_code(error: Exception) -> int | None:
    """The CLI exit code of an error we define; None for anything else."""
    remote = (code for kind, code in REMOTE_ERRORS if isinstance(error, kind))
    local = (code for kind, _, code in ERRORS if isinstance(error, kind))
    return next(remote, None) or next(local, None)
