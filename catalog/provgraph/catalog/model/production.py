"""The one rule for "in production", asked by the policy gate, search, GraphQL and the portal.

An environment is a production environment when its name, case aside, is `production` or
`prod`, or starts with `production-` or `prod-` (`prod-eu`, `production-us-east`). A
deployment is in production when it is active in a production environment (a retired one
serves nothing). `staging`, `preprod` or `product-demo` are not production.
"""

from __future__ import annotations

from provgraph.catalog.model import views

PRODUCTION_NAMES = ("production", "prod")


def is_production_environment(environment: str) -> bool:
    name = environment.strip().lower()
    return any(name == p or name.startswith(f"{p}-") for p in PRODUCTION_NAMES)


def live_in_production(environment: str, status: str) -> bool:
    """A deployment with this environment and status (`active`, `retired`) is in production."""
    return status == "active" and is_production_environment(environment)


def in_production(deployment: views.Deployment) -> bool:
    return live_in_production(deployment.environment, deployment.status)
