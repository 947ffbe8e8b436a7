"""A `prod-eu` deployment is in production for every surface: the policy gate holds it to the
production rules (certified features with passing checks) and search counts it as a
production deployment, because both ask the catalog's one rule (catalog/model/production.py)
and the bundle reads the gate's answer (`input.production`) instead of an environment name.
Over HTTP, against the real server, bundle and search index."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from provgraph.catalog.model.events import (
    CatalogEvent,
    ColumnRef,
    DeploymentRecorded,
    FeatureDefined,
    FeatureRef,
    ModelVersionRegistered,
    TrainingSetCreated,
    event_to_json,
)
from tests.support.events import at, dataset
from tests.support.server import RunningServer, serving

MV = "urn:provgraph:model-version:eta@" + "c" * 16
FEATURE = "urn:provgraph:feature:trip:distance"
PROD_EU = "urn:provgraph:deployment:prod-eu:eta"
STAGING = "urn:provgraph:deployment:staging:eta"


def _events() -> list[CatalogEvent]:
    def deployed(environment: str) -> DeploymentRecorded:
        return DeploymentRecorded(
            event_time=at(6), environment=environment, name="eta", model_version=MV, purpose="eta"
        )

    return [
        dataset("trips", "id", "distance"),
        FeatureDefined(  # a draft: not certified, no checks on its source data
            event_time=at(2),
            group="trip",
            name="distance",
            transformation="x",
            sources=[ColumnRef(namespace="db", name="trips", field="distance")],
        ),
        TrainingSetCreated(
            event_time=at(3), name="eta", features=[FeatureRef(group="trip", name="distance")]
        ),
        ModelVersionRegistered(  # a staging-stage model: only the deployment can make it prod
            event_time=at(4),
            model="eta",
            artifact_digest="sha256:" + "c" * 64,
            training_set="eta",
            purpose="eta",
            stage="staging",
        ),
        deployed("prod-eu"),
        deployed("staging"),
    ]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    with serving(tmp_path_factory.mktemp("prod-eu") / "data") as running:
        body = [json.loads(event_to_json(e)) for e in _events()]
        answer = httpx.post(f"{running.url}/api/v1/events", json=body, timeout=30)
        assert answer.status_code == 200, answer.text
        yield running


def _decide(server: RunningServer, **question: Any) -> dict[str, Any]:
    answer = httpx.post(
        f"{server.url}/api/v1/policy/feature-use",
        json={"purpose": "eta", **question},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    decided: dict[str, Any] = answer.json()
    return decided


def test_the_gate_holds_a_prod_eu_deployment_to_the_production_rules(
    server: RunningServer,
) -> None:
    served = _decide(server, action="serve", deployment=PROD_EU)
    assert served["input"]["production"] is True
    assert not served["allow"]
    assert any(
        r.startswith("urn:provgraph:feature-version:trip:distance@")
        and r.endswith("is not certified (status draft); production needs certified features")
        for r in served["deny"]
    ), served["deny"]
    deploying = _decide(server, action="deploy", model_version=MV, environment="prod-eu")
    assert deploying["input"]["production"] is True and not deploying["allow"]
    staging = _decide(server, action="serve", deployment=STAGING)
    assert staging["input"]["production"] is False and staging["allow"], staging["deny"]


def test_search_counts_a_prod_eu_deployment_as_production(server: RunningServer) -> None:
    answer = httpx.get(
        f"{server.url}/api/v1/search", params={"q": "distance", "in_production": "true"}, timeout=30
    )
    assert answer.status_code == 200, answer.text
    hits = {h["urn"]: h for h in answer.json()["hits"]}
    assert hits[FEATURE]["production_deployments"] == 1  # prod-eu, not staging


def test_graphql_says_which_deployments_are_in_production(server: RunningServer) -> None:
    query = '{ a: node(urn: "%s") { ... on Deployment { inProduction } } b: node(urn: "%s") { ... on Deployment { inProduction } } }'
    answer = httpx.post(
        f"{server.url}/graphql", json={"query": query % (PROD_EU, STAGING)}, timeout=30
    )
    assert answer.json()["data"] == {"a": {"inProduction": True}, "b": {"inProduction": False}}
