"""The policy input document: what the gate gives the Rego bundle, typed once.

The gate builds it, the bundle reads it, the bundle's test cases are checked against it, and
the serving integration reads recorded answers through it. Its JSON Schema is published beside
the bundle (`rego/input.schema.json`, written by `python -m provgraph.policies.input_schema
--write`; a test fails when it is stale), so a renamed key fails a test instead of silently
denying (or allowing) everything.

`production` is the catalog's answer (provgraph.catalog.model.production), never the bundle's
own reading of an environment name: the gate decides it, the bundle reads it.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from provgraph.catalog.model.production import is_production_environment, live_in_production
from provgraph.catalog.model.views.ml import FeatureStatus

Action = Literal["train", "deploy", "serve", "materialize"]
Quality = Literal["passing", "failing", "unknown"]


class _Facts(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


class ModelFacts(_Facts):
    """The model version the use is about (or the one the deployment serves)."""

    urn: str
    stage: str | None = None
    """Its registry stage: development, staging, production or archived."""
    purpose: str | None = None
    label: str | None = None


class DeploymentFacts(_Facts):
    """The deployment the use is about."""

    urn: str
    environment: str
    purpose: str | None = None
    status: Literal["active", "retired"]


class FeatureFacts(_Facts):
    """A feature in use, with what the catalog knows about it."""

    urn: str
    """As the question named it: a feature or a feature version."""
    feature: str
    version: str | None = None
    """The feature version meant (a feature named: its newest); None when it has none."""
    classifications: list[str]
    """Direct and inherited (the classification service's one rule), sorted."""
    status: FeatureStatus
    """Certification status."""
    quality: Quality
    """The quality checks recorded on its source data."""


class PolicyInput(_Facts):
    """The whole question, as `input` in the bundle."""

    action: Action
    purpose: str = Field(min_length=1)
    principal: str = Field(min_length=1)
    """The actor asking (the authenticated token's actor)."""
    environment: str | None = None
    """Where the use happens: the question's environment, else the deployment's."""
    production: bool
    """The use is in production: the deployment named is in production, or (none named) the
    environment is a production environment (catalog.model.production)."""
    model: ModelFacts | None = None
    deployment: DeploymentFacts | None = None
    features: list[FeatureFacts]
    """None is a question the bundle refuses (malformed), not one the gate may not ask."""

    def document(self) -> dict[str, Any]:
        """The JSON document the engine evaluates (absent facts left out, not null)."""
        dumped = self.model_dump(mode="json")
        return {k: v for k, v in dumped.items() if v is not None}


def production_use(deployment: DeploymentFacts | None, environment: str | None) -> bool:
    """The `production` fact: the deployment's, else the environment's (a deploy about to
    make one active there), else not production."""
    if deployment is not None:
        return live_in_production(deployment.environment, deployment.status)
    return environment is not None and is_production_environment(environment)


def upgraded(recorded: dict[str, Any]) -> dict[str, Any]:
    """A recorded input from before `production` was a fact (the bundle then read
    `environment == "production"` itself), with the fact added by today's rule, so a backtest
    replays old decisions the way the gate would ask them now."""
    if "production" in recorded:
        return recorded
    deployment = recorded.get("deployment")
    environment = recorded.get("environment")
    if isinstance(deployment, dict) and isinstance(deployment.get("environment"), str):
        status = deployment.get("status")
        production = live_in_production(
            deployment["environment"], status if isinstance(status, str) else "active"
        )
    else:
        production = isinstance(environment, str) and is_production_environment(environment)
    return {**recorded, "production": production}
