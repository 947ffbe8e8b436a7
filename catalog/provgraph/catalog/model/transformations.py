"""How a column was derived from another: the OpenLineage transformation types, kept on the edge.

A column-lineage edge (`DERIVED_FROM` column -> column, `COMPUTED_FROM` feature version ->
column) carries the producer's transformations of that input, as OpenLineage's column lineage
states them: `DIRECT` (the value is computed from the input: IDENTITY, TRANSFORMATION,
AGGREGATION) or `INDIRECT` (the input only influences which rows or in what order: FILTER,
JOIN, GROUP_BY, SORT, WINDOW, CONDITIONAL), with `masking` when the transformation hides the
input's value (a hash, a redaction).

The one rule of what an edge carries along (`carries_classifications`): classifications flow
along an edge that has a DIRECT transformation that does not mask; not along an INDIRECT-only
edge, nor along one whose every DIRECT transformation masks. An edge whose producer said
nothing about how (no transformations: older producers, hand-declared lineage) is taken as
DIRECT and unmasked, the conservative reading.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

TransformationType = Literal["DIRECT", "INDIRECT"]
PROPERTY = "transformations"
"""The edge property holding them (a list of objects)."""
MAX_PER_EDGE = 20


@dataclass(frozen=True, slots=True, kw_only=True)
class Transformation:
    type: TransformationType
    subtype: str | None = None
    description: str | None = None
    masking: bool = False

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": self.type, "masking": self.masking}
        if self.subtype is not None:
            out["subtype"] = self.subtype
        if self.description is not None:
            out["description"] = self.description
        return out

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> Transformation:
        kind = value.get("type")
        return cls(
            type="INDIRECT" if kind == "INDIRECT" else "DIRECT",
            subtype=value.get("subtype"),
            description=value.get("description"),
            masking=bool(value.get("masking", False)),
        )


def merged(*groups: Iterable[Transformation]) -> tuple[Transformation, ...]:
    """The distinct transformations of all groups, in a stable order (at most MAX_PER_EDGE)."""
    seen = dict.fromkeys(t for group in groups for t in group)
    ordered = sorted(seen, key=lambda t: (t.type, t.subtype or "", t.masking, t.description or ""))
    return tuple(ordered[:MAX_PER_EDGE])


def edge_props(transformations: Iterable[Transformation]) -> dict[str, Any]:
    """The stored properties of a column-lineage edge: nothing when nothing was said."""
    found = merged(transformations)
    return {PROPERTY: [t.to_json() for t in found]} if found else {}


def of_edge(props: Mapping[str, Any]) -> tuple[Transformation, ...]:
    """The transformations stored on an edge (none: the producer did not say)."""
    raw = props.get(PROPERTY)
    if not isinstance(raw, list):
        return ()
    return tuple(Transformation.from_json(t) for t in raw if isinstance(t, Mapping))


def carries_classifications(transformations: Iterable[Transformation]) -> bool:
    """Whether classifications propagate along an edge with these transformations."""
    found = tuple(transformations)
    if not found:
        return True
    return any(t.type == "DIRECT" and not t.masking for t in found)


def is_indirect(transformations: Iterable[Transformation]) -> bool:
    """The producer said the input only influenced the output (every transformation INDIRECT)."""
    found = tuple(transformations)
    return bool(found) and all(t.type == "INDIRECT" for t in found)


def is_masking(transformations: Iterable[Transformation]) -> bool:
    """Every DIRECT transformation of the edge masks its input (there is at least one)."""
    direct = [t for t in transformations if t.type == "DIRECT"]
    return bool(direct) and all(t.masking for t in direct)
