"""Mount the schema on FastAPI at /graphql (GraphiQL, from local assets, is served by portal.py)."""

from __future__ import annotations

from fastapi import Request
from strawberry.fastapi import GraphQLRouter

from provgraph.catalog.access import Role
from provgraph.graphql.context import GraphContext
from provgraph.graphql.schema import schema
from provgraph.server.http.auth import requires


async def _context(request: Request) -> GraphContext:
    caller = requires(Role.READER)(request)
    return GraphContext(
        request.app.state.catalog,
        caller.actor,
        getattr(request.app.state, "gate", None),
        role=caller.role,
    )


def graphql_router() -> GraphQLRouter[GraphContext, None]:
    return GraphQLRouter(schema, context_getter=_context, graphql_ide=None, prefix="/graphql")
