"""The one string form of node identifiers.

`urn:provgraph:<kind>:<namespace>:<name>@<version>#<field>`

Which parts a URN has depends on its kind. A column may be named without a version
(`urn:provgraph:column:<ns>:<name>#<field>`): that is the *field* of the dataset, the logical
column that classifications belong to, and, where a column is asked about, the field in the
dataset's newest version at the moment asked. Parts are percent-escaped so the separators
(`:` `@` `#`) never occur inside a part; `/` and `.` stay readable, so an OpenLineage dataset
`postgres://db:5432` / `public.rides` reads
`urn:provgraph:dataset:postgres%3A//db%3A5432:public.rides`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple

from provgraph.catalog.model.errors import InvalidUrnError
from provgraph.catalog.model.kinds import NodeKind

PREFIX = "urn:provgraph:"
MAX_URN_BYTES = 8_000
"""The longest URN a node may have, in UTF-8 bytes: what every graph store can index (Neo4j's
index keys hold at most 8,167 bytes), so any catalog can be rebuilt on any backend."""
_ESCAPED = {"%": "%25", ":": "%3A", "@": "%40", "#": "%23"}


class _Parts(NamedTuple):
    kind: NodeKind
    name: str
    namespace: str | None
    version: str | None
    field: str | None


class _Shape(NamedTuple):
    namespace: bool
    version: bool
    field: bool
    optional_version: bool = False


_SHAPES: dict[NodeKind, _Shape] = {
    NodeKind.DATASET: _Shape(True, False, False),
    NodeKind.DATASET_ALIAS: _Shape(True, False, False),
    NodeKind.DATASET_VERSION: _Shape(True, True, False),
    NodeKind.COLUMN: _Shape(True, True, True, optional_version=True),
    NodeKind.JOB: _Shape(True, False, False),
    NodeKind.RUN: _Shape(False, False, False),
    NodeKind.FEATURE: _Shape(True, False, False),
    NodeKind.FEATURE_VERSION: _Shape(True, True, False),
    NodeKind.TRAINING_SET: _Shape(False, True, False),
    NodeKind.MODEL: _Shape(False, False, False),
    NodeKind.MODEL_VERSION: _Shape(False, True, False),
    NodeKind.DEPLOYMENT: _Shape(True, False, False),
    NodeKind.VALIDATION_RESULT: _Shape(True, False, False),
    NodeKind.POLICY_DECISION: _Shape(False, False, False),
    NodeKind.OWNER: _Shape(False, False, False),
    NodeKind.CLASSIFICATION: _Shape(False, False, False),
}


_KINDS = {kind.value: kind for kind in NodeKind}
_ESCAPE_TABLE = str.maketrans(_ESCAPED)
_CONTROL = re.compile(r"[\x00-\x1f]")


def _escape(part: str) -> str:
    return part.translate(_ESCAPE_TABLE)


def _unescape(part: str) -> str:
    if "%" not in part:
        return part
    out = part
    for raw, esc in _ESCAPED.items():
        if raw != "%":
            out = out.replace(esc, raw)
    return out.replace("%25", "%")


@dataclass(frozen=True)
class Urn:
    kind: NodeKind
    name: str
    namespace: str | None = None
    version: str | None = None
    field: str | None = None

    def __post_init__(self) -> None:
        shape = _SHAPES[self.kind]
        for label, present, value in (
            ("namespace", shape.namespace, self.namespace),
            ("version", shape.version, self.version),
            ("field", shape.field, self.field),
        ):
            if label == "version" and shape.optional_version and value is None:
                continue
            if present and not value:
                raise InvalidUrnError(f"a {self.kind} urn needs a non-empty {label}")
            if not present and value is not None:
                raise InvalidUrnError(f"a {self.kind} urn has no {label}")
        if not self.name or not self.name.strip():
            raise InvalidUrnError(f"a {self.kind} urn needs a non-empty name")
        for value in (self.name, self.namespace, self.version, self.field):
            if value is not None and _CONTROL.search(value):
                raise InvalidUrnError("urn parts may not contain control characters")

    def __str__(self) -> str:
        return self._text

    @cached_property
    def _text(self) -> str:
        text = f"{PREFIX}{self.kind.value}:"
        if self.namespace is not None:
            text += _escape(self.namespace) + ":"
        text += _escape(self.name)
        if self.version is not None:
            text += "@" + _escape(self.version)
        if self.field is not None:
            text += "#" + _escape(self.field)
        return text

    @classmethod
    def parse(cls, text: str) -> Urn:
        return cls(*_split(text))

    # constructors for the common kinds keep call sites readable
    @classmethod
    def dataset(cls, namespace: str, name: str) -> Urn:
        return cls(NodeKind.DATASET, name, namespace)

    @classmethod
    def job(cls, namespace: str, name: str) -> Urn:
        return cls(NodeKind.JOB, name, namespace)

    def with_version(self, version: str) -> Urn:
        """The version URN of a versioned container (dataset, feature, model)."""
        kinds = {
            NodeKind.DATASET: NodeKind.DATASET_VERSION,
            NodeKind.FEATURE: NodeKind.FEATURE_VERSION,
            NodeKind.MODEL: NodeKind.MODEL_VERSION,
        }
        if self.kind not in kinds:
            raise InvalidUrnError(f"a {self.kind} has no versions")
        return Urn(kinds[self.kind], self.name, self.namespace, version)

    def container(self) -> Urn:
        """The unversioned container of a version URN."""
        kinds = {
            NodeKind.DATASET_VERSION: NodeKind.DATASET,
            NodeKind.COLUMN: NodeKind.DATASET,
            NodeKind.FEATURE_VERSION: NodeKind.FEATURE,
            NodeKind.MODEL_VERSION: NodeKind.MODEL,
        }
        if self.kind not in kinds:
            raise InvalidUrnError(f"a {self.kind} has no container")
        return Urn(kinds[self.kind], self.name, self.namespace)

    def column(self, field: str) -> Urn:
        if self.kind is not NodeKind.DATASET_VERSION:
            raise InvalidUrnError("columns belong to dataset versions")
        return Urn(NodeKind.COLUMN, self.name, self.namespace, self.version, field)

    def dataset_version(self) -> Urn:
        if self.kind is not NodeKind.COLUMN or self.version is None:
            raise InvalidUrnError("only a versioned column urn names its dataset version")
        return Urn(NodeKind.DATASET_VERSION, self.name, self.namespace, self.version)

    @property
    def label(self) -> str:
        """A short human label, what lists show (`label_of`)."""
        return _label(_Parts(self.kind, self.name, self.namespace, self.version, self.field))

    @property
    def is_field(self) -> bool:
        """A column named without a version: the field of the dataset across its versions."""
        return self.kind is NodeKind.COLUMN and self.version is None

    def field_urn(self) -> Urn:
        """The versionless column (the dataset's field) of a column urn."""
        if self.kind is not NodeKind.COLUMN:
            raise InvalidUrnError("only a column urn names a field")
        return Urn(NodeKind.COLUMN, self.name, self.namespace, None, self.field)


def _split(text: str) -> _Parts:
    """The parts of a URN's text, unescaped (InvalidUrnError when it is malformed)."""
    if not isinstance(text, str) or not text.startswith(PREFIX):
        raise InvalidUrnError(f"not a provgraph urn (must start with {PREFIX!r}): {text!r}")
    kind_text, sep, rest = text[len(PREFIX) :].partition(":")
    if not sep:
        raise InvalidUrnError(f"urn {text!r} has no part after its kind")
    try:
        kind = _KINDS[kind_text]
    except KeyError:
        known = ", ".join(k.value for k in NodeKind)
        raise InvalidUrnError(
            f"unknown node kind {kind_text!r} in urn {text!r}; known kinds: {known}"
        ) from None
    shape = _SHAPES[kind]
    field = version = namespace = None
    if shape.field:
        rest, sep, field = rest.rpartition("#")
        if not sep:
            raise InvalidUrnError(f"a {kind} urn needs '#<field>': {text!r}")
    if shape.version and shape.optional_version and "@" not in rest:
        version = None
    elif shape.version:
        rest, sep, version = rest.rpartition("@")
        if not sep:
            raise InvalidUrnError(f"a {kind} urn needs '@<version>': {text!r}")
    if shape.namespace:
        namespace, sep, rest = rest.partition(":")
        if not sep:
            raise InvalidUrnError(f"a {kind} urn needs '<namespace>:<name>': {text!r}")
    for part in (rest, namespace, version, field):
        if part is not None and ("#" in part or "@" in part or ":" in part):
            raise InvalidUrnError(f"urn {text!r} has an unescaped ':', '@' or '#' in a part")
    return _Parts(
        kind,
        _unescape(rest),
        None if namespace is None else _unescape(namespace),
        None if version is None else _unescape(version),
        None if field is None else _unescape(field),
    )


def label_of(text: str) -> str:
    """A URN's short human label, what lists show: `public.trips#pickup_lat`, `rides.distance`,
    `production/fraud-detector`, `fraud-detector @fb76a1c2`, `run 1f0c2d3e`. Reads the parts
    without building an `Urn` (lists label thousands of the catalog's own URNs at a time)."""
    return _label(_split(text))


def _label(parts: _Parts) -> str:
    kind, name, namespace, version, field = parts
    short = None if version is None else version[:8]
    if kind is NodeKind.COLUMN:
        return f"{name}#{field}"
    if kind is NodeKind.DEPLOYMENT:
        return f"{namespace}/{name}"
    if kind is NodeKind.FEATURE:
        return f"{namespace}.{name}"
    if kind is NodeKind.FEATURE_VERSION:
        return f"{namespace}.{name} @{short}"
    if kind is NodeKind.RUN:
        return f"run {name[:8]}"
    if kind is NodeKind.POLICY_DECISION:
        return f"decision {name[:8]}"
    return name if short is None else f"{name} @{short}"


def feature_reference(text: str) -> Urn:
    """A feature as every surface names one (the gate, REST, GraphQL, the integrations): its URN,
    a feature version's URN, or the shorthand `group:name` (the feature). InvalidUrnError for
    anything else."""
    if text.startswith("urn:"):
        parsed = Urn.parse(text)
        if parsed.kind not in (NodeKind.FEATURE, NodeKind.FEATURE_VERSION):
            raise InvalidUrnError(
                f"a feature is named by a feature or feature-version urn, not a {parsed.kind} "
                f"urn: {text!r}"
            )
        return parsed
    group, sep, name = text.partition(":")
    if not sep or not group.strip() or not name.strip():
        raise InvalidUrnError(f"name a feature as 'group:name' or by URN, not {text!r}")
    return Urn(NodeKind.FEATURE, name, group)
