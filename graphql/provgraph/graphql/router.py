"""Mount the schema on FastAPI at /graphql (GraphiQL on GET)."""

from __future__ import annotations

from fastapi import Request
from strawberry.fastapi import GraphQLRouter

from provgraph.catalog.http.events import request_actor
from provgraph.graphql.context import GraphContext
from provgraph.graphql.schema import schema


async def _context(request: Request) -> GraphContext:
    actor = request_actor(request, request.headers.get("X-Provgraph-Actor"))
    return GraphContext(request.app.state.catalog, actor, getattr(request.app.state, "gate", None))


def graphql_router() -> GraphQLRouter[GraphContext, None]:
    return GraphQLRouter(schema, context_getter=_context, graphql_ide="graphiql", prefix="/graphql")
