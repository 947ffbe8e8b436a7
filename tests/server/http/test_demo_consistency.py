"""Every view of the demo catalog says the same about personal data: for each feature (and each
of its versions), dataset and model, the portal's GraphQL answer, REST classifications, the
search index (hits and facet counts) and the policy gate's input carry the same
classifications. A catalog must never say "no PII" on one page and deny for PII on another."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.support.server import RunningServer, serving

PORTAL_CLASSIFICATIONS = """query($urn: ID!) {
  classifications(urn: $urn) { __typename ... on Classifications { classifications { tag } } }
}"""
"""The query the portal's feature and node pages ask."""
VERSIONS = """query($urn: ID!) { node(urn: $urn) { ... on Feature { versions { urn } } } }"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    with serving(tmp_path_factory.mktemp("consistency") / "data", "--demo") as running:
        yield running


def _get(server: RunningServer, path: str, **params: Any) -> Any:
    answer = httpx.get(f"{server.url}{path}", params=params, timeout=30)
    assert answer.status_code == 200, answer.text
    return answer.json()


def _graphql(server: RunningServer, query: str, **variables: Any) -> Any:
    answer = httpx.post(
        f"{server.url}/graphql", json={"query": query, "variables": variables}, timeout=30
    )
    body = answer.json()
    assert answer.status_code == 200 and not body.get("errors"), body
    return body["data"]


def _indexed(server: RunningServer, kind: str) -> tuple[dict[str, set[str]], dict[str, int]]:
    """Every search hit of a kind with its indexed tags, and the classification facet."""
    page = _get(server, "/api/v1/search", kind=kind, first=100)
    assert page["next_cursor"] is None and page["total"] == len(page["hits"])
    return {h["urn"]: set(h["tags"]) for h in page["hits"]}, page["facets"]["classification"]


def _portal(server: RunningServer, urn: str) -> set[str]:
    answer = _graphql(server, PORTAL_CLASSIFICATIONS, urn=urn)["classifications"]
    assert answer["__typename"] == "Classifications", answer
    return {t["tag"] for t in answer["classifications"]}


def _rest(server: RunningServer, urn: str) -> set[str]:
    return {t["tag"] for t in _get(server, "/api/v1/classifications", urn=urn)}


def _filtered(server: RunningServer, kind: str, tag: str) -> set[str]:
    page = _get(server, "/api/v1/search", kind=kind, classification=tag, first=100)
    return {h["urn"] for h in page["hits"]}


def _gate(server: RunningServer, urn: str) -> set[str]:
    body = {"action": "train", "purpose": "fraud_detection", "features": [urn]}
    answer = httpx.post(f"{server.url}/api/v1/policy/feature-use", json=body, timeout=30)
    assert answer.status_code == 200, answer.text
    [feature] = answer.json()["input"]["features"]
    return set(feature["classifications"])


@pytest.mark.parametrize("kind", ["feature", "dataset", "model"])
def test_every_view_agrees_on_what_each_asset_carries(server: RunningServer, kind: str) -> None:
    indexed, facet = _indexed(server, kind)
    assert indexed, f"the demo has no {kind}"
    carried: dict[str, set[str]] = {}
    for urn, tags in indexed.items():
        portal = _portal(server, urn)
        assert _rest(server, urn) == portal, urn
        assert tags == portal, f"search indexed {sorted(tags)} for {urn}, the portal says {portal}"
        if kind == "feature":
            assert _gate(server, urn) == portal, f"the gate's input disagrees on {urn}"
        carried[urn] = portal
    # facet counts and classification filters find exactly the assets that carry each tag
    counts = Counter(tag for tags in carried.values() for tag in tags)
    assert facet == dict(counts)
    for tag in counts:
        assert _filtered(server, kind, tag) == {u for u, tags in carried.items() if tag in tags}


def test_every_feature_version_is_the_same_in_the_portal_rest_and_the_gate(
    server: RunningServer,
) -> None:
    features, _ = _indexed(server, "feature")
    for feature in features:
        for version in _graphql(server, VERSIONS, urn=feature)["node"]["versions"]:
            portal = _portal(server, version["urn"])
            assert _rest(server, version["urn"]) == portal
            assert _gate(server, version["urn"]) == portal, version["urn"]


def test_the_demo_tells_a_true_story(server: RunningServer) -> None:
    """Not vacuous: the hashed feature is clean everywhere, the raw tables and what they feed
    carry personal data everywhere."""
    features, _ = _indexed(server, "feature")
    datasets, _ = _indexed(server, "dataset")
    assert features["urn:provgraph:feature:rider_risk:email_domain_risk"] == set()
    assert features["urn:provgraph:feature:rider_risk:pickup_city_entropy"] == {"pii.location"}
    trips = "urn:provgraph:dataset:postgres%3A//rides-db%3A5432:public.trips"
    assert datasets[trips] == {"pii.location", "pii.financial"}
    enriched = "urn:provgraph:dataset:s3%3A//rides-lake:curated.trips_enriched"
    assert datasets[enriched] == {"pii.location", "pii.financial"}
