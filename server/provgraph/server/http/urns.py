"""URNs from query strings: a URN pasted into a URL unencoded arrives with its `%3A` escapes
decoded; it is taken as the one URN of the catalog it can stand for."""

from __future__ import annotations

from provgraph.catalog.model.urn_readings import readings
from provgraph.catalog.service.catalog import Catalog


def resolve_urn(catalog: Catalog, text: str) -> str:
    """`text` itself when it is a well-formed URN; else the one URN the catalog has among the
    readings of a decoded `text`; else `text` (answered as malformed or unknown)."""
    found = readings(text)
    if len(found) == 1 and str(found[0]) == text:
        return text
    known = [str(urn) for urn in found if catalog.get_node(str(urn)) is not None]
    return known[0] if len(known) == 1 else text
