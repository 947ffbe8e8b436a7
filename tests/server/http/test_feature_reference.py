"""Issue 17 item 17: every surface names a feature the same ways (urn.feature_reference): its
URN, a feature version's URN, or `group:name`; a malformed reference is invalid input (GraphQL
InvalidInputError, REST 422), never NotFound. Over HTTP on a real server with the demo."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from provgraph.catalog.model.errors import InvalidUrnError
from provgraph.catalog.model.kinds import NodeKind
from provgraph.catalog.model.urn import Urn, feature_reference
from tests.support.server import RunningServer, serving

FEATURE = "urn:provgraph:feature:rider_risk:pickup_city_entropy"
MUTATION = """mutation($features: [ID!]!) {
  featureUse(input: {action: "train", purpose: "advertising", features: $features}) {
    __typename
    ... on FeatureUseResult { allow deny explanations { feature } }
    ... on InvalidInputError { message field }
    ... on NotFoundError { message }
  } }"""


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    with serving(tmp_path_factory.mktemp("refs") / "data", "--demo") as server:
        yield server


def _feature_use(server: RunningServer, *features: str) -> dict[str, Any]:
    body = {"query": MUTATION, "variables": {"features": list(features)}}
    answer: dict[str, Any] = httpx.post(f"{server.url}/graphql", json=body).json()
    return answer["data"]["featureUse"]  # type: ignore[no-any-return]


def test_graphql_takes_the_group_name_shorthand(demo: RunningServer) -> None:
    by_urn = _feature_use(demo, FEATURE)
    by_name = _feature_use(demo, "rider_risk:pickup_city_entropy")
    assert by_name["__typename"] == "FeatureUseResult"
    assert by_name["allow"] is False and by_name["deny"] == by_urn["deny"]
    assert by_name["explanations"] == [{"feature": FEATURE}]


@pytest.mark.parametrize(
    "reference",
    ["pickup_city_entropy", ":pickup_city_entropy", "rider_risk:", "urn:provgraph:bogus:x"],
)
def test_a_malformed_reference_is_invalid_input(demo: RunningServer, reference: str) -> None:
    answer = _feature_use(demo, reference)
    assert answer["__typename"] == "InvalidInputError", answer
    assert answer["field"] is not None and answer["field"].startswith("features")


def test_a_reference_to_another_kind_is_invalid_input(demo: RunningServer) -> None:
    answer = _feature_use(demo, "urn:provgraph:dataset:postgres%3A//rides-db%3A5432:public.trips")
    assert answer["__typename"] == "InvalidInputError"
    assert "feature" in answer["message"]


def test_rest_takes_the_same_forms(demo: RunningServer) -> None:
    url = f"{demo.url}/api/v1/policy/feature-use"
    body = {
        "action": "train",
        "purpose": "advertising",
        "features": ["rider_risk:pickup_city_entropy"],
    }
    answer = httpx.post(url, json=body)
    assert answer.status_code == 200, answer.text
    assert list(answer.json()["explanations"]) == [FEATURE]
    body["features"] = ["pickup_city_entropy"]
    assert httpx.post(url, json=body).status_code == 422


def test_the_one_parser() -> None:
    assert str(feature_reference("rider_risk:pickup_city_entropy")) == FEATURE
    version = str(Urn.parse(FEATURE).with_version("v1"))
    assert feature_reference(version).kind is NodeKind.FEATURE_VERSION
    with pytest.raises(InvalidUrnError):
        feature_reference("no-group")
