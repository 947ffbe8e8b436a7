"""Who is calling: a bearer token (its role), or anonymous when the server allows it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import HTTPException, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

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
            raise HTTPException(401, "use 'Authorization: Bearer <token>'", _CHALLENGE)
        found = tokens.lookup(token.strip())
        if found is None:
            raise HTTPException(401, "unknown or revoked token", _CHALLENGE)
    else:
        anonymous: Role | None = request.app.state.anonymous_role
        if anonymous is None:
            raise HTTPException(
                401, "this server needs a token: send 'Authorization: Bearer <token>'", _CHALLENGE
            )
        host = request.client.host if request.client else "unknown-host"
        found = Principal(actor=f"anonymous@{host}", role=anonymous)
    request.state.principal = found
    return found


_CHALLENGE = {"WWW-Authenticate": "Bearer"}
BEARER = HTTPBearer(
    auto_error=False,
    scheme_name="token",
    description="An API token (`provgraph token create NAME --role ROLE`) as "
    "`Authorization: Bearer <token>`; a server started with `--allow-anonymous ROLE` also lets "
    "requests without one in, with that role.",
)


def requires(role: Role) -> Callable[..., Principal]:
    """A FastAPI dependency: the caller, if their role is at least `role` (else 403). Declared
    with FastAPI's bearer scheme, so the OpenAPI document shows which routes need a token."""

    def dependency(
        request: Request,
        _: Annotated[HTTPAuthorizationCredentials | None, Security(BEARER)] = None,
    ) -> Principal:
        caller = principal(request)
        if not caller.may(role):
            raise HTTPException(
                403, f"this needs the {role.label} role; {caller.actor} has {caller.role.label}"
            )
        return caller

    return dependency
