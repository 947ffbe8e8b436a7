"""The typed HTTP client of a provgraph server.

    from provgraph.client import Client

    with Client() as client:                     # $PROVGRAPH_URL, $PROVGRAPH_TOKEN
        client.submit(event)
        client.lineage(urn, direction="downstream")

Everything users need is importable from here; the submodules are private to the package.
"""

from provgraph.client._transport import Retry
from provgraph.client.batch import EventBatch
from provgraph.client.client import DEFAULT_URL, Client
from provgraph.client.errors import (
    ApiError,
    AuthenticationError,
    BadRequestError,
    FeatureUseDeniedError,
    GraphQLError,
    NotFoundError,
    PayloadTooLargeError,
    PermissionDeniedError,
    ProvgraphError,
    RateLimitedError,
    RejectedError,
    ServerError,
    TransportError,
    UnavailableError,
)
from provgraph.client.models import (
    Backtest,
    BacktestChange,
    ClassificationTrace,
    ComplianceEntry,
    EventsAccepted,
    FeatureUseDecision,
    ImpactResult,
    LineageEdge,
    LineageNode,
    LineagePath,
    LineageResult,
    Node,
    NodeSummary,
    OpenLineageAccepted,
    Readiness,
    Receipt,
    Recipe,
    RecipeChange,
    RecipeDataset,
    RecipeFeature,
    SearchHit,
    SearchPage,
    Submission,
)

__all__ = [
    "DEFAULT_URL",
    "ApiError",
    "AuthenticationError",
    "Backtest",
    "BacktestChange",
    "BadRequestError",
    "ClassificationTrace",
    "Client",
    "ComplianceEntry",
    "EventBatch",
    "EventsAccepted",
    "FeatureUseDecision",
    "FeatureUseDeniedError",
    "GraphQLError",
    "ImpactResult",
    "LineageEdge",
    "LineageNode",
    "LineagePath",
    "LineageResult",
    "Node",
    "NodeSummary",
    "NotFoundError",
    "OpenLineageAccepted",
    "PayloadTooLargeError",
    "PermissionDeniedError",
    "ProvgraphError",
    "RateLimitedError",
    "Readiness",
    "Receipt",
    "Recipe",
    "RecipeChange",
    "RecipeDataset",
    "RecipeFeature",
    "RejectedError",
    "Retry",
    "SearchHit",
    "SearchPage",
    "ServerError",
    "Submission",
    "TransportError",
    "UnavailableError",
]
