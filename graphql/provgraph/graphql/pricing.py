"""What the catalog knows of list lengths, for the cost model (provgraph.graphql.limits).

A list field declared with a Relation (provgraph.graphql.relations) is priced at the real
number of its edges where the query is at one known node (`dataset(...)`, `node(urn)`, a
`latestVersion`), else at the most edges of that relation any node of the parent's kind has:
never at a typical guess. Both are bounded look-ups in the lineage index.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import GraphQLField, GraphQLNamedType

from provgraph.catalog.model.errors import CatalogError
from provgraph.catalog.model.kinds import NodeKind
from provgraph.catalog.service.catalog import Catalog
from provgraph.graphql.relations import LEADS_TO, PRICED_BY, Relation, Step
from provgraph.graphql.types.registry import NODE_TYPES

_DEFINITION = "strawberry-definition"
_KINDS: dict[str, NodeKind] = {t.__name__: kind for kind, t in NODE_TYPES.items()}


class CatalogSizes:
    """limits.ListSizes over one catalog."""

    def __init__(self, catalog: Catalog) -> None:
        self._reader = catalog.reader
        self._catalog = catalog

    def length(self, parent: GraphQLNamedType, field: GraphQLField, at: str | None) -> int | None:
        relation = _metadata(field).get(PRICED_BY)
        if not isinstance(relation, Relation):
            return None
        if at is not None:
            return self._reader.degree(at, relation.kind, outgoing=relation.outgoing)
        return self._reader.largest_degree(
            _KINDS.get(parent.name), relation.kind, outgoing=relation.outgoing
        )

    def anchor(
        self, field: GraphQLField, arguments: Mapping[str, Any], at: str | None
    ) -> str | None:
        step: Step | None = _metadata(field).get(LEADS_TO)
        if step is None:
            return None
        try:
            found = step(self._catalog, arguments, at)
        except (CatalogError, KeyError, TypeError, ValueError):
            return None  # the resolver will answer the bad argument; price without an anchor
        return found if found is not None and self._reader.exists(found) else None


def _metadata(field: GraphQLField) -> Mapping[str, Any]:
    definition = (field.extensions or {}).get(_DEFINITION)
    found = getattr(definition, "metadata", None)
    return found if isinstance(found, Mapping) else {}
