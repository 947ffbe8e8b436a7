"""What the server answers, as typed models. Fields the server adds later are ignored, so an
older client keeps working against a newer server.

The lineage answers and nodes are the catalog's own declared answers (`model.answers`), the
classes the server sends: the client reads them back into the same classes, so the two cannot
drift apart. The others are still declared here; `tests/client/test_openapi_models.py` fails
when any of them differs from the server's OpenAPI document.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import AliasChoices, Field

from provgraph.catalog.model.answers.base import Answer
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


class FeatureUseDecision(Answer):
    allow: bool
    deny: list[str]
    obligations: list[str]
    decision_urn: str = Field(validation_alias=AliasChoices("decision_urn", "decision"))
    """URN of the recorded PolicyDecision."""
    bundle_revision: str
    input_digest: str
    engine: str
    error: str | None
    explanations: dict[str, list[ClassificationTrace]]
    input: dict[str, Any]


class ComplianceEntry(Answer):
    """A model version (may it train?) or live deployment (may it serve?) re-checked now."""

    subject: str
    action: str
    purpose: str
    allow: bool
    deny: list[str]
    previously_allowed: bool | None
    """What the baseline report decided about this subject and action, if it did."""
    decision_urn: str = Field(validation_alias=AliasChoices("decision_urn", "decision"))
    newly_non_compliant: bool = False
    """The server's verdict (denied now, allowed in the baseline): read, never recomputed."""
    baseline_decision_urn: str | None = None
    """The baseline report's decision that `previously_allowed` comes from."""


class BacktestChange(Answer):
    """A recorded decision the candidate bundle would decide differently."""

    decision_urn: str = Field(validation_alias=AliasChoices("decision_urn", "decision"))
    action: str
    purpose: str
    was_allowed: bool
    would_allow: bool
    would_deny: list[str]


class Backtest(Answer):
    replayed: int
    """Recorded decisions replayed under the candidate bundle."""
    changes: list[BacktestChange]
