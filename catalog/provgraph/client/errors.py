"""Typed errors of the client: one class per kind of answer, each carrying the server's body."""

from __future__ import annotations

from typing import Any


class ProvgraphError(Exception):
    """Base class of every error the client raises."""


class TransportError(ProvgraphError):
    """The server could not be reached or did not answer (after the retries allowed)."""


class ApiError(ProvgraphError):
    """The server answered with an error status. `error` and `detail` come from its body."""

    def __init__(self, status: int, error: str, detail: str, body: dict[str, Any]) -> None:
        super().__init__(f"{status} {error}: {detail}")
        self.status = status
        self.error = error
        self.detail = detail
        self.body = body

    @property
    def urn(self) -> str | None:
        """The unknown URN, when the server names one."""
        value = self.body.get("urn")
        return value if isinstance(value, str) else None

    @property
    def position(self) -> int | None:
        """The position of the rejected event in a batch, when the server names one."""
        value = self.body.get("position")
        return value if isinstance(value, int) else None


class BadRequestError(ApiError):
    """400: a malformed URN or argument."""


class AuthenticationError(ApiError):
    """401: no token, or an unknown or revoked one."""


class PermissionDeniedError(ApiError):
    """403: the token's role is too small for the call."""


class NotFoundError(ApiError):
    """404: no such node (or route)."""


class PayloadTooLargeError(ApiError):
    """413: the body is over the server's limit; send smaller batches."""


class RejectedError(ApiError):
    """422: an invalid event or question, or one inconsistent with the catalog; nothing stored."""


class RateLimitedError(ApiError):
    """429: the server asks to slow down."""


class ServerError(ApiError):
    """5xx: the server failed; an error id in the body is in the server's log."""


class UnavailableError(ServerError):
    """503: the store is unavailable or the server is not ready."""


class FeatureUseDeniedError(ProvgraphError):
    """`require_feature_use` was answered with a deny; `decision` has the reasons."""

    def __init__(self, decision: Any) -> None:
        reasons = "; ".join(decision.deny) or "denied"
        super().__init__(f"feature use denied: {reasons}")
        self.decision = decision
        self.reasons: list[str] = list(decision.deny)


class GraphQLError(ProvgraphError):
    """A GraphQL answer carried `errors` (union error members are data, not errors)."""

    def __init__(self, errors: list[dict[str, Any]], data: dict[str, Any] | None) -> None:
        messages = "; ".join(str(e.get("message", e)) for e in errors) or "unknown error"
        super().__init__(f"GraphQL: {messages}")
        self.errors = errors
        self.data = data


_BY_STATUS: dict[int, type[ApiError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    413: PayloadTooLargeError,
    422: RejectedError,
    429: RateLimitedError,
    503: UnavailableError,
}


def _describe(detail: Any) -> str:
    if isinstance(detail, str):
        return detail
    if isinstance(detail, list) and detail and isinstance(detail[0], dict):
        first = detail[0]
        where = ".".join(str(part) for part in first.get("loc", ()))
        message = str(first.get("msg", first))
        return f"{where}: {message}" if where else message
    return str(detail)


def api_error(status: int, body: Any, reason: str) -> ApiError:
    """The typed error for an error answer; bodies that are not our JSON shape are tolerated."""
    mapping: dict[str, Any] = body if isinstance(body, dict) else {}
    kind = _BY_STATUS.get(status) or (ServerError if status >= 500 else ApiError)
    error = mapping.get("error")
    name = error if isinstance(error, str) else reason or kind.__name__
    detail = _describe(mapping["detail"]) if "detail" in mapping else (str(body) or reason)
    return kind(status, name, detail, mapping)
