"""GraphQL requests that cannot be read answer the one error shape (JSON with `error` and
`detail`), like every other refused request — not strawberry's plain text."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from provgraph.catalog.settings import Settings
from provgraph.server.app import create_app


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    data: Path = tmp_path_factory.mktemp("graphql-errors") / "data"
    app = create_app(Settings(data=data, anonymous_role="reader"))
    with TestClient(app, base_url="http://localhost", raise_server_exceptions=False) as opened:
        yield opened


@pytest.mark.parametrize(
    "body",
    ['{"query":', '{"query": 42}', "{}", '{"query": "{ __typename }", "variables": "abc"}'],
)
def test_an_unreadable_post_is_a_json_400(client: TestClient, body: str) -> None:
    answer = client.post("/graphql", content=body, headers={"content-type": "application/json"})
    assert answer.status_code == 400
    assert answer.headers["content-type"].startswith("application/json")
    assert answer.json()["error"] and answer.json()["detail"]


def test_a_mutation_over_get_is_a_json_error(client: TestClient) -> None:
    answer = client.get(
        "/graphql",
        params={"query": 'mutation { describe(urn: "x", description: "y") { __typename } }'},
        headers={"accept": "application/json"},
    )
    assert 400 <= answer.status_code < 500
    assert answer.headers["content-type"].startswith("application/json")
    assert "GET" in answer.json()["detail"]
