"""The GraphQL schema, with its query-cost guards."""

from __future__ import annotations

import strawberry
from strawberry.extensions import MaxAliasesLimiter, MaxTokensLimiter, QueryDepthLimiter

import provgraph.graphql.enums  # noqa: F401 - registers the domain enums with strawberry
from provgraph.graphql.mutations import Mutation
from provgraph.graphql.queries import Query
from provgraph.graphql.types.registry import NODE_TYPES

MAX_DEPTH = 12
MAX_ALIASES = 30
MAX_TOKENS = 5_000

schema = strawberry.Schema(
    query=Query,
    mutation=Mutation,
    types=list(NODE_TYPES.values()),
    extensions=[
        lambda: QueryDepthLimiter(max_depth=MAX_DEPTH),
        lambda: MaxAliasesLimiter(max_alias_count=MAX_ALIASES),
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
    ],
)
