"""Models have a latest version, a replaced production version is archived, deployments carry
owners and may be recorded at a given time."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from provgraph.catalog.service.demo import model_version_urn
from tests.support.server import RunningServer, serving

PROD = "urn:provgraph:deployment:production:fraud-detector"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    with serving(tmp_path_factory.mktemp("models") / "data", "--demo") as running:
        yield running


def gql(server: RunningServer, query: str, **variables: Any) -> dict[str, Any]:
    answer = httpx.post(f"{server.url}/graphql", json={"query": query, "variables": variables})
    body: dict[str, Any] = answer.json()
    assert "errors" not in body, body
    return body["data"]  # type: ignore[no-any-return]


def test_a_model_has_a_latest_version_and_only_it_is_in_production(server: RunningServer) -> None:
    data = gql(
        server,
        """{ node(urn: "urn:provgraph:model:fraud-detector") { ... on Model {
             latestVersion { urn stage } versions { urn stage } } } }""",
    )
    model = data["node"]
    assert model["latestVersion"] == {"urn": model_version_urn("v2"), "stage": "production"}
    stages = {v["urn"]: v["stage"] for v in model["versions"]}
    assert stages == {model_version_urn("v1"): "archived", model_version_urn("v2"): "production"}


def test_the_demo_deployments_have_owners(server: RunningServer) -> None:
    data = gql(server, '{ node(urn: "%s") { ... on Deployment { owners { id } } } }' % PROD)
    assert {o["id"] for o in data["node"]["owners"]} == {
        "team:trust-and-safety",
        "team:ml-platform",
    }


def test_record_deployment_takes_an_event_time_and_owners(server: RunningServer) -> None:
    mutation = """mutation($input: RecordDeploymentInput!) { recordDeployment(input: $input) {
        __typename ... on MutationSuccess { seq } ... on RejectedError { message } } }"""
    base = {"environment": "canary", "name": "fraud-detector", "owners": ["team:sre"]}
    first = gql(
        server,
        mutation,
        input={
            **base,
            "modelVersion": model_version_urn("v2"),
            "eventTime": "2026-03-20T00:00:00Z",
        },
    )
    assert first["recordDeployment"]["__typename"] == "MutationSuccess"
    history = gql(
        server,
        """{ node(urn: "urn:provgraph:deployment:canary:fraud-detector") { ... on Deployment {
             owners { id } history { validFrom } } } }""",
    )["node"]
    assert history["history"][0]["validFrom"] == "2026-03-20T00:00:00Z"
    assert [o["id"] for o in history["owners"]] == ["team:sre"]
    older = gql(
        server,
        mutation,
        input={
            **base,
            "modelVersion": model_version_urn("v1"),
            "eventTime": "2026-03-01T00:00:00Z",
        },
    )
    assert older["recordDeployment"]["__typename"] == "RejectedError"
