"""Spark's logical plan as JSON (`LogicalPlan.toJSON()`, one call over py4j) -> typed trees.

Spark serializes a tree in pre-order: a list of nodes, each with `class`, `num-children` and its
constructor fields; a field holding a child plan is that child's index among the node's
children, and a field holding expressions holds each expression as its own pre-order list.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

MAX_PLAN_CHARS = 32 * 1024 * 1024
"""A plan's JSON larger than this is not walked (lineage degrades to dataset level)."""


class PlanFormatError(ValueError):
    """The JSON is not a Spark tree."""


@dataclass(frozen=True, slots=True)
class Expr:
    cls: str
    """Simple class name, e.g. `Alias`, `AttributeReference`, `Sha2`."""
    fields: dict[str, Any]
    children: tuple[Expr, ...]

    @property
    def expr_id(self) -> int | None:
        ident = self.fields.get("exprId")
        if isinstance(ident, dict) and isinstance(ident.get("id"), int):
            return int(ident["id"])
        return None

    @property
    def name(self) -> str:
        value = self.fields.get("name")
        return value if isinstance(value, str) else ""

    def walk(self) -> Iterator[Expr]:
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass(frozen=True, slots=True)
class Attr:
    expr_id: int
    name: str
    data_type: str


@dataclass(slots=True)
class PlanNode:
    cls: str
    fields: dict[str, Any]
    children: list[PlanNode] = field(default_factory=list)
    leaf_index: int | None = None
    """Position among the plan's leaves (pre-order), matching `LogicalPlan.collectLeaves()`."""

    def exprs(self, name: str) -> list[Expr]:
        """The expressions held by a field: one, a list, or a list of lists (flattened)."""
        return list(_expressions(self.fields.get(name)))

    def child_of(self, name: str) -> PlanNode | None:
        index = self.fields.get(name)
        if isinstance(index, int) and 0 <= index < len(self.children):
            return self.children[index]
        return None

    def walk(self) -> Iterator[PlanNode]:
        yield self
        for child in self.children:
            yield from child.walk()


def simple_name(cls: str) -> str:
    return cls.rsplit(".", 1)[-1].rstrip("$")


def parse_plan(text: str) -> PlanNode:
    if len(text) > MAX_PLAN_CHARS:
        raise PlanFormatError(f"plan JSON of {len(text)} characters is over {MAX_PLAN_CHARS}")
    try:
        nodes = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PlanFormatError(f"plan is not JSON: {exc}") from exc
    return plan_from_nodes(nodes)


def plan_from_nodes(nodes: Any, *, index_leaves: bool = True) -> PlanNode:
    """A plan from its pre-order node list (a whole plan, or a subquery's `plan` field, whose
    leaves are not among the outer plan's `collectLeaves()`: `index_leaves=False`)."""
    if not isinstance(nodes, list) or not nodes:
        raise PlanFormatError("plan JSON is not a non-empty list of nodes")
    position = 0
    leaves = 0

    def build() -> PlanNode:
        nonlocal position, leaves
        if position >= len(nodes):
            raise PlanFormatError("plan JSON ends before its tree does")
        raw = nodes[position]
        position += 1
        if not isinstance(raw, dict) or not isinstance(raw.get("class"), str):
            raise PlanFormatError(f"plan node {position - 1} has no class")
        count = raw.get("num-children")
        if not isinstance(count, int) or count < 0:
            raise PlanFormatError(f"plan node {position - 1} has no num-children")
        node = PlanNode(simple_name(raw["class"]), raw)
        if count == 0 and index_leaves:
            node.leaf_index = leaves
            leaves += 1
        node.children = [build() for _ in range(count)]
        return node

    return build()


def _is_expr_list(value: Any) -> bool:
    return (
        isinstance(value, list)
        and bool(value)
        and isinstance(value[0], dict)
        and isinstance(value[0].get("class"), str)
        and "num-children" in value[0]
    )


def _expressions(value: Any) -> Iterator[Expr]:
    if _is_expr_list(value):
        yield parse_expr(value)
    elif isinstance(value, list):
        for item in value:
            yield from _expressions(item)


def parse_expr(nodes: list[dict[str, Any]]) -> Expr:
    position = 0

    def build() -> Expr:
        nonlocal position
        if position >= len(nodes):
            raise PlanFormatError("expression JSON ends before its tree does")
        raw = nodes[position]
        position += 1
        if not isinstance(raw, dict) or not isinstance(raw.get("class"), str):
            raise PlanFormatError("expression node has no class")
        count = raw.get("num-children")
        if not isinstance(count, int) or count < 0:
            raise PlanFormatError("expression node has no num-children")
        children = tuple(build() for _ in range(count))
        return Expr(simple_name(raw["class"]), raw, children)

    return build()


def attributes(node: PlanNode, name: str = "output") -> list[Attr]:
    """Attribute references held by a field (a leaf's `output`, Expand's `output`)."""
    found = []
    for expr in node.exprs(name):
        if expr.expr_id is not None:
            found.append(Attr(expr.expr_id, expr.name, data_type(expr.fields.get("dataType"))))
    return found


def leaf_output(node: PlanNode) -> list[Attr]:
    """A leaf's output attributes (a Hive table's are its data then partition columns)."""
    if node.cls == "HiveTableRelation":
        return attributes(node, "dataCols") + attributes(node, "partitionCols")
    return attributes(node)


def data_type(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and isinstance(value.get("type"), str):
        return str(value["type"])
    return "unknown"
