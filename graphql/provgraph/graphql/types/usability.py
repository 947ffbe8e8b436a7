"""Look-only answers for the portal: who is asking, and what a purpose may use."""

from __future__ import annotations

import strawberry


@strawberry.type(description="The caller, as the server authenticated them.")
class Viewer:
    actor: str
    role: str = strawberry.field(description="reader, producer, steward or admin.")
    anonymous: bool


@strawberry.type(
    description="Whether the active policies let this feature be used for a purpose (look-only: "
    "not recorded as a decision)."
)
class FeatureUsability:
    feature: strawberry.ID
    allow: bool
    deny: list[str]
    obligations: list[str]
