"""What `load_features` asks the catalog: each feature's newest version and the column and table
it was materialized into, and the table's newest version (the one being read)."""

from __future__ import annotations

from typing import Any

from provgraph.catalog.model.errors import InvalidUrnError
from provgraph.catalog.model.kinds import NodeKind
from provgraph.catalog.model.urn import feature_reference
from provgraph.client import Client, ProvgraphError
from provgraph.integrations.errors import IntegrationError, catalog_error
from provgraph.integrations.torch.features import FeatureSource

FEATURE_QUERY = """
query($urn: ID!) { node(urn: $urn) { ... on Feature { group name latestVersion { urn version
  storedIn { name datasetVersion { version dataset { namespace name } } }
  sourceColumns { name datasetVersion { version dataset { namespace name } } } } } } }
"""

DATASET_QUERY = """
query($namespace: String!, $name: String!) {
  dataset(namespace: $namespace, name: $name) { latestVersion { version } } }
"""


def newest_version(client: Client, dataset: tuple[str, str]) -> str:
    """The version of the table as the catalog knows it now: the one being read."""
    data = query(client, DATASET_QUERY, {"namespace": dataset[0], "name": dataset[1]})
    latest = (data.get("dataset") or {}).get("latestVersion")
    if not latest:
        raise IntegrationError(f"{dataset[0]}/{dataset[1]} has no version in the catalog")
    return str(latest["version"])


def query(client: Client, text: str, variables: dict[str, Any]) -> dict[str, Any]:
    try:
        return client.graphql(text, variables)
    except ProvgraphError as exc:
        raise catalog_error("cannot ask the catalog", exc) from exc


def feature_source(client: Client, reference: str) -> FeatureSource:
    """The feature's newest version, the one column it is materialized into, and its table."""
    urn = feature_urn(reference)
    data = query(client, FEATURE_QUERY, {"urn": urn})
    node = data.get("node")
    latest = (node or {}).get("latestVersion")
    if not node or not latest:
        raise IntegrationError(f"feature {reference} has no version in the catalog")
    # where a materialization stored it, else the one column it is (a column registered as one)
    columns = latest["storedIn"] or latest["sourceColumns"]
    if len(columns) != 1:
        raise IntegrationError(
            f"feature {reference} is computed from {len(columns)} columns; "
            "load_features reads features materialized into one column each"
        )
    column = columns[0]
    version = column["datasetVersion"]
    if not version or not version.get("dataset"):
        raise IntegrationError(f"feature {reference} has no source dataset version")
    return FeatureSource(
        group=node["group"],
        name=node["name"],
        version_urn=latest["urn"],
        version=latest["version"],
        column=column["name"],
        dataset=(version["dataset"]["namespace"], version["dataset"]["name"]),
    )


def feature_urn(reference: str) -> str:
    """The feature a reference names (urn.feature_reference, the forms the gate takes)."""
    try:
        parsed = feature_reference(reference)
    except InvalidUrnError as exc:
        raise IntegrationError(str(exc)) from None
    return str(parsed.container() if parsed.kind is NodeKind.FEATURE_VERSION else parsed)


def one_table(sources: list[FeatureSource]) -> tuple[str, str]:
    """The one feature table every feature was materialized into."""
    tables = {s.dataset for s in sources}
    if len(tables) != 1:
        named = ", ".join(sorted(f"{ns}/{name}" for ns, name in tables))
        raise IntegrationError(f"the features come from several tables ({named}); load each")
    return tables.pop()
