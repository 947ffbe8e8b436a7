"""Who is calling: a bearer token (its role), or anonymous when the server allows it."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import HTTPException, Request

from provgraph.catalog.access import Principal, Role, TokenStore


def principal(request: Request) -> Principal:
    """The caller; 401 without a valid token unless anonymous access is enabled."""
    cached = getattr(request.state, "principal", None)
    if isinstance(cached, Principal):
        return cached
    header = request.headers.get("authorization", "")
    tokens: TokenStore = request.app.state.tokens
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise HTTPException(401, "use 'Authorization: Bearer <token>'")
        found = tokens.lookup(token.strip())
        if found is None:
            raise HTTPException(401, "unknown or revoked token")
    else:
        anonymous: Role | None = request.app.state.anonymous_role
        if anonymous is None:
            raise HTTPException(
                401, "this server needs a token: send 'Authorization: Bearer <token>'"
            )
        host = request.client.host if request.client else "unknown-host"
        found = Principal(actor=f"anonymous@{host}", role=anonymous)
    request.state.principal = found
    return found


def requires(role: Role) -> Callable[[Request], Principal]:
    """A FastAPI dependency: the caller, if their role is at least `role` (else 403)."""

    def dependency(request: Request) -> Principal:
        caller = principal(request)
        if not caller.may(role):
            raise HTTPException(
                403, f"this needs the {role.label} role; {caller.actor} has {caller.role.label}"
            )
        return caller

    return dependency
