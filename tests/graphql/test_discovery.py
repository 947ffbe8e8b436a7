"""What the portal reads through GraphQL: the viewer, purposes, look-only feature usability (never
recorded), and search hits with owners, quality, production use and inherited classifications."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.support.server import RunningServer, serving

ENTROPY = "urn:provgraph:feature:rider_risk:pickup_city_entropy"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    with serving(tmp_path_factory.mktemp("discovery") / "data", "--demo") as running:
        yield running


def gql(server: RunningServer, query: str, **variables: Any) -> dict[str, Any]:
    response = httpx.post(f"{server.url}/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


USABILITY = """query($purpose: String!, $features: [ID!]!) {
  featureUsability(purpose: $purpose, features: $features) {
    __typename
    ... on FeatureUsabilityList { purpose action features { feature allow deny } }
    ... on NotFoundError { urn }
    ... on InvalidInputError { field message }
  }
}"""


def _decisions(server: RunningServer) -> int:
    total: int = gql(server, "{ nodes(kind: POLICY_DECISION, first: 0) { total } }")["nodes"][
        "total"
    ]
    return total


def test_viewer_and_purposes(server: RunningServer) -> None:
    data = gql(server, "{ viewer { actor role anonymous } purposes }")
    assert data["viewer"]["role"] == "admin" and data["viewer"]["anonymous"] is True
    assert "fraud_detection" in data["purposes"]


def test_usability_greys_pii_for_advertising_and_records_nothing(server: RunningServer) -> None:
    before = _decisions(server)
    ads = gql(server, USABILITY, purpose="advertising", features=[ENTROPY])["featureUsability"]
    assert ads["action"] == "train"
    [answer] = ads["features"]
    assert answer["allow"] is False
    assert any("pii" in reason and "advertising" in reason for reason in answer["deny"])
    fraud = gql(server, USABILITY, purpose="fraud_detection", features=[ENTROPY])
    assert fraud["featureUsability"]["features"][0]["allow"] is True
    assert _decisions(server) == before


def test_usability_rejects_unknown_features_and_too_many(server: RunningServer) -> None:
    missing = gql(server, USABILITY, purpose="ads", features=["urn:provgraph:feature:x:nope"])
    assert missing["featureUsability"] == {
        "__typename": "NotFoundError",
        "urn": "urn:provgraph:feature:x:nope",
    }
    many = gql(server, USABILITY, purpose="ads", features=[f"{ENTROPY}{i}" for i in range(101)])
    assert many["featureUsability"]["__typename"] == "InvalidInputError"
    empty = gql(server, USABILITY, purpose="", features=[ENTROPY])
    assert empty["featureUsability"]["__typename"] == "InvalidInputError"


def test_search_hits_carry_what_a_result_card_shows(server: RunningServer) -> None:
    data = gql(
        server,
        """{ search(query: "pickup city entropy") { ... on SearchResults { hits {
            urn description owners status quality productionDeployments
            classifications { tag inherited source path } } } } }""",
    )
    hit = next(h for h in data["search"]["hits"] if h["urn"] == ENTROPY)
    assert hit["description"] and hit["owners"] and hit["status"] in {"draft", "certified"}
    assert hit["quality"] in {"passing", "failing", "unknown"}
    assert hit["productionDeployments"] >= 1
    location = next(c for c in hit["classifications"] if c["tag"] == "pii.location")
    assert location["inherited"] is True
    assert ":public.trips#" in location["source"]  # set on the field, every version
    assert location["source"].endswith(("#pickup_lat", "#pickup_lon"))
    assert location["path"][0] == ENTROPY
