"""Re-check and backtest.

- `recheck` re-evaluates every registered model version (may it be trained for its purpose?)
  and every live deployment (may it serve?) under the active policies and the catalog as it is
  now, records the decisions (origin `compliance`), and reports the newly non-compliant ones:
  allowed at the baseline, denied now. The baseline is an earlier compliance report: the one in
  force at a moment, the last one made under a bundle revision, or by default the previous
  report. Feature-use checks made in between (origin `use`) never move it.
- what-if (what_if.py) asks the same questions under hypothetical tags or a candidate bundle.
- `backtest` replays recorded decisions, from their recorded inputs, under a candidate bundle
  and reports which would change, before the bundle is rolled out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from provgraph.catalog.model import views
from provgraph.catalog.model.kinds import EdgeKind, NodeKind
from provgraph.catalog.model.timeutil import to_micros
from provgraph.catalog.model.urn import Urn
from provgraph.catalog.service import fields
from provgraph.catalog.service.catalog import Catalog
from provgraph.policies.engine import PolicyEngine
from provgraph.policies.gate import FeatureUseGate, FeatureUseRequest
from provgraph.policies.input import upgraded

UNSPECIFIED_PURPOSE = "unspecified"


@dataclass(frozen=True)
class ComplianceEntry:
    subject: str
    action: str
    purpose: str
    allow: bool
    deny: list[str]
    previously_allowed: bool | None
    """The baseline report's decision about this subject and action, if it had one."""
    decision: str
    baseline_decision: str | None = None
    """The recorded decision `previously_allowed` comes from."""

    @property
    def newly_non_compliant(self) -> bool:
        return not self.allow and self.previously_allowed is True


@dataclass(frozen=True)
class BacktestChange:
    decision: str
    action: str
    purpose: str
    was_allowed: bool
    would_allow: bool
    would_deny: list[str]


@dataclass(frozen=True)
class Baseline:
    """What "newly" is measured against: the compliance report in force at `at`, or the last
    one made under `bundle_revision`; neither given, the previous report."""

    at: datetime | None = None
    bundle_revision: str | None = None


def recheck(
    catalog: Catalog, gate: FeatureUseGate, *, actor: str, baseline: Baseline | None = None
) -> list[ComplianceEntry]:
    chosen = baseline or Baseline()
    entries = []
    for subject, request in compliance_questions(catalog):
        before = _baseline_decision(catalog, subject, request.action, chosen)
        result = gate.check_feature_use(request, actor=actor, origin="compliance")
        entries.append(
            ComplianceEntry(
                subject=subject,
                action=request.action,
                purpose=request.purpose,
                allow=result.allow,
                deny=result.decision.deny,
                previously_allowed=None if before is None else before[1],
                decision=result.decision_urn,
                baseline_decision=None if before is None else before[0],
            )
        )
    return entries


def reached_by_tag(catalog: Catalog, urn: str) -> set[str]:
    """The features and feature versions that a tag set on `urn` (a column's: on its field)
    would reach: the classification service's rule, so not past INDIRECT or masking column
    lineage, nor into a feature version a steward declared declassifying. A feature named in
    a question means its newest version, which is among them when the tag reaches it."""
    root = fields.resolve(catalog.index, urn)
    parsed = Urn.parse(root)
    holders = {root, str(parsed.field_urn())} if parsed.kind is NodeKind.COLUMN else {root}
    candidates = [n.urn for n in catalog.lineage.impact(root).feature_versions]
    if parsed.kind is NodeKind.FEATURE:
        candidates.append(root)
    return {c for c in candidates if holders & catalog.classifications.sources(c)}


def compliance_questions(catalog: Catalog) -> list[tuple[str, FeatureUseRequest]]:
    """May each model version train for its purpose? May each live deployment serve?"""
    reader = catalog.reader
    questions: list[tuple[str, FeatureUseRequest]] = []
    for urn in reader.list_urns(NodeKind.MODEL_VERSION, offset=0, limit=1_000_000):
        purpose = reader.view(urn, views.ModelVersion).purpose or UNSPECIFIED_PURPOSE
        questions.append(
            (urn, FeatureUseRequest(action="train", purpose=purpose, model_version=urn))
        )
    for urn in reader.list_urns(NodeKind.DEPLOYMENT, offset=0, limit=1_000_000):
        if not reader.related(urn, EdgeKind.SERVES, outgoing=True):
            continue  # retired
        purpose = reader.view(urn, views.Deployment).purpose or UNSPECIFIED_PURPOSE
        questions.append((urn, FeatureUseRequest(action="serve", purpose=purpose, deployment=urn)))
    # nothing to decide without training features recorded
    return [(s, q) for s, q in questions if _has_features(catalog, s)]


def backtest(catalog: Catalog, candidate: PolicyEngine) -> tuple[int, list[BacktestChange]]:
    """(decisions replayed, those the candidate would decide differently)."""
    reader = catalog.reader
    urns = reader.list_urns(NodeKind.POLICY_DECISION, offset=0, limit=10_000_000)
    changes = []
    replayed = 0
    for start in range(0, len(urns), 1000):
        for urn, recorded in reader.views(urns[start : start + 1000], views.PolicyDecision).items():
            if not recorded.policy_input:
                continue
            replayed += 1
            again = candidate.evaluate(upgraded(recorded.policy_input))
            if again.allow != recorded.allow or again.deny != recorded.deny:
                changes.append(
                    BacktestChange(
                        decision=urn,
                        action=recorded.action,
                        purpose=recorded.purpose,
                        was_allowed=recorded.allow,
                        would_allow=again.allow,
                        would_deny=again.deny,
                    )
                )
    return replayed, changes


def _baseline_decision(
    catalog: Catalog, subject: str, action: str, baseline: Baseline
) -> tuple[str, bool] | None:
    """(urn, allow) of the baseline report's decision about `subject` and `action`."""
    decisions = catalog.reader.related(subject, EdgeKind.DECIDED, outgoing=False)
    nodes = catalog.reader.get_nodes([e.src for e in decisions]).values()
    limit = None if baseline.at is None else to_micros(baseline.at)
    matching = []
    for node in nodes:
        recorded = views.PolicyDecision.of(node)
        if recorded.action != action or recorded.origin != "compliance":
            continue
        if limit is not None and node.created_at > limit:
            continue
        if baseline.bundle_revision is not None and (
            recorded.bundle_revision != baseline.bundle_revision
        ):
            continue
        matching.append(node)
    if not matching:
        return None
    last = max(matching, key=lambda n: (n.created_at, n.urn))
    return last.urn, views.PolicyDecision.of(last).allow


def _has_features(catalog: Catalog, subject: str) -> bool:
    reader = catalog.reader
    version = subject
    if reader.kind_of(subject) is NodeKind.DEPLOYMENT:
        served = reader.related(subject, EdgeKind.SERVES, outgoing=True)
        if not served:
            return False
        version = served[0].dst
    sets = reader.related(version, EdgeKind.TRAINED_ON, outgoing=True)
    return any(reader.related(s.dst, EdgeKind.INCLUDES, outgoing=True) for s in sets)
