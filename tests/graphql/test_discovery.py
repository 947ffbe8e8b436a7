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


WHAT_IF = """query($urn: ID!, $tag: String!) {
  whatIf(classify: {urn: $urn, tag: $tag}) {
    __typename
    ... on WhatIfResult { affectedFeatures entries { subject action purpose allowedNow allowedThen newReasons } }
    ... on NotFoundError { urn }
    ... on InvalidInputError { field message }
    ... on ForbiddenError { requiredRole }
  }
}"""
FARE = "urn:provgraph:column:postgres%3A//rides-db%3A5432:public.trips#fare_amount"


def test_what_if_reports_new_denials_and_changes_nothing(server: RunningServer) -> None:
    before = _decisions(server)
    answer = gql(server, WHAT_IF, urn=FARE, tag="consent:marketing")["whatIf"]
    assert answer["__typename"] == "WhatIfResult"
    assert answer["affectedFeatures"]
    assert all(":avg_fare@" in f for f in answer["affectedFeatures"])
    subjects = {e["subject"] for e in answer["entries"]}
    assert "urn:provgraph:deployment:production:fraud-detector" in subjects
    for entry in answer["entries"]:
        assert any("consented for marketing only" in r for r in entry["newReasons"])
    assert _decisions(server) == before
    fare = gql(server, '{ node(urn: "%s") { ... on Column { classifications { tag } } } }' % FARE)
    assert fare["node"]["classifications"] == []
    # a tag the policies do not care about for this purpose adds no denial
    quiet = gql(server, WHAT_IF, urn=FARE, tag="internal")["whatIf"]
    assert quiet["entries"] == [] and quiet["affectedFeatures"]


def test_what_if_refuses_bad_input(server: RunningServer) -> None:
    bad_tag = gql(server, WHAT_IF, urn=FARE, tag="two words")["whatIf"]
    assert bad_tag["__typename"] == "InvalidInputError"
    not_taggable = gql(
        server, WHAT_IF, urn="urn:provgraph:deployment:production:fraud-detector", tag="pii"
    )
    assert not_taggable["whatIf"]["__typename"] == "InvalidInputError"
    unknown = gql(server, WHAT_IF, urn="urn:provgraph:column:x:y#z", tag="pii")["whatIf"]
    assert unknown["__typename"] == "NotFoundError"
    malformed = gql(server, WHAT_IF, urn="not a urn", tag="pii")["whatIf"]
    assert malformed["__typename"] in {"InvalidInputError", "NotFoundError"}


def test_what_if_needs_the_steward_role(tmp_path_factory: pytest.TempPathFactory) -> None:
    data = tmp_path_factory.mktemp("whatif") / "data"
    with serving(data, "--demo", anonymous="reader") as reader_server:
        answer = gql(reader_server, WHAT_IF, urn=FARE, tag="pii")["whatIf"]
    assert answer == {"__typename": "ForbiddenError", "requiredRole": "steward"}


def test_rest_and_graphql_what_if_give_one_answer(server: RunningServer) -> None:
    """One what-if (policies/what_if.py), one shape: the REST what-if and GraphQL's whatIf."""
    tag = "consent:marketing"
    rest = httpx.post(
        f"{server.url}/api/v1/policy/what-if",
        json={"tags": [{"urn": FARE, "tag": tag}]},
        timeout=60,
    )
    assert rest.status_code == 200, rest.text
    graph = gql(server, WHAT_IF, urn=FARE, tag=tag)["whatIf"]
    body = rest.json()
    assert body["affected_features"] == graph["affectedFeatures"]
    assert [(e["subject"], e["allowed_then"], e["new_reasons"]) for e in body["entries"]] == [
        (e["subject"], e["allowedThen"], e["newReasons"]) for e in graph["entries"]
    ]
    bad = httpx.post(
        f"{server.url}/api/v1/policy/what-if",
        json={
            "tags": [{"urn": "urn:provgraph:deployment:production:fraud-detector", "tag": "pii"}]
        },
        timeout=60,
    )
    assert bad.status_code in (400, 422), bad.text


def test_rest_and_graphql_search_find_every_kind_a_user_names(server: RunningServer) -> None:
    runs = httpx.get(
        f"{server.url}/api/v1/search", params={"q": "fraud_detector_train", "kind": "run"}
    )
    assert runs.status_code == 200, runs.text
    assert runs.json()["total"] >= 1 and {h["kind"] for h in runs.json()["hits"]} == {"run"}
    data = gql(
        server,
        """{ search(query: "marketing", filters: {kinds: [MODEL]}) {
            ... on SearchResults { hits { name } } } }""",
    )
    assert [h["name"] for h in data["search"]["hits"]] == ["rider-promo"]
