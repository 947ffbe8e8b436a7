"""Dataset aliases: OpenLineage's `symlinks` facet gives one dataset several names (a Spark
table seen by its path `/warehouse/db.db/t` and by its table name `db.t`).

Which name is the dataset's is Marquez's rule: the (namespace, name) the event gives the
dataset is its name, the facet's identifiers are aliases, and a name that is already an alias
stands for its dataset (an event naming a dataset by an alias lands on that dataset, and its
symlinks become aliases of that dataset too). An alias is a `dataset-alias` node with an
ALIAS_OF edge to its dataset; `dataset_named` (common.py) follows it wherever the projection
turns a (namespace, name) into a dataset, and service/fields.py wherever a read does.

A name is made an alias only while no dataset of that name exists: two datasets recorded
apart before one event says they are one are not merged (their versions, lineage and tags
stay where they are), and the event is accepted with a warning saying so.
"""

from __future__ import annotations

from collections.abc import Sequence

from provgraph.catalog.model import views
from provgraph.catalog.model.events import AliasSpec
from provgraph.catalog.model.graph import EdgeRecord
from provgraph.catalog.model.kinds import EdgeKind, NodeKind
from provgraph.catalog.model.urn import Urn
from provgraph.catalog.service.graph_view import PendingView
from provgraph.catalog.service.projection.common import dataset_named, put


def declare_aliases(view: PendingView, dataset: Urn, aliases: Sequence[AliasSpec], at: int) -> None:
    """Make each of `aliases` another name of `dataset`, where that name is free."""
    for spec in aliases:
        named = dataset_named(view, spec.namespace, spec.name)
        if named == dataset:
            continue  # its own name, or an alias of it already
        if named != Urn.dataset(spec.namespace, spec.name):
            view.note(
                f"symlink {_label(spec.namespace, spec.name)} of {_label_of(dataset)} is "
                f"already another name of {_label_of(named)}: it stays that dataset's name"
            )
            continue
        if view.has(str(named)):
            view.note(
                f"symlink {_label(spec.namespace, spec.name)} of {_label_of(dataset)} names a "
                "dataset the catalog already holds: the two are not merged (each keeps its "
                "versions and lineage; lookups by either name find its own)"
            )
            continue
        alias = Urn(NodeKind.DATASET_ALIAS, spec.name, spec.namespace)
        other = views.DatasetAlias(namespace=spec.namespace, name=spec.name, type=spec.type)
        put(view, alias, at, other)
        view.open_edge(EdgeRecord(EdgeKind.ALIAS_OF, str(alias), str(dataset), at))


def _label(namespace: str, name: str) -> str:
    return f"{namespace}/{name}"


def _label_of(dataset: Urn) -> str:
    return _label(dataset.namespace or "", dataset.name)
