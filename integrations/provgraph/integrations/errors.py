"""Errors the integrations raise to their callers."""

from __future__ import annotations

from provgraph.client import ApiError, ProvgraphError


class IntegrationError(Exception):
    """The integration cannot do what was asked (bad arguments, unreadable data)."""


class CatalogUnavailableError(IntegrationError):
    """The catalog could not be reached or answered with an error; gated work does not start."""


class PolicyDeniedError(IntegrationError):
    """The policy denied this use of features; nothing was done. `reasons` are the policy's."""

    def __init__(self, action: str, reasons: list[str], decision: str | None) -> None:
        super().__init__(f"{action} denied by policy: " + ("; ".join(reasons) or "denied"))
        self.action = action
        self.reasons = reasons
        self.decision = decision


def catalog_error(doing: str, exc: ProvgraphError) -> IntegrationError:
    """What a failed catalog call means to the caller: the catalog refused the question (4xx,
    a mistake to fix) or could not answer (unreachable, 5xx: retry later)."""
    if isinstance(exc, ApiError) and 400 <= exc.status < 500 and exc.status != 429:
        return IntegrationError(f"{doing}: the catalog refused: {exc.detail}")
    return CatalogUnavailableError(f"{doing}: {exc}")
