"""Schema extensions: the request's bounds, checked before validation and execution, and its
deadline, checked as each field is resolved."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from graphql import GraphQLResolveInfo, is_non_null_type
from strawberry.extensions import SchemaExtension

from provgraph.catalog.service.catalog import Catalog
from provgraph.graphql.deadline import Deadline
from provgraph.graphql.limits import Budget, RequestTooCostlyError, check
from provgraph.graphql.pricing import CatalogSizes


class RequestLimits(SchemaExtension):
    """Rejects a request over its depth, alias or cost budget before graphql-core validates
    it (validation is linear, but no reason to spend it on a request we refuse) and before
    anything executes. The budget comes from the context (`budget`), else the defaults; list
    lengths from the context's catalog (provgraph.graphql.pricing)."""

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None and context.pre_execution_errors is None:
            budget = getattr(context.context, "budget", None)
            catalog = getattr(context.context, "catalog", None)
            try:
                check(
                    context.schema._schema,
                    document,
                    variables=context.variables,
                    operation_name=context.operation_name,
                    budget=budget if isinstance(budget, Budget) else Budget(),
                    sizes=CatalogSizes(catalog) if isinstance(catalog, Catalog) else None,
                )
            except RequestTooCostlyError as exc:
                context.pre_execution_errors = [exc.as_graphql_error()]
        yield


class DeadlineGuard(SchemaExtension):
    """Past the request's deadline (provgraph.graphql.deadline), no field resolves: a nullable
    one answers null, a non-null one raises DeadlineExceededError. graphql-core completes a list
    of 10,000 objects in one synchronous pass, calling each one's fields, where no resolver's
    own check runs until the pass ends; the error of the first non-null field after the
    deadline ends that pass (an item that cannot be null fails its whole list), so the rest of
    the list is never visited."""

    def resolve(
        self,
        _next: Callable[..., Any],
        root: Any,
        info: GraphQLResolveInfo[Any],
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        deadline = getattr(info.context, "deadline", None)
        if isinstance(deadline, Deadline) and deadline.expired():
            if is_non_null_type(info.return_type):
                raise deadline.error()
            return None
        return _next(root, info, *args, **kwargs)
