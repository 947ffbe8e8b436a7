"""A URN that went through a URL may come back with its escapes decoded.

`urn:provgraph:dataset:postgres%3A//db%3A5432:public.riders` put into a query string unencoded
reaches the server as `urn:provgraph:dataset:postgres://db:5432:public.riders`: the `%3A` that
kept the namespace's colons apart from the separators became `:`. Such a text is ambiguous on its
own; `readings` lists every URN it can stand for, and the caller keeps the one the catalog has.
"""

from __future__ import annotations

from collections.abc import Sequence

from provgraph.catalog.model.errors import InvalidUrnError
from provgraph.catalog.model.kinds import NodeKind
from provgraph.catalog.model.urn import _SHAPES, PREFIX, Urn

MAX_READINGS = 64


def readings(text: str) -> list[Urn]:
    """The URNs `text` may stand for: itself when it parses, else the decoded readings."""
    try:
        return [Urn.parse(text)]
    except InvalidUrnError:
        pass
    if not text.startswith(PREFIX):
        return []
    kind_text, sep, rest = text[len(PREFIX) :].partition(":")
    try:
        kind = NodeKind(kind_text)
    except ValueError:
        return []
    if not sep or not rest:
        return []
    shape = _SHAPES[kind]
    field = version = None
    if shape.field:
        rest, sep, field = rest.rpartition("#")
        if not sep:
            return []
    if shape.version:
        rest, sep, version = rest.rpartition("@")
        if not sep:
            return []
    splits: Sequence[tuple[str | None, str]]
    if not shape.namespace:
        splits = [(None, rest)]
    else:
        splits = [(rest[:at], rest[at + 1 :]) for at, char in enumerate(rest) if char == ":"][
            :MAX_READINGS
        ]
    found = []
    for namespace, name in splits:
        try:
            found.append(Urn(kind, name, namespace, version, field))
        except InvalidUrnError:
            continue
    return found
