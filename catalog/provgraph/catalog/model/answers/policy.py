"""Governance answers: a feature-use decision, a compliance re-check, a candidate bundle's
backtest. (The gate and the compliance walk compute them in `policies`; the server maps each
once, for REST and the CLI's embedded mode alike.)"""

from __future__ import annotations

from typing import Any

from provgraph.catalog.model.answers.base import Answer
from provgraph.catalog.model.answers.classification import ClassificationTrace


class FeatureUseDecision(Answer):
    allow: bool
    deny: list[str]
    obligations: list[str]
    decision_urn: str
    """URN of the recorded PolicyDecision (GraphQL: `decisionUrn`)."""
    bundle_revision: str
    input_digest: str
    engine: str
    error: str | None
    explanations: dict[str, list[ClassificationTrace]]
    """Per feature: why it carries each classification."""
    input: dict[str, Any]
    """The policy input the decision was made on."""


class ComplianceEntry(Answer):
    """A model version (may it train?) or live deployment (may it serve?) re-checked now."""

    subject: str
    action: str
    purpose: str
    allow: bool
    deny: list[str]
    previously_allowed: bool | None
    """What the baseline report decided about this subject and action, if it did."""
    decision_urn: str
    newly_non_compliant: bool
    """Denied now, allowed in the baseline: the server's verdict, read, never recomputed."""
    baseline_decision_urn: str | None = None
    """The baseline report's decision that `previously_allowed` comes from."""


class BacktestChange(Answer):
    """A recorded decision the candidate bundle would decide differently."""

    decision_urn: str
    action: str
    purpose: str
    was_allowed: bool
    would_allow: bool
    would_deny: list[str]


class Backtest(Answer):
    replayed: int
    """Recorded decisions replayed under the candidate bundle."""
    changes: list[BacktestChange]
