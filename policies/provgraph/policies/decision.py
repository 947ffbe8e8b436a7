"""The decision a policy engine returns for one feature-use question."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from provgraph.catalog.model.graph import canonical_json


@dataclass(frozen=True, slots=True)
class Decision:
    allow: bool
    deny: list[str]
    obligations: list[str]
    bundle_revision: str
    input_digest: str
    engine: str
    error: str | None = None
    """Set when the engine failed; the decision is then a deny (fail closed)."""
    cached: bool = field(default=False, compare=False)


def input_digest(document: dict[str, Any]) -> str:
    return encoded_input(document)[1]


def encoded_input(document: dict[str, Any]) -> tuple[bytes, str]:
    """(the input as canonical JSON, its digest): an engine is given the very bytes digested.
    ValueError (or TypeError) for what JSON cannot carry."""
    body = canonical_json(document).encode()
    return body, "sha256:" + hashlib.sha256(body).hexdigest()


def decision_from_result(result: object, *, revision: str, digest: str, engine: str) -> Decision:
    """Read `{allow, deny, obligations}`; anything else is a malformed answer: deny."""
    if not isinstance(result, dict) or not isinstance(result.get("allow"), bool):
        return failed(
            f"the policy returned no decision object: {result!r:.200}", revision, digest, engine
        )
    deny = [str(r) for r in result.get("deny") or []]
    obligations = [str(o) for o in result.get("obligations") or []]
    return Decision(
        allow=result["allow"] and not deny,
        deny=deny,
        obligations=obligations,
        bundle_revision=revision,
        input_digest=digest,
        engine=engine,
    )


def failed(error: str, revision: str, digest: str, engine: str) -> Decision:
    return Decision(
        allow=False,
        deny=[f"policy evaluation failed, so the use is denied: {error}"],
        obligations=[],
        bundle_revision=revision,
        input_digest=digest,
        engine=engine,
        error=error,
    )
