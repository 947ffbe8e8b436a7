"""The GraphQL schema, with its query-cost guards (provgraph.graphql.limits)."""

from __future__ import annotations

import strawberry
from strawberry.extensions import MaxTokensLimiter
from strawberry.schema.config import StrawberryConfig

import provgraph.graphql.enums  # noqa: F401 - registers the domain enums with strawberry
from provgraph.graphql.extensions import DeadlineGuard, RequestLimits
from provgraph.graphql.mutations import Mutation
from provgraph.graphql.queries import Query
from provgraph.graphql.scalars import SCALAR_MAP
from provgraph.graphql.types.registry import NODE_TYPES

MAX_TOKENS = 5_000

schema = strawberry.Schema(
    query=Query,
    mutation=Mutation,
    types=list(NODE_TYPES.values()),
    config=StrawberryConfig(scalar_map=SCALAR_MAP),
    extensions=[
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        RequestLimits,
        DeadlineGuard,
    ],
)
