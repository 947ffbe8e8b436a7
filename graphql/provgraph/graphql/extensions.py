"""Schema extensions: the request's bounds, checked before validation and execution."""

from __future__ import annotations

from collections.abc import Iterator

from strawberry.extensions import SchemaExtension

from provgraph.graphql.limits import Budget, RequestTooCostlyError, check


class RequestLimits(SchemaExtension):
    """Rejects a request over its depth, alias or cost budget before graphql-core validates
    it (validation is linear, but no reason to spend it on a request we refuse) and before
    anything executes. The budget comes from the context (`budget`), else the defaults."""

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None and context.pre_execution_errors is None:
            budget = getattr(context.context, "budget", None)
            try:
                check(
                    context.schema._schema,
                    document,
                    variables=context.variables,
                    operation_name=context.operation_name,
                    budget=budget if isinstance(budget, Budget) else Budget(),
                )
            except RequestTooCostlyError as exc:
                context.pre_execution_errors = [exc.as_graphql_error()]
        yield
