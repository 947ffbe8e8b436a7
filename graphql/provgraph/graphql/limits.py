"""Bounds on one GraphQL request, computed before anything runs: depth, aliases, and cost.

One walk over the operation, linear in the document's size: every fragment is analysed once
per list context and its result reused wherever it is spread, so a document that doubles a
fragment forty times costs forty analyses, not 2^40 (cycles count as nothing; graphql-core's
validation rejects them afterwards).

The cost is the estimated number of values in the result: each field counts one (a list too,
however short), a list field multiplies what is under it by its estimated length: what
`ListSizes` knows of it (the catalog: the real length of a relation at the one node the query
is at, else the longest that relation is at any node of that kind; the smaller of that and a
`first`/`limit` argument), else its `first`/`limit` argument (literal, variable or default),
else the `limit` of the field that owns it (a lineage graph's nodes and edges), else its
typical length (`LIST_SIZES`, else `DEFAULT_LIST_SIZE`). Estimates saturate at `SATURATED`,
far above any budget.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLNamedType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    OperationType,
    SchemaMetaFieldDef,
    SelectionSetNode,
    TypeMetaFieldDef,
    VariableNode,
    get_named_type,
    get_nullable_type,
    is_list_type,
    value_from_ast_untyped,
)

MAX_DEPTH = 12
"""Nested field levels: `{ a { b } }` has two."""
MAX_ALIASES = 30
MAX_COST = 1_000_000
"""Estimated values in one response."""
DEFAULT_LIST_SIZE = 25
"""The estimated length of a list field that says nothing about its length."""
LIST_SIZES = {
    "owners": 5,
    "classifications": 10,
    "deny": 10,
    "obligations": 10,
    "partialReasons": 5,
    "reasons": 5,
    "versions": 10,
    "history": 10,
    "columns": 50,
    "upstream": 10,
    "downstream": 10,
    "transformations": 2,
}
"""Typical lengths of list fields without a size argument, by field name."""
INTROSPECTION_SIZES = {
    "types": 150,
    "fields": 10,
    "args": 3,
    "inputFields": 5,
    "interfaces": 2,
    "possibleTypes": 5,
    "enumValues": 10,
    "directives": 10,
    "locations": 5,
}
"""The same for introspection (`__Schema`, `__Type`, ...): this schema's sizes, roughly."""
SIZE_ARGUMENTS = ("first", "limit")
SATURATED = 10**15
_META = {"__schema": SchemaMetaFieldDef, "__type": TypeMetaFieldDef}
"""Introspection's entry points, which no object type lists among its fields."""


class ListSizes(Protocol):
    """What the data knows of list lengths, asked while a request is estimated."""

    def length(self, parent: GraphQLNamedType, field: GraphQLField, at: str | None) -> int | None:
        """An upper bound of `parent.field`'s length (`at`: the one node the query is at, if
        known), or None when nothing is known of it."""
        ...

    def anchor(
        self, field: GraphQLField, arguments: Mapping[str, Any], at: str | None
    ) -> str | None:
        """The one node a single-object `field` leads to, where that is known before running."""
        ...


@dataclass(frozen=True)
class Budget:
    max_depth: int = MAX_DEPTH
    max_aliases: int = MAX_ALIASES
    max_cost: int = MAX_COST


@dataclass(frozen=True)
class Estimate:
    depth: int
    aliases: int
    cost: int


class RequestTooCostlyError(Exception):
    """The request would exceed a bound; `code` names which."""

    def __init__(self, code: str, message: str, estimate: Estimate) -> None:
        super().__init__(message)
        self.code = code
        self.estimate = estimate

    def as_graphql_error(self) -> GraphQLError:
        return GraphQLError(
            str(self),
            extensions={
                "code": self.code,
                "depth": self.estimate.depth,
                "aliases": self.estimate.aliases,
                "estimatedCost": self.estimate.cost,
            },
        )


def check(
    schema: GraphQLSchema,
    document: DocumentNode,
    *,
    variables: Mapping[str, Any] | None = None,
    operation_name: str | None = None,
    budget: Budget = Budget(),
    sizes: ListSizes | None = None,
) -> Estimate:
    """The request's estimate; RequestTooCostlyError if it exceeds `budget`."""
    estimate = estimate_request(
        schema, document, variables=variables, operation_name=operation_name, sizes=sizes
    )
    if estimate.depth > budget.max_depth:
        raise RequestTooCostlyError(
            "DEPTH_LIMIT",
            f"the query has {estimate.depth} nested levels, which exceeds maximum operation "
            f"depth of {budget.max_depth}",
            estimate,
        )
    if estimate.aliases > budget.max_aliases:
        raise RequestTooCostlyError(
            "ALIAS_LIMIT",
            f"{estimate.aliases} aliases exceed the limit of {budget.max_aliases} aliases",
            estimate,
        )
    if estimate.cost > budget.max_cost:
        shown = f"{estimate.cost:,}" if estimate.cost < SATURATED else f"over {SATURATED:,}"
        raise RequestTooCostlyError(
            "COST_LIMIT",
            f"the query's estimated cost is {shown} values, over the budget of "
            f"{budget.max_cost:,}: lower `first`/`limit`, select fewer nested lists, or split it",
            estimate,
        )
    return estimate


def estimate_request(
    schema: GraphQLSchema,
    document: DocumentNode,
    *,
    variables: Mapping[str, Any] | None = None,
    operation_name: str | None = None,
    sizes: ListSizes | None = None,
) -> Estimate:
    walker = _Walker(schema, document, variables or {}, sizes)
    depth = cost = 0
    for definition in document.definitions:
        if not isinstance(definition, OperationDefinitionNode):
            continue
        if operation_name is not None and (
            definition.name is None or definition.name.value != operation_name
        ):
            continue
        root = _root_type(schema, definition.operation)
        if root is None:
            continue
        found = walker.selection_set(definition.selection_set, root, None, None)
        depth, cost = max(depth, found[0]), _add(cost, found[1])
    return Estimate(depth=depth, aliases=_count_aliases(document), cost=cost)


def _root_type(schema: GraphQLSchema, operation: OperationType) -> GraphQLNamedType | None:
    if operation is OperationType.QUERY:
        return schema.query_type
    if operation is OperationType.MUTATION:
        return schema.mutation_type
    return schema.subscription_type


def _count_aliases(document: DocumentNode) -> int:
    """Aliases written in the document, each fragment definition counted once."""
    count = 0
    stack: list[SelectionSetNode] = [
        d.selection_set
        for d in document.definitions
        if isinstance(d, OperationDefinitionNode | FragmentDefinitionNode)
    ]
    while stack:
        for selection in stack.pop().selections:
            if isinstance(selection, FieldNode) and selection.alias is not None:
                count += 1
            inner = getattr(selection, "selection_set", None)
            if inner is not None:
                stack.append(inner)
    return count


def _add(a: int, b: int) -> int:
    return min(a + b, SATURATED)


def _mul(a: int, b: int) -> int:
    return min(a * b, SATURATED)


class _Walker:
    def __init__(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        variables: Mapping[str, Any],
        sizes: ListSizes | None,
    ) -> None:
        self._schema = schema
        self._variables = variables
        self._sizes = sizes
        self._fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self._memo: dict[tuple[str, int | None, str | None], tuple[int, int]] = {}
        self._visiting: set[tuple[str, int | None, str | None]] = set()

    def selection_set(
        self,
        selections: SelectionSetNode,
        parent: GraphQLNamedType,
        pending: int | None,
        at: str | None,
    ) -> tuple[int, int]:
        """(depth, cost) of a selection set on `parent`; `pending` is an owner's `limit`, `at`
        the one node the selection is on, where known."""
        depth = cost = 0
        for selection in selections.selections:
            if isinstance(selection, FieldNode):
                found = self._field(selection, parent, pending, at)
            elif isinstance(selection, InlineFragmentNode):
                condition = parent
                if selection.type_condition is not None:
                    named = self._schema.get_type(selection.type_condition.name.value)
                    condition = named if named is not None else parent
                found = self.selection_set(selection.selection_set, condition, pending, at)
            elif isinstance(selection, FragmentSpreadNode):
                found = self._spread(selection.name.value, pending, at)
            else:  # pragma: no cover - graphql-core has no other selection kinds
                continue
            depth, cost = max(depth, found[0]), _add(cost, found[1])
        return depth, cost

    def _spread(self, name: str, pending: int | None, at: str | None) -> tuple[int, int]:
        key = (name, pending, at)
        if key in self._memo:
            return self._memo[key]
        fragment = self._fragments.get(name)
        if fragment is None or key in self._visiting:
            return 0, 0
        self._visiting.add(key)
        named = self._schema.get_type(fragment.type_condition.name.value)
        found = (
            (0, 0)
            if named is None
            else self.selection_set(fragment.selection_set, named, pending, at)
        )
        self._visiting.discard(key)
        self._memo[key] = found
        return found

    def _field(
        self, node: FieldNode, parent: GraphQLNamedType, pending: int | None, at: str | None
    ) -> tuple[int, int]:
        fields = getattr(parent, "fields", None)
        definition = _META.get(node.name.value)
        if definition is None and isinstance(fields, Mapping):
            definition = fields.get(node.name.value)
        if definition is None:  # __typename, or a field validation will reject
            return 1, 1
        size = self._size_argument(node, definition)
        listed = is_list_type(get_nullable_type(definition.type))
        inner_at = None
        if listed:
            multiplier, inner_pending = (
                self._length(node, parent, definition, size, pending, at),
                None,
            )
        else:
            multiplier, inner_pending = 1, size if size is not None else pending
            if self._sizes is not None and node.selection_set is not None:
                inner_at = self._sizes.anchor(definition, self._arguments(node), at)
        own = 1 if listed else 0  # the list itself, even empty, then its items
        if node.selection_set is None:
            return 1, _add(own, multiplier)
        named = get_named_type(definition.type)
        depth, cost = self.selection_set(node.selection_set, named, inner_pending, inner_at)
        if node.name.value in _META:
            # introspection nests deeply by design (a type reference is 8 `ofType` levels):
            # it counts in the cost, which bounds its cycles (`fields { type { fields ...`),
            # but not in the depth
            depth = 0
        return depth + 1, _add(own, _mul(multiplier, _add(1, cost)))

    def _length(
        self,
        node: FieldNode,
        parent: GraphQLNamedType,
        definition: GraphQLField,
        size: int | None,
        pending: int | None,
        at: str | None,
    ) -> int:
        known = None if self._sizes is None else self._sizes.length(parent, definition, at)
        if known is not None:
            return known if size is None else min(known, size)
        if size is not None:
            return size
        if pending is not None:
            return pending
        typical = INTROSPECTION_SIZES if parent.name.startswith("__") else LIST_SIZES
        return typical.get(node.name.value, DEFAULT_LIST_SIZE)

    def _arguments(self, node: FieldNode) -> dict[str, Any]:
        return {
            a.name.value: value_from_ast_untyped(a.value, dict(self._variables))
            for a in node.arguments or ()
        }

    def _size_argument(self, node: FieldNode, definition: Any) -> int | None:
        for name in SIZE_ARGUMENTS:
            if name not in definition.args:
                continue
            given = next((a.value for a in node.arguments or () if a.name.value == name), None)
            value: Any = definition.args[name].default_value
            if isinstance(given, IntValueNode):
                value = int(given.value)
            elif isinstance(given, VariableNode):
                value = self._variables.get(given.name.value, value)
            if isinstance(value, int) and not isinstance(value, bool):
                return max(value, 0)
        return None
