"""Expected failures, returned as members of result unions rather than raised."""

from __future__ import annotations

import strawberry


@strawberry.type(description="The URN names no node (or none that existed at the moment asked).")
class NotFoundError:
    message: str
    urn: str


@strawberry.type(description="An argument is malformed or out of range.")
class InvalidInputError:
    message: str
    field: str | None = None


@strawberry.type(description="The catalog refused the change; nothing was stored.")
class RejectedError:
    message: str
    reason: str


@strawberry.type(description="The caller's role does not allow this.")
class ForbiddenError:
    message: str
    required_role: str
