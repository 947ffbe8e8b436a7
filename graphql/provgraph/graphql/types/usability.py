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


@strawberry.input(description="A hypothetical classification: tag this asset with this tag.")
class ClassifyInput:
    urn: strawberry.ID = strawberry.field(description="A column, dataset or feature.")
    tag: str


@strawberry.type(
    description="A model version or live deployment the hypothetical tag would decide "
    "differently (the one what-if answer, as REST's)."
)
class WhatIfEntry:
    subject: strawberry.ID
    action: str
    purpose: str
    allowed_now: bool
    allowed_then: bool
    new_reasons: list[str] = strawberry.field(description="Deny reasons the tag would add.")
    deny_then: list[str] = strawberry.field(description="Every deny reason with the tag.")
    newly_denied: bool = strawberry.field(description="Allowed now, denied with the tag.")


@strawberry.type(description="What the active policies would deny if the asset were tagged.")
class WhatIfResult:
    urn: strawberry.ID
    tag: str
    affected_features: list[strawberry.ID]
    entries: list[WhatIfEntry]
