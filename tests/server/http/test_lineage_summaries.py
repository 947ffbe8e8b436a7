"""Lineage and impact answers over HTTP are readable as they come: every node carries its name
and where it stands (stage, status, environment, archived), without a `/nodes` call per URN."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from provgraph.catalog.service.demo import model_version_urn
from tests.support.server import RunningServer, serving

PROD = "urn:provgraph:deployment:production:fraud-detector"
STAGING = "urn:provgraph:deployment:staging:fraud-detector"
FEATURE = "urn:provgraph:feature:rider_risk:pickup_city_entropy"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    with serving(tmp_path_factory.mktemp("summaries") / "data", "--demo") as running:
        yield running


def _get(server: RunningServer, path: str, **params: Any) -> dict[str, Any]:
    response = httpx.get(f"{server.url}/api/v1/{path}", params=params)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def test_lineage_nodes_carry_their_name_and_standing(server: RunningServer) -> None:
    answer = _get(server, "lineage", urn=PROD, depth=1)
    by_urn = {n["urn"]: n for n in answer["nodes"]}
    assert by_urn[PROD] == {
        "urn": PROD,
        "kind": "deployment",
        "name": "production/fraud-detector",
        "status": "active",
        "stage": None,
        "environment": "production",
        "archived": False,
        "in_production": True,
        "depth": 0,
    }
    served = by_urn[model_version_urn("v2")]
    assert served["name"].startswith("fraud-detector @")
    assert (served["stage"], served["archived"], served["depth"]) == ("production", False, 1)


def test_lineage_names_columns_and_datasets_from_their_urns(server: RunningServer) -> None:
    answer = _get(server, "lineage", urn=FEATURE, depth=4)
    kinds = {n["kind"] for n in answer["nodes"]}
    assert {"feature", "feature-version", "column"} <= kinds
    for node in answer["nodes"]:
        assert node["name"] and not node["name"].startswith("urn:"), node
    feature = next(n for n in answer["nodes"] if n["urn"] == FEATURE)
    assert (feature["name"], feature["status"]) == ("rider_risk.pickup_city_entropy", "certified")
    column = next(n for n in answer["nodes"] if n["kind"] == "column")
    assert "#" in column["name"]


def test_impact_says_which_model_versions_are_archived_and_where_deployments_run(
    server: RunningServer,
) -> None:
    answer = _get(server, "impact", urn=FEATURE)
    stages = {n["urn"]: (n["stage"], n["archived"]) for n in answer["model_versions"]}
    assert stages[model_version_urn("v1")] == ("archived", True)
    assert stages[model_version_urn("v2")] == ("production", False)
    deployments = {n["name"]: n for n in answer["deployments"]}
    assert deployments["production/fraud-detector"]["in_production"] is True
    assert deployments["staging/fraud-detector"]["environment"] == "staging"
    assert deployments["staging/fraud-detector"]["in_production"] is False
    assert all(n["name"] for n in answer["feature_versions"] + answer["training_sets"])


def test_graphql_lineage_nodes_carry_the_same_summary(server: RunningServer) -> None:
    query = """query($urn: ID!) { lineage(urn: $urn, depth: 1) { ... on LineageGraph {
        nodes { urn name status stage environment archived inProduction depth } } } }"""
    answer = httpx.post(f"{server.url}/graphql", json={"query": query, "variables": {"urn": PROD}})
    assert answer.status_code == 200 and "errors" not in answer.json(), answer.text
    nodes = {n["urn"]: n for n in answer.json()["data"]["lineage"]["nodes"]}
    rest = {n["urn"]: n for n in _get(server, "lineage", urn=PROD, depth=1)["nodes"]}
    assert nodes.keys() == rest.keys()
    fields = ("name", "status", "stage", "environment", "archived", "depth")
    for urn, node in nodes.items():
        assert [node[f] for f in fields] == [rest[urn][f] for f in fields]
        assert node["inProduction"] == rest[urn]["in_production"]
    assert nodes[PROD]["inProduction"] is True and nodes[PROD]["environment"] == "production"
