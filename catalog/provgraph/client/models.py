"""What the server answers, as typed models. Fields the server adds later are ignored, so an
older client keeps working against a newer server.

The lineage answers and nodes are the catalog's own declared answers (`model.answers`), the
classes the server sends: the client reads them back into the same classes, so the two cannot
drift apart. The others are still declared here; `tests/client/test_openapi_models.py` fails
when any of them differs from the server's OpenAPI document.
"""

from __future__ import annotations

from dataclasses import dataclass

from provgraph.catalog.model.answers.classification import (
    ClassificationTrace as ClassificationTrace,
)
from provgraph.catalog.model.answers.lineage import ImpactResult as ImpactResult
from provgraph.catalog.model.answers.lineage import LineageEdge as LineageEdge
from provgraph.catalog.model.answers.lineage import LineageNode as LineageNode
from provgraph.catalog.model.answers.lineage import LineagePath as LineagePath
from provgraph.catalog.model.answers.lineage import LineageResult as LineageResult
from provgraph.catalog.model.answers.lineage import NodeSummary as NodeSummary
from provgraph.catalog.model.answers.nodes import Node as Node
from provgraph.catalog.model.answers.policy import Backtest as Backtest
from provgraph.catalog.model.answers.policy import BacktestChange as BacktestChange
from provgraph.catalog.model.answers.policy import ComplianceEntry as ComplianceEntry
from provgraph.catalog.model.answers.policy import FeatureUseDecision as FeatureUseDecision
from provgraph.catalog.model.answers.readiness import Readiness as Readiness
from provgraph.catalog.model.answers.recipe import Recipe as Recipe
from provgraph.catalog.model.answers.recipe import RecipeChange as RecipeChange
from provgraph.catalog.model.answers.recipe import RecipeDataset as RecipeDataset
from provgraph.catalog.model.answers.recipe import RecipeFeature as RecipeFeature
from provgraph.catalog.model.answers.search import SearchHit as SearchHit
from provgraph.catalog.model.answers.search import SearchPage as SearchPage
from provgraph.catalog.model.answers.writes import EventsAccepted as EventsAccepted
from provgraph.catalog.model.answers.writes import EventWarning as EventWarning
from provgraph.catalog.model.answers.writes import OpenLineageAccepted as OpenLineageAccepted
from provgraph.catalog.model.answers.writes import Receipt as Receipt
from provgraph.catalog.model.events import CatalogEvent


@dataclass(frozen=True, slots=True)
class Submission:
    """A catalog event with the idempotency key to send it under (default: its content digest)."""

    event: CatalogEvent
    idempotency_key: str | None = None
