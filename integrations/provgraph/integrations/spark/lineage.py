"""Exact column-level lineage of a Spark logical plan.

Walks the analyzed plan bottom-up, keeping for every attribute (by Spark's `exprId`, unique in
an analyzed plan: the analyzer gives the second side of a self-join fresh ids) the source
columns it was computed from and how: IDENTITY (copied), TRANSFORMATION (computed),
AGGREGATION (an aggregate over it), with `masking` when every path from the source went through
a hash (`sha1`, `sha2`, `md5`, `hash`, `xxhash64`, `crc32`). Columns that decide which rows
exist or how they pair (filter, join keys, group-by, sort, window partitioning, CASE
conditions) are not sources of any value; they are indirect lineage of the whole output.

A plan node or expression the walker does not know stops column lineage: the result then says
which node stopped it, and callers fall back to dataset-level lineage.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import IntEnum

from provgraph.integrations.spark.plan import (
    Attr,
    Expr,
    PlanNode,
    attributes,
    leaf_output,
    parse_expr,
    plan_from_nodes,
)


@dataclass(frozen=True, slots=True, order=True)
class SourceColumn:
    namespace: str
    name: str
    field: str


@dataclass(frozen=True, slots=True, order=True)
class DatasetId:
    namespace: str
    name: str


class Kind(IntEnum):
    """Direct transformation subtypes, ordered: a path takes the strongest it went through."""

    IDENTITY = 0
    TRANSFORMATION = 1
    AGGREGATION = 2


@dataclass(frozen=True, slots=True)
class Direct:
    kind: Kind
    masking: bool = False
    opaque: tuple[str, ...] = ()
    """UDFs the value went through (their code is not visible to the plan)."""

    def then(self, other: Direct) -> Direct:
        """This step followed by `other`."""
        return Direct(
            max(self.kind, other.kind),
            self.masking or other.masking,
            tuple(dict.fromkeys(self.opaque + other.opaque)),
        )

    def merge(self, other: Direct) -> Direct:
        """Two paths from the same source: masked only if both are."""
        return Direct(
            max(self.kind, other.kind),
            self.masking and other.masking,
            tuple(dict.fromkeys(self.opaque + other.opaque)),
        )


INDIRECT_KINDS = ("FILTER", "JOIN", "GROUP_BY", "SORT", "WINDOW", "CONDITIONAL")

Sources = dict[SourceColumn, Direct]


@dataclass
class PlanLineage:
    """Column lineage of one output: output field -> source columns, plus indirect lineage."""

    fields: dict[str, Sources] = field(default_factory=dict)
    output_types: dict[str, str] = field(default_factory=dict)
    descriptions: dict[str, str] = field(default_factory=dict)
    indirect: dict[SourceColumn, set[str]] = field(default_factory=dict)
    inputs: dict[DatasetId, list[Attr]] = field(default_factory=dict)
    """Every dataset the plan reads, with the fields it reads it with."""
    stopped_at: str | None = None
    """The plan node or expression that stopped column lineage (then `fields` is empty)."""


MASKING = frozenset({"Sha1", "Sha2", "Md5", "Murmur3Hash", "XxHash64", "HiveHash", "Crc32"})
UDFS = frozenset(
    {
        "PythonUDF",
        "ScalaUDF",
        "ScalaUDAF",
        "PythonUDAF",
        "HiveSimpleUDF",
        "HiveGenericUDF",
        "HiveUDAFFunction",
        "HiveGenericUDTF",
        "UserDefinedGenerator",
    }
)
SUBQUERIES = frozenset({"LateralSubquery", "FunctionTableSubqueryArgumentExpression"})
"""Subquery expressions the walker does not follow (they stop column lineage)."""
VALUE_SUBQUERIES = frozenset({"ScalarSubquery", "ListQuery"})
"""Subqueries whose output columns' values flow into the expression that holds them."""
RANKING = frozenset({"Rank", "DenseRank", "PercentRank", "CumeDist"})
"""Ranking window functions: their children are the window's ORDER BY, which only orders."""
IN_MEMORY_LEAVES = frozenset(
    {"LocalRelation", "LogicalRDD", "Range", "OneRowRelation", "ExternalRDD", "LocalTableScan"}
)
PASS_THROUGH = frozenset(
    {
        "SubqueryAlias",
        "View",
        "GlobalLimit",
        "LocalLimit",
        "Limit",
        "Offset",
        "Tail",
        "Sample",
        "Distinct",
        "Deduplicate",
        "DeduplicateWithinWatermark",
        "Repartition",
        "RepartitionByExpression",
        "RebalancePartitions",
        "ResolvedHint",
        "Subquery",
        "CTERelationDef",
        "EventTimeWatermark",
        "Sort",
    }
)


class StopLineage(Exception):  # noqa: N818 - a signal, not an error
    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


LeafResolver = Callable[[PlanNode], DatasetId | None]
"""The dataset a leaf reads (by its `leaf_index`), or None for in-memory data."""


@dataclass
class _Walk:
    resolve: LeafResolver
    lineage: dict[int, Sources] = field(default_factory=dict)
    indirect: dict[SourceColumn, set[str]] = field(default_factory=dict)
    inputs: dict[DatasetId, list[Attr]] = field(default_factory=dict)
    cte_outputs: dict[int, list[Attr]] = field(default_factory=dict)
    struct_fields: dict[int, list[Sources]] = field(default_factory=dict)
    """Per field (by ordinal), the sources of a struct column this plan built with `struct()`,
    so that reading one field back takes that field's sources, not the whole struct's."""

    # ---- plan nodes -------------------------------------------------------------------------

    def node(self, node: PlanNode) -> list[Attr]:
        cls = node.cls
        if not node.children:
            return self._leaf(node)
        if cls == "WithCTE":
            for child in node.children[:-1]:
                self.node(child)
            return self.node(node.children[-1])
        if cls == "CTERelationDef":
            output = self.node(node.children[0])
            ident = node.fields.get("id")
            if isinstance(ident, int):
                self.cte_outputs[ident] = output
            return output
        outputs = [self.node(child) for child in node.children]
        if cls == "Project":
            return self._named(node.exprs("projectList"))
        if cls == "Filter":
            self._indirect(node.exprs("condition"), "FILTER")
            return outputs[0]
        if cls == "Sort":
            self._indirect(node.exprs("order"), "SORT")
            return outputs[0]
        if cls in PASS_THROUGH:
            return outputs[0]
        if cls == "Join":
            return self._join(node, outputs)
        if cls == "Aggregate":
            self._indirect(node.exprs("groupingExpressions"), "GROUP_BY")
            return self._named(node.exprs("aggregateExpressions"))
        if cls == "Window":
            self._indirect(node.exprs("partitionSpec") + node.exprs("orderSpec"), "WINDOW")
            return outputs[0] + self._named(node.exprs("windowExpressions"))
        if cls == "Union":
            return self._union(outputs)
        if cls in ("Intersect", "Except"):
            for attr in outputs[1]:
                for source in self.lineage.get(attr.expr_id, {}):
                    self.indirect.setdefault(source, set()).add("FILTER")
            return outputs[0]
        if cls == "Generate":
            return self._generate(node, outputs[0])
        if cls == "Expand":
            return self._expand(node)
        raise StopLineage(cls)

    def _leaf(self, node: PlanNode) -> list[Attr]:
        output = leaf_output(node)
        if node.cls == "CTERelationRef":
            ident = node.fields.get("cteId")
            definition = self.cte_outputs.get(ident) if isinstance(ident, int) else None
            if definition is None or len(definition) != len(output):
                raise StopLineage("CTERelationRef")
            for attr, defined in zip(output, definition, strict=True):
                self.lineage[attr.expr_id] = dict(self.lineage.get(defined.expr_id, {}))
            return output
        dataset = self.resolve(node)
        if dataset is None:
            if node.cls not in IN_MEMORY_LEAVES:
                raise StopLineage(node.cls)
            for attr in output:
                self.lineage[attr.expr_id] = {}
            return output
        read = self.inputs.setdefault(dataset, [])
        known = {a.name for a in read}
        read.extend(a for a in output if a.name not in known)
        for attr in output:
            source = SourceColumn(dataset.namespace, dataset.name, attr.name)
            self.lineage[attr.expr_id] = {source: Direct(Kind.IDENTITY)}
        return output

    def _named(self, exprs: Iterable[Expr]) -> list[Attr]:
        output = []
        for expr in exprs:
            if expr.expr_id is None:
                raise StopLineage(f"{expr.cls} without an id")
            if expr.cls != "AttributeReference":
                direct, indirect = self.expr(expr)
                self.lineage[expr.expr_id] = direct
                self._add_indirect(indirect)
                self._keep_struct_fields(expr)
            output.append(Attr(expr.expr_id, expr.name, _type_of(expr)))
        return output

    def _keep_struct_fields(self, named: Expr) -> None:
        value = named.children[0] if named.cls == "Alias" and named.children else named
        assert named.expr_id is not None
        if value.cls == "CreateNamedStruct":
            self.struct_fields[named.expr_id] = [
                self.expr(field_value)[0] for field_value in value.children[1::2]
            ]
        elif value.cls == "AttributeReference" and value.expr_id in self.struct_fields:
            self.struct_fields[named.expr_id] = self.struct_fields[value.expr_id]

    def _join(self, node: PlanNode, outputs: list[list[Attr]]) -> list[Attr]:
        self._indirect(node.exprs("condition"), "JOIN")
        join_type = node.fields.get("joinType")
        name = ""
        if isinstance(join_type, dict):
            name = str(join_type.get("object") or join_type.get("product-class") or "")
        name = name.rsplit(".", 1)[-1].rstrip("$")
        if name in ("LeftSemi", "LeftAnti"):
            return outputs[0]
        if name == "ExistenceJoin":
            exists = attributes(node, "joinType")
            return outputs[0] + exists
        return outputs[0] + outputs[1]

    def _union(self, outputs: list[list[Attr]]) -> list[Attr]:
        first = outputs[0]
        if any(len(o) != len(first) for o in outputs):
            raise StopLineage("Union")
        merged_all = []
        for position in range(len(first)):
            merged: Sources = {}
            for output in outputs:
                _merge_into(merged, self.lineage.get(output[position].expr_id, {}))
            merged_all.append(merged)
        for attr, merged in zip(first, merged_all, strict=True):
            self.lineage[attr.expr_id] = merged
        return first

    def _generate(self, node: PlanNode, child: list[Attr]) -> list[Attr]:
        generated = attributes(node, "generatorOutput")
        direct: Sources = {}
        for expr in node.exprs("generator"):
            found, indirect = self.expr(expr)
            _merge_into(direct, {s: d.then(Direct(Kind.TRANSFORMATION)) for s, d in found.items()})
            self._add_indirect(indirect)
        for attr in generated:
            self.lineage[attr.expr_id] = dict(direct)
        unrequired = node.fields.get("unrequiredChildIndex") or []
        kept = [a for i, a in enumerate(child) if i not in set(unrequired)]
        return kept + generated

    def _expand(self, node: PlanNode) -> list[Attr]:
        output = attributes(node)
        projections = node.fields.get("projections")
        if not isinstance(projections, list):
            raise StopLineage("Expand")
        per_column: list[Sources] = [{} for _ in output]
        for projection in projections:
            if not isinstance(projection, list) or len(projection) != len(output):
                raise StopLineage("Expand")
            for position, raw in enumerate(projection):
                direct, indirect = self.expr(parse_expr(raw))
                _merge_into(per_column[position], direct)
                self._add_indirect(indirect)
        for attr, sources in zip(output, per_column, strict=True):
            self.lineage[attr.expr_id] = sources
        return output

    def _indirect(self, exprs: Iterable[Expr], kind: str) -> None:
        for expr in exprs:
            direct, indirect = self.expr(expr)
            for source in direct:
                self.indirect.setdefault(source, set()).add(kind)
            self._add_indirect(indirect)

    def _add_indirect(self, found: dict[SourceColumn, set[str]]) -> None:
        for source, kinds in found.items():
            self.indirect.setdefault(source, set()).update(kinds)

    # ---- expressions ------------------------------------------------------------------------

    def expr(self, expr: Expr) -> tuple[Sources, dict[SourceColumn, set[str]]]:
        direct: Sources = {}
        indirect: dict[SourceColumn, set[str]] = {}
        self._visit(expr, Direct(Kind.IDENTITY), None, direct, indirect)
        return direct, indirect

    def _visit(
        self,
        expr: Expr,
        step: Direct,
        indirect_kind: str | None,
        direct: Sources,
        indirect: dict[SourceColumn, set[str]],
    ) -> None:
        cls = expr.cls
        if cls in SUBQUERIES:
            raise StopLineage(cls)
        if cls in VALUE_SUBQUERIES or cls == "Exists":
            # EXISTS only decides whether its holder is true: its columns never carry a value.
            kind = indirect_kind if cls in VALUE_SUBQUERIES else indirect_kind or "CONDITIONAL"
            for attr in self._subquery(expr):
                self._visit_attr(attr.expr_id, step, kind, direct, indirect)
            for child in expr.children:  # outer references of a correlated subquery
                self._visit(child, step, indirect_kind or "FILTER", direct, indirect)
            return
        if cls in ("AttributeReference", "OuterReference"):
            if expr.expr_id is not None:
                self._visit_attr(expr.expr_id, step, indirect_kind, direct, indirect)
            elif cls == "OuterReference":
                for child in expr.children:
                    self._visit(child, step, indirect_kind, direct, indirect)
            return
        children = expr.children
        struct_field = self._struct_field(expr)
        if struct_field is not None:
            for source, upstream in struct_field.items():
                if indirect_kind is not None:
                    indirect.setdefault(source, set()).add(indirect_kind)
                else:
                    _merge_into(direct, {source: upstream.then(step)})
            return
        if cls in ("Alias", "SortOrder"):
            inner = step
        elif cls == "AggregateExpression":
            inner = step.then(Direct(Kind.AGGREGATION))
        elif cls in MASKING:
            inner = step.then(Direct(Kind.TRANSFORMATION, masking=True))
        elif cls in UDFS:
            inner = step.then(Direct(Kind.TRANSFORMATION, opaque=(_udf_name(expr),)))
        else:
            inner = step.then(Direct(Kind.TRANSFORMATION))
        for position, child in enumerate(children):
            kind = indirect_kind
            if cls in RANKING:
                kind = kind or "WINDOW"
            elif cls == "AggregateExpression" and position > 0:
                kind = kind or "FILTER"  # the aggregate's FILTER (WHERE ...) clause
            elif (cls in ("If", "NullIfResult") and position == 0) or (
                cls == "CaseWhen"
                and position % 2 == 0
                and position < len(children) - (len(children) % 2)
            ):
                kind = kind or "CONDITIONAL"
            elif cls == "WindowSpecDefinition":
                kind = kind or "WINDOW"
            self._visit(child, inner, kind, direct, indirect)

    def _visit_attr(
        self,
        ident: int,
        step: Direct,
        indirect_kind: str | None,
        direct: Sources,
        indirect: dict[SourceColumn, set[str]],
    ) -> None:
        for source, upstream in self.lineage.get(ident, {}).items():
            if indirect_kind is not None:
                indirect.setdefault(source, set()).add(indirect_kind)
            else:
                _merge_into(direct, {source: upstream.then(step)})

    def _struct_field(self, expr: Expr) -> Sources | None:
        """The sources of `struct_column.field` when this plan built that struct."""
        if expr.cls != "GetStructField" or not expr.children:
            return None
        ordinal = expr.fields.get("ordinal")
        fields = self.struct_fields.get(expr.children[0].expr_id or -1)
        if fields is None or not isinstance(ordinal, int) or not 0 <= ordinal < len(fields):
            return None
        return fields[ordinal]

    def _subquery(self, expr: Expr) -> list[Attr]:
        """Walks a subquery's plan (its leaves resolve like any other) and returns its output."""
        try:
            plan = plan_from_nodes(expr.fields.get("plan"), index_leaves=False)
        except ValueError as exc:
            raise StopLineage(f"{expr.cls} ({exc})") from exc
        return self.node(plan)


def _merge_into(target: Sources, found: Sources) -> None:
    for source, how in found.items():
        target[source] = target[source].merge(how) if source in target else how


def _type_of(expr: Expr) -> str:
    value = expr.fields.get("dataType")
    if isinstance(value, str):
        return value
    if expr.children:
        return _type_of(expr.children[0])
    return "unknown"


def _udf_name(expr: Expr) -> str:
    for key in ("name", "udfName"):
        value = expr.fields.get(key)
        if isinstance(value, str) and value:
            return value
    return expr.cls


def plan_lineage(query: PlanNode, resolve: LeafResolver) -> PlanLineage:
    """Lineage of `query`'s output columns (by name) back to the datasets its leaves read."""
    walk = _Walk(resolve)
    result = PlanLineage()
    try:
        output = walk.node(query)
    except StopLineage as stop:
        result.stopped_at = stop.what
        result.inputs = _inputs_only(query, resolve)
        return result
    for attr in output:
        result.fields[attr.name] = dict(sorted(walk.lineage.get(attr.expr_id, {}).items()))
        result.output_types[attr.name] = attr.data_type
    result.indirect = walk.indirect
    result.inputs = walk.inputs
    return result


def _inputs_only(query: PlanNode, resolve: LeafResolver) -> dict[DatasetId, list[Attr]]:
    found: dict[DatasetId, list[Attr]] = {}
    for node in query.walk():
        if not node.children:
            dataset = resolve(node) if node.cls not in IN_MEMORY_LEAVES else None
            if dataset is not None:
                found.setdefault(dataset, []).extend(leaf_output(node))
    return found
