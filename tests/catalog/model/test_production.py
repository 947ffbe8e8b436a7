"""The one rule for "in production": an environment's name and a deployment's status."""

from __future__ import annotations

import pytest

from provgraph.catalog.model import views
from provgraph.catalog.model.production import in_production, is_production_environment


@pytest.mark.parametrize(
    "environment",
    ["production", "prod", "prod-eu", "production-us-east", "PROD-EU", "Production"],
)
def test_production_environments(environment: str) -> None:
    assert is_production_environment(environment)


@pytest.mark.parametrize(
    "environment",
    ["staging", "preprod", "product-demo", "prods", "productions", "dev-prod", "prod_eu", ""],
)
def test_other_environments(environment: str) -> None:
    assert not is_production_environment(environment)


def test_a_deployment_is_in_production_while_it_is_active_there() -> None:
    live = views.Deployment(environment="prod-eu", name="d", model_version="urn:x")
    assert in_production(live)
    assert not in_production(
        views.Deployment(environment="prod-eu", name="d", model_version="urn:x", status="retired")
    )
    assert not in_production(views.Deployment(environment="staging", name="d", model_version="x"))
