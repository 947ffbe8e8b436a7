"""Re-check and backtest.

- `recheck` re-evaluates every registered model version (may it be trained for its purpose?)
  and every live deployment (may it serve?) under the active policies and the catalog as it is
  now, records the decisions, and reports the newly non-compliant ones: allowed at their last
  recorded decision, denied now.
- `backtest` replays recorded decisions, from their recorded inputs, under a candidate bundle
  and reports which would change, before the bundle is rolled out.
"""

from __future__ import annotations

from dataclasses import dataclass

from provgraph.catalog.model import views
from provgraph.catalog.model.kinds import EdgeKind, NodeKind
from provgraph.catalog.service.catalog import Catalog
from provgraph.policies.engine import PolicyEngine
from provgraph.policies.gate import FeatureUseGate, FeatureUseRequest

UNSPECIFIED_PURPOSE = "unspecified"


@dataclass(frozen=True)
class ComplianceEntry:
    subject: str
    action: str
    purpose: str
    allow: bool
    deny: list[str]
    previously_allowed: bool | None
    """The last recorded decision about this subject and action, if any."""
    decision: str

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


def compliance_questions(catalog: Catalog) -> list[tuple[str, FeatureUseRequest]]:
    """Every model version (may it train for its purpose?) and live deployment (may it serve?)
    that has training features recorded."""
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
    return [(subject, request) for subject, request in questions if _has_features(catalog, subject)]


def recheck(catalog: Catalog, gate: FeatureUseGate, *, actor: str) -> list[ComplianceEntry]:
    entries = []
    for subject, request in compliance_questions(catalog):
        before = _last_decision(catalog, subject, request.action)
        result = gate.check_feature_use(request, actor=actor)
        entries.append(
            ComplianceEntry(
                subject=subject,
                action=request.action,
                purpose=request.purpose,
                allow=result.allow,
                deny=result.decision.deny,
                previously_allowed=before,
                decision=result.decision_urn,
            )
        )
    return entries


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
            again = candidate.evaluate(recorded.policy_input)
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


def _last_decision(catalog: Catalog, subject: str, action: str) -> bool | None:
    decisions = catalog.reader.related(subject, EdgeKind.DECIDED, outgoing=False)
    nodes = catalog.reader.get_nodes([e.src for e in decisions]).values()
    matching = [n for n in nodes if views.PolicyDecision.of(n).action == action]
    if not matching:
        return None
    return views.PolicyDecision.of(max(matching, key=lambda n: n.created_at)).allow


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
