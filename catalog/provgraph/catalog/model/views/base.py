"""What every typed node view shares: reading it from a stored node, writing it back.

A view is the one place a node kind's stored properties are named, typed and given defaults.
The store keeps properties as JSON; `of` turns a stored node into its kind's view (absent or
null properties take the view's defaults), `to_props` turns a view into what the store keeps.
Everything above the model reads nodes through views, never by string key, so a renamed
property fails type checking instead of silently reading None.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, ClassVar, Self

from provgraph.catalog.model.graph import JsonDict, NodeRecord
from provgraph.catalog.model.kinds import NodeKind


@dataclass(frozen=True, slots=True, kw_only=True)
class NodeView:
    KIND: ClassVar[NodeKind]

    @classmethod
    def of(cls, record: NodeRecord) -> Self:
        """The view of a stored node of this view's kind."""
        if record.kind is not cls.KIND:
            raise TypeError(f"{record.urn} is a {record.kind}, not a {cls.KIND}")
        return cls.from_props(record.props)

    @classmethod
    def from_props(cls, props: JsonDict) -> Self:
        known = {name: props[name] for name in _names(cls) if props.get(name) is not None}
        return cls(**known)

    def to_props(self) -> JsonDict:
        """The stored form: every property that has a value."""
        values = ((name, getattr(self, name)) for name in _names(type(self)))
        return {name: value for name, value in values if value is not None}


@dataclass(frozen=True, slots=True, kw_only=True)
class Described(NodeView):
    """A node a steward can describe (`asset.described`)."""

    description: str | None = None
    description_curated: bool = False
    """Set by a steward (`asset.described`): producers' descriptions no longer replace it."""


_NAMES: dict[type[NodeView], tuple[str, ...]] = {}


def _names(cls: type[NodeView]) -> tuple[str, ...]:
    names = _NAMES.get(cls)
    if names is None:
        names = _NAMES[cls] = tuple(f.name for f in fields(cls))
    return names


def property_names(cls: type[NodeView]) -> frozenset[str]:
    """The properties a view knows (what the projection may store for its kind)."""
    return frozenset(_names(cls))


Json = Any
"""A JSON value kept as it was given (parameters, metrics, facets, manifests)."""
