"""What if this column, dataset or feature were tagged? Which model versions and live
deployments would the active policies then deny, and for what new reasons?

Look-only: the decisions are assessed, never recorded, and the catalog is not changed. The tag
reaches what propagation would carry it to: the one rule of the classification service (so
not past INDIRECT or masking column lineage, nor into a feature version a steward declared
declassifying).
"""

from __future__ import annotations

from dataclasses import dataclass

from provgraph.catalog.model.kinds import NodeKind
from provgraph.catalog.service.catalog import Catalog
from provgraph.catalog.service.traversal import Direction
from provgraph.policies.compliance import compliance_questions, reached_by_tag
from provgraph.policies.gate import FeatureUseGate

TAGGABLE = {NodeKind.COLUMN, NodeKind.DATASET, NodeKind.FEATURE, NodeKind.FEATURE_VERSION}
MAX_TAG = 200


@dataclass(frozen=True)
class WhatIfEntry:
    subject: str
    action: str
    purpose: str
    allowed_now: bool
    allowed_then: bool
    new_reasons: list[str]
    """Deny reasons the hypothetical tag would add."""


@dataclass(frozen=True)
class WhatIfAnswer:
    urn: str
    tag: str
    affected_features: list[str]
    entries: list[WhatIfEntry]


def what_if_classified(
    catalog: Catalog, gate: FeatureUseGate, *, urn: str, tag: str, actor: str
) -> WhatIfAnswer:
    """Raises ValueError for a bad tag or an asset that cannot be tagged, and the catalog's
    errors for a malformed or unknown URN."""
    tag = tag.strip()
    if not tag or len(tag) > MAX_TAG or any(c.isspace() for c in tag):
        raise ValueError(f"a tag is 1 to {MAX_TAG} characters with no spaces, got {tag!r}")
    walked = catalog.lineage.lineage(  # the asset itself (resolved, or NodeNotFoundError)
        urn, direction=Direction.DOWNSTREAM, depth=1, limit=1, include_edges=False
    )
    kind = walked.nodes[0].kind if walked.nodes else None
    if kind not in TAGGABLE:
        allowed = ", ".join(sorted(k.value for k in TAGGABLE))
        raise ValueError(f"only a {allowed} can be tagged, not {kind.value if kind else urn}")
    affected = reached_by_tag(catalog, walked.root)
    extra = {feature: [tag] for feature in affected}
    entries = []
    for subject, request in compliance_questions(catalog) if affected else []:
        now = gate.assess_feature_use(request, actor=actor).decision
        then = gate.assess_feature_use(request, actor=actor, extra_classifications=extra).decision
        new = [reason for reason in then.deny if reason not in now.deny]
        if new:
            entries.append(
                WhatIfEntry(
                    subject=subject,
                    action=request.action,
                    purpose=request.purpose,
                    allowed_now=now.allow,
                    allowed_then=then.allow,
                    new_reasons=new,
                )
            )
    return WhatIfAnswer(
        urn=walked.root, tag=tag, affected_features=sorted(affected), entries=entries
    )
