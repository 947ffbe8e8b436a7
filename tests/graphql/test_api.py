"""GraphQL over HTTP on the real server with the demo catalog."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.support.server import RunningServer, serving

PROD = "urn:provgraph:deployment:production:fraud-detector"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    with serving(tmp_path_factory.mktemp("gql") / "data", "--demo") as running:
        yield running


def gql(server: RunningServer, query: str, **variables: Any) -> dict[str, Any]:
    response = httpx.post(f"{server.url}/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_graphiql_on_get(server: RunningServer) -> None:
    page = httpx.get(f"{server.url}/graphql", headers={"accept": "text/html"})
    assert page.status_code == 200 and "graphiql" in page.text.lower()


def test_lookup_by_openlineage_name_with_versions_columns_and_runs(server: RunningServer) -> None:
    body = gql(
        server,
        """{ dataset(namespace: "s3://rides-lake", name: "curated.trips_enriched") {
        urn name owners { id }
        versions { version producedBy { state job { name version } inputs { urn } }
                   columns { name upstream { urn } } }
        producers { name } } }""",
    )
    dataset = body["data"]["dataset"]
    assert dataset["urn"] == "urn:provgraph:dataset:s3%3A//rides-lake:curated.trips_enriched"
    assert len(dataset["versions"]) == 2
    newest = dataset["versions"][-1]
    assert newest["producedBy"]["job"] == {"name": "clean_trips", "version": "git:9b7e004"}
    email = next(c for c in newest["columns"] if c["name"] == "email_hash")
    assert email["upstream"][0]["urn"].endswith("#email")
    assert dataset["producers"] == [{"name": "clean_trips"}]


def test_model_version_chain(server: RunningServer) -> None:
    body = gql(
        server,
        """{ nodes(kind: DEPLOYMENT) { items { ... on Deployment {
        environment servedVersion { label metrics artifactDigest trainingSet { name manifest }
                                    trainingRun { job { name } } features { transformation } }
        history { modelVersion validFrom validTo } } } } }""",
    )
    deployments = {d["environment"]: d for d in body["data"]["nodes"]["items"]}
    prod = deployments["production"]
    assert prod["servedVersion"]["label"] == "v2" and prod["servedVersion"]["metrics"] == {
        "auc": 0.93
    }
    assert prod["servedVersion"]["trainingSet"]["manifest"]["seed"] == 7
    assert len(prod["servedVersion"]["features"]) == 5
    assert len(prod["history"]) == 2 and prod["history"][0]["validTo"] is not None


def test_lineage_as_of_with_partial_flag(server: RunningServer) -> None:
    query = """query($urn: ID!, $asOf: DateTime) { lineage(urn: $urn, depth: 1, asOf: $asOf) {
        __typename ... on LineageGraph { isPartial partialReasons nodes { urn kind depth node { ... on ModelVersion { label } } }
                                        edges { kind source target validFrom validTo } } } }"""
    now = gql(server, query, urn=PROD)["data"]["lineage"]
    feb = gql(server, query, urn=PROD, asOf="2026-02-01T00:00:00Z")["data"]["lineage"]

    def label(graph: dict[str, Any]) -> str:
        return str(next(n["node"]["label"] for n in graph["nodes"] if n["kind"] == "MODEL_VERSION"))

    assert label(now) == "v2" and label(feb) == "v1"
    assert now["isPartial"] and now["partialReasons"] == ["DEPTH"]
    assert now["edges"][0]["kind"] == "SERVES"


def test_impact_paths_and_column_lineage(server: RunningServer) -> None:
    body = gql(
        server,
        """{ impact(urn: "urn:provgraph:dataset:postgres%3A//rides-db%3A5432:public.riders") {
        ... on Impact { deployments { urn } modelVersions { urn } } } }""",
    )
    assert {d["urn"] for d in body["data"]["impact"]["deployments"]} == {
        PROD,
        PROD.replace("production", "staging"),
        "urn:provgraph:deployment:staging:rider-promo",
    }
    columns = gql(
        server,
        """{ columnLineage(urn: "urn:provgraph:dataset:s3%3A//rides-lake:curated.trips_enriched") {
        ... on ColumnLineage { columns { column upstream { urn depth } } } } }""",
    )["data"]["columnLineage"]["columns"]
    pickup = next(c for c in columns if c["column"].endswith("#pickup_city"))
    assert sorted(u["urn"].split("#")[1] for u in pickup["upstream"]) == [
        "pickup_lat",
        "pickup_lon",
    ]
    email = next(c for c in columns if c["column"].endswith("#email_hash"))["upstream"][0]["urn"]
    paths = gql(
        server,
        'query($to: ID!) { paths(from: "%s", to: $to) { ... on Paths { paths { nodes edges { kind } } } } }'
        % PROD,
        to=email,
    )
    assert [e["kind"] for e in paths["data"]["paths"]["paths"][0]["edges"]] == [
        "SERVES",
        "TRAINED_ON",
        "INCLUDES",
        "COMPUTED_FROM",
        "DERIVED_FROM",
    ]


def test_expected_failures_are_union_members(server: RunningServer) -> None:
    body = gql(
        server,
        """{ a: lineage(urn: "urn:provgraph:dataset:no:such") { __typename ... on NotFoundError { message urn } }
                           b: lineage(urn: "garbage") { __typename ... on InvalidInputError { message field } }
                           c: lineage(urn: "%s", depth: 0) { __typename ... on InvalidInputError { message } } }"""
        % PROD,
    )
    assert body["data"]["a"]["__typename"] == "NotFoundError"
    assert body["data"]["b"] == {
        "__typename": "InvalidInputError",
        "message": body["data"]["b"]["message"],
        "field": "urn",
    }
    assert "depth" in body["data"]["c"]["message"]
    assert gql(server, '{ node(urn: "urn:provgraph:model:nope") { urn } }')["data"]["node"] is None


def test_depth_and_alias_limits(server: RunningServer) -> None:
    deep = (
        '{ node(urn: "x") { ... on Column { ' + "upstream { " * 12 + "name" + " }" * 12 + " } } }"
    )
    body = gql(server, deep)
    assert body["errors"] and "exceeds maximum operation depth" in body["errors"][0]["message"]
    aliases = "{ " + " ".join(f'a{i}: node(urn: "x") {{ urn }}' for i in range(40)) + " }"
    assert "aliases" in gql(server, aliases)["errors"][0]["message"].lower()


def test_mutations_become_events(server: RunningServer) -> None:
    register = gql(
        server,
        """mutation { registerDataset(input: {namespace: "pg", name: "public.payments",
        description: "payments", fields: [{name: "id", type: "int"}, {name: "card", type: "text", classifications: ["pii.financial"]}],
        owners: ["team:payments"]}) { __typename ... on MutationSuccess { seq duplicate } } }""",
    )
    assert register["data"]["registerDataset"]["__typename"] == "MutationSuccess"
    feature = "urn:provgraph:feature:rider_risk:avg_fare"
    certify = gql(
        server,
        'mutation { certifyFeature(urn: "%s", reason: "reviewed") { __typename } }' % feature,
    )
    assert certify["data"]["certifyFeature"]["__typename"] == "MutationSuccess"
    described = gql(
        server,
        'mutation { describe(urn: "%s", description: "Mean fare.") { __typename } }' % feature,
    )
    assert described["data"]["describe"]["__typename"] == "MutationSuccess"
    state = gql(
        server,
        '{ node(urn: "%s") { ... on Feature { status statusReason description } } }' % feature,
    )
    assert state["data"]["node"] == {
        "status": "certified",
        "statusReason": "reviewed",
        "description": "Mean fare.",
    }
    missing = gql(
        server,
        'mutation { classify(urn: "urn:provgraph:dataset:no:such", tag: "pii") { __typename ... on NotFoundError { urn } } }',
    )
    assert missing["data"]["classify"]["__typename"] == "NotFoundError"
    wrong = gql(
        server,
        'mutation { classify(urn: "%s", tag: "pii") { __typename ... on RejectedError { message } } }'
        % PROD,
    )
    assert "cannot be classified" in wrong["data"]["classify"]["message"]
    bad_tag = gql(
        server,
        'mutation { classify(urn: "%s", tag: "Not A Tag") { __typename ... on InvalidInputError { field } } }'
        % feature,
    )
    assert bad_tag["data"]["classify"] == {"__typename": "InvalidInputError", "field": "tag"}
    deploy = gql(
        server,
        'mutation { recordDeployment(input: {environment: "canary", name: "fraud", modelVersion: "urn:provgraph:model-version:fraud-detector@0000000000000000"}) { __typename } }',
    )
    assert deploy["data"]["recordDeployment"]["__typename"] == "NotFoundError"


def test_search_with_facets_and_reasons(server: RunningServer) -> None:
    body = gql(
        server,
        """{ search(query: "email", filters: {kinds: [FEATURE, DATASET]}, first: 2) {
        ... on SearchResults { total hasNextPage endCursor hits { name kind score reasons node { urn } }
                               facets { kinds { value count } classifications { value count } } } } }""",
    )
    results = body["data"]["search"]
    assert results["total"] == 3 and results["hasNextPage"] is True
    assert results["hits"][0]["name"] == "email_domain_risk" and results["hits"][0]["reasons"]
    assert {f["value"] for f in results["facets"]["kinds"]} == {"feature", "dataset"}
    rest = gql(
        server,
        '{ search(query: "email", first: 2, after: "%s") { ... on SearchResults { hits { name } hasNextPage } } }'
        % results["endCursor"],
    )
    assert len(rest["data"]["search"]["hits"]) == 1 and not rest["data"]["search"]["hasNextPage"]
    bad = gql(
        server, '{ search(after: "nope") { __typename ... on InvalidInputError { message } } }'
    )
    assert bad["data"]["search"]["__typename"] == "InvalidInputError"


def test_search_over_rest(server: RunningServer) -> None:
    page = httpx.get(f"{server.url}/api/v1/search", params={"q": "fare", "kind": "feature"}).json()
    assert [h["name"] for h in page["hits"]] == ["avg_fare"]
    assert httpx.get(f"{server.url}/api/v1/search", params={"first": 0}).status_code == 422
    assert httpx.get(f"{server.url}/api/v1/search", params={"after": "zz"}).status_code == 400


def test_inherited_classifications_with_paths(server: RunningServer) -> None:
    body = gql(
        server,
        '{ classifications(urn: "%s") { ... on Classifications { classifications { tag inherited source path } } } }'
        % PROD,
    )
    everything = body["data"]["classifications"]["classifications"]
    assert {t["tag"] for t in everything} == {"pii.location", "consent:fraud_detection"}
    traces = [t for t in everything if t["tag"] == "pii.location"]
    assert traces[0]["inherited"]
    assert len(traces) == 2  # pickup_city comes from pickup_lat and pickup_lon
    assert traces[0]["path"][0] == PROD and traces[0]["path"][-1] == traces[0]["source"]
    rest = httpx.get(f"{server.url}/api/v1/classifications", params={"urn": PROD}).json()
    location = [t for t in rest if t["tag"] == "pii.location"]
    assert location[0]["path"] == traces[0]["path"]


def test_a_fragment_bomb_is_refused_at_once_and_health_stays_up(server: RunningServer) -> None:
    # 2^40 expansions: a naive limiter walks them all and the server stops answering
    fragments = ["fragment F0 on Query { __typename }"] + [
        f"fragment F{i} on Query {{ ...F{i - 1} ...F{i - 1} }}" for i in range(1, 41)
    ]
    query = "query { ...F40 } " + " ".join(fragments)
    response = httpx.post(f"{server.url}/graphql", json={"query": query}, timeout=10)
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "COST_LIMIT"
    assert "estimated cost" in error["message"]
    assert httpx.get(f"{server.url}/healthz", timeout=5).status_code == 200


def test_the_depth_limit_is_exact(server: RunningServer) -> None:
    def nested(levels: int) -> str:
        """`levels` field levels: node, then dataset/latestVersion alternately, then urn."""
        chain = ["dataset", "latestVersion"] * levels
        inner = "urn"
        for name in reversed(chain[: levels - 2]):
            inner = f"{name} {{ {inner} }}"
        return '{ node(urn: "x") { ... on DatasetVersion { ' + inner + " } } }"

    assert "errors" not in gql(server, nested(12))
    assert "exceeds maximum operation depth" in gql(server, nested(13))["errors"][0]["message"]
